using System;
using System.Collections.Generic;
using System.Linq;

namespace Primeway
{
    /// <summary>What kind of value a field holds, which decides how it is read, written and described.</summary>
    public enum JobFieldKind
    {
        Text,
        Integer,
        JobType,
        CommandLine,
        TextList,
        GpuList,
        EnvList,
        Schedule,
    }

    /// <summary>One key of the job file: its snake_case name, older spellings, kind and meaning.</summary>
    public sealed class JobField
    {
        internal JobField(string key, string property, JobFieldKind kind, string description, Func<JobSpec, object?> get, Action<JobSpec, object?> set,
            string unit = "", params string[] aliases)
        {
            Key = key;
            Property = property;
            Kind = kind;
            Description = description;
            Get = get;
            Set = set;
            Unit = unit;
            Aliases = aliases;
        }

        /// <summary>The snake_case key written in job files.</summary>
        public string Key { get; }
        /// <summary>The PascalCase property of <see cref="JobSpec"/>.</summary>
        public string Property { get; }
        public JobFieldKind Kind { get; }
        public string Description { get; }
        /// <summary>GB, seconds, or empty.</summary>
        public string Unit { get; }
        /// <summary>Other spellings the platform reads for the same field (context for project_dir).</summary>
        public IReadOnlyList<string> Aliases { get; }

        internal Func<JobSpec, object?> Get { get; }
        internal Action<JobSpec, object?> Set { get; }

        /// <summary>Whether the job has a value for this field (an empty list counts as none).</summary>
        public bool IsSet(JobSpec job)
        {
            var value = Get(job);
            return value is System.Collections.ICollection c ? c.Count > 0 : value != null;
        }

        public override string ToString() => Key;
    }

