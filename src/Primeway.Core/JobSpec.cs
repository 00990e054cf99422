using System;
using System.Collections.Generic;
using System.Linq;

namespace Primeway
{
    /// <summary>
    /// One job, with every field of the job file. YAML keys are snake_case (docker_image); properties are
    /// PascalCase (DockerImage). A JobSpec read from a file remembers where it came from, so validation
    /// can point at the file, line and column of each field.
    /// </summary>
    public sealed class JobSpec : IEquatable<JobSpec>
    {
        public string? JobName { get; set; }
        public JobType? JobType { get; set; }
        public string? DockerImage { get; set; }
        public string? PrimewayApiToken { get; set; }

        public string? ProjectDir { get; set; }
        public string? EntryScript { get; set; }
        public CommandLine? Args { get; set; }
        public CommandLine? Command { get; set; }

        /// <summary>Memory in GB (1 GB = 1024^3 bytes, as Docker counts "1g").</summary>
        public int? Memory { get; set; }
        /// <summary>Disk space in GB.</summary>
        public int? DiskSpace { get; set; }
        public int? CpuCount { get; set; }
        public List<GpuRequest> GpuTypes { get; set; } = new List<GpuRequest>();

        /// <summary>Maximum execution time in seconds (alias job_timeout).</summary>
        public int? Timeout { get; set; }
        public List<EnvVar> Env { get; set; } = new List<EnvVar>();
        public List<string> Requirements { get; set; } = new List<string>();
        public List<string> AptPackages { get; set; } = new List<string>();

        public int? Port { get; set; }
        public string? HealthEndpoint { get; set; }
        /// <summary>Seconds after the last request before a deploy job is stopped (alias autoscaler_timeout).</summary>
        public int? IdleTimeout { get; set; }
        /// <summary>Deploy jobs: whether the gateway asks callers for a token (<c>token</c>, the default) or not (<c>none</c>).</summary>
        public string? GatewayAuth { get; set; }
        public int? HealthCheckTimeout { get; set; }
        public int? CreationTimeout { get; set; }

        public string? ScheduleStart { get; set; }
        public string? ScheduleEnd { get; set; }
        public ScheduleWindows? Schedule { get; set; }

        public List<string> IgnorePatterns { get; set; } = new List<string>();
        public string? ArtifactsPath { get; set; }
        public string? RequestInputDir { get; set; }

        /// <summary>The file this job was read from, if any.</summary>
        public string? SourceFile { get; set; }
        /// <summary>The line where this job's document starts in <see cref="SourceFile"/> (0 when not from a file).</summary>
        public int SourceLine => Position.Line;
        /// <summary>0-based index of this job's YAML document in its file.</summary>
        public int DocumentIndex { get; set; }

        internal SourcePosition Position { get; set; }

        /// <summary>Where each field (by snake_case key) was written; empty for jobs built in memory.</summary>
        internal Dictionary<string, SourcePosition> FieldPositions { get; } = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);

        /// <summary>The key the file used for a field when it used an alias (context for project_dir).</summary>
        internal Dictionary<string, string> FieldSpellings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>What reading the file found wrong with this job (unknown keys, wrong types); validation reports these too.</summary>
        internal List<Diagnostic> ReadDiagnostics { get; } = new List<Diagnostic>();

        /// <summary>Fields that were written but could not be read, so no second error is raised for them being missing.</summary>
        internal HashSet<string> UnreadableFields { get; } = new HashSet<string>(StringComparer.Ordinal);

        internal SourcePosition PositionOf(string key) =>
            FieldPositions.TryGetValue(key, out var p) ? p : Position;

        /// <summary>The directory a relative project_dir or entry_script is resolved against.</summary>
        public string? BaseDirectory =>
            string.IsNullOrEmpty(SourceFile) ? null : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(SourceFile));

        public bool Equals(JobSpec? o) =>
            o != null
            && JobName == o.JobName && JobType == o.JobType && DockerImage == o.DockerImage && PrimewayApiToken == o.PrimewayApiToken
            && ProjectDir == o.ProjectDir && EntryScript == o.EntryScript && Equals(Args, o.Args) && Equals(Command, o.Command)
            && Memory == o.Memory && DiskSpace == o.DiskSpace && CpuCount == o.CpuCount && GpuTypes.SequenceEqual(o.GpuTypes)
            && Timeout == o.Timeout && Env.SequenceEqual(o.Env) && Requirements.SequenceEqual(o.Requirements)
            && AptPackages.SequenceEqual(o.AptPackages) && Port == o.Port && HealthEndpoint == o.HealthEndpoint
            && IdleTimeout == o.IdleTimeout && GatewayAuth == o.GatewayAuth && HealthCheckTimeout == o.HealthCheckTimeout && CreationTimeout == o.CreationTimeout
            && ScheduleStart == o.ScheduleStart && ScheduleEnd == o.ScheduleEnd && Equals(Schedule, o.Schedule)
            && IgnorePatterns.SequenceEqual(o.IgnorePatterns) && ArtifactsPath == o.ArtifactsPath && RequestInputDir == o.RequestInputDir;

        public override bool Equals(object? obj) => Equals(obj as JobSpec);
        public override int GetHashCode() => (JobName ?? "").GetHashCode() ^ (DockerImage ?? "").GetHashCode();

        public override string ToString() => (JobName ?? "(unnamed)") + " (" + (JobType?.ToString().ToLowerInvariant() ?? "?") + ")";
    }
}
