using System;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Primeway.Engine.Docker;

namespace Primeway.Engine.Tests
{
    /// <summary>Deploy jobs on the real engine: busybox httpd on a free loopback port.</summary>
    public sealed class DeployTests : IAsyncLifetime
    {
        private readonly DockerBackend docker = new DockerBackend();

        public Task InitializeAsync() => Task.CompletedTask;
        public async Task DisposeAsync() => await docker.DisposeAsync();

        private static string HttpdJob(string name, int port, string extra = "") =>
            $"job_name: {name}\njob_type: deploy\ndocker_image: busybox\nport: {port}\nhealth_endpoint: /health\n{extra}"
            + $"command: mkdir -p /www && echo ok > /www/health && exec httpd -f -p 127.0.0.1:{port} -h /www\n";

        [DockerFact]
        public async Task A_deploy_job_turns_healthy_serves_and_is_removed_when_stopped()
        {
            int port = Jobs.FreeLoopbackPort();
            var listener = new RecordingListener();
            var deployment = await Deployment.StartAsync(docker, Jobs.FromYaml(HttpdJob(Jobs.Name("web"), port)), listener, Jobs.FastOptions());
            try
            {
                Assert.Contains(listener.States, s => s.State == RunState.Healthy);
                using var http = new HttpClient();
                Assert.Equal("ok\n", await http.GetStringAsync("http://127.0.0.1:" + port + "/health"));
                Assert.Equal("http://127.0.0.1:" + port + "/", deployment.ServiceUrl.ToString());
                Assert.True((await docker.InspectAsync(deployment.RunId, default))!.IsRunning);
            }
            finally
            {
                await deployment.DisposeAsync();
            }
            Assert.Null(await docker.InspectAsync(deployment.RunId, default));
        }

        [DockerFact]
        public async Task A_deploy_job_that_never_answers_fails_with_the_last_probe_and_is_removed()
        {
            int port = Jobs.FreeLoopbackPort();
            var name = Jobs.Name("mute");
            var job = Jobs.FromYaml($"job_name: {name}\njob_type: deploy\ndocker_image: busybox\nport: {port}\nhealth_endpoint: /health\nhealth_check_timeout: 2\ncommand: sleep 60\n");
            var listener = new RecordingListener();
            var started = DateTime.UtcNow;
            var error = await Assert.ThrowsAsync<EngineException>(() => Deployment.StartAsync(docker, job, listener, Jobs.FastOptions()));
            Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));
            Assert.Contains("deploy job '" + name + "' did not become healthy", error.Message);
            Assert.Contains("127.0.0.1:" + port + "/health", error.Message); // the last failure, shown
            Assert.Contains(listener.States, s => s.State == RunState.Unhealthy);
            Assert.Empty(await docker.ListAsync(null, default).ContinueWith(t => t.Result.Where(r => r.JobName == name).ToList()));
        }

        [DockerFact]
        public async Task A_crashed_deploy_job_is_restarted_and_turns_healthy_again()
        {
            int port = Jobs.FreeLoopbackPort();
            var listener = new RecordingListener();
            // The server exits by itself after a short while: a crash the supervisor must repair.
            var yaml = $"job_name: {Jobs.Name("crash")}\njob_type: deploy\ndocker_image: busybox\nport: {port}\nhealth_endpoint: /health\n"
                + $"command: mkdir -p /www && echo ok > /www/health && (httpd -f -p 127.0.0.1:{port} -h /www & sleep 2; exit 3)\n";
            var deployment = await Deployment.StartAsync(docker, Jobs.FromYaml(yaml), listener, Jobs.FastOptions());
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (listener.States.Count(s => s.State == RunState.Healthy) < 2 && DateTime.UtcNow < deadline) await Task.Delay(100);
                Assert.True(listener.States.Count(s => s.State == RunState.Healthy) >= 2, string.Join("\n", listener.States));
                Assert.Contains(listener.States, s => s.State == RunState.Restarting && s.Message!.Contains("exited with code 3"));
                Assert.True(deployment.Restarts >= 1);
            }
            finally
            {
                await deployment.DisposeAsync();
            }
        }
    }
}
