using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Primeway.Server.Runs;
using Primeway.Server.Store;

namespace Primeway.Server.Pipelines
{
    /// <summary>
    /// Moves pipeline runs along: a step starts when every step it waits for has completed, independent steps run
    /// side by side, a failure skips what depends on it and fails the pipeline, a stop stops the running steps. One
    /// loop advances every pipeline run, so a run's steps are never started twice; after a restart it picks up the
    /// pipeline runs that had not finished.
    /// </summary>
    public sealed class PipelineRunner : BackgroundService
    {
        private readonly IStore store;
        private readonly Supervisor supervisor;
        private readonly ILogger<PipelineRunner> log;
        private readonly Channel<string> queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

        public PipelineRunner(IStore store, Supervisor supervisor, ILogger<PipelineRunner> log)
        {
            this.store = store;
            this.supervisor = supervisor;
            this.log = log;
            supervisor.RunChanged += run =>
            {
                if (run.PipelineRunId != null && (RunStatus.IsFinished(run.Status) || run.HealthStatus == "healthy")) queue.Writer.TryWrite(run.PipelineRunId);
            };
        }

        public async Task<PipelineRunRecord> StartAsync(PipelineSpec pipeline, string yaml, string owner, CancellationToken ct)
        {
            var run = new PipelineRunRecord(Auth.Tokens.NewId("prun"), pipeline.PipelineName!, owner, yaml, RunStatus.Running, null, DateTimeOffset.UtcNow, null, false);
            await store.InsertPipelineRunAsync(run, ct).ConfigureAwait(false);
            queue.Writer.TryWrite(run.Id);
            return run;
        }

        /// <summary>Starts no more steps and stops the running ones; the pipeline ends as stopped once they have.</summary>
        public async Task<PipelineRunRecord> StopAsync(PipelineRunRecord run, CancellationToken ct)
        {
            var stopping = run with { StopRequested = true };
            await store.UpdatePipelineRunAsync(stopping, ct).ConfigureAwait(false);
            foreach (var step in await store.ListStepRunsAsync(run.Id, ct).ConfigureAwait(false))
                if (!RunStatus.IsFinished(step.Status)) await supervisor.StopAsync(step, ct).ConfigureAwait(false);
            queue.Writer.TryWrite(run.Id);
            return stopping;
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await supervisor.Reconciled.WaitAsync(stoppingToken).ConfigureAwait(false);
                foreach (var unfinished in await store.ListUnfinishedPipelineRunsAsync(stoppingToken).ConfigureAwait(false))
                    queue.Writer.TryWrite(unfinished.Id);
                await foreach (var id in queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                {
                    try
                    {
                        await AdvanceAsync(id, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!(e is OperationCanceledException))
                    {
                        log.LogError(e, "Advancing pipeline run {PipelineRunId} failed.", id);
                    }
                }
            }
            catch (OperationCanceledException) { }
        }

        private async Task AdvanceAsync(string id, CancellationToken ct)
        {
            var run = await store.GetAnyPipelineRunAsync(id, ct).ConfigureAwait(false);
            if (run == null || run.Status != RunStatus.Running) return;
            var pipeline = PipelineSteps.Parse(run);
            var runs = PipelineSteps.LatestRuns(await store.ListStepRunsAsync(id, ct).ConfigureAwait(false));
            var statuses = PipelineSteps.Statuses(pipeline, runs, run.StopRequested);

            if (!run.StopRequested)
            {
                foreach (var step in pipeline.Steps.Where(s => statuses[s.Id!] == PipelineSteps.Ready))
                {
                    var job = new JobRecord(id, run.Owner, step.Job.JobName!, step.Job.JobType == JobType.Deploy ? "deploy" : "run",
                        JobYaml.Write(step.Job), run.CreatedAt, run.CreatedAt);
                    await supervisor.SubmitAsync(job, ct, RunTrigger.Pipeline, id, step.Id).ConfigureAwait(false);
                }
                if (statuses.Values.Any(s => s == PipelineSteps.Ready)) return;
            }
            if (statuses.Any(s => PipelineSteps.IsActive(s.Value, runs.GetValueOrDefault(s.Key)))) return;

            var failed = statuses.Where(s => s.Value != RunStatus.Completed && s.Value != RunStatus.Running).Select(s => s.Key).ToList();
            var ended = run.StopRequested ? run with { Status = RunStatus.Stopped, Reason = "user" }
                : failed.Count > 0 ? run with { Status = RunStatus.Failed, Reason = "step_failed" }
                : run with { Status = RunStatus.Completed };
            await store.UpdatePipelineRunAsync(ended with { EndedAt = DateTimeOffset.UtcNow }, ct).ConfigureAwait(false);
        }
    }
}
