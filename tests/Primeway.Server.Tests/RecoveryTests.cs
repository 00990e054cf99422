using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Tasks;
using Primeway.Engine.Docker;
using Primeway.Server.Store;

namespace Primeway.Server.Tests
{
    /// <summary>
    /// The server is killed with SIGKILL while runs are in every state, then started again on the same data:
    /// every run ends as it really did, none is lost silently and none is started twice.
    /// </summary>
    public sealed class RecoveryTests : IDisposable
    {
        private readonly string data = Path.Combine(Path.GetTempPath(), "primeway-recovery-" + Guid.NewGuid().ToString("N"));
        private ServerProcess? serverProcess;

        public void Dispose() => serverProcess?.Dispose();

        [Fact]
        public async Task After_kill_9_runs_in_every_state_are_reconciled_with_the_engine()
        {
            serverProcess = ServerProcess.Start(data, "--backend", "docker");
            await serverProcess.WaitForHealthAsync();
            using var client = serverProcess.Client(File.ReadAllText(Path.Combine(data, "admin-token")).Trim());

            var finished = await RunningServer.StartRunAsync(client, "finished", "echo done");
            Assert.Equal("completed", (await RunningServer.WaitForEndAsync(client, finished)).GetProperty("status").GetString());
            var stillRunning = await RunningServer.StartRunAsync(client, "survivor", "echo a1; sleep 4; echo a2; exit 4");
            var endsWhileDown = await RunningServer.StartRunAsync(client, "ends-while-down", "echo b1; sleep 1; echo b2; exit 5");
            var vanishes = await RunningServer.StartRunAsync(client, "vanishes", "echo c1; sleep 60");
            foreach (var (run, line) in new[] { (stillRunning, "a1"), (endsWhileDown, "b1"), (vanishes, "c1") })
                await RunningServer.WaitForLogAsync(client, run, line);

            await serverProcess.KillAsync();
            Docker("rm", "-f", DockerBackend.ContainerName(vanishes));
            var neverStarted = await InsertPendingRunAsync("echo once");
            await Task.Delay(TimeSpan.FromSeconds(2));

            await using var restarted = await RunningServer.StartAsync(data);
            using var after = restarted.Client(restarted.AdminToken);

            var survivor = await RunningServer.WaitForEndAsync(after, stillRunning);
            Assert.Equal(("failed", 4), (survivor.GetProperty("status").GetString(), survivor.GetProperty("exit_code").GetInt32()));
            Assert.Equal("a1\na2\n", StdoutOf(await after.GetStringAsync("/v1/runs/" + stillRunning + "/logs?timestamps=false")));

            var ended = await RunningServer.WaitForEndAsync(after, endsWhileDown);
            Assert.Equal(("failed", 5), (ended.GetProperty("status").GetString(), ended.GetProperty("exit_code").GetInt32()));
            Assert.Equal("b1\nb2\n", StdoutOf(await after.GetStringAsync("/v1/runs/" + endsWhileDown + "/logs")));

            var lost = await RunningServer.WaitForEndAsync(after, vanishes);
            Assert.Equal(("terminated", "lost"), (lost.GetProperty("status").GetString(), lost.GetProperty("reason").GetString()));

            var once = await RunningServer.WaitForEndAsync(after, neverStarted);
            Assert.Equal("completed", once.GetProperty("status").GetString());
            Assert.Equal("once\n", StdoutOf(await after.GetStringAsync("/v1/runs/" + neverStarted + "/logs")));

            var untouched = JsonDocument.Parse(await after.GetStringAsync("/v1/runs/" + finished)).RootElement;
            Assert.Equal("completed", untouched.GetProperty("status").GetString());
            Assert.Equal("done\n", StdoutOf(await after.GetStringAsync("/v1/runs/" + finished + "/logs")));
        }

        /// <summary>A run the API accepted just before the server died, before its driver took it.</summary>
        private async Task<string> InsertPendingRunAsync(string command)
        {
            var store = new SqliteStore(Path.Combine(data, "primeway.db"));
            var job = (await store.ListJobsAsync("admin", default)).First();
            var yaml = "job_name: pending\njob_type: run\ndocker_image: busybox\ncommand: " + command + "\n";
            var run = new RunRecord("run_pending" + Guid.NewGuid().ToString("N").Substring(0, 8), job.Id, "pending", "run", yaml, "admin", RunStatus.Pending,
                null, null, DateTimeOffset.UtcNow, null, null, null, null, false);
            await store.InsertRunAsync(run, default);
            return run.Id;
        }

        private static string StdoutOf(string log) =>
            string.Concat(log.Split('\n').Where(l => l.Length > 0 && !l.Contains(": exited with code") && !l.Contains(": the run")).Select(l => l + "\n"));



        private static void Docker(params string[] args)
        {
            var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "docker " + string.Join(" ", args) + ": " + output);
        }
    }
}
