using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Primeway.Server.Gateway;
using Primeway.Server.Runs;
using Primeway.Server.Store;

namespace Primeway.Server.Scheduling
{
    /// <summary>
    /// Starts and stops jobs on their schedules. Each job's progress (the scheduled instants last acted on) is in the
    /// store, so a restart neither repeats a start nor loses one: the starts missed while the server was down count
    /// as one, made when it comes back.
    /// </summary>
    public sealed class Scheduler : BackgroundService
    {
        private readonly IStore store;
        private readonly Supervisor supervisor;
        private readonly DeployGateway gateway;
        private readonly PipelineRunner pipelines;

        /// <summary>A stored pipeline is kept among the jobs with this job_type; its schedule starts a pipeline run.</summary>
        public const string PipelineType = "pipeline";
        private readonly ServerOptions options;
        private readonly ILogger<Scheduler> log;

        public Scheduler(IStore store, Supervisor supervisor, DeployGateway gateway, PipelineRunner pipelines, ServerOptions options, ILogger<Scheduler> log)
        {
            this.pipelines = pipelines;
            this.store = store;
            this.supervisor = supervisor;
            this.gateway = gateway;
            this.options = options;
            this.log = log;
        }

        /// <summary>Starts a stored job's schedule afresh, or forgets it when the job has none.</summary>
        public async Task RegisterAsync(JobRecord job, JobSpec spec, bool isNewJob, CancellationToken ct)
        {
            var schedule = JobSchedule.For(spec, options.ScheduleTimeZone);
            if (schedule == null)
            {
                // Most jobs never had a schedule: a read spares every submission a write.
                if (!isNewJob && await store.HasScheduleAsync(job.Id, ct).ConfigureAwait(false))
                    await store.DeleteScheduleAsync(job.Id, ct).ConfigureAwait(false);
                return;
            }
            // Instants before now do not count; a job inside one of its windows is left with no last start, to come up at the first look.
            var now = options.Clock.GetUtcNow();
            DateTimeOffset? lastStart = schedule.IsInsideWindow(now) ? null : now;
            await store.PutScheduleAsync(new ScheduleRecord(job.Id, job.Owner, job.UpdatedAt, lastStart, now, schedule.NextStart(now), schedule.NextEnd(now)), ct).ConfigureAwait(false);
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await supervisor.Reconciled.WaitAsync(stoppingToken).ConfigureAwait(false);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await TickAsync(stoppingToken).ConfigureAwait(false);
                    await Task.Delay(options.SchedulerInterval, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) { }
        }

        private async Task TickAsync(CancellationToken ct)
        {
            var now = options.Clock.GetUtcNow();
            foreach (var record in await store.ListSchedulesAsync(null, ct).ConfigureAwait(false))
            {
                try
                {
                    await AdvanceAsync(record, now, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (!(e is OperationCanceledException))
                {
                    log.LogError(e, "The schedule of job {JobId} failed.", record.JobId);
                }
            }
        }

        private async Task AdvanceAsync(ScheduleRecord record, DateTimeOffset now, CancellationToken ct)
        {
            // Nothing is due before the next instants worked out last time: no need to read the job.
            bool due = record.LastStartAt == null || record.NextStartAt <= now || record.NextEndAt <= now;
            if (!due) return;
            var job = await store.GetJobAsync(record.Owner, record.JobId, ct).ConfigureAwait(false);
            if (job == null)
            {
                await store.DeleteScheduleAsync(record.JobId, ct).ConfigureAwait(false);
                return;
            }
            // A new definition is being registered; its record comes next.
            if (job.UpdatedAt != record.DefinitionAt) return;
            var spec = ScheduledSpec(job);
            var schedule = spec == null ? null : JobSchedule.For(spec, options.ScheduleTimeZone);
            if (schedule == null)
            {
                await store.DeleteScheduleAsync(record.JobId, ct).ConfigureAwait(false);
                return;
            }

            var previousEnd = record.LastEndAt ?? now;
            var endAt = schedule.LatestEnd(previousEnd, now);
            DateTimeOffset? startAt = record.LastStartAt is DateTimeOffset previousStart
                ? schedule.LatestStart(previousStart, now)
                : schedule.IsInsideWindow(now) ? now : null;
            var lastStart = startAt ?? record.LastStartAt ?? now;
            var lastEnd = endAt ?? previousEnd;
            var end = endAt != null;
            // A start followed by its end while the server was down is over: only the end is acted on.
            var start = startAt != null && (endAt == null || startAt > endAt);
            var progressed = record with { LastStartAt = lastStart, LastEndAt = lastEnd, NextStartAt = schedule.NextStart(now), NextEndAt = schedule.NextEnd(now) };
            if (progressed == record && !start && !end) return;
            // Progress is stored before acting: after a crash in between, a start is missed rather than made twice. Of
            // several instances looking at once, only the one whose update finds the record unchanged acts.
            if (!await store.UpdateScheduleAsync(record, progressed, ct).ConfigureAwait(false)) return;
            if (end) await EndAsync(job, ct).ConfigureAwait(false);
            if (start) await StartAsync(job, ct).ConfigureAwait(false);
        }

        /// <summary>What carries the stored definition's schedule: the job itself, or for a pipeline its schedule as a start.</summary>
        public static JobSpec? ScheduledSpec(JobRecord job)
        {
            if (job.JobType == PipelineType)
                return PipelineYaml.Read(job.Yaml, "pipeline " + job.Name).Pipeline is PipelineSpec pipeline && pipeline.Schedule != null
                    ? new JobSpec { JobName = job.Name, JobType = JobType.Run, ScheduleStart = pipeline.Schedule }
                    : null;
            var read = JobYaml.Read(job.Yaml, "job " + job.Name);
            return read.Jobs.Count == 1 ? read.Jobs[0] : null;
        }

        /// <summary>A run job starts at each start; a deploy job starts unless it is already up; a pipeline starts a pipeline run.</summary>
        private async Task StartAsync(JobRecord job, CancellationToken ct)
        {
            if (job.JobType == PipelineType)
            {
                var pipeline = PipelineYaml.Read(job.Yaml, "pipeline " + job.Name).Pipeline;
                if (pipeline != null) await pipelines.StartAsync(pipeline, job.Owner, ct).ConfigureAwait(false);
                return;
            }
            if (job.JobType == "deploy" && (await ActiveRunsAsync(job, ct).ConfigureAwait(false)).Length > 0) return;
            await supervisor.SubmitAsync(job, ct, RunTrigger.Schedule).ConfigureAwait(false);
        }

        /// <summary>Stops whatever of the job still runs; a deploy job asleep for idleness stays down until its next start.</summary>
        private async Task EndAsync(JobRecord job, CancellationToken ct)
        {
            if (job.JobType == PipelineType) return;
            foreach (var run in await ActiveRunsAsync(job, ct).ConfigureAwait(false))
                await supervisor.StopAsync(run, ct, "schedule_end").ConfigureAwait(false);
            if (job.JobType == "deploy")
                gateway.HoldDown(job.Name, "Deploy job '" + job.Name + "' is outside its schedule; it starts again at its next scheduled start.");
        }

        private async Task<RunRecord[]> ActiveRunsAsync(JobRecord job, CancellationToken ct) =>
            (await store.ListRunsAsync(job.Owner, null, job.Id, 1000, ct).ConfigureAwait(false)).Where(r => !RunStatus.IsFinished(r.Status)).ToArray();
    }
}
