using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.Host.Commands
{
    /// <summary>
    /// primeway run FILE --server URL | --detach: the job runs on a server. Attached, the log streams here and the
    /// exit code is the run's (as in-process runs: 124 timeout, 137 out of memory); Ctrl+C stops the run. A deploy job
    /// returns once it is healthy, leaving it to the server. --detach prints the run id and returns.
    /// </summary>
    internal static class ServerRun
    {
        public static int Run(string path, string? server, bool detach, TextWriter stdout, TextWriter stderr)
        {
            var (job, exitCode) = RunCommand.ReadOneJob(path, stderr);
            if (job == null) return exitCode;
            using var stop = new CancellationTokenSource();
            int signalExit = RunCommand.Interrupted;
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true;
                signalExit = context.Signal == PosixSignal.SIGTERM ? RunCommand.Terminated : RunCommand.Interrupted;
                stop.Cancel();
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            var code = RemoteCommands.WithServer(server, stderr, connection => RunAsync(connection, job, detach, stdout, stderr, stop.Token, () => signalExit), CancellationToken.None)
                .GetAwaiter().GetResult();
            return code == RemoteCommands.RequestFailed ? RunCommand.EngineFailed : code;
        }

        private static async Task<int> RunAsync(ServerConnection connection, JobSpec job, bool detach, TextWriter stdout, TextWriter stderr, CancellationToken stop, Func<int> signalExit)
        {
            var run = await connection.Client.StartAsync(job, CancellationToken.None);
            if (detach)
            {
                stdout.WriteLine(run.Id);
                stderr.WriteLine("primeway: started run " + run.Id + " of " + run.JobName + " on " + connection.Server + "; follow it with 'primeway logs " + run.Id + " --follow'");
                return ExitCodes.Success;
            }
            stderr.WriteLine("primeway: run " + run.Id + " of " + run.JobName + " on " + connection.Server);
            try
            {
                if (run.JobType == "deploy")
                {
                    var ready = await connection.Client.WaitAsync(run.Id, ct: stop);
                    if (ready.HealthStatus == "healthy" && !ready.IsFinished)
                    {
                        stderr.WriteLine("primeway: " + ready.JobName + " is healthy at " + ready.Url + " (run " + ready.Id + "; 'primeway stop " + ready.Id + "' stops it)");
                        return ExitCodes.Success;
                    }
                    return ExitCodeOf(ready, stderr);
                }
                await connection.Client.FollowLogAsync(run.Id, line => (line.Stream == "stderr" || line.Stream == "primeway" ? stderr : stdout).WriteLine(line.Text), ct: stop);
                return ExitCodeOf(await connection.Client.WaitAsync(run.Id, ct: stop), stderr);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                stderr.WriteLine("primeway: stopping run " + run.Id);
                try { await connection.Client.StopRunAsync(run.Id); } catch (PrimewayApiException e) when (e.IsConflict) { }
                return signalExit();
            }
        }

        private static int ExitCodeOf(JobRun run, TextWriter stderr)
        {
            if (run.Status == "completed") return run.ExitCode ?? 0;
            stderr.WriteLine("primeway: run " + run.Id + " " + run.Status + (run.Reason != null ? " (" + run.Reason + ")" : ""));
            switch (run.Reason)
            {
                case "timeout": return RunCommand.TimedOut;
                case "oom": return RunCommand.OutOfMemory;
                case "user": return RunCommand.Terminated;
                case "exit_code": return run.ExitCode ?? 1;
                default: return run.ExitCode is int code && code != 0 ? code : RunCommand.EngineFailed;
            }
        }
    }
}
