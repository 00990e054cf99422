using System.Linq;
using System.IO;
using System.Management.Automation;

namespace Primeway.PowerShell.Commands
{
    /// <summary>New-PrimewayPipeline: PipelineSpec objects from pipeline files or YAML text, as read; Test-PrimewayPipeline checks them.</summary>
    [Cmdlet(VerbsCommon.New, "PrimewayPipeline", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(PipelineSpec))]
    public sealed class NewPrimewayPipelineCommand : JobFileCmdlet
    {
        private const string PathSet = "Path";
        private const string YamlSet = "Yaml";

        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "FullName")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = new string[0];

        [Parameter(ParameterSetName = YamlSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Yaml { get; set; } = "";

        protected override void ProcessRecord()
        {
            if (ParameterSetName == YamlSet)
            {
                Emit(PipelineYaml.Read(Yaml, null), "YAML text");
                return;
            }
            foreach (var file in ResolveJobFiles(Path, literal: false)) Emit(PipelineYaml.ReadFile(file), file);
        }

        private void Emit(PipelineReadResult read, object target)
        {
            if (read.Pipeline != null)
            {
                WriteObject(read.Pipeline);
                return;
            }
            var message = string.Join(" ", read.Diagnostics.Select(d => d.ToString()));
            WriteError(new ErrorRecord(new InvalidDataException(message), "UnreadablePipeline", ErrorCategory.InvalidData, target)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Fix the YAML so it holds one mapping with pipeline_name and steps." },
            });
        }
    }
}
