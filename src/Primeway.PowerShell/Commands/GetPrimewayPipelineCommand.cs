using System.Collections.Generic;
using System.Management.Automation;
using Primeway.PowerShell.Server;

namespace Primeway.PowerShell.Commands
{
    /// <summary>Get-PrimewayPipeline: pipeline runs on the server, latest first, or by id; each with its steps' status and run ids.</summary>
    [Cmdlet(VerbsCommon.Get, "PrimewayPipeline", DefaultParameterSetName = ListSet)]
    [OutputType(typeof(PipelineRun))]
    public sealed class GetPrimewayPipelineCommand : PrimewayServerCmdlet
    {
        private const string ListSet = "List";
        private const string IdSet = "Id";

        [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PipelineRunId")]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; } = new string[0];

        [Parameter(ParameterSetName = ListSet)]
        [ValidateSet("running", "completed", "failed", "stopped", IgnoreCase = true)]
        public string? Status { get; set; }

        /// <summary>At most this many pipeline runs (the latest).</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateRange(1, 1000)]
        public int First { get; set; } = 100;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == IdSet)
            {
                foreach (var id in Id)
                    if (TryAwait(ct => Client.GetPipelineRunAsync(id, ct), id, out PipelineRun run)) WriteObject(run);
                return;
            }
            if (TryAwait(ct => Client.ListPipelineRunsAsync(Status?.ToLowerInvariant(), First, ct), Status, out List<PipelineRun> runs))
                foreach (var run in runs) WriteObject(run);
        }
    }
}
