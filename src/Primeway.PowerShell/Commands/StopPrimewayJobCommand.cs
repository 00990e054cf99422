using System.Management.Automation;
using Primeway.PowerShell.Server;

namespace Primeway.PowerShell.Commands
{
    /// <summary>Stop-PrimewayJob: asks the server to stop runs (SIGTERM, then a kill after its grace period). A run that already ended is an error that says so.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "PrimewayJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = IdSet)]
    [OutputType(typeof(JobRun))]
    public sealed class StopPrimewayJobCommand : RunCmdlet
    {
        /// <summary>Emit each run as the server answered the stop.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var (id, description, target) in Targets())
            {
                if (!ShouldProcess(description + " on " + ServerDescription, "Stop the run")) continue;
                if (TryAwait(ct => Client.StopRunAsync(id, ct), target, out JobRun run) && PassThru) WriteObject(run);
            }
        }
    }
}
