using System.IO;
using System.IO.Compression;
using System.Threading;
using System.Threading.Tasks;
using Primeway.Engine;

namespace Primeway.Server.Runs
{
    /// <summary>
    /// What run jobs leave behind: a directory per run under &lt;data&gt;/artifacts, bound into the container at the
    /// job's artifacts_path (default /primeway-artifacts), kept with the run and served as a zip.
    /// </summary>
    public sealed class RunArtifacts
    {
        public const string DefaultPath = "/primeway-artifacts";

        private readonly string root;

        public RunArtifacts(string dataDirectory)
        {
            root = Path.Combine(dataDirectory, "artifacts");
            Directory.CreateDirectory(root);
        }

        public string DirectoryOf(string runId) => Path.Combine(root, runId);

        /// <summary>Gives a run job's workload its artifacts directory; deploy jobs keep none.</summary>
        public void Attach(Workload workload)
        {
            if (workload.IsDeploy) return;
            var directory = DirectoryOf(workload.RunId);
            Directory.CreateDirectory(directory);
            workload.Mounts.Add(new VolumeMount(directory, workload.Job.ArtifactsPath ?? DefaultPath, ReadOnly: false));
        }

        public bool Has(string runId) => Directory.Exists(DirectoryOf(runId));

        /// <summary>Writes the run's artifacts as a zip, paths relative to the artifacts directory.</summary>
        public async Task WriteZipAsync(string runId, Stream output, CancellationToken ct)
        {
            // ZipArchive writes synchronously; a memory buffer keeps the response stream's writes asynchronous.
            using var buffer = new MemoryStream();
            using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            {
                var directory = DirectoryOf(runId);
                foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
                {
                    ct.ThrowIfCancellationRequested();
                    zip.CreateEntryFromFile(file, Path.GetRelativePath(directory, file).Replace('\\', '/'), CompressionLevel.Fastest);
                }
            }
            buffer.Position = 0;
            await buffer.CopyToAsync(output, ct).ConfigureAwait(false);
        }

        public void Delete(string runId)
        {
            try { Directory.Delete(DirectoryOf(runId), recursive: true); }
            catch (DirectoryNotFoundException) { }
            catch (IOException) { }
            catch (System.UnauthorizedAccessException) { }
        }
    }
}
