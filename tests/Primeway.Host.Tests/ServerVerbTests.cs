using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Primeway.Server;

namespace Primeway.Host.Tests
{
    /// <summary>A real server on loopback for the verbs that talk to one; its admin token is in PRIMEWAY_API_TOKEN for the test process.</summary>
    public sealed class VerbServer : IAsyncLifetime
    {
        public const string Token = "pw_host_verb_tests";
        private WebApplication app = null!;
        private string data = null!;

        public string Url { get; private set; } = "";

        public async Task InitializeAsync()
        {
            // The verbs read the token from the environment, as CI does; no other test in this assembly reads it.
            Environment.SetEnvironmentVariable("PRIMEWAY_API_TOKEN", Token);
            data = Path.Combine(Path.GetTempPath(), "primeway-verbs-" + Guid.NewGuid().ToString("N"));
            app = await PrimewayServer.BuildAsync(new ServerOptions { Urls = "http://127.0.0.1:0", DataDirectory = data, AdminToken = Token, Backend = "docker", StopGrace = TimeSpan.FromSeconds(2) });
            await app.StartAsync();
            Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        }

        public async Task DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>primeway run --server/--detach, jobs, logs and stop, through Primeway.Client against a real server and Docker.</summary>
    public sealed class ServerVerbTests : IClassFixture<VerbServer>, IDisposable
    {
        private readonly VerbServer server;
        private readonly string dir = Directory.CreateTempSubdirectory("primeway-verbs-jobs-").FullName;

        public ServerVerbTests(VerbServer server) => this.server = server;

        public void Dispose() => Directory.Delete(dir, recursive: true);

        private static string Name(string stem) => stem + "-" + Guid.NewGuid().ToString("N").Substring(0, 6);

        private string JobFile(string name, string command)
        {
            var path = Path.Combine(dir, name + ".yaml");
            File.WriteAllText(path, "job_name: " + name + "\njob_type: run\ndocker_image: busybox\ncommand: " + command + "\n");
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
        public void Artifacts_saves_a_runs_artifacts_into_a_directory()
        {
            var name = Name("makes");
            var (code, stdout, stderr) = Run("run", JobFile(name, "'mkdir -p /primeway-artifacts/m && echo weights > /primeway-artifacts/m/model.bin'"), "--server", server.Url, "--detach");
            Assert.True(code == 0, stderr);
            var id = stdout.Trim();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Run("jobs", "--server", server.Url, "--job", name).Stdout.Contains("completed") && DateTime.UtcNow < deadline) System.Threading.Thread.Sleep(200);

            var target = Path.Combine(dir, "saved");
            var saved = Run("artifacts", id, "--server", server.Url, "-o", target);
            Assert.True(saved.Code == 0, saved.Stderr);
            Assert.Equal(Path.Combine(target, "m", "model.bin") + "\n", saved.Stdout);
            Assert.Equal("weights\n", File.ReadAllText(Path.Combine(target, "m", "model.bin")));

            var missing = Run("artifacts", "run_nosuch", "--server", server.Url, "-o", target);
            Assert.Equal(1, missing.Code);
            Assert.Contains("run_nosuch", missing.Stderr);
        }

