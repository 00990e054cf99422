using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Primeway.Engine;
using Primeway.Server.Store;

namespace Primeway.Server.Runs
{
    /// <summary>
    /// The one loop that moves runs through their states with the engine. Each run is driven by one task, which
    /// alone writes its status, so transitions never race. After a restart (kill -9 included) it reconciles with
    /// the engine by run id: what still runs is followed again, what ended gets its real exit code and logs,
    /// what vanished is terminated as lost. A run is started only from pending, so none is started twice.
    /// Where several instances share the store, each run is supervised by the one instance that holds its lease;
    /// leases are renewed by a heartbeat, and the runs of an instance that stopped renewing are taken over.
    /// </summary>
    public sealed class Supervisor : BackgroundService
    {
        private readonly IStore store;
        private readonly RunLogs logs;
        private readonly IJobBackend backend;
        private readonly ServerOptions options;
        private readonly ProjectFiles projects;
        private readonly Artifacts artifacts;
        private readonly ILogger<Supervisor> log;
        private readonly string instance;
        private readonly Channel<string> queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        private readonly ConcurrentDictionary<string, CancellationTokenSource> stopSignals = new ConcurrentDictionary<string, CancellationTokenSource>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Task> drivers = new ConcurrentDictionary<string, Task>(StringComparer.Ordinal);
        private readonly SemaphoreSlim starting;
        private readonly TaskCompletionSource<bool> reconciled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        public Supervisor(IStore store, RunLogs logs, IJobBackend backend, ServerOptions options, ProjectFiles projects, Artifacts artifacts, ILogger<Supervisor> log)
        {
            this.store = store;
            this.logs = logs;
            this.backend = backend;
            this.options = options;
            this.projects = projects;
            this.artifacts = artifacts;
            this.log = log;
            instance = options.InstanceId;
            starting = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentStarts));
        }

        // Why a run was asked to stop (user, idle, schedule_end), for its driver to report; the store keeps it too.
        private readonly ConcurrentDictionary<string, string> stopReasons = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Raised after every stored change of a run (on the thread that made it): the gateway's routes follow it.</summary>
        public event Action<RunRecord>? RunChanged;

        /// <summary>Completes once the runs left by an earlier server have been reconciled.</summary>
        public Task Reconciled => reconciled.Task;

        /// <summary>Makes a pending run of the job and queues it; it starts as soon as the loop takes it.</summary>
        public Task<RunRecord> SubmitAsync(JobRecord job, CancellationToken ct, string startedBy = RunTrigger.Api) =>
            SubmitAsync(job, run => run with { StartedBy = startedBy }, ct);

        /// <summary>As <see cref="SubmitAsync(JobRecord, CancellationToken, string)"/>, with more said of the run (a pipeline step's fields).</summary>
        public async Task<RunRecord> SubmitAsync(JobRecord job, Func<RunRecord, RunRecord> describe, CancellationToken ct)
        {
            var run = describe(new RunRecord(Auth.Tokens.NewId("run"), job.Id, job.Name, job.JobType, job.Yaml, job.Owner, RunStatus.Pending, null, null,
                DateTimeOffset.UtcNow, null, null, null, null, false) { Supervisor = instance, LeaseExpiresAt = DateTimeOffset.UtcNow + options.LeaseDuration });
            await store.InsertRunAsync(run, ct).ConfigureAwait(false);
            Changed(run);
            queue.Writer.TryWrite(run.Id);
            return run;
        }

        /// <summary>
        /// Asks a run to stop. A pending run is stopped at once; a started one is stopped by its driver, here or, through
        /// the store, in the instance that supervises it. A stop for the user ends as stopped; one by the system (reason
        /// idle or schedule_end) ends as terminated.
        /// </summary>
        public async Task<RunRecord> StopAsync(RunRecord run, CancellationToken ct, string reason = "user")
        {
            if (!await store.RequestStopAsync(run.Id, reason, ct).ConfigureAwait(false))
                return await store.GetAnyRunAsync(run.Id, ct).ConfigureAwait(false) ?? run;
            stopReasons[run.Id] = reason;
            if (stopSignals.TryGetValue(run.Id, out var signal))
                signal.Cancel();
            else if (await store.StopIfPendingAsync(run.Id, DateTimeOffset.UtcNow, ct).ConfigureAwait(false) is RunRecord stopped)
            {
                var (status, why) = StopEnding(run.Id);
                if (status != stopped.Status || why != stopped.Reason)
                {
                    stopped = stopped with { Status = status, Reason = why };
                    await store.UpdateRunAsync(stopped, ct).ConfigureAwait(false);
                }
                Changed(stopped);
                logs.Complete(run.Id);
                return stopped;
            }
            return await store.GetAnyRunAsync(run.Id, ct).ConfigureAwait(false) ?? run with { StopRequested = true };
        }

        /// <summary>How a stopped run ends: stopped when a user asked, terminated when the system did.</summary>
        private (string Status, string Reason) StopEnding(string runId)
        {
            var reason = stopReasons.TryRemove(runId, out var why) ? why : "user";
            return (reason == "user" ? RunStatus.Stopped : RunStatus.Terminated, reason);
        }

        private void Changed(RunRecord run)
        {
            try { RunChanged?.Invoke(run); }
            catch (Exception e) { log.LogError(e, "A listener of run {RunId} failed.", run.Id); }
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                // One instance alone on its store takes back every unfinished run; instances sharing one wait for leases to lapse.
                var left = await store.ClaimRunsAsync(instance, DateTimeOffset.UtcNow, options.LeaseDuration, ignoreLeases: !store.IsShared, stoppingToken).ConfigureAwait(false);
                await ReconcileAsync(left, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                log.LogError(e, "Reconciling runs with the engine failed; unfinished runs are left as they are.");
            }
            finally
            {
                reconciled.TrySetResult(true);
            }
            var leases = KeepLeasesAsync(stoppingToken);
            try
            {
                await foreach (var runId in queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                    if (!drivers.ContainsKey(runId)) Drive(runId, resume: null);
            }
            catch (OperationCanceledException) { }
            await leases.ConfigureAwait(false);
        }

        /// <summary>
        /// The heartbeat: renews this instance's leases, lets go of runs another instance has taken, and where the
        /// store is shared, passes on stop requests made through other instances and takes over runs whose lease lapsed.
        /// </summary>
        private async Task KeepLeasesAsync(CancellationToken ct)
        {
            // One instance alone on its store has no one to hand runs to or take them from.
            if (!store.IsShared) return;
            var renewed = DateTimeOffset.UtcNow;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.LeasePollInterval, ct).ConfigureAwait(false);
                    var now = DateTimeOffset.UtcNow;
                    if (now - renewed >= options.LeaseDuration / 3)
                    {
                        var held = await store.RenewLeasesAsync(instance, now + options.LeaseDuration, ct).ConfigureAwait(false);
                        renewed = now;
                        await LetGoOfTakenRunsAsync(held, ct).ConfigureAwait(false);
                    }
                    foreach (var requested in await store.ListStopRequestsAsync(instance, ct).ConfigureAwait(false))
                        if (stopSignals.TryGetValue(requested.Id, out var signal) && !signal.IsCancellationRequested)
                        {
                            stopReasons.TryAdd(requested.Id, requested.Reason ?? "user");
                            signal.Cancel();
                        }
                    var orphans = await store.ClaimRunsAsync(instance, now, options.LeaseDuration, ignoreLeases: false, ct).ConfigureAwait(false);
                    foreach (var run in orphans)
                        log.LogWarning("Taking over run {RunId} from server instance {Previous}, which stopped renewing its lease.", run.Id, run.Supervisor ?? "(none)");
                    await ReconcileAsync(orphans, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
                catch (Exception e)
                {
                    log.LogWarning(e, "Renewing run leases failed; trying again.");
                }
            }
        }

        /// <summary>A run driven here whose lease another instance now holds (this one was too slow to renew): stop following it.</summary>
        private async Task LetGoOfTakenRunsAsync(IReadOnlyCollection<string> held, CancellationToken ct)
        {
            var heldIds = new HashSet<string>(held, StringComparer.Ordinal);
            foreach (var id in followers.Keys)
            {
                if (heldIds.Contains(id)) continue;
                var run = await store.GetAnyRunAsync(id, ct).ConfigureAwait(false);
                if (run == null || RunStatus.IsFinished(run.Status) || run.Supervisor == instance) continue;
                log.LogWarning("Run {RunId} is now supervised by {Other}; this instance stops following it.", id, run.Supervisor);
                if (followers.TryGetValue(id, out var follow)) follow.Cancel();
            }
        }

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
            // Runs keep going in the engine while the server is down; their drivers only stop following them.
            foreach (var signal in followers.Values) signal.Cancel();
            try { await Task.WhenAll(drivers.Values).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false); }
            catch (TimeoutException) { }
            if (store.IsShared)
            {
                // Handed over at once rather than when the leases lapse.
                try { await store.ReleaseLeasesAsync(instance, CancellationToken.None).ConfigureAwait(false); }
                catch (Exception e) { log.LogWarning(e, "Could not hand this instance's runs over; other instances take them when the leases lapse."); }
            }
        }

        private readonly ConcurrentDictionary<string, CancellationTokenSource> followers = new ConcurrentDictionary<string, CancellationTokenSource>(StringComparer.Ordinal);

        private async Task ReconcileAsync(IReadOnlyList<RunRecord> runs, CancellationToken ct)
        {
            foreach (var run in runs)
            {
                if (drivers.ContainsKey(run.Id)) continue;
                var info = await backend.InspectAsync(run.Id, ct).ConfigureAwait(false);
                if (info != null)
                {
                    Drive(run.Id, resume: info);
                    continue;
                }
                if (run.Status == RunStatus.Running)
                {
                    await FinishAsync(run, RunStatus.Terminated, "lost", null,
                        "the run's container is gone: it was removed while the server was down.", ct).ConfigureAwait(false);
                    continue;
                }
                // pending, building or creating with no container: the job never started, so starting it now starts it once.
                var requeued = run with { Status = RunStatus.Pending };
                await store.UpdateRunAsync(requeued, ct).ConfigureAwait(false);
                queue.Writer.TryWrite(run.Id);
            }
        }

        private void Drive(string runId, RunInfo? resume)
        {
            var stop = new CancellationTokenSource();
            var follow = new CancellationTokenSource();
            stopSignals[runId] = stop;
            followers[runId] = follow;
            drivers[runId] = Task.Run(async () =>
            {
                try
                {
                    await DriveAsync(runId, resume, stop.Token, follow.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (follow.IsCancellationRequested) { }
                catch (Exception e)
                {
                    log.LogError(e, "Supervising run {RunId} failed.", runId);
                    var run = await store.GetAnyRunAsync(runId).ConfigureAwait(false);
                    if (run != null && !RunStatus.IsFinished(run.Status))
                        await FinishAsync(run, RunStatus.Terminated, "supervisor_error", null, "the server failed to supervise this run: " + e.Message, CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    stopSignals.TryRemove(runId, out _);
                    followers.TryRemove(runId, out _);
                    drivers.TryRemove(runId, out _);
                    stop.Dispose();
                    follow.Dispose();
                }
            });
        }

        private async Task DriveAsync(string runId, RunInfo? resume, CancellationToken stop, CancellationToken follow)
        {
            var run = await store.GetAnyRunAsync(runId).ConfigureAwait(false) ?? throw new InvalidOperationException("run " + runId + " is not in the store");
            if (RunStatus.IsFinished(run.Status)) return;
            if (run.StopRequested)
            {
                stopReasons.TryAdd(run.Id, run.Reason ?? "user");
                if (resume == null)
                {
                    var (status, reason) = StopEnding(run.Id);
                    await FinishAsync(run, status, reason, null, null, follow).ConfigureAwait(false);
                    return;
                }
                // Asked to stop before the last server went down: finish the stop now.
                if (stopSignals.TryGetValue(run.Id, out var signal)) signal.Cancel();
            }
            JobSpec job;
            Workload workload;
            try
            {
                job = projects.Materialize(run);
                workload = WorkloadPlanner.Plan(job, run.Owner, run.Id, artifacts.MountsFor(run, job));
            }
            catch (EngineException e)
            {
                await FinishAsync(run, RunStatus.Failed, "invalid_job", null, e.Message, follow).ConfigureAwait(false);
                return;
            }
            if (job.JobType == JobType.Deploy)
            {
                await DriveDeploymentAsync(run, workload, resume, stop, follow).ConfigureAwait(false);
                return;
            }
            var listener = new StoreListener(this, run.Id);

            if (resume == null)
            {
                foreach (var warning in WorkloadPlanner.RunTimeWarnings(job)) logs.AppendNote(run.Id, "warning " + warning.Code + ": " + warning.Message);
                await starting.WaitAsync(follow).ConfigureAwait(false);
                try
                {
                    run = await SetStatusAsync(run with { Status = RunStatus.Building }, follow).ConfigureAwait(false);
                    if (!await TryStepAsync(run, () => backend.PrepareAsync(workload, listener, stop), "build_failed", follow).ConfigureAwait(false)) return;
                    run = await SetStatusAsync(run with { Status = RunStatus.Creating }, follow).ConfigureAwait(false);
                    if (!await TryStepAsync(run, () => backend.StartAsync(workload, listener, stop), "start_failed", follow).ConfigureAwait(false)) return;
                }
                finally
                {
                    starting.Release();
                }
                run = await SetStatusAsync(run with { Status = RunStatus.Running, StartedAt = DateTimeOffset.UtcNow, Url = ServiceUrl(job), Node = await NodeOfAsync(run.Id).ConfigureAwait(false) }, follow).ConfigureAwait(false);
            }
            else if (run.Status != RunStatus.Running)
            {
                run = await SetStatusAsync(run with { Status = RunStatus.Running, StartedAt = run.StartedAt ?? DateTimeOffset.UtcNow, Url = ServiceUrl(job) }, follow).ConfigureAwait(false);
            }

            var since = resume == null ? null : logs.LastTime(run.Id);
            var pump = PumpLogsAsync(run.Id, since, follow);
            var exit = await WaitForEndAsync(run, workload, stop, follow).ConfigureAwait(false);
            await pump.ConfigureAwait(false);
            run = await store.GetAnyRunAsync(run.Id).ConfigureAwait(false) ?? run;
            await FinishAsync(run, exit.Status, exit.Reason, exit.ExitCode, exit.Message, follow).ConfigureAwait(false);
            await backend.RemoveAsync(run.Id, CancellationToken.None).ConfigureAwait(false);
        }

        /// <summary>
        /// A deploy job: started (or attached to again after a restart) and kept healthy by the engine until a stop
        /// request. A server shutdown only detaches: the service keeps running for the next server to follow.
        /// </summary>
        private async Task DriveDeploymentAsync(RunRecord run, Workload workload, RunInfo? resume, CancellationToken stop, CancellationToken follow)
        {
            var states = Channel.CreateUnbounded<RunStateChange>(new UnboundedChannelOptions { SingleReader = true });
            var listener = new StoreListener(this, run.Id, states.Writer);
            var lastState = RunState.Preparing;
            var recorder = Task.Run(async () =>
            {
                await foreach (var change in states.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    lastState = change.State;
                    var next = DeployState(run, change, workload);
                    if (change.State == RunState.Running && run.Node == null) next = next with { Node = await NodeOfAsync(run.Id).ConfigureAwait(false) };
                    run = await SetStatusAsync(next, CancellationToken.None).ConfigureAwait(false);
                }
            });

            Deployment? deployment = null;
            using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, follow);
            if (resume == null) await starting.WaitAsync(follow).ConfigureAwait(false);
            try
            {
                deployment = resume == null
                    ? await Deployment.StartAsync(backend, workload, listener, EngineOptions, either.Token).ConfigureAwait(false)
                    : await Deployment.AttachAsync(backend, workload, listener, logs.LastTime(run.Id), EngineOptions, either.Token).ConfigureAwait(false);
            }
            catch (EngineException e)
            {
                states.Writer.TryComplete();
                await recorder.ConfigureAwait(false);
                var reason = lastState == RunState.Preparing ? "build_failed" : lastState == RunState.Starting ? "start_failed" : "unhealthy";
                await backend.RemoveAsync(run.Id, CancellationToken.None).ConfigureAwait(false);
                await FinishAsync(run with { HealthStatus = "unhealthy" }, RunStatus.Failed, reason, null, e.Message, follow).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (either.IsCancellationRequested)
            {
                states.Writer.TryComplete();
                await recorder.ConfigureAwait(false);
                if (follow.IsCancellationRequested) return;
                await backend.StopAsync(run.Id, options.StopGrace, CancellationToken.None).ConfigureAwait(false);
                await backend.RemoveAsync(run.Id, CancellationToken.None).ConfigureAwait(false);
                var (status, reason) = StopEnding(run.Id);
                await FinishAsync(run, status, reason, null, StopMessage(reason), follow).ConfigureAwait(false);
                return;
            }
            finally
            {
                if (resume == null) starting.Release();
            }

            try { await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            if (follow.IsCancellationRequested && !stop.IsCancellationRequested)
            {
                await deployment.DetachAsync().ConfigureAwait(false);
                states.Writer.TryComplete();
                await recorder.ConfigureAwait(false);
                return;
            }
            await deployment.StopAsync().ConfigureAwait(false);
            states.Writer.TryComplete();
            await recorder.ConfigureAwait(false);
            var ending = StopEnding(run.Id);
            await FinishAsync(run, ending.Status, ending.Reason, null, StopMessage(ending.Reason), CancellationToken.None).ConfigureAwait(false);
        }

        private EngineOptions EngineOptions => new EngineOptions { StopGrace = options.StopGrace };

        private static string StopMessage(string reason) => reason switch
        {
            "idle" => "stopped after its idle_timeout without a request; the next request starts it again.",
            "schedule_end" => "stopped at the end of its schedule.",
            _ => "stopped on request.",
        };

        /// <summary>The run as the engine's state change leaves it: status for the start, health_status after.</summary>
        private static RunRecord DeployState(RunRecord run, RunStateChange change, Workload workload)
        {
            switch (change.State)
            {
                case RunState.Preparing: return run.Status == RunStatus.Running ? run : run with { Status = RunStatus.Building };
                case RunState.Starting: return run with { Status = RunStatus.Creating };
                case RunState.Running: return run with { Status = RunStatus.Running, StartedAt = run.StartedAt ?? DateTimeOffset.UtcNow, HealthStatus = run.HealthStatus ?? "starting" };
                case RunState.Healthy:
                    var healthy = run with { Status = RunStatus.Running, HealthStatus = "healthy", Url = "http://127.0.0.1:" + workload.Port + "/" };
                    return run.StartedBy == RunTrigger.Gateway && run.ColdStartSeconds == null
                        ? healthy with { ColdStartSeconds = Math.Round((DateTimeOffset.UtcNow - run.CreatedAt).TotalSeconds, 3) }
                        : healthy;
                case RunState.Unhealthy: return run with { HealthStatus = "unhealthy" };
                case RunState.Restarting: return run with { HealthStatus = "restarting" };
                default: return run;
            }
        }

        /// <summary>Where the engine placed the run (a Swarm node); null where it does not say.</summary>
        private async Task<string?> NodeOfAsync(string runId)
        {
            try { return (await backend.InspectAsync(runId, CancellationToken.None).ConfigureAwait(false))?.Node; }
            catch (EngineException) { return null; }
        }

        private static string? ServiceUrl(JobSpec job) => job.JobType == JobType.Deploy && job.Port != null ? "http://127.0.0.1:" + job.Port + "/" : null;

        private sealed record Ending(string Status, string? Reason, int? ExitCode, string? Message);

        /// <summary>Waits for the workload to end, enforcing the timeout from the run's start, so a restart does not reset it.</summary>
        private async Task<Ending> WaitForEndAsync(RunRecord run, Workload workload, CancellationToken stop, CancellationToken follow)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
            if (workload.Timeout is TimeSpan timeout && run.JobType == "run")
            {
                var left = run.StartedAt!.Value + timeout - DateTimeOffset.UtcNow;
                deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            using var both = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, follow);
            try
            {
                var exit = await backend.WaitForExitAsync(run.Id, both.Token).ConfigureAwait(false);
                if (exit.OutOfMemory)
                    return new Ending(RunStatus.Failed, "oom", exit.ExitCode, "killed for going over its memory limit (memory: " + workload.Job.Memory + " GB). Raise memory or make the job use less.");
                return exit.ExitCode == 0
                    ? new Ending(RunStatus.Completed, null, 0, null)
                    : new Ending(RunStatus.Failed, "exit_code", exit.ExitCode, "exited with code " + exit.ExitCode + ".");
            }
            catch (OperationCanceledException) when (!follow.IsCancellationRequested)
            {
                bool timedOut = !stop.IsCancellationRequested;
                await backend.StopAsync(run.Id, options.StopGrace, CancellationToken.None).ConfigureAwait(false);
                var exit = await backend.WaitForExitAsync(run.Id, CancellationToken.None).ConfigureAwait(false);
                if (timedOut) return new Ending(RunStatus.Terminated, "timeout", exit.ExitCode, "ran past its timeout of " + workload.Job.Timeout + " s and was stopped.");
                var (status, reason) = StopEnding(run.Id);
                return new Ending(status, reason, exit.ExitCode, StopMessage(reason));
            }
        }

        private async Task<bool> TryStepAsync(RunRecord run, Func<Task> step, string reason, CancellationToken ct)
        {
            try
            {
                await step().ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await backend.RemoveAsync(run.Id, CancellationToken.None).ConfigureAwait(false);
                var (status, why) = StopEnding(run.Id);
                await FinishAsync(run, status, why, null, "stopped before it started.", ct).ConfigureAwait(false);
                return false;
            }
            catch (EngineException e)
            {
                await backend.RemoveAsync(run.Id, CancellationToken.None).ConfigureAwait(false);
                await FinishAsync(run, RunStatus.Failed, reason, null, e.Message, ct).ConfigureAwait(false);
                return false;
            }
        }

        private Task PumpLogsAsync(string runId, DateTimeOffset? since, CancellationToken ct) => Task.Run(async () =>
        {
            try
            {
                await foreach (var line in backend.ReadLogsAsync(runId, follow: true, since, ct).ConfigureAwait(false))
                {
                    if (since != null && line.Timestamp <= since) continue;
                    logs.Append(runId, line);
                }
            }
            catch (OperationCanceledException) { }
            catch (Exception e)
            {
                logs.AppendNote(runId, "the log ended early: " + e.Message);
            }
        });

        private async Task<RunRecord> SetStatusAsync(RunRecord run, CancellationToken ct)
        {
            await store.UpdateRunAsync(run, ct).ConfigureAwait(false);
            Changed(run);
            return run;
        }

        private async Task FinishAsync(RunRecord run, string status, string? reason, int? exitCode, string? message, CancellationToken ct)
        {
            if (message != null) logs.AppendNote(run.Id, run.JobName + ": " + message);
            var ended = run with { Status = status, Reason = reason, ExitCode = exitCode, EndedAt = DateTimeOffset.UtcNow, HealthStatus = run.HealthStatus == null ? null : "stopped" };
            await store.UpdateRunAsync(ended, CancellationToken.None).ConfigureAwait(false);
            stopReasons.TryRemove(run.Id, out _);
            Changed(ended);
            logs.Complete(run.Id);
        }

        /// <summary>Takes the engine's events for one run into its log, and its state changes to the run's recorder.</summary>
        private sealed class StoreListener : IRunListener
        {
            private readonly Supervisor supervisor;
            private readonly string runId;
            private readonly ChannelWriter<RunStateChange>? states;

            public StoreListener(Supervisor supervisor, string runId, ChannelWriter<RunStateChange>? states = null)
            {
                this.supervisor = supervisor;
                this.runId = runId;
                this.states = states;
            }

            public void OnLog(LogLine line) => supervisor.logs.Append(runId, line);
            public void OnStateChanged(RunStateChange change)
            {
                if (change.Message != null && change.State != RunState.Healthy) supervisor.logs.AppendNote(runId, change.Message);
                states?.TryWrite(change);
            }
            public void OnProgress(string message) => supervisor.logs.AppendNote(runId, message);
            public void OnWarning(string message) => supervisor.logs.AppendNote(runId, "warning: " + message);
        }
    }
}
