using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Primeway.Server;

namespace Primeway.Client.Tests
{
    /// <summary>The typed client against a real server on loopback with a real Docker engine.</summary>
    public sealed class ClientTests : IAsyncLifetime
    {
        private WebApplication app = null!;
        private string data = null!;
        private PrimewayClient client = null!;

        public async Task InitializeAsync()
        {
            data = Path.Combine(Path.GetTempPath(), "primeway-client-" + Guid.NewGuid().ToString("N"));
            app = await PrimewayServer.BuildAsync(new ServerOptions { Urls = "http://127.0.0.1:0", DataDirectory = data, AdminToken = "pw_client_tests", Backend = "docker", StopGrace = TimeSpan.FromSeconds(2) });
            await app.StartAsync();
            client = new PrimewayClient(Address, "pw_client_tests");
        }

        private Uri Address => new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");

        public async Task DisposeAsync()
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }

        private static JobSpec Job(string name, string command) =>
            new JobSpec { JobName = name, JobType = JobType.Run, DockerImage = "busybox", Command = command };

        [Fact]
        public async Task Start_wait_and_read_the_log()
        {
            var run = await client.StartAsync(Job("client-hello", "echo one; echo two"));
            Assert.Equal("pending", run.Status);
            Assert.Equal(client.Server, run.Server);
            var ended = await client.WaitAsync(run.Id, TimeSpan.FromSeconds(60));
            Assert.Equal("completed", ended.Status);
            Assert.Equal(0, ended.ExitCode);
            Assert.True(ended.Duration > TimeSpan.Zero);
            Assert.Equal(new[] { "one", "two" }, (await client.GetLogAsync(run.Id)).Select(l => l.Text));
            Assert.Equal(new[] { "two" }, (await client.GetLogAsync(run.Id, tail: 1)).Select(l => l.Text));
        }

        [Fact]
        public async Task Follow_streams_lines_until_the_run_ends()
        {
            var run = await client.StartAsync(Job("client-follow", "for i in 1 2 3; do echo $i; sleep 0.2; done"));
            var lines = new List<string>();
            await foreach (var line in client.FollowLogAsync(run.Id)) if (line.Stream == "stdout") lines.Add(line.Text);
            Assert.Equal(new[] { "1", "2", "3" }, lines);
        }

        [Fact]
        public async Task A_scheduled_job_shows_its_next_start_and_end()
        {
            var job = Job("client-nightly", "true");
            job.ScheduleStart = "0 2 * * *";
            job.ScheduleEnd = "0 4 * * *";
            await client.SubmitJobAsync(job);
            var listed = (await client.ListJobsAsync()).Single(j => j.Name == "client-nightly");
            Assert.Equal(NextUtc(2), listed.NextStart);
            Assert.Equal(NextUtc(4), listed.NextEnd);

            await client.SubmitJobAsync(Job("client-unscheduled", "true"));
            var plain = await client.GetJobAsync("client-unscheduled");
            Assert.Equal((null, null), (plain.NextStart, plain.NextEnd));
        }

        private static DateTimeOffset NextUtc(int hour)
        {
            var now = DateTimeOffset.UtcNow;
            var at = new DateTimeOffset(now.UtcDateTime.Date.AddHours(hour), TimeSpan.Zero);
            return at > now ? at : at.AddDays(1);
        }

        [Fact]
        public async Task A_pipeline_runs_and_its_steps_artifacts_are_saved_to_a_directory()
        {
            var started = await client.StartPipelineAsync("pipeline_name: client-flow\nsteps:\n" +
                "  - {id: make, job_type: run, docker_image: busybox, command: mkdir -p /primeway-artifacts/d && echo made > /primeway-artifacts/d/file.txt}\n" +
                "  - {id: use, job_type: run, docker_image: busybox, inputs: [make], command: cat /make/d/file.txt}\n");
            Assert.Equal(new[] { "make", "use" }, started.Steps.Select(s => s.Id));
            var until = DateTime.UtcNow.AddSeconds(60);
            var pipeline = started;
            while (!pipeline.IsFinished && DateTime.UtcNow < until)
            {
                await Task.Delay(200);
                pipeline = await client.GetPipelineRunAsync(started.Id);
            }
            Assert.Equal("completed", pipeline.Status);
            var make = pipeline.Steps[0].RunId!;
            Assert.Equal("make", (await client.GetRunAsync(make)).StepId);

            var directory = Path.Combine(data, "saved");
            var files = await client.SaveArtifactsAsync(make, directory);
            Assert.Equal(new[] { Path.Combine(directory, "d", "file.txt") }, files);
            Assert.Equal("made\n", File.ReadAllText(files[0]));

            var invalid = await Assert.ThrowsAsync<PrimewayApiException>(() => client.StartPipelineAsync("pipeline_name: p\nsteps: []\n"));
            Assert.Equal(422, (int)invalid.StatusCode);
        }