        [Fact]
        public async Task Jobs_shows_the_next_start_and_end_of_scheduled_jobs()
        {
            var name = Name("nightly");
            using (var client = new PrimewayClient(new Uri(server.Url + "/"), VerbServer.Token))
                await client.SubmitJobAsync(new JobSpec { JobName = name, JobType = JobType.Run, DockerImage = "busybox", Command = "true", ScheduleStart = "0 2 * * *", ScheduleEnd = "0 4 * * *" });
            var jobs = Run("jobs", "--server", server.Url, "--job", name);
            Assert.Equal(0, jobs.Code);
            var now = DateTimeOffset.UtcNow;
            DateTimeOffset Next(int hour)
            {
                var at = new DateTimeOffset(now.UtcDateTime.Date.AddHours(hour), TimeSpan.Zero);
                return at > now ? at : at.AddDays(1);
            }
            string Local(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Matches(@"SCHEDULED JOB\s+TYPE\s+NEXT START\s+NEXT END", jobs.Stdout);
            Assert.Matches(name + @"\s+run\s+" + Regex.Escape(Local(Next(2))) + @"\s+" + Regex.Escape(Local(Next(4))), jobs.Stdout);
            Assert.DoesNotContain("SCHEDULED JOB", Run("jobs", "--server", server.Url, "--job", "no-such-job").Stdout);
        }

        [DockerFact]
        public void Run_on_a_server_streams_the_log_and_exits_with_the_job_s_code()
        {
            var (code, stdout, stderr) = Run("run", JobFile(Name("remote"), "echo out; echo err >&2; exit 4"), "--server", server.Url);
            Assert.Equal(4, code);
            Assert.Equal("out\n", stdout);
            Assert.Contains("err", stderr);
            Assert.Matches(@"run run_\w+ of remote-\w+ on http://127\.0\.0\.1:\d+/", stderr);
        }

        [DockerFact]
        public void Detach_prints_the_run_id_and_jobs_logs_and_stop_find_it()
        {
            var name = Name("detached");
            var (code, stdout, stderr) = Run("run", JobFile(name, "echo started; sleep 60"), "--server", server.Url, "--detach");
            Assert.Equal(0, code);
            var id = stdout.Trim();
            Assert.Matches(@"^run_\w+$", id);
            Assert.Contains("primeway logs " + id + " --follow", stderr);

            var jobs = Run("jobs", "--server", server.Url, "--job", name);
            Assert.Equal(0, jobs.Code);
            Assert.Matches(@"RUN\s+JOB\s+TYPE\s+STATUS\s+STARTED\s+DURATION\s+EXIT\s+URL", jobs.Stdout);
            Assert.Contains(id, jobs.Stdout);

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Run("logs", id, "--server", server.Url).Stdout.Contains("started") && DateTime.UtcNow < deadline) System.Threading.Thread.Sleep(200);
            Assert.Equal("started\n", Run("logs", id, "--server", server.Url, "--tail", "1").Stdout);

            var stop = Run("stop", id, "--server", server.Url);
            Assert.Equal(0, stop.Code);
            Assert.Contains("Stopping run " + id + " of " + name, stop.Stdout);
            var followed = Run("logs", id, "--server", server.Url, "--follow");
            Assert.Equal(0, followed.Code);
            Assert.Contains("started", followed.Stdout);
            Assert.Matches(id + @"\s+" + name + @"\s+run\s+stopped", Run("jobs", "--server", server.Url, "--status", "stopped").Stdout);

            var again = Run("stop", id, "--server", server.Url);
            Assert.Equal(1, again.Code);
            Assert.Contains("already ended", again.Stderr);
        }

        [DockerFact]
        public void An_unknown_run_or_an_unreachable_server_exits_1_with_what_to_do()
        {
            var missing = Run("logs", "run_nosuchrun", "--server", server.Url);
            Assert.Equal(1, missing.Code);
            Assert.Contains("does not exist", missing.Stderr);

            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            var closed = "http://127.0.0.1:" + ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var unreachable = Run("jobs", "--server", closed);
            Assert.Equal(1, unreachable.Code);
            Assert.Contains("does not answer", unreachable.Stderr);
            Assert.Contains("primeway server", unreachable.Stderr);
        }

        [DockerFact]
        public void An_invalid_job_is_not_submitted_and_exits_1()
        {
            var path = Path.Combine(dir, "bad.yaml");
            File.WriteAllText(path, "job_name: bad\njob_type: deploy\ndocker_image: busybox\n");
            var (code, _, stderr) = Run("run", path, "--server", server.Url);
            Assert.Equal(1, code);
            Assert.Contains("PW1003", stderr);
            var jobs = Run("jobs", "--server", server.Url, "--job", "bad");
            Assert.Single(jobs.Stdout.Trim().Split('\n')); // the header only: nothing was submitted
        }

        [DockerFact]
        public void Backend_with_server_is_a_usage_error()
        {
            var (code, _, stderr) = Run("run", JobFile(Name("mixed"), "true"), "--server", server.Url, "--backend", "docker");
            Assert.Equal(2, code);
            Assert.Contains("--backend", stderr);
        }
    }
}
