using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Primeway.Engine.Docker
{
    /// <summary>Builds a job's project into an image in the engine, once per distinct context and settings.</summary>
    internal sealed class ImageBuilder
    {
        /// <summary>Repository of built images; the tag is the context hash.</summary>
        public const string Repository = "primeway-build";

        private readonly DockerClient client;

        public ImageBuilder(DockerClient client) => this.client = client;

        /// <summary>A project, apt_packages or requirements each need an image of their own on top of docker_image.</summary>
        public static bool IsNeeded(Workload workload) =>
            workload.ProjectDir != null || workload.Job.AptPackages.Count > 0 || workload.Job.Requirements.Count > 0;

        public async Task<string> EnsureAsync(Workload workload, IRunListener listener, CancellationToken cancellationToken)
        {
            var context = BuildContext.Create(workload, PipSettingsFromEnvironment());
            var tag = Repository + "/" + workload.JobName + ":" + context.ComputeHash().Substring(0, 16);
            var images = new ImageStore(client);
            if (await images.ExistsAsync(tag, cancellationToken).ConfigureAwait(false))
            {
                listener.OnProgress("using image " + tag + " (project and settings unchanged since it was built)");
                return tag;
            }
            await images.EnsureAsync(workload.JobName, workload.Image, listener, cancellationToken).ConfigureAwait(false);

            listener.OnProgress("building " + tag + (context.ProjectDir == null ? " from " + workload.Image : " from " + context.ProjectDir + " (" + context.Files.Count + " files)"));
            await using var tar = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
            await context.WriteTarAsync(tar, cancellationToken).ConfigureAwait(false);
            tar.Position = 0;

            var parameters = new ImageBuildParameters
            {
                Dockerfile = BuildContext.DockerfileName,
                Tags = new List<string> { tag },
                BuildArgs = new Dictionary<string, string>(context.BuildArgs),
                Labels = new Dictionary<string, string> { [RunLabels.Job] = workload.JobName },
                // Host networking: apt and pip reach their mirrors and a loopback index even on an engine without a bridge.
                NetworkMode = "host",
                Remove = true,
                ForceRemove = true,
            };
            string? error = null;
            var lastLines = new Queue<string>();
            var progress = new SyncProgress<JSONMessage>(m =>
            {
                if (!string.IsNullOrEmpty(m.ErrorMessage)) { error = m.ErrorMessage; return; }
                var text = m.Stream ?? m.Status;
                if (string.IsNullOrEmpty(text)) return;
                foreach (var line in text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0))
                {
                    listener.OnProgress(line);
                    lastLines.Enqueue(line);
                    if (lastLines.Count > 5) lastLines.Dequeue();
                }
            });
            try
            {
                await client.Images.BuildImageFromDockerfileAsync(parameters, tar, null, null, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException e)
            {
                error = DockerBackend.EngineMessage(e);
            }
            if (error == null && !await images.ExistsAsync(tag, cancellationToken).ConfigureAwait(false)) error = "the engine finished without an image";
            if (error != null)
                throw new EngineException("job '" + workload.JobName + "': building the image from project_dir failed: " + error.Trim().TrimEnd('.')
                    + ". Check apt_packages, requirements and the build output above" + (lastLines.Count > 0 ? " (last: " + lastLines.Last() + ")" : "") + ".");
            return tag;
        }

        /// <summary>pip's settings (PIP_INDEX_URL, PIP_FIND_LINKS, ...) from this process's environment, passed to the build.</summary>
        internal static IReadOnlyDictionary<string, string> PipSettingsFromEnvironment()
        {
            var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            {
                var name = (string)e.Key;
                if (name.StartsWith("PIP_", StringComparison.Ordinal)) settings[name] = (string?)e.Value ?? "";
            }
            return settings;
        }
    }
}
