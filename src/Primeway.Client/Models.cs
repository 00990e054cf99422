using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Primeway
{
    /// <summary>A job definition stored on a server.</summary>
    public sealed class JobDefinition
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("name")] public string Name { get; set; } = "";
        [JsonPropertyName("job_type")] public string JobType { get; set; } = "";
        [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
        [JsonPropertyName("updated_at")] public DateTimeOffset UpdatedAt { get; set; }
        /// <summary>The job file as the server keeps it (without any API token).</summary>
        [JsonPropertyName("definition")] public string Definition { get; set; } = "";
        /// <summary>When its schedule next starts it (schedule_start or a window), if it has one.</summary>
        [JsonPropertyName("next_start")] public DateTimeOffset? NextStart { get; set; }
        /// <summary>When its schedule next stops it (schedule_end or a window's end), if it has one.</summary>
        [JsonPropertyName("next_end")] public DateTimeOffset? NextEnd { get; set; }

        public override string ToString() => Name + " (" + Id + ")";
    }

    /// <summary>One run of a job on a server: its status, timing, exit code and, for deploy jobs, health and URL.</summary>
    public sealed class JobRun
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("job_id")] public string JobId { get; set; } = "";
        [JsonPropertyName("job_name")] public string JobName { get; set; } = "";
        [JsonPropertyName("job_type")] public string JobType { get; set; } = "";
        /// <summary>pending, building, creating, running, completed, failed, stopped or terminated.</summary>
        [JsonPropertyName("status")] public string Status { get; set; } = "";
        /// <summary>Why it ended: exit_code, oom, timeout, build_failed, lost, user ...</summary>
        [JsonPropertyName("reason")] public string? Reason { get; set; }
        [JsonPropertyName("exit_code")] public int? ExitCode { get; set; }
        [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
        [JsonPropertyName("started_at")] public DateTimeOffset? StartedAt { get; set; }
        [JsonPropertyName("ended_at")] public DateTimeOffset? EndedAt { get; set; }
        [JsonPropertyName("duration_seconds")] public double? DurationSeconds { get; set; }
        [JsonPropertyName("health_status")] public string? HealthStatus { get; set; }
        /// <summary>A deploy run's gateway address on the server (/d/{job_name}/ or {job_name}.{domain}).</summary>
        [JsonPropertyName("url")] public string? Url { get; set; }
        /// <summary>The deploy run's own address, bypassing the gateway.</summary>
        [JsonPropertyName("direct_url")] public string? DirectUrl { get; set; }
        [JsonPropertyName("stop_requested")] public bool StopRequested { get; set; }
        /// <summary>api, gateway (a request woke an idle deploy job) or schedule.</summary>
        [JsonPropertyName("started_by")] public string StartedBy { get; set; } = "api";
        /// <summary>For a run the gateway woke: seconds from the waking request to healthy.</summary>
        [JsonPropertyName("cold_start_seconds")] public double? ColdStartSeconds { get; set; }
        /// <summary>For a pipeline step: its pipeline run and step id.</summary>
        [JsonPropertyName("pipeline_run_id")] public string? PipelineRunId { get; set; }
        [JsonPropertyName("step_id")] public string? StepId { get; set; }

        /// <summary>The server this run lives on.</summary>
        [JsonIgnore] public Uri? Server { get; set; }

        [JsonIgnore] public bool IsFinished => RunStatuses.IsFinished(Status);
        [JsonIgnore] public TimeSpan? Duration => DurationSeconds == null ? (TimeSpan?)null : TimeSpan.FromSeconds(DurationSeconds.Value);

        public override string ToString() => JobName + " " + Id + ": " + Status + (ExitCode != null ? " (exit " + ExitCode + ")" : "");
    }

    /// <summary>One execution of a pipeline file on a server, with where each step stands.</summary>
    public sealed class PipelineRun
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("pipeline_name")] public string PipelineName { get; set; } = "";
        /// <summary>running, completed, failed or stopped.</summary>
        [JsonPropertyName("status")] public string Status { get; set; } = "";
        [JsonPropertyName("reason")] public string? Reason { get; set; }
        [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
        [JsonPropertyName("ended_at")] public DateTimeOffset? EndedAt { get; set; }
        [JsonPropertyName("stop_requested")] public bool StopRequested { get; set; }
        [JsonPropertyName("steps")] public List<PipelineStepStatus> Steps { get; set; } = new List<PipelineStepStatus>();

        [JsonIgnore] public bool IsFinished => Status != "running";

        public override string ToString() => PipelineName + " " + Id + ": " + Status;
    }

    /// <summary>A step of a pipeline run: waiting, skipped, or the status of its run.</summary>
    public sealed class PipelineStepStatus
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("job_name")] public string JobName { get; set; } = "";
        [JsonPropertyName("job_type")] public string JobType { get; set; } = "";
        [JsonPropertyName("status")] public string Status { get; set; } = "";
        [JsonPropertyName("run_id")] public string? RunId { get; set; }
        [JsonPropertyName("dependencies")] public List<string> Dependencies { get; set; } = new List<string>();
        [JsonPropertyName("inputs")] public List<string> Inputs { get; set; } = new List<string>();

        public override string ToString() => Id + ": " + Status;
    }

    public static class RunStatuses
    {
        public static readonly IReadOnlyList<string> All = new[] { "pending", "building", "creating", "running", "completed", "failed", "stopped", "terminated" };

        public static bool IsFinished(string status) => status == "completed" || status == "failed" || status == "stopped" || status == "terminated";
    }

    /// <summary>One line of a run's log.</summary>
    public sealed class LogEntry
    {
        [JsonPropertyName("time")] public DateTimeOffset Time { get; set; }
        /// <summary>stdout, stderr, or primeway for lines from the platform itself.</summary>
        [JsonPropertyName("stream")] public string Stream { get; set; } = "";
        [JsonPropertyName("text")] public string Text { get; set; } = "";

        public override string ToString() => Text;
    }

    /// <summary>A token as an admin sees it; Secret is set only when the token was just made.</summary>
    public sealed class ApiToken
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("name")] public string Name { get; set; } = "";
        [JsonPropertyName("owner")] public string Owner { get; set; } = "";
        [JsonPropertyName("admin")] public bool Admin { get; set; }
        [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
        [JsonPropertyName("token")] public string? Secret { get; set; }
    }
}
