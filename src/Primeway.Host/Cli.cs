using System.CommandLine;
using System.IO;
using Primeway.Host.Commands;
using Primeway.Host.Scripting;

namespace Primeway.Host
{
    /// <summary>The primeway command line: one root command with a verb per job a CI pipeline or runbook needs.</summary>
    public static class Cli
    {
        public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            // -Command and -File follow pwsh's rules (the rest of the line is the script or its arguments), not System.CommandLine's.
            var script = ScriptRequest.Parse(args, out var scriptUsageError);
            if (scriptUsageError != null) { stderr.WriteLine("primeway: " + scriptUsageError); return ExitCodes.UsageOrIo; }
            if (script != null) return new ScriptRunner(stdout, stderr).Run(script);

            var root = new RootCommand("Primeway: run and deploy jobs described in YAML files.");
            root.Subcommands.Add(ValidateCommand.Create(stdout, stderr));
            root.Subcommands.Add(JobSchema.CreateCommand(stdout));
            root.Subcommands.Add(ServerCommand.Create(stdout));
            root.Subcommands.Add(RunCommand.Create(stdout, stderr));
            root.Subcommands.Add(RemoteCommands.Jobs(stdout, stderr));
            root.Subcommands.Add(RemoteCommands.Logs(stdout, stderr));
            root.Subcommands.Add(RemoteCommands.Stop(stdout, stderr));
            root.Subcommands.Add(RemoteCommands.Artifacts(stdout, stderr));

            if (args.Length == 0) { root.Parse("--help").Invoke(new InvocationConfiguration { Output = stdout, Error = stderr }); return ExitCodes.UsageOrIo; }
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors) stderr.WriteLine("primeway: " + error.Message);
                stderr.WriteLine("Run 'primeway --help' for usage.");
                return ExitCodes.UsageOrIo;
            }
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        }
    }
}
