using System;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;

namespace Primeway.Host.Scripting
{
    /// <summary>The PSHost of `primeway -Command/-File`: text UI, and the exit code a script asks for with `exit N`.</summary>
    internal sealed class ScriptHost : PSHost
    {
        private readonly CultureInfo culture = CultureInfo.CurrentCulture;
        private readonly CultureInfo uiCulture = CultureInfo.CurrentUICulture;

        public ScriptHost(TextWriter stdout, TextWriter stderr, int width, bool plainText)
        {
            UI = new ScriptHostUserInterface(stdout, stderr, width, plainText);
        }

        /// <summary>The value of the script's `exit N`, if it called exit.</summary>
        public int? ExitCode { get; private set; }

        public override string Name => "primeway";
        public override Version Version => typeof(ScriptHost).Assembly.GetName().Version ?? new Version(0, 0);
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override PSHostUserInterface UI { get; }
        public override CultureInfo CurrentCulture => culture;
        public override CultureInfo CurrentUICulture => uiCulture;

        public override void SetShouldExit(int exitCode) => ExitCode = exitCode;

        public override void EnterNestedPrompt() => throw new NotSupportedException("primeway has no interactive prompt.");
        public override void ExitNestedPrompt() => throw new NotSupportedException("primeway has no interactive prompt.");
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }
}
