using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.Server.Store
{
    /// <summary>
    /// Everything the server keeps durably. SQLite implements it for one server; a PostgreSQL
    /// implementation joins for several. Every read of a job or run is scoped to its owner.
    /// </summary>
    public interface IStore
    {
        /// <summary>Brings the schema to the newest version; safe to call on every start.</summary>
        Task MigrateAsync(CancellationToken ct);

        Task<int> CountTokensAsync(CancellationToken ct);
        Task InsertTokenAsync(TokenRecord token, CancellationToken ct);
        Task<TokenRecord?> FindTokenByHashAsync(byte[] secretHash, CancellationToken ct);
        Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken ct);
        Task<bool> DeleteTokenAsync(string id, CancellationToken ct);

        /// <summary>Inserts the job, or replaces the definition of the owner's job of the same name; returns the stored job and whether it is new.</summary>
        Task<(JobRecord Job, bool Created)> UpsertJobAsync(JobRecord job, CancellationToken ct);
        Task<JobRecord?> GetJobAsync(string owner, string idOrName, CancellationToken ct);
        Task<IReadOnlyList<JobRecord>> ListJobsAsync(string owner, CancellationToken ct);
        Task<bool> DeleteJobAsync(string owner, string id, CancellationToken ct);

        Task InsertRunAsync(RunRecord run, CancellationToken ct);
        Task<RunRecord?> GetRunAsync(string owner, string id, CancellationToken ct);
        Task<IReadOnlyList<RunRecord>> ListRunsAsync(string owner, string? status, string? job, int limit, CancellationToken ct);
        Task UpdateRunAsync(RunRecord run, CancellationToken ct);
        Task<bool> DeleteRunAsync(string owner, string id, CancellationToken ct);

        /// <summary>A run of any owner: for the supervisor, never for an API caller.</summary>
        Task<RunRecord?> GetAnyRunAsync(string id, CancellationToken ct = default);

        /// <summary>Runs of every owner that have not finished: what the supervisor drives and recovers.</summary>
        Task<IReadOnlyList<RunRecord>> ListUnfinishedRunsAsync(CancellationToken ct);

        /// <summary>Whether several server instances may share this store, and so must hold leases on the runs they supervise.</summary>
        bool IsShared { get; }

        /// <summary>
        /// Takes over unfinished runs that no instance holds (no lease, or one that expired), or with
        /// <paramref name="ignoreLeases"/> every unfinished run; returns them with this instance's lease on them.
        /// </summary>
        Task<IReadOnlyList<RunRecord>> ClaimRunsAsync(string instance, DateTimeOffset now, TimeSpan lease, bool ignoreLeases, CancellationToken ct);

        /// <summary>Extends this instance's leases; returns the runs it still holds.</summary>
        Task<IReadOnlyCollection<string>> RenewLeasesAsync(string instance, DateTimeOffset until, CancellationToken ct);

        /// <summary>Gives up this instance's runs, for another instance to take over at once.</summary>
        Task ReleaseLeasesAsync(string instance, CancellationToken ct);

        /// <summary>Runs this instance supervises that someone asked, through any instance, to stop.</summary>
        Task<IReadOnlyList<RunRecord>> ListStopRequestsAsync(string instance, CancellationToken ct);

        /// <summary>Marks an unfinished run to be stopped, and why (user, idle, schedule_end); false when it has finished.</summary>
        Task<bool> RequestStopAsync(string id, string reason, CancellationToken ct);

        Task InsertPipelineRunAsync(PipelineRunRecord run, CancellationToken ct);
        Task FinishPipelineRunAsync(string id, string status, string? reason, DateTimeOffset endedAt, CancellationToken ct);
        Task<bool> RequestPipelineStopAsync(string id, CancellationToken ct);
        Task<PipelineRunRecord?> GetPipelineRunAsync(string owner, string id, CancellationToken ct);
        Task<PipelineRunRecord?> GetAnyPipelineRunAsync(string id, CancellationToken ct);
        Task<IReadOnlyList<PipelineRunRecord>> ListPipelineRunsAsync(string owner, string? status, int limit, CancellationToken ct);
        Task<IReadOnlyList<PipelineRunRecord>> ClaimPipelineRunsAsync(string instance, DateTimeOffset since, bool ignoreOthers, CancellationToken ct);
        Task HeartbeatAsync(string instance, DateTimeOffset now, CancellationToken ct);

        /// <summary>The runs of a pipeline run's steps, oldest first.</summary>
        Task<IReadOnlyList<RunRecord>> ListStepRunsAsync(string pipelineRunId, CancellationToken ct);

        /// <summary>Stops a run that has not started, in one step; null when it had already left pending.</summary>
        Task<RunRecord?> StopIfPendingAsync(string id, DateTimeOffset now, CancellationToken ct);

        /// <summary>Records that a deploy run served a request then, so every instance's gateway counts it for idle_timeout.</summary>
        Task TouchRunAsync(string id, DateTimeOffset at, CancellationToken ct);

        /// <summary>The newest deploy run of any owner's job of that name: what the gateway serves or wakes.</summary>
        Task<RunRecord?> LatestDeployRunAsync(string jobName, CancellationToken ct);

        /// <summary>Starts a job's schedule afresh (a new or replaced definition).</summary>
        Task PutScheduleAsync(ScheduleRecord schedule, CancellationToken ct);

        /// <summary>
        /// Records progress from <paramref name="previous"/> to <paramref name="progressed"/>, only if the stored record is
        /// still <paramref name="previous"/> (same definition, same last start and end): true for the one caller that made
        /// the step, so a scheduled start fires once however many server instances look at the clock.
        /// </summary>
        Task<bool> UpdateScheduleAsync(ScheduleRecord previous, ScheduleRecord progressed, CancellationToken ct);

        /// <summary>Schedules of one owner, or of every owner when owner is null (the scheduler).</summary>
        Task<IReadOnlyList<ScheduleRecord>> ListSchedulesAsync(string? owner, CancellationToken ct);

        Task DeleteScheduleAsync(string jobId, CancellationToken ct);

        Task<bool> HasScheduleAsync(string jobId, CancellationToken ct);
    }
}
