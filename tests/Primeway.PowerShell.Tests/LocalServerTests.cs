using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Primeway.PowerShell.Tests
{
    /// <summary>
    /// With no server connected the cmdlets start `primeway server --local` on 127.0.0.1 on demand (found beside the
    /// module in this checkout's build output), reuse it from every session, say once where it is, and
    /// `primeway server stop` stops it.
    /// </summary>
    [Collection(PrimewayHomeCollection.Name)]
    public sealed class LocalServerTests : IDisposable
    {
        private readonly string home = Directory.CreateTempSubdirectory("primeway-home-local-").FullName;
        private readonly EnvironmentScope environment;

        public LocalServerTests()
        {
            environment = new EnvironmentScope(("PRIMEWAY_HOME", home));
        }

        private string Local => Path.Combine(home, "local");

        private JsonElement State => JsonDocument.Parse(File.ReadAllText(Path.Combine(Local, "server.json"))).RootElement;

        public void Dispose()
        {
            HostTests.Primeway("server", "stop");
            environment.Dispose();
            try { Directory.Delete(home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        [DockerFact]
        public void The_local_server_starts_on_demand_is_reused_by_every_session_is_announced_once_and_stops()
        {
            using var first = new PowerShellSession();
            var started = first.Run("@(Get-PrimewayJob).Count").AssertNoErrors();
            Assert.Equal(0, started.Output.Single().BaseObject);
            var notice = Assert.Single(started.InformationText);
            var url = Regex.Match(notice, @"Started the local Primeway server at (http://127\.0\.0\.1:\d+/)").Groups[1].Value;
            Assert.NotEmpty(url);
            Assert.Contains("primeway server stop", notice);
            Assert.Equal(url, State.GetProperty("url").GetString());
            var pid = State.GetProperty("pid").GetInt32();
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Local, "admin-token")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Local));

            Assert.Empty(first.Run("Get-PrimewayJob").AssertNoErrors().InformationText); // said once per session

            using (var second = new PowerShellSession())
            {
                var ran = second.Run("New-PrimewayJob -JobName local-run -DockerImage busybox -Command 'echo on the local server' | Start-PrimewayJob -Wait").AssertNoErrors();
                Assert.Equal("completed", ran.Property(0, "Status"));
                Assert.Equal(url, ran.Property(0, "Server")!.ToString());
                Assert.Contains("Using the local Primeway server at " + url, ran.InformationText.First());
                Assert.Contains("on the local server", ran.InformationText);
            }
            Assert.Equal(pid, State.GetProperty("pid").GetInt32()); // reused, not started again
            Assert.Single(first.Run("Get-PrimewayJob -Name local-run").AssertNoErrors().Output);

            var (code, stdout, _) = HostTests.Primeway("server", "stop");
            Assert.Equal(0, code);
            Assert.Contains("Stopped the local Primeway server at " + url, stdout);
            Assert.False(File.Exists(Path.Combine(Local, "server.json")));
            using (var http = new System.Net.Http.HttpClient { Timeout = TimeSpan.FromSeconds(2) })
                Assert.ThrowsAny<Exception>(() => http.GetAsync(url + "healthz").GetAwaiter().GetResult());
            Assert.Contains("No local Primeway server is running", HostTests.Primeway("server", "stop").Stdout);

            // Its data outlives it: a new local server (on a new port) still has the run.
            var again = first.Run("Get-PrimewayJob -Name local-run").AssertNoErrors();
            Assert.Equal("completed", again.Property(0, "Status"));
            Assert.Contains("Started the local Primeway server", Assert.Single(again.InformationText));
        }

        [DockerFact]
        public void The_primeway_verbs_and_the_cmdlets_share_the_local_server()
        {
            var file = Path.Combine(home, "verb.yaml");
            File.WriteAllText(file, "job_name: from-the-cli\njob_type: run\ndocker_image: busybox\ncommand: echo detached\n");
            var (code, stdout, stderr) = HostTests.Primeway("run", file, "--detach");
            Assert.True(code == 0, stderr);
            var id = stdout.Trim();
            var url = Regex.Match(stderr, @"started a local server at (http://127\.0\.0\.1:\d+/)").Groups[1].Value;
            Assert.NotEmpty(url);

            using var ps = new PowerShellSession();
            var found = ps.Run("Get-PrimewayJob -Id " + id + " | Wait-PrimewayJob -Timeout 60").AssertNoErrors();
            Assert.Equal("completed", found.Property(0, "Status"));
            Assert.Equal("Using the local Primeway server at " + url + " (data in " + Local + "; 'primeway server stop' stops it).", Assert.Single(found.InformationText));

            var logs = HostTests.Primeway("logs", id);
            Assert.Equal("detached\n", logs.Stdout);
            Assert.DoesNotContain("started a local server", logs.Stderr);
            Assert.Contains(id, HostTests.Primeway("jobs").Stdout);
        }

        [DockerFact]
        public void Sessions_that_need_it_at_the_same_moment_start_one_local_server_between_them()
        {
            var sessions = Enumerable.Range(0, 3).Select(_ => new PowerShellSession()).ToList();
            try
            {
                var results = sessions.AsParallel().WithDegreeOfParallelism(3).Select(s => s.Run("@(Get-PrimewayJob).Count").AssertNoErrors()).ToList();
                var urls = results.Select(r => Regex.Match(Assert.Single(r.InformationText), @"http://127\.0\.0\.1:\d+/").Value).Distinct().ToList();
                Assert.Equal(State.GetProperty("url").GetString(), Assert.Single(urls));
                Assert.Single(results, r => r.InformationText[0].StartsWith("Started", StringComparison.Ordinal));
            }
            finally
            {
                foreach (var session in sessions) session.Dispose();
            }
        }

        [Fact]
        public void Without_the_primeway_executable_the_error_says_how_to_point_at_it()
        {
            using var missing = new EnvironmentScope(("PRIMEWAY_HOST_PATH", Path.Combine(home, "no-such-primeway")));
            using var ps = new PowerShellSession();
            var result = ps.Run("Get-PrimewayJob");
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("LocalServerUnavailable,", error.FullyQualifiedErrorId);
            Assert.Contains("PRIMEWAY_HOST_PATH", error.ErrorDetails.RecommendedAction);
        }
    }
}
