using System.Collections.Generic;
using System.Management.Automation;
using Primeway.PowerShell.Server;

namespace Primeway.PowerShell.Commands
{
    /// <summary>Receive-PrimewayJob: a run's log as LogEntry objects; -Follow keeps reading until the run ends, -Tail starts from the last lines.</summary>
    [Cmdlet(VerbsCommunications.Receive, "PrimewayJob", DefaultParameterSetName = IdSet)]
    [OutputType(typeof(LogEntry))]
    public sealed class ReceivePrimewayJobCommand : RunCmdlet
    {
        [Parameter]
        [Alias("Wait")]
        public SwitchParameter Follow { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? Tail { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var (id, _, target) in Targets())
            {
                if (Follow)
                    TryAwait(ct => Client.FollowLogAsync(id, line => Post(() => WriteObject(line)), Tail, ct), target);
                else if (TryAwait(ct => Client.GetLogAsync(id, Tail, ct), target, out IReadOnlyList<LogEntry> lines))
                    foreach (var line in lines) WriteObject(line);
            }
        }
    }
}
