using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Primeway.Engine;
using Primeway.Engine.Docker;

namespace Primeway.Host.Tests
{
    /// <summary>A test that needs the Docker engine: skipped without one, except under CI=true, where it fails.</summary>
    public sealed class DockerFactAttribute : FactAttribute
    {
        private static readonly Lazy<string?> Missing = new Lazy<string?>(() =>
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) return null;
            var docker = new DockerBackend();
            bool available = docker.IsAvailableAsync(TimeSpan.FromSeconds(3)).GetAwaiter().GetResult();
            docker.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return available ? null : "no Docker engine answers at " + docker.Endpoint + " (run scripts/test-services.sh)";
        });

        public DockerFactAttribute()
        {
            if (Missing.Value != null) Skip = Missing.Value;
        }
    }

    public sealed class RunCommandTests : IDisposable
    {
        private readonly string dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "primeway-run-" + Guid.NewGuid().ToString("N").Substring(0, 8))).FullName;

        public void Dispose() => Directory.Delete(dir, recursive: true);

        private static string Name(string stem) => stem + "-" + Guid.NewGuid().ToString("N").Substring(0, 6);

        private string JobFile(string yaml)
        {
            var path = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".yaml");
            File.WriteAllText(path, yaml);
            return path;
        }

        private static (int Code, string Stdout, string Stderr) Run(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = Cli.Run(args, stdout, stderr);
            return (code, stdout.ToString(), stderr.ToString());
        }

        [DockerFact]
        public void Streams_the_job_output_to_stdout_and_exits_with_its_code()
        {
            var file = JobFile($"job_name: {Name("cli")}\njob_type: run\ndocker_image: busybox\ncommand: echo out; echo err >&2; exit 3\n");
            var (code, stdout, stderr) = Run("run", file);
            Assert.Equal(3, code);
            Assert.Equal("out\n", stdout);
            Assert.Contains("err", stderr);
        }

        [DockerFact]
        public void A_pipeline_file_runs_its_steps_in_order_with_artifacts_passed_along()
        {
            var artifacts = Path.Combine(dir, "artifacts");
            var file = JobFile($"pipeline_name: {Name("cli-flow")}\nsteps:\n" +
                "  - {id: a, job_type: run, docker_image: busybox, command: echo A > /primeway-artifacts/a.txt}\n" +
                "  - {id: b, job_type: run, docker_image: busybox, artifacts_path: /out, command: echo B > /out/b.txt}\n" +
                "  - {id: c, job_type: run, docker_image: busybox, inputs: [a, b], command: cat /a/a.txt /b/b.txt}\n");
            var (code, stdout, stderr) = Run("run", file, "--artifacts", artifacts);
            Assert.True(code == 0, stdout + stderr);
            Assert.Equal("[c] A\n[c] B\n", stdout);
            Assert.Equal("A\n", File.ReadAllText(Path.Combine(artifacts, "a", "a.txt")));
            Assert.Equal("B\n", File.ReadAllText(Path.Combine(artifacts, "b", "b.txt")));
            Assert.Contains("completed; artifacts in " + artifacts, stderr);
        }

        [DockerFact]
        public void A_failing_pipeline_step_skips_its_dependents_and_exits_with_its_code()
        {
            var file = JobFile($"pipeline_name: {Name("cli-breaks")}\nsteps:\n" +
                "  - {id: bad, job_type: run, docker_image: busybox, command: exit 4}\n" +
                "  - {id: next, job_type: run, docker_image: busybox, dependencies: [bad], command: echo never}\n" +
                "  - {id: aside, job_type: run, docker_image: busybox, command: echo aside}\n");
            var (code, stdout, stderr) = Run("run", file, "--artifacts", Path.Combine(dir, "a2"));
            Assert.Equal(4, code);
            Assert.Equal("[aside] aside\n", stdout);
            Assert.Contains("step next skipped: bad did not complete", stderr);
            Assert.Contains("failed", stderr);

            var invalid = JobFile("pipeline_name: p\nsteps:\n  - {id: a, job_type: run, docker_image: busybox, dependencies: [a]}\n");
            var (invalidCode, _, invalidErr) = Run("run", invalid);
            Assert.Equal(ExitCodes.Invalid, invalidCode);
            Assert.Contains(DiagnosticCodes.StepCycle, invalidErr);
        }

        [DockerFact]
        public void A_timeout_exits_124()
        {
            var file = JobFile($"job_name: {Name("cli-slow")}\njob_type: run\ndocker_image: busybox\ncommand: trap 'exit 0' TERM; sleep 30 & wait\ntimeout: 1\n");
            var (code, stdout, stderr) = Run("run", file, "--backend", "docker");
            Assert.Equal(124, code);
            Assert.Equal("", stdout);
            Assert.Contains("timeout", stderr);
        }

        [DockerFact]
        public void An_out_of_memory_kill_exits_137()
        {
            var file = JobFile($"job_name: {Name("cli-oom")}\njob_type: run\ndocker_image: busybox\nmemory: 1\ncommand: head -c 1500m /dev/zero | tail\n");
            var (code, _, stderr) = Run("run", file);
            Assert.Equal(137, code);
            Assert.Contains("memory limit", stderr);
        }

        [Fact]
        public void The_process_backend_runs_the_job_on_this_machine()
        {
            var file = JobFile($"job_name: {Name("cli-proc")}\njob_type: run\ndocker_image: busybox\ncommand: echo from host; exit 4\n");
            var (code, stdout, stderr) = Run("run", file, "--backend", "process");
            Assert.Equal(4, code);
            Assert.Equal("from host\n", stdout);
            Assert.Contains("not applied", stderr);
        }

        [Fact]
        public void An_invalid_job_prints_its_diagnostics_and_exits_1_without_running()
        {
            var file = JobFile("job_name: bad\njob_type: deploy\ndocker_image: busybox\ncommand: echo should-not-run\n");
            var (code, stdout, stderr) = Run("run", file, "--backend", "process");
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            Assert.Contains("error PW1003", stderr);
            Assert.Contains(file + ":", stderr);
        }

        [Fact]
        public void A_missing_file_or_a_bad_option_exits_2()
        {
            Assert.Equal(2, Run("run", Path.Combine(dir, "absent.yaml")).Code);
            Assert.Equal(2, Run("run", JobFile("job_name: x\n"), "--backend", "vm").Code);
        }

        [DockerFact]
        public async Task Sigterm_stops_and_removes_the_container_and_exits()
        {
            var name = Name("cli-term");
            var file = JobFile($"job_name: {name}\njob_type: run\ndocker_image: busybox\ncommand: trap 'exit 0' TERM; echo started; sleep 60 & wait\n");
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(typeof(Cli).Assembly.Location);
            info.ArgumentList.Add("run");
            info.ArgumentList.Add(file);
            using var process = Process.Start(info)!;
            var stderrTask = process.StandardError.ReadToEndAsync();
            Assert.Equal("started", await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));

            var docker = new DockerBackend();
            try
            {
                Assert.Single(await docker.ListAsync(null, default), r => r.JobName == name && r.IsRunning);
                Assert.Equal(0, kill(process.Id, 15));
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                Assert.True(process.ExitCode == 143, "exit " + process.ExitCode + ": " + await stderrTask);
                Assert.DoesNotContain(await docker.ListAsync(null, default), r => r.JobName == name);
            }
            finally
            {
                if (!process.HasExited) process.Kill(true);
                await docker.DisposeAsync();
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int signal);
    }
}
