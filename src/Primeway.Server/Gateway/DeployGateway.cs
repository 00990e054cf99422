using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Primeway.Server.Runs;
using Primeway.Server.Store;

namespace Primeway.Server.Gateway
{
    /// <summary>
    /// The routes of the gateway, one per deploy job name, kept in step with the supervisor's run changes. It stops
    /// a deploy job after idle_timeout without a request, and starts it again on the next one (scale to zero and back).
    /// </summary>
    public sealed class DeployGateway : BackgroundService
    {
        private static readonly TimeSpan IdleCheckInterval = TimeSpan.FromMilliseconds(250);

        // With several instances, each gateway shares its requests and reads the others' this often.
        private const int ShareEveryTicks = 4;

        private readonly ConcurrentDictionary<string, GatewayRoute> routes = new ConcurrentDictionary<string, GatewayRoute>(StringComparer.Ordinal);
        private readonly IStore store;
        private readonly Supervisor supervisor;
        private readonly ILogger<DeployGateway> log;

        public DeployGateway(IStore store, Supervisor supervisor, ILogger<DeployGateway> log)
        {
            this.store = store;
            this.supervisor = supervisor;
            this.log = log;
            supervisor.RunChanged += OnRunChanged;
        }

        /// <summary>The route of a job name; made from the store on first use (after a restart, a sleeping job is found there). Null when no deploy job of that name ever ran.</summary>
        public async ValueTask<GatewayRoute?> FindAsync(string jobName, CancellationToken ct)
        {
            if (routes.TryGetValue(jobName, out var known)) return known;
            var latest = await store.LatestDeployRunAsync(jobName, ct).ConfigureAwait(false);
            if (latest == null) return null;
            var route = routes.GetOrAdd(jobName, name => new GatewayRoute(name));
            OnRunChanged(latest);
            return route;
        }

        /// <summary>Outcome of waiting for a route to serve: the address to forward to, or why not.</summary>
        public readonly record struct Lease(string? Target, int FailureStatus, string? Failure);

        /// <summary>
        /// Waits until the route serves and counts the request as in flight (release it with Release). A sleeping job
        /// is started here; the request is held until it is healthy.
        /// </summary>
        public async ValueTask<Lease> AcquireAsync(GatewayRoute route, TimeSpan wakeTimeout, CancellationToken ct)
        {
            var deadline = Environment.TickCount64 + (long)wakeTimeout.TotalMilliseconds;
            while (true)
            {
                Task next;
                bool wake = false;
                lock (route.Gate)
                {
                    switch (route.State)
                    {
                        case RouteState.Serving:
                            route.InFlight++;
                            route.LastActivity = Environment.TickCount64;
                            return new Lease(route.Target, 0, null);
                        case RouteState.Down:
                            return new Lease(null, 503, route.DownReason ?? "Deploy job '" + route.JobName + "' is not running.");
                        case RouteState.Asleep:
                            wake = true;
                            route.RunId = null;
                            route.MoveTo(RouteState.Starting);
                            break;
                    }
                    next = route.NextChange();
                }
                if (wake) _ = WakeAsync(route);
                var left = deadline - Environment.TickCount64;
                if (left <= 0 || !await WaitAsync(next, TimeSpan.FromMilliseconds(left), ct).ConfigureAwait(false))
                    return new Lease(null, 504, "Deploy job '" + route.JobName + "' did not become healthy within " + (int)wakeTimeout.TotalSeconds + " s; the request gave up waiting.");
            }
        }

        public static void Release(GatewayRoute route)
        {
            lock (route.Gate)
            {
                route.InFlight--;
                route.LastActivity = Environment.TickCount64;
            }
        }