    /// <summary>The job file's fields, in the order they are written back.</summary>
    public static class JobFields
    {
        public static IReadOnlyList<JobField> All { get; } = new[]
        {
            new JobField("job_name", nameof(JobSpec.JobName), JobFieldKind.Text, "A unique name for the job: lowercase letters, digits and hyphens, starting with a letter.",
                j => j.JobName, (j, v) => j.JobName = (string?)v),
            new JobField("job_type", nameof(JobSpec.JobType), JobFieldKind.JobType, "`run` (executed once) or `deploy` (a long-lived HTTP service).",
                j => j.JobType, (j, v) => j.JobType = (JobType?)v),
            new JobField("docker_image", nameof(JobSpec.DockerImage), JobFieldKind.Text, "The Docker image the job runs in, or builds from when project_dir is given.",
                j => j.DockerImage, (j, v) => j.DockerImage = (string?)v),
            new JobField("project_dir", nameof(JobSpec.ProjectDir), JobFieldKind.Text, "The directory of project files copied into the image, relative to the job file.",
                j => j.ProjectDir, (j, v) => j.ProjectDir = (string?)v, "", "context"),
            new JobField("entry_script", nameof(JobSpec.EntryScript), JobFieldKind.Text, "The script to execute within the project directory.",
                j => j.EntryScript, (j, v) => j.EntryScript = (string?)v),
            new JobField("args", nameof(JobSpec.Args), JobFieldKind.CommandLine, "Arguments for the entry script, or for the image's entrypoint. A string or a list.",
                j => j.Args, (j, v) => j.Args = (CommandLine?)v),
            new JobField("command", nameof(JobSpec.Command), JobFieldKind.CommandLine, "A command to run; overrides entry_script and args. A string (run by sh -c) or a list (run as is).",
                j => j.Command, (j, v) => j.Command = (CommandLine?)v),
            new JobField("memory", nameof(JobSpec.Memory), JobFieldKind.Integer, "Memory limit in GB (1 GB = 1024^3 bytes).",
                j => j.Memory, (j, v) => j.Memory = (int?)v, "GB"),
            new JobField("disk_space", nameof(JobSpec.DiskSpace), JobFieldKind.Integer, "Disk space in GB.",
                j => j.DiskSpace, (j, v) => j.DiskSpace = (int?)v, "GB"),
            new JobField("cpu_count", nameof(JobSpec.CpuCount), JobFieldKind.Integer, "Number of CPU cores.",
                j => j.CpuCount, (j, v) => j.CpuCount = (int?)v),
            new JobField("gpu_types", nameof(JobSpec.GpuTypes), JobFieldKind.GpuList, "GPUs required: a list of {type, count}.",
                j => j.GpuTypes, (j, v) => j.GpuTypes = (List<GpuRequest>)v!),
            new JobField("timeout", nameof(JobSpec.Timeout), JobFieldKind.Integer, "Maximum execution time in seconds.",
                j => j.Timeout, (j, v) => j.Timeout = (int?)v, "seconds", "job_timeout"),
            new JobField("env", nameof(JobSpec.Env), JobFieldKind.EnvList, "Environment variables: a list of {name, value}; values are strings.",
                j => j.Env, (j, v) => j.Env = (List<EnvVar>)v!),
            new JobField("requirements", nameof(JobSpec.Requirements), JobFieldKind.TextList, "Python packages to install with pip.",
                j => j.Requirements, (j, v) => j.Requirements = (List<string>)v!),
            new JobField("apt_packages", nameof(JobSpec.AptPackages), JobFieldKind.TextList, "Debian/Ubuntu packages to install with apt-get.",
                j => j.AptPackages, (j, v) => j.AptPackages = (List<string>)v!),
            new JobField("port", nameof(JobSpec.Port), JobFieldKind.Integer, "Deploy jobs: the port the service listens on (1-65535).",
                j => j.Port, (j, v) => j.Port = (int?)v),
            new JobField("health_endpoint", nameof(JobSpec.HealthEndpoint), JobFieldKind.Text, "Deploy jobs: the path polled until it answers 2xx, starting with /.",
                j => j.HealthEndpoint, (j, v) => j.HealthEndpoint = (string?)v),
            new JobField("idle_timeout", nameof(JobSpec.IdleTimeout), JobFieldKind.Integer, "Deploy jobs: seconds after the last request before the job is stopped.",
                j => j.IdleTimeout, (j, v) => j.IdleTimeout = (int?)v, "seconds", "autoscaler_timeout"),
            new JobField("gateway_auth", nameof(JobSpec.GatewayAuth), JobFieldKind.Text, "Deploy jobs: `token` (default) makes callers of the gateway send a token of the job's owner; `none` opens the endpoint to anyone who can reach the server.",
                j => j.GatewayAuth, (j, v) => j.GatewayAuth = (string?)v),
            new JobField("health_check_timeout", nameof(JobSpec.HealthCheckTimeout), JobFieldKind.Integer, "Deploy jobs: seconds to wait for the health endpoint before giving up.",
                j => j.HealthCheckTimeout, (j, v) => j.HealthCheckTimeout = (int?)v, "seconds"),
            new JobField("creation_timeout", nameof(JobSpec.CreationTimeout), JobFieldKind.Integer, "Seconds allowed to build and create the container.",
                j => j.CreationTimeout, (j, v) => j.CreationTimeout = (int?)v, "seconds"),
            new JobField("schedule_start", nameof(JobSpec.ScheduleStart), JobFieldKind.Text, "When to start: an ISO 8601 date-time (once) or a five-field cron expression (recurring).",
                j => j.ScheduleStart, (j, v) => j.ScheduleStart = (string?)v),
            new JobField("schedule_end", nameof(JobSpec.ScheduleEnd), JobFieldKind.Text, "When to stop: an ISO 8601 date-time (once) or a five-field cron expression (recurring).",
                j => j.ScheduleEnd, (j, v) => j.ScheduleEnd = (string?)v),
            new JobField("schedule", nameof(JobSpec.Schedule), JobFieldKind.Schedule, "Time windows in which the job is kept up: workdays, weekends, specific_days, timezone.",
                j => j.Schedule, (j, v) => j.Schedule = (ScheduleWindows?)v),
            new JobField("ignore_patterns", nameof(JobSpec.IgnorePatterns), JobFieldKind.TextList, "Patterns of project files left out of the build context, as in .dockerignore.",
                j => j.IgnorePatterns, (j, v) => j.IgnorePatterns = (List<string>)v!),
            new JobField("artifacts_path", nameof(JobSpec.ArtifactsPath), JobFieldKind.Text, "Where a run job writes its artifacts inside the container (default /primeway-artifacts).",
                j => j.ArtifactsPath, (j, v) => j.ArtifactsPath = (string?)v),
            new JobField("request_input_dir", nameof(JobSpec.RequestInputDir), JobFieldKind.Text, "Where files sent with a request are placed inside the container.",
                j => j.RequestInputDir, (j, v) => j.RequestInputDir = (string?)v),
            new JobField("primeway_api_token", nameof(JobSpec.PrimewayApiToken), JobFieldKind.Text, "Your Primeway API token. Prefer the PRIMEWAY_API_TOKEN environment variable.",
                j => j.PrimewayApiToken, (j, v) => j.PrimewayApiToken = (string?)v),
        };

        private static readonly Dictionary<string, JobField> ByKey = All
            .SelectMany(f => new[] { f.Key }.Concat(f.Aliases).Select(k => (Key: k, Field: f)))
            .ToDictionary(x => x.Key, x => x.Field, StringComparer.Ordinal);

        /// <summary>Every key a job file may use, aliases included.</summary>
        public static IEnumerable<string> AllKeys => ByKey.Keys;

        /// <summary>The field a key (or alias) names, or null.</summary>
        public static JobField? Find(string key) => ByKey.TryGetValue(key, out var field) ? field : null;

        public static JobField Get(string key) => Find(key) ?? throw new ArgumentException("no field " + key, nameof(key));
    }
}
