using System;

namespace Primeway.Server.Store
{
    /// <summary>An API token as stored: only the SHA-256 of the secret is kept.</summary>
    public sealed record TokenRecord(string Id, string Name, string Owner, bool IsAdmin, byte[] SecretHash, DateTimeOffset CreatedAt);

    /// <summary>A submitted job definition of one owner; the YAML has the token removed.</summary>
    public sealed record JobRecord(string Id, string Owner, string Name, string JobType, string Yaml, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    /// <summary>The run statuses, in the platform's words.</summary>
    public static class RunStatus
    {
        public const string Pending = "pending";
        public const string Building = "building";
        public const string Creating = "creating";
        public const string Running = "running";
        public const string Completed = "completed";
        public const string Failed = "failed";
        public const string Stopped = "stopped";
        public const string Terminated = "terminated";

        public static readonly string[] All = { Pending, Building, Creating, Running, Completed, Failed, Stopped, Terminated };

        public static bool IsFinished(string status) => status == Completed || status == Failed || status == Stopped || status == Terminated;
    }

    /// <summary>One execution of a job; JobYaml is the definition as it was when the run was made.</summary>
    public sealed record RunRecord(
        string Id,
        string JobId,
        string JobName,
        string JobType,
        string JobYaml,
        string Owner,
        string Status,
        string? Reason,
        int? ExitCode,
        DateTimeOffset CreatedAt,
        DateTimeOffset? StartedAt,
        DateTimeOffset? EndedAt,
        string? HealthStatus,
        string? Url,
        bool StopRequested)
    {
        /// <summary>The server instance that supervises the run now, and until when its lease holds.</summary>
        public string? Supervisor { get; init; }
        public DateTimeOffset? LeaseExpiresAt { get; init; }

        /// <summary>The machine the run landed on, where the engine says (a Swarm node).</summary>
        public string? Node { get; init; }

        /// <summary>For a pipeline step: the pipeline run, the step, and the runs whose artifacts it reads ("fetch=run_1,clean=run_2").</summary>
        public string? PipelineRunId { get; init; }
        public string? StepId { get; init; }
        public string? Inputs { get; init; }

        /// <summary>Who made the run: api (a user), gateway (a request woke an idle deploy job) or schedule.</summary>
        public string StartedBy { get; init; } = RunTrigger.Api;

        /// <summary>For a run the gateway woke: seconds from the waking request to healthy.</summary>
        public double? ColdStartSeconds { get; init; }

        /// <summary>When a deploy run last served a request through any instance's gateway (written about once a second).</summary>
        public DateTimeOffset? LastRequestAt { get; init; }
    }

    /// <summary>One execution of a pipeline; Yaml is the pipeline file as it was (tokens removed). Its steps are runs.</summary>
    public sealed record PipelineRunRecord(
        string Id,
        string Owner,
        string PipelineName,
        string Yaml,
        string Status,
        string? Reason,
        DateTimeOffset CreatedAt,
        DateTimeOffset? EndedAt,
        bool StopRequested,
        string? Supervisor);

    /// <summary>Pipeline statuses; a step that will never run because one it waits for failed is "skipped".</summary>
    public static class PipelineStatus
    {
        public const string Running = "running";
        public const string Completed = "completed";
        public const string Failed = "failed";
        public const string Stopped = "stopped";
        public const string Waiting = "waiting";
        public const string Skipped = "skipped";

        public static bool IsFinished(string status) => status == Completed || status == Failed || status == Stopped;
    }


    public static class RunTrigger
    {
        public const string Api = "api";
        public const string Gateway = "gateway";
        public const string Schedule = "schedule";
    }

    /// <summary>
    /// Where a job's schedule stands: the scheduled instants last acted on, so a restart neither repeats nor
    /// loses a start, and the next instants for display. DefinitionAt is the job's updated_at it was made for;
    /// a new definition starts the schedule afresh.
    /// </summary>
    public sealed record ScheduleRecord(
        string JobId,
        string Owner,
        DateTimeOffset DefinitionAt,
        DateTimeOffset? LastStartAt,
        DateTimeOffset? LastEndAt,
        DateTimeOffset? NextStartAt,
        DateTimeOffset? NextEndAt);
}
