using System.IO;
using System.Management.Automation;
using Primeway.PowerShell.Server;

namespace Primeway.PowerShell.Commands
{
    /// <summary>Save-PrimewayArtifact: saves what run jobs wrote to their artifacts_path into a folder, and returns the files.</summary>
    [Cmdlet(VerbsData.Save, "PrimewayArtifact", DefaultParameterSetName = IdSet)]
    [OutputType(typeof(FileInfo))]
    public sealed class SavePrimewayArtifactCommand : RunCmdlet
    {
        /// <summary>The folder to save into; made when missing. Each run's files keep their paths below it.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string DestinationPath { get; set; } = "";

        protected override void ProcessRecord()
        {
            var destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(DestinationPath);
            foreach (var (id, _, target) in Targets())
            {
                if (!TryAwait(ct => Client.SaveArtifactsAsync(id, destination, ct), target, out System.Collections.Generic.IReadOnlyList<string> files)) continue;
                foreach (var file in files) WriteObject(new FileInfo(file));
            }
        }
    }
}
