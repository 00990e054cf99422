using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.Engine
{
    /// <summary>
    /// Runs a run job attached: prepares its image, starts it, streams its log to the listener, enforces its
    /// timeout, and returns how it ended. The run is removed afterwards (unless KeepEndedRuns).
    /// </summary>
    public sealed class JobRunner
    {
        private readonly IJobBackend backend;
        private readonly EngineOptions options;

        public JobRunner(IJobBackend backend, EngineOptions? options = null)
        {
            this.backend = backend ?? throw new ArgumentNullException(nameof(backend));
            this.options = options ?? new EngineOptions();
        }

        /// <summary>Runs the job to its end. Cancelling stops the run (SIGTERM, then kill after the grace period) and returns it as Stopped.</summary>
        public Task<RunResult> RunAsync(JobSpec job, IRunListener listener, CancellationToken cancellationToken = default) =>
            RunAsync(job, Array.Empty<WorkloadMount>(), listener, cancellationToken);

        /// <summary>Runs the job with host directories bound into it (a pipeline step's artifacts and inputs).</summary>
        public async Task<RunResult> RunAsync(JobSpec job, IReadOnlyList<WorkloadMount> mounts, IRunListener listener, CancellationToken cancellationToken = default)
        {
            foreach (var warning in WorkloadPlanner.RunTimeWarnings(job)) listener.OnWarning(warning.ToString());
            var workload = WorkloadPlanner.Plan(job, options.Owner, null, mounts);
            var runId = workload.RunId;
            listener.OnStateChanged(new RunStateChange(runId, RunState.Preparing));
            await backend.PrepareAsync(workload, listener, cancellationToken).ConfigureAwait(false);
            listener.OnStateChanged(new RunStateChange(runId, RunState.Starting));
            try
            {
                await backend.StartAsync(workload, listener, cancellationToken).ConfigureAwait(false);
                listener.OnStateChanged(new RunStateChange(runId, RunState.Running));
                var logs = LogPump.RunAsync(backend, runId, null, listener);
                var result = await WaitAsync(workload, cancellationToken).ConfigureAwait(false);
                await logs.ConfigureAwait(false);
                listener.OnStateChanged(new RunStateChange(runId, result.State, result.Message));
                return result;
            }
            finally
            {
                if (!options.KeepEndedRuns) await backend.RemoveAsync(runId, CancellationToken.None).ConfigureAwait(false);
            }
        }

        private async Task<RunResult> WaitAsync(Workload workload, CancellationToken cancellationToken)
        {
            var runId = workload.RunId;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (workload.Timeout is TimeSpan timeout) deadline.CancelAfter(timeout);
            try
            {
                var exit = await backend.WaitForExitAsync(runId, deadline.Token).ConfigureAwait(false);
                if (exit.OutOfMemory)
                    return new RunResult(runId, RunState.OutOfMemory, exit.ExitCode,
                        "job '" + workload.JobName + "' was killed for going over its memory limit (memory: " + workload.Job.Memory + " GB). Raise memory or make the job use less.");
                return new RunResult(runId, exit.ExitCode == 0 ? RunState.Succeeded : RunState.Failed, exit.ExitCode,
                    "job '" + workload.JobName + "' exited with code " + exit.ExitCode + ".");
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                bool timedOut = !cancellationToken.IsCancellationRequested;
                await backend.StopAsync(runId, options.StopGrace, CancellationToken.None).ConfigureAwait(false);
                var exit = await backend.WaitForExitAsync(runId, CancellationToken.None).ConfigureAwait(false);
                return timedOut
                    ? new RunResult(runId, RunState.TimedOut, exit.ExitCode,
                        "job '" + workload.JobName + "' ran past its timeout of " + workload.Job.Timeout + " s and was stopped. Raise timeout if it needs longer.")
                    : new RunResult(runId, RunState.Stopped, exit.ExitCode, "job '" + workload.JobName + "' was stopped.");
            }
        }
    }

    /// <summary>Copies a run's log to a listener until the run's output ends.</summary>
    internal static class LogPump
    {
        public static Task RunAsync(IJobBackend backend, string runId, DateTimeOffset? since, IRunListener listener, CancellationToken cancellationToken = default) =>
            Task.Run(async () =>
            {
                try
                {
                    await foreach (var line in backend.ReadLogsAsync(runId, follow: true, since, cancellationToken).ConfigureAwait(false))
                        listener.OnLog(line);
                }
                catch (OperationCanceledException) { }
                catch (Exception e) when (e is System.IO.IOException || e is System.Net.Http.HttpRequestException || e.GetType().Namespace?.StartsWith("Docker.DotNet", StringComparison.Ordinal) == true)
                {
                    listener.OnWarning("the log of run " + runId + " ended early: " + e.Message);
                }
            });
    }
}
