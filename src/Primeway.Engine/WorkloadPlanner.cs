using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;

namespace Primeway.Engine
{
    /// <summary>Turns a valid JobSpec into a Workload: decides what runs, applies the limits, labels the run.</summary>
    public static class WorkloadPlanner
    {
        /// <summary>Where a project is copied inside its image, and the command's working directory there.</summary>
        public const string ContainerWorkDir = "/app";

        private const long BytesPerGb = 1024L * 1024 * 1024;

        public static Workload Plan(JobSpec job, string? owner = null, string? runId = null, IReadOnlyList<WorkloadMount>? mounts = null)
        {
            mounts ??= Array.Empty<WorkloadMount>();
            if (job == null) throw new ArgumentNullException(nameof(job));
            var name = job.JobName ?? throw new EngineException("the job has no job_name; add job_name: my-job.");
            runId ??= NewRunId(name);
            var projectDir = ResolveProjectDir(job);
            var (entrypoint, arguments) = ContainerCommand(job);
            return new Workload(job, runId)
            {
                Image = job.DockerImage ?? throw new EngineException("job '" + name + "' has no docker_image; add docker_image: busybox (or the image your job needs)."),
                ProjectDir = projectDir,
                HostDirectory = projectDir ?? job.BaseDirectory ?? Environment.CurrentDirectory,
                Entrypoint = entrypoint,
                Arguments = arguments,
                HostCommand = HostCommand(job),
                Environment = JobEnvironment(job, mounts),
                Mounts = mounts,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [RunLabels.Job] = name,
                    [RunLabels.Run] = runId,
                    [RunLabels.Owner] = owner ?? RunLabels.DefaultOwner,
                    [RunLabels.JobType] = job.JobType == JobType.Deploy ? "deploy" : "run",
                },
                MemoryBytes = job.Memory * BytesPerGb,
                NanoCpus = job.CpuCount * 1_000_000_000L,
                DiskBytes = job.DiskSpace * BytesPerGb,
                GpuCount = job.GpuTypes.Sum(g => g.Count),
                Timeout = job.Timeout is int seconds ? TimeSpan.FromSeconds(seconds) : null,
                Port = job.Port,
                HealthEndpoint = job.HealthEndpoint,
            };
        }

        /// <summary>The job's env, and for each mount with a variable, where its folder is inside the container.</summary>
        private static Dictionary<string, string> JobEnvironment(JobSpec job, IReadOnlyList<WorkloadMount> mounts)
        {
            var environment = job.Env.Where(e => e.Name != null).ToDictionary(e => e.Name!, e => e.Value ?? "", StringComparer.Ordinal);
            foreach (var mount in mounts)
                if (mount.EnvironmentName != null && !environment.ContainsKey(mount.EnvironmentName)) environment[mount.EnvironmentName] = mount.ContainerPath;
            return environment;
        }

        /// <summary>The warnings of the document that matter at run time (PW2001, PW2002), worded as validate words them.</summary>
        public static IReadOnlyList<Diagnostic> RunTimeWarnings(JobSpec job) =>
            JobValidator.Validate(job, new ValidationOptions { CheckFileSystem = false }).Warnings
                .Where(w => w.Code == DiagnosticCodes.EntryScriptAndArgs || w.Code == DiagnosticCodes.RequirementsWithoutProject)
                .ToList();

        public static string NewRunId(string jobName) =>
            jobName + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();

        private static string? ResolveProjectDir(JobSpec job) =>
            job.ProjectDir == null ? null : Path.GetFullPath(Path.Combine(job.BaseDirectory ?? Environment.CurrentDirectory, job.ProjectDir));

        /// <summary>command wins; else entry_script with args; else args alone for the image's entrypoint.</summary>
        private static (IReadOnlyList<string>? Entrypoint, IReadOnlyList<string>? Arguments) ContainerCommand(JobSpec job)
        {
            if (job.Command != null)
            {
                if (!job.Command.IsList) return (new[] { "sh", "-c" }, new[] { job.Command.Text! });
                var items = job.Command.Items!;
                return (items.Take(1).ToArray(), items.Skip(1).ToArray());
            }
            if (job.EntryScript != null)
            {
                var script = job.EntryScript;
                var args = job.Args?.ToArguments() ?? Array.Empty<string>();
                var interpreter = ContainerInterpreter(script);
                return (interpreter.Length == 0 ? new[] { Executable(script) } : interpreter,
                        (interpreter.Length == 0 ? Array.Empty<string>() : new[] { script }).Concat(args).ToArray());
            }
            if (job.Args != null) return (null, job.Args.ToArguments().ToArray());
            return (null, null);
        }

        private static string[] ContainerInterpreter(string script)
        {
            switch (Path.GetExtension(script).ToLowerInvariant())
            {
                // Images name Python either python or python3 (Debian's has only python3): take python when present.
                case ".py": return new[] { "sh", "-c", "command -v python >/dev/null 2>&1 && exec python \"$@\" || exec python3 \"$@\"", "python" };
                case ".sh": return new[] { "sh" };
                case ".ps1": return new[] { "pwsh", "-File" };
                default: return Array.Empty<string>();
            }
        }

        private static IReadOnlyList<string> HostCommand(JobSpec job)
        {
            if (job.Command != null) return job.Command.IsList ? job.Command.Items!.ToArray() : new[] { "sh", "-c", job.Command.Text! };
            var args = job.Args?.ToArguments() ?? Array.Empty<string>();
            if (job.EntryScript == null) return args.ToArray();
            var script = job.EntryScript;
            string[] interpreter = Path.GetExtension(script).ToLowerInvariant() switch
            {
                ".py" => new[] { OnPath("python") ? "python" : "python3" },
                ".sh" => new[] { "sh" },
                ".ps1" => new[] { "pwsh", "-File" },
                _ => Array.Empty<string>(),
            };
            return interpreter.Length == 0
                ? new[] { Executable(script) }.Concat(args).ToArray()
                : interpreter.Concat(new[] { script }).Concat(args).ToArray();
        }

        /// <summary>A script run directly needs a path, not a bare name that exec would look up on PATH.</summary>
        private static string Executable(string script) => script.Contains('/') ? script : "./" + script;

        private static bool OnPath(string program) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Any(dir => File.Exists(Path.Combine(dir, program)));
    }
}
