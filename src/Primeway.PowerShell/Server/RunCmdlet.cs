using System.Collections.Generic;
using System.Management.Automation;

namespace Primeway.PowerShell.Server
{
    /// <summary>
    /// A cmdlet that acts on runs, named by id (strings, or any object with an Id or RunId property) or given as
    /// JobRun objects from the pipeline.
    /// </summary>
    public abstract class RunCmdlet : PrimewayServerCmdlet
    {
        protected const string IdSet = "Id";
        protected const string InputObjectSet = "InputObject";

        [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("RunId")]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; } = new string[0];

        [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public JobRun[] InputObject { get; set; } = new JobRun[0];

        /// <summary>The runs this record names: (id, a description for messages, the object for errors).</summary>
        protected IEnumerable<(string Id, string Description, object Target)> Targets()
        {
            if (ParameterSetName == InputObjectSet)
                foreach (var run in InputObject) yield return (run.Id, run.Id + " (" + run.JobName + ")", run);
            else
                foreach (var id in Id) yield return (id, id, id);
        }
    }
}
