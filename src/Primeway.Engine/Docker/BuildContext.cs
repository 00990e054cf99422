using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.Engine.Docker
{
    /// <summary>
    /// What an image is built from: the generated Dockerfile, the requirements, and the project's files that
    /// are not ignored. Its hash names the image, so an unchanged project and unchanged settings reuse it.
    /// </summary>
    internal sealed class BuildContext
    {
        public const string DockerfileName = "primeway.Dockerfile";
        public const string RequirementsName = "primeway-requirements.txt";
        public const string ProjectFolder = "project";

        private BuildContext(string? projectDir, IReadOnlyList<string> files, string dockerfile, string requirements, IReadOnlyDictionary<string, string> buildArgs)
        {
            ProjectDir = projectDir;
            Files = files;
            Dockerfile = dockerfile;
            Requirements = requirements;
            BuildArgs = buildArgs;
        }

        /// <summary>Null when only apt_packages or requirements are installed over docker_image.</summary>
        public string? ProjectDir { get; }
        /// <summary>Project files in the context, relative with /, sorted.</summary>
        public IReadOnlyList<string> Files { get; }
        public string Dockerfile { get; }
        public string Requirements { get; }
        public IReadOnlyDictionary<string, string> BuildArgs { get; }

        public static BuildContext Create(Workload workload, IReadOnlyDictionary<string, string> buildArgs)
        {
            var projectDir = workload.ProjectDir;
            if (projectDir != null && !Directory.Exists(projectDir))
                throw new EngineException("job '" + workload.JobName + "': project_dir '" + projectDir + "' does not exist. Fix project_dir, relative to the job file's folder.");
            var files = projectDir == null ? new List<string>() : ProjectFiles(workload, projectDir);
            var requirements = string.Concat(workload.Job.Requirements.Select(r => r + "\n"));
            var dockerfile = GenerateDockerfile(workload.Image, workload.Job.AptPackages, requirements.Length > 0, projectDir != null, buildArgs.Keys);
            return new BuildContext(projectDir, files, dockerfile, requirements, buildArgs);
        }

        private static List<string> ProjectFiles(Workload workload, string projectDir)
        {
            return IgnoreRules.For(projectDir, workload.Job.IgnorePatterns).Files(projectDir).Select(f => f.RelativePath).ToList();
        }

        internal static string GenerateDockerfile(string baseImage, IReadOnlyList<string> aptPackages, bool hasRequirements, bool hasProject, IEnumerable<string> buildArgNames)
        {
            var sb = new StringBuilder();
            sb.Append("FROM ").Append(baseImage).Append('\n');
            foreach (var name in buildArgNames) sb.Append("ARG ").Append(name).Append('\n');
            if (aptPackages.Count > 0)
                sb.Append("RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ")
                  .Append(string.Join(" ", aptPackages.Select(ShellWords.Quote)))
                  .Append(" && rm -rf /var/lib/apt/lists/*\n");
            if (hasProject) sb.Append("WORKDIR ").Append(WorkloadPlanner.ContainerWorkDir).Append('\n');
            if (hasRequirements)
            {
                sb.Append("COPY ").Append(RequirementsName).Append(" /tmp/").Append(RequirementsName).Append('\n');
                // Debian's Python refuses pip installs outside a venv (PEP 668) unless told; a job image is the place for them.
                sb.Append("RUN PY=\"$(command -v python3 || command -v python)\" && PIP_BREAK_SYSTEM_PACKAGES=1 \"$PY\" -m pip install --no-cache-dir -r /tmp/")
                  .Append(RequirementsName).Append('\n');
            }
            if (hasProject) sb.Append("COPY ").Append(ProjectFolder).Append("/ ").Append(WorkloadPlanner.ContainerWorkDir).Append("/\n");
            return sb.ToString();
        }

        /// <summary>SHA-256 over the Dockerfile, requirements, build args, and every file's path, mode and content.</summary>
        public string ComputeHash()
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\0"));
            Add("primeway-build-v1");
            Add(Dockerfile);
            Add(Requirements);
            foreach (var arg in BuildArgs) Add(arg.Key + "=" + arg.Value);
            var buffer = new byte[81920];
            foreach (var file in Files)
            {
                var full = Path.Combine(ProjectDir!, file);
                Add(file);
                Add(OperatingSystem.IsWindows() ? "" : ((int)File.GetUnixFileMode(full)).ToString(System.Globalization.CultureInfo.InvariantCulture));
                using var stream = File.OpenRead(full);
                int n;
                while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) hash.AppendData(buffer, 0, n);
            }
            return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
        }

        /// <summary>Writes the context as a tar stream, the form the engine's build endpoint takes.</summary>
        public async Task WriteTarAsync(Stream destination, CancellationToken cancellationToken)
        {
            await using (var tar = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true))
            {
                await WriteTextAsync(tar, DockerfileName, Dockerfile, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(tar, RequirementsName, Requirements, cancellationToken).ConfigureAwait(false);
                // The folder is there even when every file is ignored, so COPY always has a source.
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, ProjectFolder + "/") { Mode = (UnixFileMode)0b111_101_101 }, cancellationToken).ConfigureAwait(false);
                foreach (var file in Files)
                    await tar.WriteEntryAsync(Path.Combine(ProjectDir!, file), ProjectFolder + "/" + file, cancellationToken).ConfigureAwait(false);
            }
        }

        private static async Task WriteTextAsync(TarWriter tar, string name, string text, CancellationToken cancellationToken)
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)), Mode = (UnixFileMode)0b110_100_100 };
            await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }
}
