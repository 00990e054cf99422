using System;
using System.Threading.Tasks;
using Primeway.Server.Store;

namespace Primeway.Server.Gateway
{
    public enum RouteState
    {
        /// <summary>A run is on its way up; requests wait.</summary>
        Starting,
        /// <summary>A healthy run answers at Target.</summary>
        Serving,
        /// <summary>The run is being stopped for idleness; requests wait, then wake it.</summary>
        Stopping,
        /// <summary>Stopped for idleness: the next request starts a new run.</summary>
        Asleep,
        /// <summary>Not running for another reason (stopped by a user, failed, outside its schedule): requests get 503.</summary>
        Down,
    }

    /// <summary>
    /// What the gateway knows of one deploy job name: the run that answers for it and how busy it is. Every field
    /// is read and written under Gate; Changed wakes the requests that wait for the next state.
    /// </summary>
    public sealed class GatewayRoute
    {
        public GatewayRoute(string jobName) => JobName = jobName;

        public object Gate { get; } = new object();
        public string JobName { get; }

        public RouteState State { get; set; } = RouteState.Down;
        public string? JobId { get; set; }
        public string? Owner { get; set; }
        public string? RunId { get; set; }
        /// <summary>The direct address of the serving run, e.g. http://127.0.0.1:8080/.</summary>
        public string? Target { get; set; }
        public bool RequiresToken { get; set; } = true;
        public TimeSpan? IdleTimeout { get; set; }
        /// <summary>Why it is down, for the 503 a request gets.</summary>
        public string? DownReason { get; set; }

        /// <summary>Environment.TickCount64 of the last request's start or end, or of becoming healthy.</summary>
        public long LastActivity { get; set; }

        /// <summary>The LastActivity this instance last wrote to the store, for the other instances' gateways.</summary>
        public long PublishedActivity { get; set; }
        public int InFlight { get; set; }

        private TaskCompletionSource<bool>? changed;

        /// <summary>Completes at the next state change. Call under Gate.</summary>
        public Task NextChange() => (changed ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        /// <summary>Moves to a state and releases the requests waiting for a change. Call under Gate.</summary>
        public void MoveTo(RouteState state)
        {
            State = state;
            var waiting = changed;
            changed = null;
            waiting?.TrySetResult(true);
        }

        /// <summary>Takes the settings of the job as this run has it.</summary>
        public void Adopt(RunRecord run)
        {
            JobId = run.JobId;
            Owner = run.Owner;
            RunId = run.Id;
            var read = JobYaml.Read(run.JobYaml, "run " + run.Id);
            var job = read.Jobs.Count == 1 ? read.Jobs[0] : null;
            RequiresToken = job?.GatewayAuth != "none";
            IdleTimeout = job?.IdleTimeout is int seconds ? TimeSpan.FromSeconds(seconds) : null;
        }
    }
}
