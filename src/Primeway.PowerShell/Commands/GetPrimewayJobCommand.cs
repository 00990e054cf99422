using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Primeway.PowerShell.Server;

namespace Primeway.PowerShell.Commands
{
    /// <summary>
    /// Get-PrimewayJob: runs on the server, latest first, by id or filtered by job name (wildcards), status and type;
    /// with -Definition, the stored job definitions with their schedules' next start and end.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "PrimewayJob", DefaultParameterSetName = FilterSet)]
    [OutputType(typeof(JobRun), ParameterSetName = new[] { FilterSet, IdSet })]
    [OutputType(typeof(JobDefinition), ParameterSetName = new[] { DefinitionSet })]
    public sealed class GetPrimewayJobCommand : PrimewayServerCmdlet
    {
        private const string FilterSet = "Filter";
        private const string IdSet = "Id";
        private const string DefinitionSet = "Definition";
        /// <summary>The most runs the server returns in one list; filters it cannot apply are applied to these.</summary>
        private const int ServerLimit = 1000;

        [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("RunId")]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; } = new string[0];

        /// <summary>Job names; wildcards allowed.</summary>
        [Parameter(ParameterSetName = FilterSet, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = DefinitionSet, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("JobName")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        [Parameter(ParameterSetName = FilterSet)]
        [ValidateSet("pending", "building", "creating", "running", "completed", "failed", "stopped", "terminated", IgnoreCase = true)]
        public string[]? Status { get; set; }

        [Parameter(ParameterSetName = FilterSet)]
        [ValidateSet("run", "deploy", IgnoreCase = true)]
        public string? Type { get; set; }

        /// <summary>At most this many runs (the latest).</summary>
        [Parameter(ParameterSetName = FilterSet)]
        [ValidateRange(1, ServerLimit)]
        public int First { get; set; } = 100;

        /// <summary>The stored job definitions instead of runs, with NextStart and NextEnd from their schedules.</summary>
        [Parameter(ParameterSetName = DefinitionSet, Mandatory = true)]
        public SwitchParameter Definition { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == DefinitionSet)
            {
                if (!TryAwait(ct => Client.ListJobsAsync(ct), Name, out IReadOnlyList<JobDefinition> jobs)) return;
                var wanted = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
                foreach (var job in jobs.Where(j => wanted == null || wanted.Any(p => p.IsMatch(j.Name)))) WriteObject(job);
                return;
            }
            if (ParameterSetName == IdSet)
            {
                foreach (var id in Id)
                    if (TryAwait(ct => Client.GetRunAsync(id, ct), id, out JobRun run)) WriteObject(run);
                return;
            }

            // The server filters by one status and one exact job; more than that is filtered here.
            var status = Status?.Length == 1 ? Status[0].ToLowerInvariant() : null;
            var exactName = Name?.Length == 1 && !WildcardPattern.ContainsWildcardCharacters(Name[0]) ? Name[0] : null;
            var limit = Status?.Length > 1 || Type != null || (Name != null && exactName == null) ? ServerLimit : First;
            if (!TryAwait(ct => Client.ListRunsAsync(status, exactName, limit, ct), Name, out IReadOnlyList<JobRun> runs)) return;

            var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
            var matched = runs.Where(r =>
                    (patterns == null || patterns.Any(p => p.IsMatch(r.JobName)))
                    && (Status == null || Status.Any(s => string.Equals(s, r.Status, System.StringComparison.OrdinalIgnoreCase)))
                    && (Type == null || string.Equals(Type, r.JobType, System.StringComparison.OrdinalIgnoreCase)))
                .Take(First).ToList();
            foreach (var run in matched) WriteObject(run);
            ReportUnmatchedNames(matched);
        }

        /// <summary>As Get-Process does: a name without wildcards that matches no run is an error; a pattern that matches none is not.</summary>
        private void ReportUnmatchedNames(List<JobRun> matched)
        {
            if (Name == null || Status != null || Type != null) return;
            foreach (var name in Name.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
            {
                if (matched.Any(r => string.Equals(r.JobName, name, System.StringComparison.OrdinalIgnoreCase))) continue;
                var record = new ErrorRecord(new ItemNotFoundException("No run of a job named '" + name + "' on " + Connection.Server + "."), "JobNotFound", ErrorCategory.ObjectNotFound, name)
                {
                    ErrorDetails = new ErrorDetails("No run of a job named '" + name + "' on " + Connection.Server + ".") { RecommendedAction = "List the runs with Get-PrimewayJob, or start the job with Start-PrimewayJob." },
                };
                WriteError(record);
            }
        }
    }
}
