using System;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.Engine
{
    /// <summary>
    /// A deploy job kept running: started, healthy once its health endpoint answers 2xx, restarted with
    /// growing pauses when it crashes, until StopAsync (which stops and removes it).
    /// </summary>
    public sealed class Deployment : IAsyncDisposable
    {
        private readonly IJobBackend backend;
        private readonly EngineOptions options;
        private readonly IRunListener listener;
        private readonly Workload workload;
        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        // Ends the log pump only when detaching: a stopped service's last lines are still read to the end.
        private readonly CancellationTokenSource detaching = new CancellationTokenSource();
        private readonly HealthProbe probe;
        private Task supervision = Task.CompletedTask;
        private int stopped;

        private Deployment(IJobBackend backend, EngineOptions options, IRunListener listener, Workload workload)
        {
            this.backend = backend;
            this.options = options;
            this.listener = listener;
            this.workload = workload;
            probe = new HealthProbe(options);
        }

        public string RunId => workload.RunId;
        public Uri Url => workload.HealthUrl ?? throw new InvalidOperationException("a deploy job has a port");
        /// <summary>http://127.0.0.1:PORT/ where the service answers.</summary>
        public Uri ServiceUrl => new Uri("http://127.0.0.1:" + workload.Port + "/");
        /// <summary>How many times it was restarted after a crash.</summary>
        public int Restarts { get; private set; }
        /// <summary>Completes when the deployment is stopped.</summary>
        public Task Completion => supervision;

        /// <summary>
        /// Starts the deploy job and returns once it is healthy. When it never becomes healthy, it is stopped and
        /// removed, and an EngineException says why with the last probe's failure.
        /// </summary>
        public static Task<Deployment> StartAsync(IJobBackend backend, JobSpec job, IRunListener listener, EngineOptions? options = null, CancellationToken cancellationToken = default)
        {
            options ??= new EngineOptions();
            foreach (var warning in WorkloadPlanner.RunTimeWarnings(job)) listener.OnWarning(warning.ToString());
            return StartAsync(backend, WorkloadPlanner.Plan(job, options.Owner), listener, options, cancellationToken);
        }

        /// <summary>Starts a workload planned by the caller (a server plans its own run ids); otherwise as above.</summary>
        public static async Task<Deployment> StartAsync(IJobBackend backend, Workload workload, IRunListener listener, EngineOptions? options = null, CancellationToken cancellationToken = default)
        {
            var deployment = Create(backend, workload, listener, options);
            listener.OnStateChanged(new RunStateChange(workload.RunId, RunState.Preparing));
            await backend.PrepareAsync(workload, listener, cancellationToken).ConfigureAwait(false);
            try
            {
                listener.OnStateChanged(new RunStateChange(workload.RunId, RunState.Starting));
                await backend.StartAsync(workload, listener, cancellationToken).ConfigureAwait(false);
                await deployment.BecomeHealthyAsync(null, cancellationToken).ConfigureAwait(false);
                return deployment;
            }
            catch
            {
                await deployment.StopAsync().ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>
        /// Follows a deploy job whose container outlived its supervisor (a server restart): its log goes on from
        /// <paramref name="logsSince"/>, a container that ended meanwhile is restarted, and it returns once healthy.
        /// </summary>
        public static async Task<Deployment> AttachAsync(IJobBackend backend, Workload workload, IRunListener listener, DateTimeOffset? logsSince,
            EngineOptions? options = null, CancellationToken cancellationToken = default)
        {
            var deployment = Create(backend, workload, listener, options);
            var info = await backend.InspectAsync(workload.RunId, cancellationToken).ConfigureAwait(false)
                ?? throw new EngineException("deploy job '" + workload.JobName + "': its container (run " + workload.RunId + ") is gone.");
            if (!info.IsRunning)
            {
                listener.OnStateChanged(new RunStateChange(workload.RunId, RunState.Restarting, "deploy job '" + workload.JobName + "' ended while unsupervised; restarting"));
                logsSince = DateTimeOffset.UtcNow;
                await backend.RestartAsync(workload.RunId, cancellationToken).ConfigureAwait(false);
            }
            await deployment.BecomeHealthyAsync(logsSince, cancellationToken).ConfigureAwait(false);
            return deployment;
        }

        private static Deployment Create(IJobBackend backend, Workload workload, IRunListener listener, EngineOptions? options)
        {
            if (workload.HealthUrl == null)
                throw new EngineException("job '" + workload.JobName + "' is a deploy job without port; add port: and health_endpoint:.");
            return new Deployment(backend, options ?? new EngineOptions(), listener, workload);
        }

        /// <summary>Pumps the log and waits for health; a service that never becomes healthy is stopped and reported.</summary>
        private async Task BecomeHealthyAsync(DateTimeOffset? logsSince, CancellationToken cancellationToken)
        {
            var logs = LogPump.RunAsync(backend, workload.RunId, logsSince, listener, detaching.Token);
            var failure = await WaitHealthyAsync(cancellationToken).ConfigureAwait(false);
            if (failure != null)
            {
                await StopAsync().ConfigureAwait(false);
                await logs.ConfigureAwait(false);
                throw new EngineException("deploy job '" + workload.JobName + "' did not become healthy: " + failure
                    + ". Check that it listens on 127.0.0.1:" + workload.Port + " and answers " + workload.HealthEndpoint + " with 2xx, or raise health_check_timeout.");
            }
            supervision = SuperviseAsync(logs);
        }

        private async Task<string?> WaitHealthyAsync(CancellationToken cancellationToken)
        {
            var timeout = workload.Job.HealthCheckTimeout is int seconds ? TimeSpan.FromSeconds(seconds) : options.DefaultHealthCheckTimeout;
            var ended = backend.WaitForExitAsync(workload.RunId, stopping.Token);
            listener.OnStateChanged(new RunStateChange(workload.RunId, RunState.Running));
            var failure = await probe.WaitHealthyAsync(workload.HealthUrl!, timeout, ended, cancellationToken).ConfigureAwait(false);
            listener.OnStateChanged(failure == null
                ? new RunStateChange(workload.RunId, RunState.Healthy, Url.ToString())
                : new RunStateChange(workload.RunId, RunState.Unhealthy, failure));
            return failure;
        }

        /// <summary>Restarts the service each time it exits, pausing longer after each crash, until stopped.</summary>
        private async Task SuperviseAsync(Task logs)
        {
            var delay = options.RestartDelay;
            try
            {
                while (true)
                {
                    var exit = await backend.WaitForExitAsync(workload.RunId, stopping.Token).ConfigureAwait(false);
                    await logs.ConfigureAwait(false);
                    listener.OnStateChanged(new RunStateChange(workload.RunId, RunState.Restarting,
                        "deploy job '" + workload.JobName + "' exited with code " + exit.ExitCode + (exit.OutOfMemory ? " (out of memory)" : "") + "; restarting in " + delay.TotalSeconds + " s"));
                    await Task.Delay(delay, stopping.Token).ConfigureAwait(false);
                    var since = DateTimeOffset.UtcNow;
                    await backend.RestartAsync(workload.RunId, stopping.Token).ConfigureAwait(false);
                    Restarts++;
                    logs = LogPump.RunAsync(backend, workload.RunId, since, listener, detaching.Token);
                    var failure = await WaitHealthyAsync(stopping.Token).ConfigureAwait(false);
                    delay = failure == null ? options.RestartDelay : TimeSpan.FromTicks(Math.Min(options.RestartMaxDelay.Ticks, delay.Ticks * 2));
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
        }

        /// <summary>Stops the service (SIGTERM, then kill after the grace period) and removes it.</summary>
        public async Task StopAsync()
        {
            if (Interlocked.Exchange(ref stopped, 1) != 0) { await supervision.ConfigureAwait(false); return; }
            stopping.Cancel();
            await backend.StopAsync(workload.RunId, options.StopGrace, CancellationToken.None).ConfigureAwait(false);
            try { await supervision.ConfigureAwait(false); } catch (OperationCanceledException) { }
            if (!options.KeepEndedRuns) await backend.RemoveAsync(workload.RunId, CancellationToken.None).ConfigureAwait(false);
            listener.OnStateChanged(new RunStateChange(workload.RunId, RunState.Stopped));
        }

        /// <summary>Stops supervising without stopping the service: it keeps running for whoever attaches next.</summary>
        public async Task DetachAsync()
        {
            if (Interlocked.Exchange(ref stopped, 1) != 0) return;
            detaching.Cancel();
            stopping.Cancel();
            try { await supervision.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync().ConfigureAwait(false);
            probe.Dispose();
            stopping.Dispose();
            detaching.Dispose();
        }
    }
}
