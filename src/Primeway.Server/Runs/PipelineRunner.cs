using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Primeway.Server.Store;

namespace Primeway.Server.Runs
{
    /// <summary>What a pipeline run's steps are doing: each step's status and its run, if it has one.</summary>
    public sealed record StepState(PipelineStep Step, string Status, RunRecord? Run);

    /// <summary>
    /// Drives pipeline runs: starts each step as a run once every step it waits for has completed, in parallel
    /// where nothing orders them, skips the steps that wait for a failed one, stops the running steps when the
    /// pipeline is stopped. Its state is the store's (the step runs), so after a restart it simply goes on.
    /// </summary>
    public sealed class PipelineRunner : BackgroundService
    {
        private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

        private readonly IStore store;
        private readonly Supervisor supervisor;
        private readonly ServerOptions options;
        private readonly ILogger<PipelineRunner> log;
        private readonly ConcurrentDictionary<string, Task> drivers = new ConcurrentDictionary<string, Task>(StringComparer.Ordinal);
        private CancellationToken stopping;

        public PipelineRunner(IStore store, Supervisor supervisor, ServerOptions options, ILogger<PipelineRunner> log)
        {
            this.store = store;
            this.supervisor = supervisor;
            this.options = options;
            this.log = log;
        }

        public async Task<PipelineRunRecord> StartAsync(PipelineSpec pipeline, string owner, CancellationToken ct)
        {
            foreach (var step in pipeline.Steps) step.Job.PrimewayApiToken = null;
            var run = new PipelineRunRecord(Auth.Tokens.NewId("pipe"), owner, pipeline.PipelineName!, PipelineYaml.Write(pipeline), PipelineStatus.Running, null,
                DateTimeOffset.UtcNow, null, false, options.InstanceId);
            await store.InsertPipelineRunAsync(run, ct).ConfigureAwait(false);
            Drive(run.Id);
            return run;
        }

        public async Task StopPipelineAsync(PipelineRunRecord run, CancellationToken ct)
        {
            await store.RequestPipelineStopAsync(run.Id, ct).ConfigureAwait(false);
            foreach (var step in await store.ListStepRunsAsync(run.Id, ct).ConfigureAwait(false))
                if (!RunStatus.IsFinished(step.Status)) await supervisor.StopAsync(step, ct).ConfigureAwait(false);
        }

        /// <summary>Each step's status: its run's status, or waiting, or skipped when a step it waits for did not complete.</summary>
        public static IReadOnlyList<StepState> States(PipelineSpec pipeline, IReadOnlyList<RunRecord> stepRuns, bool stopRequested)
        {
            var runs = stepRuns.Where(r => r.StepId != null).GroupBy(r => r.StepId!).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            var states = new Dictionary<string, StepState>(StringComparer.Ordinal);
            StepState Of(PipelineStep step)
            {
                if (states.TryGetValue(step.Id!, out var known)) return known;
                StepState state;
                if (runs.TryGetValue(step.Id!, out var run)) state = new StepState(step, run.Status, run);
                else
                {
                    var waitedFor = step.WaitsFor.Select(id => pipeline.Step(id)).Where(s => s != null).Select(s => Of(s!)).ToList();
                    bool blocked = stopRequested || waitedFor.Any(w => w.Status == PipelineStatus.Skipped || (RunStatus.IsFinished(w.Status) && w.Status != RunStatus.Completed));
                    state = new StepState(step, blocked ? PipelineStatus.Skipped : PipelineStatus.Waiting, null);
                }
                return states[step.Id!] = state;
            }
            return pipeline.Steps.Select(Of).ToList();
        }

