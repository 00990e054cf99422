using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;

namespace Primeway.Server.Tests
{
    /// <summary>Pipelines on a real server and Docker engine: parallel steps, artifacts passed along, failure, stop.</summary>
    public sealed class PipelineRunTests : IAsyncLifetime
    {
        private RunningServer server = null!;
        private HttpClient client = null!;

        public async Task InitializeAsync()
        {
            server = await RunningServer.StartAsync();
            client = server.Client(server.AdminToken);
        }

        public async Task DisposeAsync()
        {
            client.Dispose();
            await server.DisposeAsync();
        }

        private async Task<string> StartAsync(string yaml)
        {
            var response = await client.PostAsync("/v1/pipeline-runs", RunningServer.Yaml(yaml));
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        }

        private Task<JsonElement> WaitForEndAsync(string id, int seconds = 90) => WaitForEndAsync(client, id, seconds);

        /// <summary>Polls the pipeline run until it is no longer running, or fails the test after the limit.</summary>
        internal static async Task<JsonElement> WaitForEndAsync(HttpClient client, string id, int seconds = 90)
        {
            var until = DateTime.UtcNow.AddSeconds(seconds);
            while (true)
            {
                var run = JsonDocument.Parse(await client.GetStringAsync("/v1/pipeline-runs/" + id)).RootElement;
                if (run.GetProperty("status").GetString() != "running") return run;
                if (DateTime.UtcNow > until) throw new TimeoutException("pipeline run " + id + " still running after " + seconds + " s: " + run);
                await Task.Delay(200);
            }
        }

        private static JsonElement Step(JsonElement pipeline, string id) =>
            pipeline.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);

        private async Task<JsonElement> RunOf(JsonElement step) =>
            JsonDocument.Parse(await client.GetStringAsync("/v1/runs/" + step.GetProperty("run_id").GetString())).RootElement;

