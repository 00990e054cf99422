using System.Diagnostics;
using System.IO;

namespace Primeway.PowerShell.Tests
{
    /// <summary>`primeway -Command/-File`, run as a real process: its output, its stderr, and pwsh's exit codes.</summary>
    public sealed class HostTests
    {
        internal static (int ExitCode, string Stdout, string Stderr) Primeway(params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(PowerShellSession.Metadata("HostAssembly"));
            foreach (var arg in args) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout, stderr.Result);
        }

        [Fact]
        public void Command_renders_Primeway_objects_as_a_table_and_exits_0()
        {
            var (code, stdout, stderr) = Primeway("-Command", "New-PrimewayJob -JobName hello -DockerImage busybox -Command 'echo hi'; 'done'");
            Assert.Equal(0, code);
            Assert.Matches(@"JobName\s+Type\s+DockerImage", stdout);
            Assert.Matches(@"hello\s+run\s+busybox", stdout);
            Assert.Contains("done", stdout);
            Assert.DoesNotContain("\u001b[", stdout);
            Assert.Equal("", stderr);
        }

        [Fact]
        public void Exit_N_becomes_the_exit_code()
        {
            Assert.Equal(3, Primeway("-Command", "exit 3").ExitCode);
        }

        [Fact]
        public void A_throwing_script_exits_1_with_the_error_and_its_position_on_stderr()
        {
            var (code, _, stderr) = Primeway("-c", "$x = 1", ";", "throw 'boom'");
            Assert.Equal(1, code);
            Assert.Contains("boom", stderr);
            Assert.Contains("char:", stderr);
        }

        [Fact]
        public void A_written_error_exits_1()
        {
            var (code, _, stderr) = Primeway("-Command", "New-PrimewayJob -Path no-such-job.yaml");
            Assert.Equal(1, code);
            Assert.Contains("no-such-job.yaml", stderr);
        }

        [Fact]
        public void File_runs_a_script_with_named_and_positional_arguments_and_passes_its_exit_code_on()
        {
            var script = Path.Combine(Directory.CreateTempSubdirectory("primeway-host-").FullName, "check.ps1");
            File.WriteAllText(script, "param($Name, $Count)\n\"hello $Name $Count $args\"\n(Get-Command New-PrimewayJob).Name\nexit 4\n");
            var (code, stdout, _) = Primeway("-File", script, "-Name", "it's me", "2", "extra");
            Assert.Equal(4, code);
            Assert.Contains("hello it's me 2 extra", stdout);
            Assert.Contains("New-PrimewayJob", stdout);
        }

        [Fact]
        public void No_arguments_prints_usage()
        {
            var (code, stdout, _) = Primeway();
            Assert.Equal(2, code);
            Assert.Contains("Usage:", stdout);
        }
    }
}
