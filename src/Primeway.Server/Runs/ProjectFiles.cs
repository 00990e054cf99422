using System;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Threading;
using System.Threading.Tasks;
using Primeway.Engine;
using Primeway.Server.Store;

namespace Primeway.Server.Runs
{
    /// <summary>
    /// The project directories of submitted jobs: kept as the uploaded tar.gz per job, unpacked into a work
    /// folder per run, so a run builds from the project as it was when it was submitted.
    /// </summary>
    public sealed class ProjectFiles
    {
        private readonly string archives;
        private readonly string work;

        public ProjectFiles(string dataDirectory)
        {
            archives = Path.Combine(dataDirectory, "projects");
            work = Path.Combine(dataDirectory, "work");
            Directory.CreateDirectory(archives);
            Directory.CreateDirectory(work);
        }

        private string ArchiveOf(string jobId) => Path.Combine(archives, jobId + ".tar.gz");

        public bool Has(string jobId) => File.Exists(ArchiveOf(jobId));

        /// <summary>Stores the upload, checking first that it is a readable tar.gz.</summary>
        public async Task SaveAsync(string jobId, Stream tarGz, CancellationToken ct)
        {
            var temporary = ArchiveOf(jobId) + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await using (var file = File.Create(temporary))
                await tarGz.CopyToAsync(file, ct).ConfigureAwait(false);
            try
            {
                await using var check = File.OpenRead(temporary);
                await using var gzip = new GZipStream(check, CompressionMode.Decompress);
                using var reader = new TarReader(gzip);
                while (await reader.GetNextEntryAsync(cancellationToken: ct).ConfigureAwait(false) != null) { }
            }
            catch (Exception e) when (e is InvalidDataException || e is FormatException || e is EndOfStreamException)
            {
                File.Delete(temporary);
                throw new InvalidDataException("the project upload is not a tar.gz archive: " + e.Message, e);
            }
            File.Move(temporary, ArchiveOf(jobId), overwrite: true);
        }

        /// <summary>The run's job, with its project (if any) unpacked and project_dir pointing there.</summary>
        public JobSpec Materialize(RunRecord run)
        {
            var read = JobYaml.Read(run.JobYaml);
            if (read.Jobs.Count != 1) throw new EngineException("the stored definition of job '" + run.JobName + "' cannot be read.");
            var job = read.Jobs[0];
            if (job.ProjectDir == null) return job;
            if (!Has(run.JobId))
                throw new EngineException("job '" + run.JobName + "' has project_dir but no project was uploaded with it. Submit it with its project (Start-PrimewayJob or primeway run do this).");
            var folder = Path.Combine(work, run.Id);
            if (!Directory.Exists(folder))
            {
                var partial = folder + ".partial";
                if (Directory.Exists(partial)) Directory.Delete(partial, true);
                Directory.CreateDirectory(partial);
                using (var file = File.OpenRead(ArchiveOf(run.JobId)))
                using (var gzip = new GZipStream(file, CompressionMode.Decompress))
                    TarFile.ExtractToDirectory(gzip, partial, overwriteFiles: true);
                Directory.Move(partial, folder);
            }
            job.SourceFile = Path.Combine(folder, "job.yaml");
            job.ProjectDir = ".";
            return job;
        }

        public void Forget(string runId)
        {
            var folder = Path.Combine(work, runId);
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }
}
