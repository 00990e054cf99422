using System;
using System.Collections.Generic;

namespace Primeway.Engine
{
    /// <summary>
    /// A job made concrete for one run: what to execute, where, with which limits and labels. Both backends
    /// start from it; the Docker backend uses all of it, the process backend only Argv, the directory and env.
    /// </summary>
    public sealed class Workload
    {
        public Workload(JobSpec job, string runId)
        {
            Job = job;
            RunId = runId;
        }

        public JobSpec Job { get; }
        public string RunId { get; }
        public string JobName => Job.JobName ?? "job";
        public bool IsDeploy => Job.JobType == JobType.Deploy;

        /// <summary>The docker_image the job names (the base image when there is a project to build).</summary>
        public string Image { get; init; } = "";

        /// <summary>The project directory on this machine, absolute; null when the job has none.</summary>
        public string? ProjectDir { get; init; }

        /// <summary>Where the command runs on this machine when there is no container (process backend).</summary>
        public string HostDirectory { get; init; } = System.Environment.CurrentDirectory;

        /// <summary>Replaces the image's entrypoint; null keeps it (args alone are the entrypoint's arguments).</summary>
        public IReadOnlyList<string>? Entrypoint { get; init; }

        /// <summary>The arguments after the entrypoint; null keeps the image's CMD.</summary>
        public IReadOnlyList<string>? Arguments { get; init; }

        /// <summary>The whole command for a host process: the entrypoint and arguments together.</summary>
        public IReadOnlyList<string> HostCommand { get; init; } = Array.Empty<string>();

        public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

        /// <summary>Folders of this machine the job sees: its artifacts folder, other steps' artifacts read-only.</summary>
        public IReadOnlyList<WorkloadMount> Mounts { get; init; } = Array.Empty<WorkloadMount>();
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

        public long? MemoryBytes { get; init; }
        public long? NanoCpus { get; init; }
        public long? DiskBytes { get; init; }
        public int GpuCount { get; init; }

        public TimeSpan? Timeout { get; init; }
        public int? Port { get; init; }
        public string? HealthEndpoint { get; init; }

        /// <summary>The URL the engine polls for a deploy job, always on loopback.</summary>
        public Uri? HealthUrl => Port == null ? null : new Uri("http://127.0.0.1:" + Port + NormalizePath(HealthEndpoint));

        private static string NormalizePath(string? path) => string.IsNullOrEmpty(path) ? "/" : path!.StartsWith("/", StringComparison.Ordinal) ? path! : "/" + path;
    }

    /// <summary>
    /// A folder of this machine inside the job at <paramref name="ContainerPath"/>. <paramref name="EnvironmentName"/>
    /// names a variable that holds where the folder is: the container path, or the host path for a host process.
    /// </summary>
    public sealed record WorkloadMount(string HostPath, string ContainerPath, bool ReadOnly, string? EnvironmentName = null);
}