        [Fact]
        public async Task Three_steps_run_in_order_with_the_independent_ones_in_parallel_and_pass_artifacts_along()
        {
            var id = await StartAsync(@"pipeline_name: three
steps:
  - id: fetch
    docker_image: busybox
    command: 'echo rows > $PRIMEWAY_ARTIFACTS/data.txt; mkdir /primeway-artifacts/sub; echo deep > /primeway-artifacts/sub/more.txt; sleep 3'
  - id: clean
    docker_image: busybox
    command: 'sleep 3; echo cleaned'
  - id: train
    dependencies: [clean]
    inputs: [fetch]
    docker_image: busybox
    artifacts_path: /out
    command: 'cat /fetch/data.txt $PRIMEWAY_INPUT_FETCH/sub/more.txt; touch /fetch/mine || echo read-only; echo weights > /out/model.txt'
");
            var pipeline = await WaitForEndAsync(id);
            Assert.Equal("completed", pipeline.GetProperty("status").GetString());
            Assert.All(pipeline.GetProperty("steps").EnumerateArray(), s => Assert.Equal("completed", s.GetProperty("status").GetString()));

            var fetch = await RunOf(Step(pipeline, "fetch"));
            var clean = await RunOf(Step(pipeline, "clean"));
            var train = await RunOf(Step(pipeline, "train"));
            DateTimeOffset Time(JsonElement run, string field) => run.GetProperty(field).GetDateTimeOffset();
            Assert.True(Time(fetch, "started_at") < Time(clean, "ended_at") && Time(clean, "started_at") < Time(fetch, "ended_at"), "fetch and clean did not overlap");
            Assert.True(Time(train, "started_at") >= Time(fetch, "ended_at") && Time(train, "started_at") >= Time(clean, "ended_at"), "train started before what it waits for ended");

            var log = await client.GetStringAsync("/v1/runs/" + train.GetProperty("id").GetString() + "/logs?timestamps=false");
            Assert.Contains("rows", log);
            Assert.Contains("deep", log);
            Assert.Contains("read-only", log);

            var fetchZip = await DownloadAsync(fetch.GetProperty("id").GetString()!);
            Assert.Equal(new[] { "data.txt", "sub/more.txt" }, fetchZip.Entries.Select(e => e.FullName).OrderBy(n => n));
            var trainZip = await DownloadAsync(train.GetProperty("id").GetString()!);
            using var model = new StreamReader(trainZip.GetEntry("model.txt")!.Open());
            Assert.Equal("weights\n", model.ReadToEnd());
        }

        private async Task<ZipArchive> DownloadAsync(string runId)
        {
            var response = await client.GetAsync("/v1/runs/" + runId + "/artifacts");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/zip", response.Content.Headers.ContentType!.MediaType);
            return new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        }

        [Fact]
        public async Task On_the_process_backend_steps_find_their_folders_through_the_same_variables()
        {
            await using var hostServer = await RunningServer.StartAsync(backend: "process");
            using var host = hostServer.Client(hostServer.AdminToken);
            var response = await host.PostAsync("/v1/pipeline-runs", RunningServer.Yaml(@"pipeline_name: on-host
steps:
  - id: make
    docker_image: busybox
    command: 'echo made > ""$PRIMEWAY_ARTIFACTS/out.txt""'
  - id: use
    inputs: [make]
    docker_image: busybox
    command: 'cat ""$PRIMEWAY_INPUT_MAKE/out.txt""'
"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
            var pipeline = await WaitForEndAsync(host, id!, seconds: 60);
            Assert.Equal("completed", pipeline.GetProperty("status").GetString());
            var use = Step(pipeline, "use").GetProperty("run_id").GetString();
            Assert.Contains("made", await host.GetStringAsync("/v1/runs/" + use + "/logs"));
        }

        [Fact]
        public async Task A_failing_step_fails_the_pipeline_and_skips_its_dependents_while_independent_steps_finish()
        {
            var id = await StartAsync(@"pipeline_name: failing
steps:
  - id: breaks
    docker_image: busybox
    command: 'exit 3'
  - id: after
    dependencies: [breaks]
    docker_image: busybox
    command: 'echo never'
  - id: later
    dependencies: [after]
    docker_image: busybox
    command: 'echo never'
  - id: aside
    docker_image: busybox
    command: 'sleep 1; echo fine'
");
            var pipeline = await WaitForEndAsync(id);
            Assert.Equal(("failed", "step breaks failed"), (pipeline.GetProperty("status").GetString(), pipeline.GetProperty("reason").GetString()));
            Assert.Equal(3, Step(pipeline, "breaks").GetProperty("exit_code").GetInt32());
            Assert.Equal("skipped", Step(pipeline, "after").GetProperty("status").GetString());
            Assert.Equal("skipped", Step(pipeline, "later").GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, Step(pipeline, "later").GetProperty("run_id").ValueKind);
            Assert.Equal("completed", Step(pipeline, "aside").GetProperty("status").GetString());
        }

        [Fact]
        public async Task Stopping_a_pipeline_stops_its_running_steps_and_skips_the_rest()
        {
            var id = await StartAsync("pipeline_name: stopped\nsteps:\n  - id: long\n    docker_image: busybox\n    command: 'sleep 60'\n  - id: next\n    dependencies: [long]\n    docker_image: busybox\n    command: 'true'\n");
            var until = DateTime.UtcNow.AddSeconds(30);
            while (Step(JsonDocument.Parse(await client.GetStringAsync("/v1/pipeline-runs/" + id)).RootElement, "long").GetProperty("status").GetString() != "running")
            {
                Assert.True(DateTime.UtcNow < until, "step long never started");
                await Task.Delay(100);
            }
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/v1/pipeline-runs/" + id + "/stop", null)).StatusCode);
            var pipeline = await WaitForEndAsync(id, seconds: 30);
            Assert.Equal("stopped", pipeline.GetProperty("status").GetString());
            Assert.Equal("stopped", Step(pipeline, "long").GetProperty("status").GetString());
            Assert.Equal("skipped", Step(pipeline, "next").GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/v1/pipeline-runs/" + id + "/stop", null)).StatusCode);
        }

        [Fact]
        public async Task A_pipeline_run_carries_on_after_a_server_restart()
        {
            var data = Path.Combine(Path.GetTempPath(), "primeway-server-" + Guid.NewGuid().ToString("N"));
            string id;
            await using (var first = await RunningServer.StartAsync(data))
            {
                using var before = first.Client(first.AdminToken);
                var response = await before.PostAsync("/v1/pipeline-runs", RunningServer.Yaml("pipeline_name: durable\nsteps:\n" +
                    "  - {id: first, docker_image: busybox, command: 'sleep 3; echo one > /primeway-artifacts/one'}\n" +
                    "  - {id: second, docker_image: busybox, inputs: [first], command: 'cat /first/one'}\n"));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
                var until = DateTime.UtcNow.AddSeconds(30);
                while (Step(JsonDocument.Parse(await before.GetStringAsync("/v1/pipeline-runs/" + id)).RootElement, "first").GetProperty("status").GetString() != "running")
                {
                    Assert.True(DateTime.UtcNow < until, "step first never started");
                    await Task.Delay(100);
                }
            }

            await using var second = await RunningServer.StartAsync(data);
            using var after = second.Client(second.AdminToken);
            var ended = await WaitForEndAsync(after, id, seconds: 60);
            Assert.True(ended.GetProperty("status").GetString() == "completed", ended.ToString());
            Assert.Contains("one", await after.GetStringAsync("/v1/runs/" + Step(ended, "second").GetProperty("run_id").GetString() + "/logs?timestamps=false"));
        }

        [Fact]
        public async Task A_stored_pipeline_starts_on_its_schedule_and_on_request()
        {
            var at = DateTimeOffset.UtcNow.AddSeconds(3).ToString("yyyy-MM-ddTHH:mm:ssZ");
            var response = await client.PostAsync("/v1/pipelines", RunningServer.Yaml(
                "pipeline_name: timed\nschedule: '" + at + "'\nsteps:\n  - id: only\n    docker_image: busybox\n    command: 'echo on time'\n"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var stored = JsonDocument.Parse(await client.GetStringAsync("/v1/jobs/timed")).RootElement;
            Assert.Equal("pipeline", stored.GetProperty("job_type").GetString());
            Assert.Equal(DateTimeOffset.Parse(at), stored.GetProperty("next_start").GetDateTimeOffset());
            Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/v1/jobs/timed/runs", null)).StatusCode);

            var until = DateTime.UtcNow.AddSeconds(30);
            JsonElement[] runs;
            while ((runs = JsonDocument.Parse(await client.GetStringAsync("/v1/pipeline-runs")).RootElement.EnumerateArray()
                       .Where(r => r.GetProperty("pipeline_name").GetString() == "timed").ToArray()).Length == 0)
            {
                Assert.True(DateTime.UtcNow < until, "the stored pipeline never started at " + at);
                await Task.Delay(200);
            }
            Assert.Equal("completed", (await WaitForEndAsync(runs.Single().GetProperty("id").GetString()!)).GetProperty("status").GetString());

            var manual = await client.PostAsync("/v1/pipelines/timed/runs", null);
            Assert.Equal(HttpStatusCode.Created, manual.StatusCode);
            var again = await WaitForEndAsync(JsonDocument.Parse(await manual.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
            Assert.Equal("completed", again.GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/v1/pipelines/nothing/runs", null)).StatusCode);
        }

        [Fact]
        public async Task An_invalid_pipeline_is_refused_with_its_diagnostics()
        {
            var response = await client.PostAsync("/v1/pipeline-runs", RunningServer.Yaml("pipeline_name: bad\nsteps:\n  - id: a\n    dependencies: [b]\n    docker_image: busybox\n  - id: b\n    dependencies: [a]\n    docker_image: busybox\n"));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").EnumerateArray().Single();
            Assert.Equal(("PW1052", 4), (error.GetProperty("code").GetString(), error.GetProperty("line").GetInt32()));
            Assert.Contains("a → b → a", error.GetProperty("message").GetString());
        }

        [Fact]
        public async Task Pipeline_runs_belong_to_their_owner()
        {
            var id = await StartAsync("pipeline_name: mine\nsteps:\n  - id: a\n    docker_image: busybox\n    command: 'true'\n");
            var created = await (await client.PostAsync("/v1/tokens", new StringContent("{\"name\": \"other\"}", System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync();
            using var other = server.Client(JsonDocument.Parse(created).RootElement.GetProperty("token").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/v1/pipeline-runs/" + id)).StatusCode);
            Assert.Equal("[]", await other.GetStringAsync("/v1/pipeline-runs"));
            await WaitForEndAsync(id);
        }
    }
}
