using System;
using System.Linq;
using System.Management.Automation;
using Primeway.PowerShell.Server;

namespace Primeway.PowerShell.Commands
{
    /// <summary>
    /// Remove-PrimewayJob: deletes ended runs and their logs from the server. An active run is an error unless
    /// -Force, which stops it first. Asks before it deletes (ConfirmImpact High).
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "PrimewayJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = IdSet)]
    [OutputType(typeof(void))]
    public sealed class RemovePrimewayJobCommand : RunCmdlet
    {
        /// <summary>Stop a run that is still active, then remove it.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var (id, description, target) in Targets())
            {
                if (!ShouldProcess(description + " on " + ServerDescription, Force ? "Stop if active, then remove the run and its log" : "Remove the run and its log")) continue;
                if (Force && !TryAwait(async ct =>
                    {
                        try { await Client.StopRunAsync(id, ct).ConfigureAwait(false); }
                        catch (PrimewayApiException e) when (e.IsConflict) { }
                        return await Client.WaitAsync(id, TimeSpan.FromSeconds(60), RunStatuses.All.Where(RunStatuses.IsFinished).ToList(), ct).ConfigureAwait(false);
                    }, target, out JobRun _))
                    continue;
                TryAwait(ct => Client.DeleteRunAsync(id, ct), target);
            }
        }
    }
}
