using System;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Primeway.Engine.Process;

namespace Primeway.Engine.Tests
{
    /// <summary>The process backend runs real host processes.</summary>
    public sealed class ProcessBackendTests : IAsyncLifetime
    {
        private readonly ProcessBackend backend = new ProcessBackend();
        private readonly TempDir dir = new TempDir();

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            await backend.DisposeAsync();
            dir.Dispose();
        }

        private async Task<(RunResult Result, RecordingListener Listener)> RunAsync(JobSpec job)
        {
            var listener = new RecordingListener();
            var result = await new JobRunner(backend, Jobs.FastOptions()).RunAsync(job, listener);
            return (result, listener);
        }

        [Fact]
        public async Task Runs_the_command_in_the_project_dir_with_env_and_says_once_what_is_not_applied()
        {
            dir.Write("proj/hello.sh", "echo \"$GREETING from $(basename \"$PWD\") $1\"; echo oops >&2; exit 5\n");
            var job = Jobs.FromYaml($"job_name: {Jobs.Name("proc")}\njob_type: run\ndocker_image: busybox\nproject_dir: proj\nentry_script: hello.sh\nargs: arg1\nmemory: 1\nenv:\n  - name: GREETING\n    value: hi\n", dir.Path);
            var (result, log) = await RunAsync(job);
            Assert.Equal(5, result.ExitCode);
            Assert.Equal(RunState.Failed, result.State);
            Assert.Equal("hi from proj arg1", log.Stdout);
            Assert.Equal("oops", log.Stderr);
            var (_, again) = await RunAsync(job);
            Assert.Single(log.Warnings.Concat(again.Warnings), w => w.Contains("docker_image, apt_packages"));
        }

        [Fact]
        public async Task Timeout_stops_the_process_and_reports_timed_out()
        {
            var started = DateTime.UtcNow;
            var (result, _) = await RunAsync(Jobs.FromYaml($"job_name: {Jobs.Name("ptime")}\njob_type: run\ndocker_image: busybox\ncommand: [sleep, '30']\ntimeout: 1\n"));
            Assert.Equal(RunState.TimedOut, result.State);
            Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        }

        [Fact]
        public async Task A_list_command_is_executed_without_a_shell()
        {
            var (result, log) = await RunAsync(Jobs.FromYaml($"job_name: {Jobs.Name("plist")}\njob_type: run\ndocker_image: busybox\ncommand: [echo, '$HOME', 'a  b']\n"));
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("$HOME a  b", log.Stdout);
        }

        [Fact]
        public async Task A_missing_program_fails_with_a_clear_error()
        {
            var name = Jobs.Name("pmiss");
            var error = await Assert.ThrowsAsync<EngineException>(() => RunAsync(Jobs.FromYaml($"job_name: {name}\njob_type: run\ndocker_image: busybox\ncommand: [no-such-program-primeway]\n")));
            Assert.Contains("job '" + name + "'", error.Message);
            Assert.Contains("no-such-program-primeway", error.Message);
        }

        [Fact]
        public async Task A_deploy_job_runs_as_a_process_and_turns_healthy()
        {
            int port = Jobs.FreeLoopbackPort();
            dir.Write("www/health", "ok");
            var yaml = $"job_name: {Jobs.Name("pweb")}\njob_type: deploy\ndocker_image: busybox\nproject_dir: www\nport: {port}\nhealth_endpoint: /health\ncommand: [busybox, httpd, -f, -p, '127.0.0.1:{port}', -h, .]\n";
            var deployment = await Deployment.StartAsync(backend, Jobs.FromYaml(yaml, dir.Path), new RecordingListener(), Jobs.FastOptions());
            try
            {
                using var http = new HttpClient();
                Assert.Equal("ok", await http.GetStringAsync("http://127.0.0.1:" + port + "/health"));
            }
            finally
            {
                await deployment.DisposeAsync();
            }
            Assert.Null(await backend.InspectAsync(deployment.RunId, default));
        }
    }
}
