using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Linq;

namespace Primeway.PowerShell.Commands
{
    /// <summary>
    /// Test-PrimewayPipeline: checks pipeline files against the pipeline rules and each step against the job rules.
    /// One result per file, warnings also on the warning stream; with -Quiet only a bool per file.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "PrimewayPipeline", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(PipelineValidationResult), typeof(bool))]
    public sealed class TestPrimewayPipelineCommand : JobFileCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = new string[0];

        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = new string[0];

        /// <summary>Emit only $true or $false per file.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <summary>Skip the checks that the steps' project_dir and entry_script exist.</summary>
        [Parameter]
        public SwitchParameter NoFileSystemCheck { get; set; }

        protected override void ProcessRecord()
        {
            var files = ParameterSetName == PathSet ? ResolveJobFiles(Path, literal: false) : ResolveJobFiles(LiteralPath, literal: true);
            foreach (var file in files) Test(file);
        }

        private void Test(string file)
        {
            var read = PipelineYaml.ReadFile(file);
            if (read.Pipeline == null)
            {
                var message = string.Join(" ", read.Diagnostics.Select(d => d.ToString()));
                WriteError(new ErrorRecord(new InvalidDataException(message), "UnreadablePipeline", ErrorCategory.InvalidData, file)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Fix the file so it holds one mapping with pipeline_name and steps." },
                });
                if (Quiet) WriteObject(false);
                return;
            }
            var options = new ValidationOptions { CheckFileSystem = !NoFileSystemCheck, BaseDirectory = CurrentFolder };
            var result = PipelineValidator.Validate(read.Pipeline, options);
            foreach (var warning in result.Warnings) WriteWarning(warning.ToString());
            if (Quiet) WriteObject(result.IsValid);
            else WriteObject(result);
        }
    }
}
