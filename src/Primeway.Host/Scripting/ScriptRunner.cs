using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using System.Text.RegularExpressions;

namespace Primeway.Host.Scripting
{
    /// <summary>
    /// Runs a script with the Primeway module imported, renders its output through Out-Default (so the module's
    /// table views apply), and turns the outcome into pwsh's exit code: exit N gives N, an error gives 1, else 0.
    /// </summary>
    internal sealed class ScriptRunner
    {
        private const int OutputWidth = 120;
        private static readonly Regex ParameterName = new Regex(@"^-[A-Za-z_][A-Za-z0-9_]*:?$", RegexOptions.CultureInvariant);

        private readonly TextWriter stdout;
        private readonly TextWriter stderr;

        public ScriptRunner(TextWriter stdout, TextWriter stderr)
        {
            this.stdout = stdout;
            this.stderr = stderr;
        }

        /// <summary>The module manifest shipped beside the executable.</summary>
        public static string ModuleManifest => Path.Combine(AppContext.BaseDirectory, "Modules", "Primeway", "Primeway.psd1");

        public int Run(ScriptRequest request)
        {
            if (request.File != null && !File.Exists(request.File))
            {
                stderr.WriteLine("primeway: the script file '" + request.File + "' does not exist.");
                return 1;
            }
            if (!File.Exists(ModuleManifest))
            {
                stderr.WriteLine("primeway: the Primeway module is missing at " + ModuleManifest + ". Rebuild primeway.");
                return 1;
            }

            // Colour only for a person at a terminal; logs and pipes get plain text, as pwsh does.
            var plainText = !ReferenceEquals(stdout, Console.Out) || Console.IsOutputRedirected;
            if (plainText) PSStyle.Instance.OutputRendering = OutputRendering.PlainText;
            var host = new ScriptHost(stdout, stderr, OutputWidth, plainText);
            var state = InitialSessionState.CreateDefault2();
            state.ImportPSModule(new[] { ModuleManifest });
            using var runspace = RunspaceFactory.CreateRunspace(host, state);
            runspace.Open();
            using var shell = PowerShell.Create(runspace);
            shell.AddScript(request.Command ?? InvokeFile(request.File!, request.FileArguments.ToArray()));
            // Errors flow into Out-Default with the output, in order, as in pwsh, and are written to stderr by the host.
            shell.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
            shell.AddCommand("Out-Default");

            try
            {
                shell.Invoke();
            }
            catch (RuntimeException e)
            {
                WriteTerminatingError(e.ErrorRecord);
                return host.ExitCode ?? 1;
            }
            if (host.ExitCode is int exitCode) return exitCode;
            return shell.HadErrors ? 1 : 0;
        }

        /// <summary>
        /// The script that calls a -File script the way pwsh does: words that look like -Name are parameter
        /// names, every other word a literal string value.
        /// </summary>
        internal static string InvokeFile(string path, string[] arguments)
        {
            var script = new StringBuilder("& ").Append(Quote(Path.GetFullPath(path)));
            foreach (var argument in arguments)
                script.Append(' ').Append(ParameterName.IsMatch(argument) ? argument : Quote(argument));
            // exit N inside the script file ends only that script; pass its code on as pwsh -File does.
            script.Append("; if ($global:LASTEXITCODE) { exit $global:LASTEXITCODE }");
            return script.ToString();
        }

        private static string Quote(string text) => "'" + text.Replace("'", "''") + "'";

        private void WriteTerminatingError(ErrorRecord error)
        {
            stderr.WriteLine(error.ToString());
            var position = error.InvocationInfo?.PositionMessage;
            if (!string.IsNullOrEmpty(position)) stderr.WriteLine(position);
        }
    }
}
