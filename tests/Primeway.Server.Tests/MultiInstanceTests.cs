using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace Primeway.Server.Tests
{
    /// <summary>Two `primeway server` processes on one PostgreSQL database and one shared data directory.</summary>
    public sealed class TwoInstances : IAsyncLifetime
    {
        public TestDatabase Database { get; private set; } = null!;
        public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "primeway-shared-" + Guid.NewGuid().ToString("N"));
        public ServerProcess A { get; private set; } = null!;
        public ServerProcess B { get; private set; } = null!;
        public string Token => File.ReadAllText(Path.Combine(DataDirectory, "admin-token")).Trim();

        public async Task InitializeAsync()
        {
            Database = await TestDatabase.CreateAsync();
            A = Start("a");
            await A.WaitForHealthAsync();
            B = Start("b");
            await B.WaitForHealthAsync();
        }

        /// <summary>Starts instance a again after a test killed it.</summary>
        public async Task RestartAAsync()
        {
            A.Dispose();
            A = Start("a");
            await A.WaitForHealthAsync();
        }

        private ServerProcess Start(string instance) =>
            ServerProcess.Start(DataDirectory, "--backend", "docker", "--store", "postgres", "--connection", Database.ConnectionString, "--instance", instance);

        public async Task DisposeAsync()
        {
            A.Dispose();
            B.Dispose();
            await Database.DisposeAsync();
        }
    }

    public sealed class MultiInstanceTests : IClassFixture<TwoInstances>
    {
        private readonly TwoInstances servers;
        private readonly ITestOutputHelper output;

        public MultiInstanceTests(TwoInstances servers, ITestOutputHelper output)
        {
            this.servers = servers;
            this.output = output;
        }

        [PostgresFact]
        public async Task Any_instance_answers_for_a_run_and_a_stop_through_one_reaches_the_run_the_other_supervises()
        {
            using var a = servers.A.Client(servers.Token);
            using var b = servers.B.Client(servers.Token);
            var run = await RunningServer.StartRunAsync(a, "long", "echo started; sleep 60");
            await RunningServer.WaitForLogAsync(b, run, "started");
            Assert.Equal("a", (await GetRunAsync(b, run)).GetProperty("supervisor").GetString());

            Assert.Equal(HttpStatusCode.Accepted, (await b.PostAsync("/v1/runs/" + run + "/stop", null)).StatusCode);
            var stopped = await RunningServer.WaitForEndAsync(b, run, seconds: 30);
            Assert.Equal(("stopped", "user"), (stopped.GetProperty("status").GetString(), stopped.GetProperty("reason").GetString()));
        }

        [PostgresFact]
        public async Task When_an_instance_is_killed_the_other_takes_its_run_over_and_finishes_supervising_it()
        {
            using var a = servers.A.Client(servers.Token);
            using var b = servers.B.Client(servers.Token);
            var run = await RunningServer.StartRunAsync(a, "survivor", "echo one; sleep 12; echo two; exit 3");
            var pipelineStart = await a.PostAsync("/v1/pipeline-runs", RunningServer.Yaml(
                "pipeline_name: orphan\nsteps:\n  - id: first\n    docker_image: busybox\n    command: 'sleep 12'\n  - id: second\n    dependencies: [first]\n    docker_image: busybox\n    command: 'echo second'\n"));
            Assert.Equal(HttpStatusCode.Created, pipelineStart.StatusCode);
            var pipeline = JsonDocument.Parse(await pipelineStart.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
            await RunningServer.WaitForLogAsync(b, run, "one");
            Assert.Equal("a", (await GetRunAsync(b, run)).GetProperty("supervisor").GetString());

            await servers.A.KillAsync();
            try
            {
                await FinishedByTheOtherAsync(b, run);
                var finished = await PipelineRunTests.WaitForEndAsync(b, pipeline!, seconds: 60);
                Assert.Equal("completed", finished.GetProperty("status").GetString());
                Assert.All(finished.GetProperty("steps").EnumerateArray(), step => Assert.Equal("completed", step.GetProperty("status").GetString()));
            }
            finally
            {
                await servers.RestartAAsync();
            }
        }

        private async Task FinishedByTheOtherAsync(HttpClient b, string run)
        {
            var clock = Stopwatch.StartNew();
            while ((await GetRunAsync(b, run)).GetProperty("supervisor").GetString() != "b")
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no instance took the run over in 60 s:\n" + servers.B.Output);
                await Task.Delay(100);
            }
            output.WriteLine("taken over " + clock.Elapsed.TotalSeconds.ToString("F1") + " s after the supervising instance was killed");

            var ended = await RunningServer.WaitForEndAsync(b, run, seconds: 60);
            Assert.Equal(("failed", 3), (ended.GetProperty("status").GetString(), ended.GetProperty("exit_code").GetInt32()));
            var log = await b.GetStringAsync("/v1/runs/" + run + "/logs?timestamps=false");
            var lines = log.Split('\n');
            Assert.Single(lines, l => l.EndsWith(" one", StringComparison.Ordinal) || l == "one");
            Assert.Single(lines, l => l.EndsWith(" two", StringComparison.Ordinal) || l == "two");
        }

        [PostgresFact]
        public async Task A_scheduled_start_fires_once_with_two_instances_up()
        {
            using var a = servers.A.Client(servers.Token);
            using var b = servers.B.Client(servers.Token);
            var at = DateTimeOffset.UtcNow.AddSeconds(4).ToString("yyyy-MM-ddTHH:mm:ssZ");
            var name = "scheduled-" + Guid.NewGuid().ToString("N").Substring(0, 6);
            var stored = await a.PostAsync("/v1/jobs", RunningServer.Yaml("job_name: " + name + "\njob_type: run\ndocker_image: busybox\ncommand: 'echo fired'\nschedule_start: '" + at + "'\n"));
            Assert.Equal(HttpStatusCode.Created, stored.StatusCode);

            var until = DateTime.UtcNow.AddSeconds(40);
            JsonElement runs;
            while ((runs = JsonDocument.Parse(await b.GetStringAsync("/v1/runs?job=" + name)).RootElement).GetArrayLength() == 0)
            {
                Assert.True(DateTime.UtcNow < until, "the scheduled start at " + at + " never fired");
                await Task.Delay(200);
            }
            // Both instances look at the clock every second: give the slower one time to fire too, if it were going to.
            await Task.Delay(TimeSpan.FromSeconds(4));
            runs = JsonDocument.Parse(await b.GetStringAsync("/v1/runs?job=" + name)).RootElement;
            var run = Assert.Single(runs.EnumerateArray());
            Assert.Equal("schedule", run.GetProperty("started_by").GetString());
        }

        [PostgresFact]
        public async Task Requests_through_either_instance_keep_a_deploy_job_awake_and_either_wakes_it()
        {
            using var a = servers.A.Client(servers.Token);
            using var b = servers.B.Client(servers.Token);
            var port = DeployRunTests.FreePort();
            var name = "shared-web-" + Guid.NewGuid().ToString("N").Substring(0, 6);
            var started = await a.PostAsync("/v1/runs", RunningServer.Yaml("job_name: " + name + "\njob_type: deploy\ndocker_image: busybox\n" +
                "command: [sh, -c, 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p " + port + " -h /www']\n" +
                "port: " + port + "\nhealth_endpoint: /\nidle_timeout: 5\n"));
            Assert.Equal(HttpStatusCode.Created, started.StatusCode);
            var run = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

            // Only instance b is asked, for longer than idle_timeout: instance a, which runs the job, must count those requests.
            var until = DateTime.UtcNow.AddSeconds(12);
            while (DateTime.UtcNow < until)
            {
                Assert.Equal("ok\n", await b.GetStringAsync("/d/" + name + "/"));
                await Task.Delay(500);
            }
            var awake = await GetRunAsync(b, run);
            Assert.True(awake.GetProperty("status").GetString() == "running", "the job was stopped while instance b served it: " + awake);

            var asleep = await RunningServer.WaitForEndAsync(b, run, seconds: 40);
            Assert.Equal(("terminated", "idle"), (asleep.GetProperty("status").GetString(), asleep.GetProperty("reason").GetString()));

            Assert.Equal("ok\n", await b.GetStringAsync("/d/" + name + "/"));
            var woken = JsonDocument.Parse(await b.GetStringAsync("/v1/runs?job=" + name)).RootElement.EnumerateArray().First();
            Assert.Equal(("gateway", "running"), (woken.GetProperty("started_by").GetString(), woken.GetProperty("status").GetString()));
            await b.PostAsync("/v1/runs/" + woken.GetProperty("id").GetString() + "/stop", null);
        }



        private static async Task<JsonElement> GetRunAsync(HttpClient client, string run) =>
            JsonDocument.Parse(await client.GetStringAsync("/v1/runs/" + run)).RootElement;

    }
}
