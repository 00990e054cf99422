using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace Primeway.PowerShell.Tests
{
    /// <summary>
    /// One runspace with the built module imported from ./Primeway.psd1, and a scratch folder of job files as
    /// its current location. One per test class (xunit class fixture); nothing static, so classes run in parallel.
    /// </summary>
    public sealed class PowerShellSession : IDisposable
    {
        private readonly Runspace runspace;

        public PowerShellSession()
        {
            Folder = Directory.CreateTempSubdirectory("primeway-ps-").FullName;
            var state = InitialSessionState.CreateDefault2();
            runspace = RunspaceFactory.CreateRunspace(state);
            runspace.Open();
            // Set-Location is not in this engine (no Microsoft.PowerShell.Management); the session state API is.
            Run("Import-Module " + Quote(ManifestPath) + " -ErrorAction Stop; $null = $ExecutionContext.SessionState.Path.SetLocation(" + Quote(Folder) + ")");
        }

        public static string RepoRoot => Metadata("RepoRoot");
        public static string ManifestPath => Path.Combine(RepoRoot, "Primeway.psd1");

        /// <summary>This session's scratch folder, also its current location.</summary>
        public string Folder { get; }

        public static string Metadata(string key) =>
            typeof(PowerShellSession).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

        public static string Quote(string text) => "'" + text.Replace("'", "''") + "'";

        public string WriteFile(string name, string text)
        {
            var path = Path.Combine(Folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return path;
        }

        public ScriptResult Run(string script, Dictionary<string, object?>? variables = null)
        {
            using var shell = System.Management.Automation.PowerShell.Create(runspace);
            if (variables != null)
                foreach (var (name, value) in variables) runspace.SessionStateProxy.SetVariable(name, value);
            shell.AddScript(script);
            var output = shell.Invoke();
            return new ScriptResult(output.ToList(), shell.Streams.Error.ToList(), shell.Streams.Warning.Select(w => w.Message).ToList())
            {
                Information = shell.Streams.Information.ToList(),
                Progress = shell.Streams.Progress.ToList(),
            };
        }

        /// <summary>Starts the script, stops it (as Ctrl+C does) after <paramref name="after"/>, and returns how long stopping took.</summary>
        public TimeSpan RunAndStop(string script, TimeSpan after)
        {
            using var shell = System.Management.Automation.PowerShell.Create(runspace);
            shell.AddScript(script);
            var running = shell.BeginInvoke();
            System.Threading.Thread.Sleep(after);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            shell.Stop();
            try { shell.EndInvoke(running); } catch (PipelineStoppedException) { }
            return clock.Elapsed;
        }

        public void Dispose()
        {
            runspace.Dispose();
            try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        }
    }

    public sealed record ScriptResult(List<PSObject> Output, List<ErrorRecord> Errors, List<string> Warnings)
    {
        public List<InformationRecord> Information { get; init; } = new List<InformationRecord>();
        public List<ProgressRecord> Progress { get; init; } = new List<ProgressRecord>();

        /// <summary>The messages on the information stream (log lines, notices), as text.</summary>
        public List<string> InformationText => Information.Select(i => i.MessageData?.ToString() ?? "").ToList();

        /// <summary>Fails the test with the errors' messages when the script wrote any.</summary>
        public ScriptResult AssertNoErrors()
        {
            Assert.True(Errors.Count == 0, string.Join("\n", Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)));
            return this;
        }

        public object? Property(int index, string name) => Output[index].Properties[name]?.Value;
    }

    public static class Jobs
    {
        public const string Valid = "job_name: hello\njob_type: run\ndocker_image: busybox\ncommand: echo hi\n";
        public const string ValidDeploy = "job_name: web\njob_type: deploy\ndocker_image: nginx\nport: 80\nhealth_endpoint: /\n";
        public const string TwoJobs = Valid + "---\njob_name: second\njob_type: run\ndocker_image: busybox\ncommand: [\"echo\", \"2\"]\n";
        /// <summary>A deploy job with neither port nor health_endpoint: two errors (PW1003).</summary>
        public const string DeployWithoutPort = "job_name: web\njob_type: deploy\ndocker_image: nginx\n";
        /// <summary>entry_script and args together: a PW2xxx warning, still valid.</summary>
        public const string Warned = "job_name: warned\njob_type: run\ndocker_image: python\nentry_script: main.py\nargs: --fast\n";
        public const string BrokenYaml = "job_name: a\n  job_type: run\n- x\n";
    }
}
