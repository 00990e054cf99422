using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Primeway.PowerShell.Server;

namespace Primeway.PowerShell.Commands
{
    /// <summary>
    /// Wait-PrimewayJob: waits until the runs have ended (a deploy run: until it is healthy), or reached one of
    /// -Status, and emits them. The runs piped in are waited for together, under one -Timeout.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Wait, "PrimewayJob", DefaultParameterSetName = IdSet)]
    [OutputType(typeof(JobRun))]
    public sealed class WaitPrimewayJobCommand : RunCmdlet
    {
        private readonly List<(string Id, object Target)> pending = new List<(string, object)>();

        /// <summary>Seconds to wait at most; -1 (the default) waits for as long as it takes.</summary>
        [Parameter]
        [Alias("TimeoutSec")]
        [ValidateRange(-1, int.MaxValue)]
        public int Timeout { get; set; } = -1;

        /// <summary>Return as soon as a run is in one of these statuses (for example running), rather than when it ends.</summary>
        [Parameter]
        [ValidateSet("pending", "building", "creating", "running", "completed", "failed", "stopped", "terminated", IgnoreCase = true)]
        public string[]? Status { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var (id, _, target) in Targets()) pending.Add((id, target));
        }

        protected override void EndProcessing()
        {
            if (pending.Count > 0)
            {
                var timeout = Timeout < 0 ? (TimeSpan?)null : TimeSpan.FromSeconds(Timeout);
                var statuses = Status?.Select(s => s.ToLowerInvariant()).ToList();
                var client = Client;
                var waits = pending.Select(p => client.WaitAsync(p.Id, timeout, statuses, Cancellation)).ToList();
                try { Await(Task.WhenAll(waits)); }
                catch (Exception) when (!Cancellation.IsCancellationRequested) { } // each wait is reported on its own below
                catch (OperationCanceledException) { throw new PipelineStoppedException(); }
                for (int i = 0; i < waits.Count; i++)
                {
                    var wait = waits[i];
                    if (wait.Status == TaskStatus.RanToCompletion) WriteObject(wait.Result);
                    else if (wait.Exception != null) WriteError(ServerErrors.From(wait.Exception.GetBaseException(), pending[i].Target));
                }
            }
        }
    }
}
