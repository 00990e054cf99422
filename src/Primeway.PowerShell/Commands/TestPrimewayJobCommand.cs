using System.Collections.Generic;
using System.Management.Automation;
using Primeway.PowerShell.Completion;

namespace Primeway.PowerShell.Commands
{
    /// <summary>
    /// Test-PrimewayJob: checks jobs against every rule of the job language. One result per job, warnings also on
    /// the warning stream; with -Quiet only a bool per job, as Test-Path does.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "PrimewayJob", DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(JobValidationResult), typeof(bool))]
    public sealed class TestPrimewayJobCommand : JobFileCmdlet
    {
        private const string InputObjectSet = "InputObject";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public JobSpec[] InputObject { get; set; } = new JobSpec[0];

        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(JobFileCompleter))]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = new string[0];

        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = new string[0];

        /// <summary>Emit only $true or $false per job.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <summary>Skip the checks that project_dir and entry_script exist (for jobs checked away from their files).</summary>
        [Parameter]
        public SwitchParameter NoFileSystemCheck { get; set; }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case InputObjectSet:
                    var options = Options();
                    foreach (var job in InputObject) Emit(JobValidator.Validate(job, options));
                    break;
                case PathSet: TestFiles(ResolveJobFiles(Path, literal: false)); break;
                case LiteralPathSet: TestFiles(ResolveJobFiles(LiteralPath, literal: true)); break;
            }
        }

        private ValidationOptions Options() => new ValidationOptions
        {
            CheckFileSystem = !NoFileSystemCheck,
            BaseDirectory = CurrentFolder,
        };

        private void TestFiles(IEnumerable<string> files)
        {
            foreach (var file in files)
            {
                var read = ReadJobs(file, null, file);
                if (read == null)
                {
                    if (Quiet) WriteObject(false);
                    continue;
                }
                foreach (var diagnostic in read.Diagnostics)
                    if (!diagnostic.IsError) WriteWarning(diagnostic.ToString());
                if (read.HasErrors)
                {
                    // A file that is not YAML has no job to report on: it fails as a whole.
                    WriteError(Errors.UnreadableJobs(read, file));
                    if (Quiet) WriteObject(false);
                }
                foreach (var result in JobValidator.Validate(read, Options())) Emit(result);
            }
        }

        private void Emit(JobValidationResult result)
        {
            foreach (var warning in result.Warnings) WriteWarning(warning.ToString());
            if (Quiet) WriteObject(result.IsValid);
            else WriteObject(result);
        }
    }
}
