using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text.RegularExpressions;

namespace Primeway.Host.Scripting
{
    /// <summary>
    /// Text out, nothing in: the host runs scripts in CI and runbooks, where no one answers a prompt. Output goes
    /// to stdout; errors, warnings, verbose and debug lines to stderr, each with the prefix pwsh gives it.
    /// </summary>
    internal sealed class ScriptHostUserInterface : PSHostUserInterface
    {
        // The formatter decorates headers and errors with ANSI sequences; a host that prints plain text removes them.
        private static readonly Regex AnsiSequence = new Regex(@"\x1b\[[0-9;?]*[A-Za-z]", RegexOptions.CultureInvariant);

        private readonly TextWriter stdout;
        private readonly TextWriter stderr;
        private readonly bool plainText;

        public ScriptHostUserInterface(TextWriter stdout, TextWriter stderr, int width, bool plainText)
        {
            this.stdout = stdout;
            this.stderr = stderr;
            this.plainText = plainText;
            RawUI = new ScriptHostRawUserInterface(width);
        }

        public override PSHostRawUserInterface RawUI { get; }
        public override bool SupportsVirtualTerminal => !plainText;

        public override void Write(string value) => stdout.Write(Text(value));
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => stdout.Write(Text(value));
        public override void WriteLine(string value) => stdout.WriteLine(Text(value));
        public override void WriteErrorLine(string value) => stderr.WriteLine(Text(value));
        public override void WriteWarningLine(string message) => stderr.WriteLine("WARNING: " + Text(message));
        public override void WriteVerboseLine(string message) => stderr.WriteLine("VERBOSE: " + Text(message));
        public override void WriteDebugLine(string message) => stderr.WriteLine("DEBUG: " + Text(message));

        private string Text(string value) => plainText && value != null ? AnsiSequence.Replace(value, "") : value ?? "";
        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override string ReadLine() => throw NonInteractive("read a line");
        public override SecureString ReadLineAsSecureString() => throw NonInteractive("read a secret");
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw NonInteractive("prompt for " + message);
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw NonInteractive("ask: " + message);
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw NonInteractive("prompt for a credential");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw NonInteractive("prompt for a credential");

        private static PSInvalidOperationException NonInteractive(string what) =>
            new PSInvalidOperationException("primeway runs scripts non-interactively and cannot " + what + ". Pass the value as a parameter (use -Confirm:$false or -Force where a command asks for confirmation).");
    }
}