        /// <summary>A step is done when its run completed; a deploy step (always last) when its service is up and healthy.</summary>
        private static bool IsDone(StepState state) =>
            state.Status == RunStatus.Completed ||
            (state.Step.Job.JobType == JobType.Deploy && state.Run?.Status == RunStatus.Running && state.Run.HealthStatus == "healthy");

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            stopping = stoppingToken;
            await supervisor.Reconciled.ConfigureAwait(false);
            // Alone on its store, an instance drives every unfinished pipeline run, once, at start. Sharing one, it also
            // beats its heartbeat and takes over the pipeline runs of instances whose heartbeat lapsed, as often as
            // run leases are renewed.
            bool claimed = false;
            while (!stoppingToken.IsCancellationRequested && (store.IsShared || !claimed))
            {
                try
                {
                    var now = DateTimeOffset.UtcNow;
                    if (store.IsShared) await store.HeartbeatAsync(options.InstanceId, now, stoppingToken).ConfigureAwait(false);
                    foreach (var run in await store.ClaimPipelineRunsAsync(options.InstanceId, now - options.LeaseDuration, ignoreOthers: !store.IsShared, stoppingToken).ConfigureAwait(false))
                        Drive(run.Id);
                    claimed = true;
                    if (store.IsShared) await Task.Delay(options.LeaseDuration / 3, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
                catch (Exception e)
                {
                    log.LogWarning(e, "Looking for pipeline runs to drive failed; trying again.");
                    try { await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false); }
                    catch (OperationCanceledException) { }
                }
            }
            try { await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            await Task.WhenAll(drivers.Values).ConfigureAwait(false);
        }

        private void Drive(string pipelineRunId)
        {
            drivers.GetOrAdd(pipelineRunId, id => Task.Run(async () =>
            {
                try { await DriveAsync(id, stopping).ConfigureAwait(false); }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
                catch (Exception e) { log.LogError(e, "Driving pipeline run {Id} failed.", id); }
                finally { drivers.TryRemove(id, out _); }
            }));
        }

        private async Task DriveAsync(string id, CancellationToken ct)
        {
            var record = await store.GetAnyPipelineRunAsync(id, ct).ConfigureAwait(false) ?? throw new InvalidOperationException("pipeline run " + id + " is not in the store");
            var pipeline = PipelineYaml.Read(record.Yaml).Pipeline ?? throw new InvalidOperationException("pipeline run " + id + " holds an unreadable pipeline");
            while (!ct.IsCancellationRequested)
            {
                record = await store.GetAnyPipelineRunAsync(id, ct).ConfigureAwait(false) ?? record;
                if (PipelineStatus.IsFinished(record.Status)) return;
                var stepRuns = await store.ListStepRunsAsync(id, ct).ConfigureAwait(false);
                var states = States(pipeline, stepRuns, record.StopRequested);

                foreach (var state in states.Where(s => s.Status == PipelineStatus.Waiting))
                {
                    var waitedFor = state.Step.WaitsFor.Select(w => states.First(s => s.Step.Id == w)).ToList();
                    if (waitedFor.All(IsDone)) await StartStepAsync(record, state.Step, states, ct).ConfigureAwait(false);
                }

                if (states.All(s => s.Status == PipelineStatus.Skipped || IsDone(s) || RunStatus.IsFinished(s.Status)))
                {
                    var status = record.StopRequested ? PipelineStatus.Stopped : states.All(IsDone) ? PipelineStatus.Completed : PipelineStatus.Failed;
                    var failed = states.FirstOrDefault(s => RunStatus.IsFinished(s.Status) && s.Status != RunStatus.Completed);
                    var reason = status == PipelineStatus.Failed && failed != null ? "step " + failed.Step.Id + " " + failed.Status : status == PipelineStatus.Stopped ? "user" : null;
                    await store.FinishPipelineRunAsync(id, status, reason, DateTimeOffset.UtcNow, CancellationToken.None).ConfigureAwait(false);
                    return;
                }
                await Task.Delay(Tick, ct).ConfigureAwait(false);
            }
        }

        private async Task StartStepAsync(PipelineRunRecord pipelineRun, PipelineStep step, IReadOnlyList<StepState> states, CancellationToken ct)
        {
            var job = step.Job;
            var now = DateTimeOffset.UtcNow;
            var (stored, _) = await store.UpsertJobAsync(new JobRecord(Auth.Tokens.NewId("job"), pipelineRun.Owner, job.JobName!,
                job.JobType == JobType.Deploy ? "deploy" : "run", JobYaml.Write(job), now, now), ct).ConfigureAwait(false);
            var inputs = step.Inputs.Select(input => new KeyValuePair<string, string>(input, states.First(s => s.Step.Id == input).Run!.Id));
            await supervisor.SubmitAsync(stored, run => run with { PipelineRunId = pipelineRun.Id, StepId = step.Id, Inputs = Artifacts.FormatInputs(inputs) }, ct).ConfigureAwait(false);
        }
    }
}
