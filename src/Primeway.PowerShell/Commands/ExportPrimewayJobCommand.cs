using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;

namespace Primeway.PowerShell.Commands
{
    /// <summary>
    /// Export-PrimewayJob: writes jobs as clean YAML, as text (one string per job) or into a file (all the
    /// piped jobs as one stream of documents). File semantics follow Export-Csv: an existing file is replaced
    /// unless -NoClobber; -Force also replaces a read-only one.
    /// </summary>
    [Cmdlet(VerbsData.Export, "PrimewayJob", DefaultParameterSetName = TextSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(string), ParameterSetName = new[] { TextSet })]
    [OutputType(typeof(FileInfo), ParameterSetName = new[] { FileSet })]
    public sealed class ExportPrimewayJobCommand : PSCmdlet
    {
        private const string TextSet = "Text";
        private const string FileSet = "File";

        private readonly List<JobSpec> jobsForFile = new List<JobSpec>();

        [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
        [ValidateNotNull]
        public JobSpec[] InputObject { get; set; } = new JobSpec[0];

        [Parameter(ParameterSetName = FileSet, Mandatory = true, Position = 1)]
        [Alias("PSPath", "LiteralPath")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        [Parameter(ParameterSetName = FileSet)]
        public SwitchParameter Force { get; set; }

        [Parameter(ParameterSetName = FileSet)]
        [Alias("NoOverwrite")]
        public SwitchParameter NoClobber { get; set; }

        /// <summary>Emit the written file.</summary>
        [Parameter(ParameterSetName = FileSet)]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == FileSet) jobsForFile.AddRange(InputObject);
            else foreach (var job in InputObject) WriteObject(JobYaml.Write(job));
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName != FileSet || jobsForFile.Count == 0) return;
            var target = GetUnresolvedProviderPathFromPSPath(Path);
            var exists = File.Exists(target);
            if (exists && NoClobber)
            {
                WriteError(new ErrorRecord(
                    new IOException("The file '" + target + "' already exists. Leave out -NoClobber to replace it, or choose another path."),
                    "FileExists", ErrorCategory.ResourceExists, target));
                return;
            }
            var action = (exists ? "Replace" : "Create") + " the job file with " + jobsForFile.Count + " job(s): " + string.Join(", ", jobsForFile.ConvertAll(j => j.JobName ?? "(unnamed)"));
            if (!ShouldProcess(target, action)) return;

            try
            {
                if (exists && Force) ClearReadOnly(target);
                File.WriteAllText(target, JobYaml.Write(jobsForFile), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(e, "FileNotWritten", ErrorCategory.WriteError, target));
            }
            if (PassThru) WriteObject(new FileInfo(target));
        }

        private static void ClearReadOnly(string path)
        {
            var file = new FileInfo(path);
            if (file.IsReadOnly) file.IsReadOnly = false;
        }
    }
}
