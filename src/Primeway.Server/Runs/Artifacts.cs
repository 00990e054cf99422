using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Primeway.Engine;
using Primeway.Server.Store;

namespace Primeway.Server.Runs
{
    /// <summary>
    /// What run jobs leave behind: a folder per run under &lt;data&gt;/artifacts, mounted in the job at
    /// /primeway-artifacts (or its artifacts_path), read-only at /&lt;step id&gt;/ in pipeline steps that list it
    /// in inputs, and downloaded as a zip.
    /// </summary>
    public sealed class Artifacts
    {
        public const string DefaultPath = "/primeway-artifacts";
        public const string Variable = "PRIMEWAY_ARTIFACTS";

        private readonly string root;

        public Artifacts(string dataDirectory)
        {
            root = Path.Combine(dataDirectory, "artifacts");
            Directory.CreateDirectory(root);
        }

        public string FolderOf(string runId) => Path.Combine(root, runId);

        /// <summary>The folders a run job sees: its own artifacts folder, and its inputs' folders read-only.</summary>
        public IReadOnlyList<WorkloadMount> MountsFor(RunRecord run, JobSpec job)
        {
            if (job.JobType != JobType.Run) return Array.Empty<WorkloadMount>();
            var own = Directory.CreateDirectory(FolderOf(run.Id)).FullName;
            var mounts = new List<WorkloadMount> { new WorkloadMount(own, job.ArtifactsPath ?? DefaultPath, ReadOnly: false, Variable) };
            foreach (var (step, inputRun) in ParseInputs(run.Inputs))
                mounts.Add(new WorkloadMount(Directory.CreateDirectory(FolderOf(inputRun)).FullName, "/" + step, ReadOnly: true, InputVariable(step)));
            return mounts;
        }

        /// <summary>PRIMEWAY_INPUT_FETCH for step fetch; '-' becomes '_'.</summary>
        public static string InputVariable(string stepId) => "PRIMEWAY_INPUT_" + stepId.ToUpperInvariant().Replace('-', '_');

        public static string FormatInputs(IEnumerable<KeyValuePair<string, string>> stepToRun) => string.Join(",", stepToRun.Select(p => p.Key + "=" + p.Value));

        public static IEnumerable<(string Step, string Run)> ParseInputs(string? inputs) =>
            string.IsNullOrEmpty(inputs) ? Enumerable.Empty<(string, string)>()
                : inputs!.Split(',').Select(pair => pair.Split('=')).Where(p => p.Length == 2).Select(p => (p[0], p[1]));

        public bool Has(string runId) => Directory.Exists(FolderOf(runId));

        /// <summary>Writes the run's artifacts as a zip, paths relative to its artifacts folder.</summary>
        public void WriteZip(string runId, Stream destination)
        {
            var folder = FolderOf(runId);
            using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
            if (!Directory.Exists(folder)) return;
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
            {
                var name = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
                zip.CreateEntryFromFile(file, name, CompressionLevel.Fastest);
            }
        }

        public void Delete(string runId)
        {
            var folder = FolderOf(runId);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
