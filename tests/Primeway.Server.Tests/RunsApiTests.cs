using System;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace Primeway.Server.Tests
{
    /// <summary>Runs through the API on a real Docker engine: statuses, logs, timeouts, stop, owners, projects.</summary>
    public sealed class RunsApiTests : IAsyncLifetime
    {
        private RunningServer server = null!;
        private HttpClient admin = null!;

        public async Task InitializeAsync()
        {
            server = await RunningServer.StartAsync();
            admin = server.Client(server.AdminToken);
        }

        public async Task DisposeAsync() => await server.DisposeAsync();

        private static string RunJob(string name, string command, string extra = "") =>
            "job_name: " + name + "\njob_type: run\ndocker_image: busybox\ncommand: '" + command.Replace("'", "''") + "'\n" + extra;

        private async Task<JsonElement> StartAsync(string yaml, HttpClient? client = null)
        {
            var response = await (client ?? admin).PostAsync("/v1/runs", RunningServer.Yaml(yaml));
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        }

        private static string Id(JsonElement e) => e.GetProperty("id").GetString()!;

        [Fact]
        public async Task A_run_job_completes_with_its_exit_code_and_log()
        {
            var run = await StartAsync(RunJob("hello", "echo out; sleep 0.2; echo err >&2"));
            Assert.Equal("pending", run.GetProperty("status").GetString());
            var ended = await RunningServer.WaitForEndAsync(admin, Id(run));
            Assert.Equal("completed", ended.GetProperty("status").GetString());
            Assert.Equal(0, ended.GetProperty("exit_code").GetInt32());
            Assert.True(ended.GetProperty("started_at").ValueKind == JsonValueKind.String);
            var log = await admin.GetStringAsync("/v1/runs/" + Id(run) + "/logs");
            Assert.Equal("out\nerr\n", log);
        }

        [Fact]
        public async Task A_failing_job_is_failed_with_its_exit_code()
        {
            var ended = await RunningServer.WaitForEndAsync(admin, Id(await StartAsync(RunJob("fails", "exit 7"))));
            Assert.Equal("failed", ended.GetProperty("status").GetString());
            Assert.Equal("exit_code", ended.GetProperty("reason").GetString());
            Assert.Equal(7, ended.GetProperty("exit_code").GetInt32());
        }

        [Fact]
        public async Task A_job_past_its_timeout_is_terminated_with_reason_timeout()
        {
            var ended = await RunningServer.WaitForEndAsync(admin, Id(await StartAsync(RunJob("slow", "sleep 60", "timeout: 1\n"))));
            Assert.Equal("terminated", ended.GetProperty("status").GetString());
            Assert.Equal("timeout", ended.GetProperty("reason").GetString());
            Assert.Contains("timeout of 1 s", await admin.GetStringAsync("/v1/runs/" + Id(ended) + "/logs"));
        }

        [Fact]
        public async Task A_missing_image_fails_the_run_with_build_failed()
        {
            var run = await StartAsync("job_name: nope\njob_type: run\ndocker_image: primeway-test/does-not-exist:1\ncommand: 'true'\n");
            var ended = await RunningServer.WaitForEndAsync(admin, Id(run));
            Assert.Equal("failed", ended.GetProperty("status").GetString());
            Assert.Equal("build_failed", ended.GetProperty("reason").GetString());
            Assert.Contains("does-not-exist", await admin.GetStringAsync("/v1/runs/" + Id(run) + "/logs"));
        }

        [Fact]
        public async Task Stop_stops_a_running_job_and_a_second_stop_is_a_conflict()
        {
            var run = await StartAsync(RunJob("sleeper", "echo started; sleep 60"));
            await WaitForLogAsync(Id(run), "started");
            var stop = await admin.PostAsync("/v1/runs/" + Id(run) + "/stop", null);
            Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
            var ended = await RunningServer.WaitForEndAsync(admin, Id(run), 30);
            Assert.Equal("stopped", ended.GetProperty("status").GetString());
            Assert.Equal("user", ended.GetProperty("reason").GetString());

            var again = await admin.PostAsync("/v1/runs/" + Id(run) + "/stop", null);
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Contains("already ended", await again.Content.ReadAsStringAsync());
        }

        [Fact]
        public async Task An_active_run_cannot_be_deleted_but_a_finished_one_can()
        {
            var run = await StartAsync(RunJob("busy", "echo started; sleep 60"));
            await WaitForLogAsync(Id(run), "started");
            Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync("/v1/runs/" + Id(run))).StatusCode);
            await admin.PostAsync("/v1/runs/" + Id(run) + "/stop", null);
            await RunningServer.WaitForEndAsync(admin, Id(run), 30);
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/v1/runs/" + Id(run))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/v1/runs/" + Id(run))).StatusCode);
            Assert.False(File.Exists(Path.Combine(server.DataDirectory, "logs", Id(run) + ".log")));
        }

        [Fact]
        public async Task Following_the_log_streams_events_until_the_run_ends()
        {
            var run = await StartAsync(RunJob("ticker", "for i in 1 2 3; do echo tick $i; sleep 0.2; done"));
            var stream = await admin.GetStringAsync("/v1/runs/" + Id(run) + "/logs?follow=true");
            var ticks = stream.Split("\n\n").Where(e => e.StartsWith("event: log")).Select(e => JsonDocument.Parse(e.Split("data: ")[1]).RootElement)
                .Where(d => d.GetProperty("stream").GetString() == "stdout").Select(d => d.GetProperty("text").GetString()).ToList();
            Assert.Equal(new[] { "tick 1", "tick 2", "tick 3" }, ticks);
            Assert.Contains("event: end\ndata: {\"status\":\"completed\"", stream);
        }

        [Fact]
        public async Task Tail_gives_the_last_lines()
        {
            var run = await StartAsync(RunJob("lines", "for i in 1 2 3 4 5; do echo $i; done"));
            await RunningServer.WaitForEndAsync(admin, Id(run));
            Assert.Equal("4\n5\n", await admin.GetStringAsync("/v1/runs/" + Id(run) + "/logs?tail=2"));
        }

        [Fact]
        public async Task Runs_are_listed_latest_first_and_filtered_by_status_and_job()
        {
            var first = await StartAsync(RunJob("list-a", "true"));
            var second = await StartAsync(RunJob("list-b", "exit 1"));
            await RunningServer.WaitForEndAsync(admin, Id(first));
            await RunningServer.WaitForEndAsync(admin, Id(second));
            var all = JsonDocument.Parse(await admin.GetStringAsync("/v1/runs")).RootElement.EnumerateArray().Select(Id).ToList();
            Assert.True(all.IndexOf(Id(second)) < all.IndexOf(Id(first)));
            var failed = JsonDocument.Parse(await admin.GetStringAsync("/v1/runs?status=failed")).RootElement.EnumerateArray().Select(Id).ToList();
            Assert.Contains(Id(second), failed);
            Assert.DoesNotContain(Id(first), failed);
            var byJob = JsonDocument.Parse(await admin.GetStringAsync("/v1/runs?job=list-a")).RootElement.EnumerateArray().Select(Id).ToList();
            Assert.Equal(new[] { Id(first) }, byJob);
            Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/v1/runs?status=sleeping")).StatusCode);
        }

        [Fact]
        public async Task A_stored_job_is_started_by_id()
        {
            var job = JsonDocument.Parse(await (await admin.PostAsync("/v1/jobs", RunningServer.Yaml(RunJob("stored", "echo again")))).Content.ReadAsStringAsync()).RootElement;
            var response = await admin.PostAsync("/v1/jobs/" + job.GetProperty("id").GetString() + "/runs", null);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("completed", (await RunningServer.WaitForEndAsync(admin, Id(run))).GetProperty("status").GetString());
        }

        [Fact]
        public async Task Another_owner_gets_404_for_my_run_its_log_and_stop()
        {
            var run = await StartAsync(RunJob("mine", "echo secret-output"));
            var created = JsonDocument.Parse(await (await admin.PostAsJsonAsync("/v1/tokens", new { name = "bob" })).Content.ReadAsStringAsync()).RootElement;
            var bob = server.Client(created.GetProperty("token").GetString());
            foreach (var path in new[] { "/v1/runs/" + Id(run), "/v1/runs/" + Id(run) + "/logs" })
                Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync("/v1/runs/" + Id(run) + "/stop", null)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync("/v1/runs/" + Id(run))).StatusCode);
            Assert.Empty(JsonDocument.Parse(await bob.GetStringAsync("/v1/runs")).RootElement.EnumerateArray());
        }

        [Fact]
        public async Task A_project_uploaded_as_multipart_is_built_and_run()
        {
            using var form = new MultipartFormDataContent
            {
                { new StringContent("job_name: project\njob_type: run\ndocker_image: busybox\nproject_dir: app\nentry_script: run.sh\n"), "job" },
                { new ByteArrayContent(TarGz(("run.sh", "echo from the project; cat data.txt\n"), ("data.txt", "payload\n"))), "project", "project.tar.gz" },
            };
            var response = await admin.PostAsync("/v1/runs", form);
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var ended = await RunningServer.WaitForEndAsync(admin, Id(run), 120);
            var log = await admin.GetStringAsync("/v1/runs/" + Id(run) + "/logs");
            Assert.True("completed" == ended.GetProperty("status").GetString(), log);
            Assert.Contains("from the project\npayload\n", log);
        }

        [Fact]
        public async Task A_project_job_without_its_upload_is_refused()
        {
            using var form = new MultipartFormDataContent
            {
                { new StringContent("job_name: project\njob_type: run\ndocker_image: busybox\nproject_dir: app\nentry_script: run.sh\n"), "job" },
            };
            var response = await admin.PostAsync("/v1/runs", form);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Contains("'project'", await response.Content.ReadAsStringAsync());
        }

        private async Task WaitForLogAsync(string runId, string text)
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while (!(await admin.GetStringAsync("/v1/runs/" + runId + "/logs")).Contains(text))
            {
                if (DateTime.UtcNow > until) throw new TimeoutException("'" + text + "' never appeared in the log of " + runId);
                await Task.Delay(100);
            }
        }

        internal static byte[] TarGz(params (string Name, string Content)[] files)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            {
                foreach (var (name, content) in files)
                {
                    var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
                    {
                        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    };
                    tar.WriteEntry(entry);
                }
            }
            return buffer.ToArray();
        }
    }
}