        private static async Task<bool> WaitAsync(Task next, TimeSpan timeout, CancellationToken ct)
        {
            try
            {
                await next.WaitAsync(timeout, ct).ConfigureAwait(false);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        /// <summary>Starts a new run of the sleeping job; the route follows it through the run changes.</summary>
        private async Task WakeAsync(GatewayRoute route)
        {
            try
            {
                string? owner, jobId;
                lock (route.Gate) (owner, jobId) = (route.Owner, route.JobId);
                var job = owner == null || jobId == null ? null : await store.GetJobAsync(owner, jobId, CancellationToken.None).ConfigureAwait(false);
                if (job == null)
                {
                    SetDown(route, "Deploy job '" + route.JobName + "' was deleted; there is nothing to start.");
                    return;
                }
                await supervisor.SubmitAsync(job, CancellationToken.None, RunTrigger.Gateway).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                log.LogError(e, "Waking deploy job {Job} failed.", route.JobName);
                SetDown(route, "Deploy job '" + route.JobName + "' could not be started: " + e.Message);
            }
        }

        /// <summary>Keeps a sleeping job from being woken (its schedule ended); a later run brings it back.</summary>
        public void HoldDown(string jobName, string reason)
        {
            if (!routes.TryGetValue(jobName, out var route)) return;
            lock (route.Gate)
            {
                if (route.State != RouteState.Asleep) return;
                route.DownReason = reason;
                route.MoveTo(RouteState.Down);
            }
        }

        private static void SetDown(GatewayRoute route, string reason)
        {
            lock (route.Gate)
            {
                route.DownReason = reason;
                route.MoveTo(RouteState.Down);
            }
        }

        /// <summary>Follows the supervisor: a healthy run serves its job's name; a run that ended leaves it asleep (idle) or down.</summary>
        private void OnRunChanged(RunRecord run)
        {
            if (run.JobType != "deploy") return;
            var route = routes.GetOrAdd(run.JobName, name => new GatewayRoute(name));
            lock (route.Gate)
            {
                if (RunStatus.IsFinished(run.Status))
                {
                    // An older run ending does not take the name from a newer one.
                    if (route.RunId != null && route.RunId != run.Id) return;
                    if (route.RunId == null && route.State == RouteState.Starting) return;
                    route.Adopt(run);
                    route.Target = null;
                    if (run.Reason == "idle")
                    {
                        route.MoveTo(RouteState.Asleep);
                        return;
                    }
                    route.DownReason = "Deploy job '" + run.JobName + "' is not running: its last run " + run.Id + " ended as " + run.Status +
                        (run.Reason == null ? "" : " (" + run.Reason + ")") + ". Start it with POST /v1/jobs/" + run.JobName + "/runs.";
                    route.MoveTo(RouteState.Down);
                    return;
                }
                if (run.Status == RunStatus.Running && run.HealthStatus == "healthy" && run.Url != null)
                {
                    if ((route.State == RouteState.Stopping || route.State == RouteState.Serving) && route.RunId == run.Id) return;
                    route.Adopt(run);
                    route.Target = run.Url;
                    route.LastActivity = Environment.TickCount64;
                    route.MoveTo(RouteState.Serving);
                    return;
                }
                // A run on its way up takes the name unless another run serves it.
                if (route.State is RouteState.Down or RouteState.Asleep || (route.State == RouteState.Starting && route.RunId == null))
                {
                    route.Adopt(run);
                    route.MoveTo(RouteState.Starting);
                }
            }
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(IdleCheckInterval);
            long ticks = 0;
            try
            {
                while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                {
                    if (store.IsShared && ++ticks % ShareEveryTicks == 0)
                        foreach (var route in routes.Values) await ShareAsync(route, stoppingToken).ConfigureAwait(false);
                    foreach (var route in routes.Values)
                    {
                        var runId = TakeIdle(route);
                        if (runId != null) await StopIdleAsync(route, runId, stoppingToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) { }
        }

        /// <summary>
        /// Where instances share a store, requests may reach any of them, and the run may be supervised by another:
        /// this instance writes when it last served the job and takes the job's state and latest request from the store.
        /// </summary>
        private async Task ShareAsync(GatewayRoute route, CancellationToken ct)
        {
            try
            {
                string? runId;
                long activity;
                lock (route.Gate) (runId, activity) = (route.RunId, route.LastActivity);
                if (runId != null && activity > route.PublishedActivity)
                {
                    await store.TouchRunAsync(runId, DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(Environment.TickCount64 - activity), ct).ConfigureAwait(false);
                    route.PublishedActivity = activity;
                }
                var latest = await store.LatestDeployRunAsync(route.JobName, ct).ConfigureAwait(false);
                if (latest == null) return;
                OnRunChanged(latest);
                if (latest.LastRequestAt is DateTimeOffset at)
                {
                    var elsewhere = Environment.TickCount64 - (long)(DateTimeOffset.UtcNow - at).TotalMilliseconds;
                    lock (route.Gate)
                        if (route.RunId == latest.Id && elsewhere > route.LastActivity) route.LastActivity = elsewhere;
                }
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                log.LogWarning(e, "Sharing the gateway state of {Job} failed; trying again.", route.JobName);
            }
        }

        /// <summary>The run to stop when the route has been idle long enough; it is marked stopping so new requests wait.</summary>
        private static string? TakeIdle(GatewayRoute route)
        {
            lock (route.Gate)
            {
                if (route.State != RouteState.Serving || route.IdleTimeout == null || route.InFlight > 0) return null;
                if (Environment.TickCount64 - route.LastActivity < (long)route.IdleTimeout.Value.TotalMilliseconds) return null;
                route.MoveTo(RouteState.Stopping);
                return route.RunId;
            }
        }

        private async Task StopIdleAsync(GatewayRoute route, string runId, CancellationToken ct)
        {
            try
            {
                var run = await store.GetAnyRunAsync(runId, ct).ConfigureAwait(false);
                if (run != null && !RunStatus.IsFinished(run.Status))
                {
                    await supervisor.StopAsync(run, ct, "idle").ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                log.LogError(e, "Stopping idle deploy run {RunId} failed.", runId);
                lock (route.Gate)
                {
                    // It still runs: serve it again, and try again after another idle_timeout.
                    if (route.State == RouteState.Stopping && route.RunId == runId)
                    {
                        route.LastActivity = Environment.TickCount64;
                        route.MoveTo(RouteState.Serving);
                    }
                }
                return;
            }
            // Nothing to stop: it ended meanwhile, and its end event has set the state unless it is gone from the store.
            SetDownIfStopping(route, runId, "Deploy job '" + route.JobName + "' is not running.");
        }

        private static void SetDownIfStopping(GatewayRoute route, string runId, string reason)
        {
            lock (route.Gate)
            {
                if (route.State != RouteState.Stopping || route.RunId != runId) return;
                route.DownReason = reason;
                route.MoveTo(RouteState.Down);
            }
        }
    }
}
