using System;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;

namespace Primeway.Server.Tests
{
    /// <summary>Pipelines on a real server and Docker engine: steps in parallel, artifacts passed along, a failure, a stop.</summary>
    public sealed class PipelineRunTests : IAsyncLifetime
    {
        private RunningServer server = null!;
        private HttpClient client = null!;

        public async Task InitializeAsync()
        {
            server = await RunningServer.StartAsync();
            client = server.Client(server.AdminToken);
        }

        public async Task DisposeAsync() => await server.DisposeAsync();

        private async Task<JsonElement> StartAsync(string yaml)
        {
            var response = await client.PostAsync("/v1/pipeline-runs", RunningServer.Yaml(yaml));
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        }

        private Task<JsonElement> WaitForEndAsync(string id) => WaitForEndAsync(client, id);

        private static async Task<JsonElement> WaitForEndAsync(HttpClient client, string id)
        {
            var until = DateTime.UtcNow.AddSeconds(120);
            while (true)
            {
                var run = JsonDocument.Parse(await client.GetStringAsync("/v1/pipeline-runs/" + id)).RootElement;
                if (run.GetProperty("status").GetString() != "running") return run;
                if (DateTime.UtcNow > until) throw new TimeoutException("pipeline run " + id + " is still running: " + run);
                await Task.Delay(200);
            }
        }

        private static JsonElement Step(JsonElement pipelineRun, string id) =>
            pipelineRun.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);

        private async Task<JsonElement> RunOf(JsonElement pipelineRun, string step) =>
            JsonDocument.Parse(await client.GetStringAsync("/v1/runs/" + Step(pipelineRun, step).GetProperty("run_id").GetString())).RootElement;

