using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace Primeway.PowerShell.Server
{
    /// <summary>
    /// The source of PrimewayJob jobs, registered by PowerShell when the module is imported (one per session's
    /// JobManager), so Get-Job, Wait-Job, Receive-Job, Stop-Job and Remove-Job work on Start-PrimewayJob -AsJob.
    /// </summary>
    public sealed class PrimewayJobSourceAdapter : JobSourceAdapter
    {
        internal const string RunParameter = "Run";
        internal const string TokenParameter = "Token";
        private readonly List<PrimewayRunJob> jobs = new List<PrimewayRunJob>();
        private readonly object gate = new object();

        public PrimewayJobSourceAdapter()
        {
            Name = nameof(PrimewayJobSourceAdapter);
        }

        public override Job2 NewJob(JobInvocationInfo specification)
        {
            var parameters = specification.Parameters.SelectMany(p => p).ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);
            var run = parameters.TryGetValue(RunParameter, out var value) && value is JobRun r ? r
                : throw new ArgumentException("A PrimewayJob needs the run it follows; start one with Start-PrimewayJob -AsJob.");
            var job = new PrimewayRunJob(run, parameters.TryGetValue(TokenParameter, out var token) ? token as string : null);
            lock (gate) jobs.Add(job);
            return job;
        }

        public override IList<Job2> GetJobs()
        {
            lock (gate) return jobs.Cast<Job2>().ToList();
        }

        public override IList<Job2> GetJobsByName(string name, bool recurse) => Where(j => new WildcardPattern(name, WildcardOptions.IgnoreCase).IsMatch(j.Name));

        public override IList<Job2> GetJobsByCommand(string command, bool recurse) => Where(j => new WildcardPattern(command, WildcardOptions.IgnoreCase).IsMatch(j.Command));

        public override IList<Job2> GetJobsByState(JobState state, bool recurse) => Where(j => j.JobStateInfo.State == state);

        public override IList<Job2> GetJobsByFilter(Dictionary<string, object> filter, bool recurse) => new List<Job2>();

        public override Job2? GetJobByInstanceId(Guid instanceId, bool recurse) => Where(j => j.InstanceId == instanceId).FirstOrDefault();

        public override Job2? GetJobBySessionId(int id, bool recurse) => Where(j => j.Id == id).FirstOrDefault();

        public override void RemoveJob(Job2 job)
        {
            lock (gate)
            {
                if (job is PrimewayRunJob ours && jobs.Remove(ours)) ours.Dispose();
            }
        }

        private IList<Job2> Where(Func<PrimewayRunJob, bool> match)
        {
            lock (gate) return jobs.Where(match).Cast<Job2>().ToList();
        }
    }
}