        [Fact]
        public async Task Stop_list_get_and_delete()
        {
            var run = await client.StartAsync(Job("client-stop", "sleep 60"));
            await client.WaitAsync(run.Id, TimeSpan.FromSeconds(60), new[] { "running" });
            var stopping = await client.StopRunAsync(run.Id);
            Assert.True(stopping.StopRequested);
            Assert.Equal("stopped", (await client.WaitAsync(run.Id, TimeSpan.FromSeconds(30))).Status);
            Assert.Contains(await client.ListRunsAsync(status: "stopped"), r => r.Id == run.Id);
            Assert.Equal("client-stop", (await client.GetJobAsync("client-stop")).Name);
            await client.DeleteRunAsync(run.Id);
            var gone = await Assert.ThrowsAsync<PrimewayApiException>(() => client.GetRunAsync(run.Id));
            Assert.True(gone.IsNotFound);
        }

        [Fact]
        public async Task An_invalid_job_comes_back_with_its_diagnostics()
        {
            var error = await Assert.ThrowsAsync<PrimewayApiException>(() => client.SubmitJobAsync(new JobSpec { JobName = "bad", JobType = JobType.Deploy, DockerImage = "busybox" }));
            Assert.True(error.IsInvalidJob);
            Assert.Contains(error.Errors, d => d.Code == "PW1003" && d.Field == "port");
            Assert.Contains("PW1003", error.Message);
        }

        [Fact]
        public async Task A_wrong_token_says_how_to_connect()
        {
            using var stranger = new PrimewayClient(Address, "pw_wrong");
            var error = await Assert.ThrowsAsync<PrimewayApiException>(() => stranger.ListRunsAsync());
            Assert.True(error.IsUnauthorized);
            Assert.Contains("Connect-PrimewayServer", error.Message);
        }

        [Fact]
        public async Task An_unreachable_server_is_a_clear_error_after_retries_of_safe_requests()
        {
            using var nowhere = new PrimewayClient(new Uri("http://127.0.0.1:9/"), "x") { SafeAttempts = 2 };
            var error = await Assert.ThrowsAsync<PrimewayUnreachableException>(() => nowhere.ListRunsAsync());
            Assert.Contains("does not answer", error.Message);
            Assert.False(await nowhere.IsHealthyAsync());
        }

        [Fact]
        public async Task A_project_directory_is_packed_with_its_ignore_rules_and_runs()
        {
            var project = Path.Combine(data, "project");
            Directory.CreateDirectory(Path.Combine(project, "deep", new string('d', 90)));
            File.WriteAllText(Path.Combine(project, "run.sh"), "echo running; cat deep/" + new string('d', 90) + "/long.txt; ls secret.txt 2>&1 || true\n");
            File.WriteAllText(Path.Combine(project, "deep", new string('d', 90), "long.txt"), "long path kept\n");
            File.WriteAllText(Path.Combine(project, "secret.txt"), "must not be uploaded");
            File.WriteAllText(Path.Combine(project, ".dockerignore"), "secret.txt\n");
            var job = new JobSpec { JobName = "client-project", JobType = JobType.Run, DockerImage = "busybox", ProjectDir = "project", EntryScript = "run.sh", SourceFile = Path.Combine(data, "job.yaml") };

            var run = await client.StartAsync(job);
            var ended = await client.WaitAsync(run.Id, TimeSpan.FromSeconds(120));
            var log = string.Join("\n", (await client.GetLogAsync(run.Id)).Select(l => l.Text));
            Assert.True(ended.Status == "completed", log);
            Assert.Contains("running", log);
            Assert.Contains("long path kept", log);
            Assert.Contains("No such file", log);
        }

        [Fact]
        public async Task Tokens_are_managed_by_an_admin()
        {
            var token = await client.CreateTokenAsync("client-ci");
            Assert.StartsWith("pw_", token.Secret);
            Assert.Contains(await client.ListTokensAsync(), t => t.Id == token.Id && t.Secret == null);
            using var ci = new PrimewayClient(Address, token.Secret);
            Assert.Empty(await ci.ListRunsAsync());
            await client.RevokeTokenAsync(token.Id);
            Assert.True((await Assert.ThrowsAsync<PrimewayApiException>(() => ci.ListRunsAsync())).IsUnauthorized);
        }
    }
}