        [Fact]
        public async Task Independent_steps_run_side_by_side_and_a_step_reads_their_artifacts_read_only()
        {
            var started = await StartAsync(@"pipeline_name: flow
steps:
  - id: left
    job_type: run
    docker_image: busybox
    command: sleep 2; echo L > /primeway-artifacts/left.txt
  - id: right
    job_type: run
    docker_image: busybox
    artifacts_path: /out
    command: sleep 2; echo R > /out/right.txt
  - id: join
    job_type: run
    docker_image: busybox
    inputs: [left, right]
    command: cat /left/left.txt /right/right.txt > /primeway-artifacts/both.txt; cat /primeway-artifacts/both.txt; touch /left/x 2>/dev/null && echo writable || echo read-only
");
            Assert.Equal("waiting", Step(started, "join").GetProperty("status").GetString());
            var ended = await WaitForEndAsync(started.GetProperty("id").GetString()!);
            Assert.True(ended.GetProperty("status").GetString() == "completed", ended.ToString());
            Assert.All(ended.GetProperty("steps").EnumerateArray(), s => Assert.Equal("completed", s.GetProperty("status").GetString()));

            var left = await RunOf(ended, "left");
            var right = await RunOf(ended, "right");
            var join = await RunOf(ended, "join");
            Assert.Equal(("pipeline", "left", ended.GetProperty("id").GetString()),
                (left.GetProperty("started_by").GetString(), left.GetProperty("step_id").GetString(), left.GetProperty("pipeline_run_id").GetString()));
            Assert.Equal("flow-left", left.GetProperty("job_name").GetString());
            // Neither waited for the other; join waited for both.
            Assert.True(left.GetProperty("started_at").GetDateTimeOffset() < right.GetProperty("ended_at").GetDateTimeOffset());
            Assert.True(right.GetProperty("started_at").GetDateTimeOffset() < left.GetProperty("ended_at").GetDateTimeOffset());
            Assert.True(join.GetProperty("created_at").GetDateTimeOffset() >= left.GetProperty("ended_at").GetDateTimeOffset());
            Assert.True(join.GetProperty("created_at").GetDateTimeOffset() >= right.GetProperty("ended_at").GetDateTimeOffset());

            Assert.Equal("L\nR\nread-only\n", await client.GetStringAsync("/v1/runs/" + join.GetProperty("id").GetString() + "/logs"));
            using var zip = new ZipArchive(await client.GetStreamAsync("/v1/runs/" + join.GetProperty("id").GetString() + "/artifacts"));
            using var reader = new System.IO.StreamReader(zip.GetEntry("both.txt")!.Open());
            Assert.Equal("L\nR\n", reader.ReadToEnd());
        }

        [Fact]
        public async Task A_failing_step_fails_the_pipeline_and_skips_its_dependents_while_others_finish()
        {
            var started = await StartAsync(@"pipeline_name: breaks
steps:
  - id: bad
    job_type: run
    docker_image: busybox
    command: exit 3
  - id: after-bad
    job_type: run
    docker_image: busybox
    dependencies: [bad]
    command: 'true'
  - id: last
    job_type: run
    docker_image: busybox
    dependencies: [after-bad]
    command: 'true'
  - id: aside
    job_type: run
    docker_image: busybox
    command: sleep 1
");
            var ended = await WaitForEndAsync(started.GetProperty("id").GetString()!);
            Assert.Equal(("failed", "step_failed"), (ended.GetProperty("status").GetString(), ended.GetProperty("reason").GetString()));
            Assert.Equal("failed", Step(ended, "bad").GetProperty("status").GetString());
            Assert.Equal(3, (await RunOf(ended, "bad")).GetProperty("exit_code").GetInt32());
            foreach (var skipped in new[] { "after-bad", "last" })
            {
                Assert.Equal("skipped", Step(ended, skipped).GetProperty("status").GetString());
                Assert.Equal(JsonValueKind.Null, Step(ended, skipped).GetProperty("run_id").ValueKind);
            }
            Assert.Equal("completed", Step(ended, "aside").GetProperty("status").GetString());
        }

        [Fact]
        public async Task Stopping_a_pipeline_stops_its_running_steps_and_starts_no_more()
        {
            var started = await StartAsync("pipeline_name: halts\nsteps:\n" +
                "  - {id: long, job_type: run, docker_image: busybox, command: sleep 300}\n" +
                "  - {id: next, job_type: run, docker_image: busybox, dependencies: [long], command: 'true'}\n");
            var id = started.GetProperty("id").GetString()!;
            var until = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var current = JsonDocument.Parse(await client.GetStringAsync("/v1/pipeline-runs/" + id)).RootElement;
                if (Step(current, "long").GetProperty("status").GetString() == "running") break;
                Assert.True(DateTime.UtcNow < until, current.ToString());
                await Task.Delay(100);
            }
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/v1/pipeline-runs/" + id + "/stop", null)).StatusCode);
            var ended = await WaitForEndAsync(id);
            Assert.Equal(("stopped", "stopped", "skipped"),
                (ended.GetProperty("status").GetString(), Step(ended, "long").GetProperty("status").GetString(), Step(ended, "next").GetProperty("status").GetString()));
            Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/v1/pipeline-runs/" + id + "/stop", null)).StatusCode);
        }

        [Fact]
        public async Task A_pipeline_run_carries_on_after_a_server_restart()
        {
            var data = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "primeway-server-" + Guid.NewGuid().ToString("N"));
            string id;
            await using (var first = await RunningServer.StartAsync(data))
            {
                using var before = first.Client(first.AdminToken);
                var response = await before.PostAsync("/v1/pipeline-runs", RunningServer.Yaml("pipeline_name: durable\nsteps:\n" +
                    "  - {id: first, job_type: run, docker_image: busybox, command: sleep 3; echo one > /primeway-artifacts/one}\n" +
                    "  - {id: second, job_type: run, docker_image: busybox, inputs: [first], command: cat /first/one}\n"));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
                while (JsonDocument.Parse(await before.GetStringAsync("/v1/pipeline-runs/" + id)).RootElement.GetProperty("steps")[0].GetProperty("status").GetString() != "running")
                    await Task.Delay(100);
            }

            await using var second = await RunningServer.StartAsync(data);
            using var after = second.Client(second.AdminToken);
            var ended = await WaitForEndAsync(after, id);
            Assert.True(ended.GetProperty("status").GetString() == "completed", ended.ToString());
            Assert.Equal("one\n", await after.GetStringAsync("/v1/runs/" + Step(ended, "second").GetProperty("run_id").GetString() + "/logs"));
        }

        [Fact]
        public async Task An_invalid_pipeline_is_refused_with_its_diagnostics()
        {
            var response = await client.PostAsync("/v1/pipeline-runs", RunningServer.Yaml("pipeline_name: loop\nsteps:\n" +
                "  - {id: a, job_type: run, docker_image: busybox, dependencies: [b]}\n" +
                "  - {id: b, job_type: run, docker_image: busybox, dependencies: [a]}\n"));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var error = problem.GetProperty("errors").EnumerateArray().Single();
            Assert.Equal(("PW1043", 4), (error.GetProperty("code").GetString(), error.GetProperty("line").GetInt32()));
            Assert.Contains("a → b → a", error.GetProperty("message").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/pipeline-runs/prun_nosuch")).StatusCode);
        }
    }
}
