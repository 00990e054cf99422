using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;
using Primeway.Engine.Docker;

namespace Primeway.Engine.Swarm
{
    /// <summary>
    /// Runs workloads as Docker Swarm services, so a cluster of engines shares the work: a run job is a
    /// replicated-job service (one task, no restart), a deploy job a replicated service with a restart policy.
    /// Images are prepared on the manager's engine the way the Docker backend prepares them.
    /// </summary>
    public sealed class SwarmBackend : IJobBackend
    {
        /// <summary>The node label a GPU node carries: primeway.gpu=&lt;model&gt;, e.g. docker node update --label-add primeway.gpu=A100-SXM NODE.</summary>
        public const string GpuNodeLabel = "primeway.gpu";
        public const string GpuResourceKind = "NVIDIA-GPU";

        private static readonly TaskState[] Ended = { TaskState.Complete, TaskState.Failed, TaskState.Rejected, TaskState.Shutdown, TaskState.Orphaned, TaskState.Remove };
        private readonly DockerBackend images;
        private readonly Dictionary<string, string> imageOfRun = new Dictionary<string, string>();

        public SwarmBackend(string? dockerHost = null) => images = new DockerBackend(dockerHost);

        public string Name => "swarm";
        private DockerClient Client => images.Client;

        /// <summary>True when the engine answers and is a swarm manager.</summary>
        public async Task<bool> IsManagerAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            if (!await images.IsAvailableAsync(timeout, cancellationToken).ConfigureAwait(false)) return false;
            try
            {
                await Client.Swarm.InspectSwarmAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DockerApiException)
            {
                return false;
            }
        }

        public static string ServiceName(string runId) => "primeway-" + runId;

        public async Task PrepareAsync(Workload workload, IRunListener listener, CancellationToken cancellationToken)
        {
            await images.PrepareAsync(workload, listener, cancellationToken).ConfigureAwait(false);
            lock (imageOfRun) imageOfRun[workload.RunId] = images.ImageOf(workload.RunId);
        }

        public async Task StartAsync(Workload workload, IRunListener listener, CancellationToken cancellationToken)
        {
            string image;
            lock (imageOfRun)
                if (!imageOfRun.TryGetValue(workload.RunId, out image!))
                    throw new InvalidOperationException("PrepareAsync must complete for run " + workload.RunId + " before StartAsync.");
            if (workload.DiskBytes != null)
                listener.OnWarning("job '" + workload.JobName + "': disk_space is not enforced by Swarm services; the job runs without a disk limit.");
            try
            {
                await Client.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = ServiceSpecFor(workload, image) }, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException e)
            {
                throw new EngineException("job '" + workload.JobName + "': the swarm refused its service: " + DockerBackend.EngineMessage(e), e);
            }
        }

        /// <summary>
        /// A deploy job's health endpoint as the task's health check, so the swarm replaces an unhealthy task and rolls
        /// back a bad update. It asks with whichever HTTP client the image has; an image with none passes the check
        /// and is watched by Primeway's own health polling alone.
        /// </summary>
        internal static HealthConfig? HealthCheckFor(Workload workload)
        {
            if (!workload.IsDeploy || workload.HealthUrl == null) return null;
            var url = workload.HealthUrl.ToString();
            var probe =
                "if command -v wget >/dev/null 2>&1; then wget -q -O /dev/null '" + url + "'; " +
                "elif command -v curl >/dev/null 2>&1; then curl -fsS -o /dev/null '" + url + "'; " +
                "elif command -v python3 >/dev/null 2>&1; then python3 -c 'import urllib.request; urllib.request.urlopen(\"" + url + "\", timeout=4)'; " +
                "else exit 0; fi";
            var grace = workload.Job.HealthCheckTimeout is int seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
            return new HealthConfig
            {
                Test = new List<string> { "CMD-SHELL", probe },
                Interval = TimeSpan.FromSeconds(5),
                Timeout = TimeSpan.FromSeconds(5),
                Retries = 3,
                StartPeriod = (long)grace.TotalMilliseconds * 1_000_000,
            };
        }

        /// <summary>The service for a workload: mode, command, env, labels, limits and reservations, placement, restarts.</summary>
        internal static ServiceSpec ServiceSpecFor(Workload workload, string image)
        {
            var resources = new ResourceRequirements
            {
                Limits = new SwarmLimit { MemoryBytes = workload.MemoryBytes ?? 0, NanoCPUs = workload.NanoCpus ?? 0 },
                Reservations = new SwarmResources { MemoryBytes = workload.MemoryBytes ?? 0, NanoCPUs = workload.NanoCpus ?? 0 },
            };
            var constraints = new List<string>();
            if (workload.GpuCount > 0)
            {
                resources.Reservations.GenericResources = new List<GenericResource>
                {
                    new GenericResource { DiscreteResourceSpec = new DiscreteGenericResource { Kind = GpuResourceKind, Value = workload.GpuCount } },
                };
                foreach (var gpu in workload.Job.GpuTypes)
                {
                    var model = GpuCatalog.Resolve(gpu.Type).Model;
                    if (model != null) constraints.Add("node.labels." + GpuNodeLabel + "==" + NodeLabelValue(model.Name));
                }
            }
            return new ServiceSpec
            {
                Name = ServiceName(workload.RunId),
                Labels = new Dictionary<string, string>(workload.Labels),
                Mode = workload.IsDeploy
                    ? new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } }
                    : new ServiceMode { ReplicatedJob = new ReplicatedJob { MaxConcurrent = 1, TotalCompletions = 1 } },
                TaskTemplate = new TaskSpec
                {
                    ContainerSpec = new global::Docker.DotNet.Models.ContainerSpec
                    {
                        Image = image,
                        Command = workload.Entrypoint?.ToList(),
                        Args = workload.Arguments?.ToList(),
                        Env = workload.Environment.Select(e => e.Key + "=" + e.Value).ToList(),
                        Labels = new Dictionary<string, string>(workload.Labels),
                        Healthcheck = HealthCheckFor(workload),
                        // Bind mounts are folders of the node the task lands on: shared storage, or a single node.
                        Mounts = workload.Mounts.Select(m => new global::Docker.DotNet.Models.Mount { Type = "bind", Source = m.HostPath, Target = m.ContainerPath, ReadOnly = m.ReadOnly }).ToList(),
                    },
                    Resources = resources,
                    RestartPolicy = workload.IsDeploy
                        ? new SwarmRestartPolicy { Condition = "any", Delay = 1_000_000_000, MaxAttempts = 0 }
                        : new SwarmRestartPolicy { Condition = "none" },
                    Placement = new Placement { Constraints = constraints },
                    // Host networking, as with the Docker backend: a deploy job listens on its node's port directly.
                    Networks = new List<NetworkAttachmentConfig> { new NetworkAttachmentConfig { Target = "host" } },
                },
                UpdateConfig = workload.IsDeploy
                    ? new SwarmUpdateConfig { Parallelism = 1, Order = "stop-first", FailureAction = "rollback" }
                    : null,
            };
        }

        /// <summary>A node label value for a GPU model: "A100 SXM" becomes A100-SXM.</summary>
        public static string NodeLabelValue(string model) => model.Replace(' ', '-');

        public async IAsyncEnumerable<LogLine> ReadLogsAsync(string runId, bool follow, DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var parameters = new ServiceLogsParameters
            {
                Follow = follow,
                ShowStdout = true,
                ShowStderr = true,
                Timestamps = true,
                Since = since?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            // A service's log stream stays open after its task ends; for a run job it is closed once the task has
            // ended and the stream has gone quiet, so followers end when the run does.
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var quiet = new QuietTimer(TimeSpan.FromSeconds(1));
            var closer = follow ? CloseWhenEndedAsync(runId, quiet, done) : Task.CompletedTask;
            MultiplexedStream stream;
            try
            {
                stream = await Client.Swarm.GetServiceLogsAsync(ServiceName(runId), false, parameters, done.Token).ConfigureAwait(false);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                yield break;
            }
            using (stream)
            {
                var lines = LogLineSplitter.ReadAsync(stream, done.Token).GetAsyncEnumerator(done.Token);
                try
                {
                    while (true)
                    {
                        bool more;
                        try { more = await lines.MoveNextAsync().ConfigureAwait(false); }
                        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { break; }
                        if (!more) break;
                        quiet.Touch();
                        yield return lines.Current;
                    }
                }
                finally
                {
                    await lines.DisposeAsync().ConfigureAwait(false);
                    done.Cancel();
                    try { await closer.ConfigureAwait(false); } catch (OperationCanceledException) { }
                }
            }
        }

        private async Task CloseWhenEndedAsync(string runId, QuietTimer quiet, CancellationTokenSource done)
        {
            var service = await FindServiceAsync(runId, done.Token).ConfigureAwait(false);
            if (service == null || service.Spec.Mode.ReplicatedJob == null) return;
            await WaitForExitAsync(runId, done.Token).ConfigureAwait(false);
            await quiet.WaitAsync(done.Token).ConfigureAwait(false);
            done.Cancel();
        }

        public async Task<RunExit> WaitForExitAsync(string runId, CancellationToken cancellationToken)
        {
            var pause = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                var task = await CurrentTaskAsync(runId, cancellationToken).ConfigureAwait(false);
                if (task == null && await FindServiceAsync(runId, cancellationToken).ConfigureAwait(false) == null)
                    return new RunExit(137, false);
                if (task != null && Ended.Contains(task.Status.State))
                    return new RunExit((int)(task.Status.ContainerStatus?.ExitCode ?? (task.Status.State == TaskState.Complete ? 0 : 1)), await WasOomKilledAsync(task, cancellationToken).ConfigureAwait(false));
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromMilliseconds(Math.Min(1000, pause.TotalMilliseconds * 1.5));
            }
        }

        /// <summary>The service's newest task: the one running now, or the one that ended last.</summary>
        private async Task<TaskResponse?> CurrentTaskAsync(string runId, CancellationToken cancellationToken)
        {
            var tasks = await Client.Tasks.ListAsync(new TasksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [ServiceName(runId)] = true } },
            }, cancellationToken).ConfigureAwait(false);
            return tasks.OrderByDescending(t => t.CreatedAt).FirstOrDefault();
        }

        private async Task<bool> WasOomKilledAsync(TaskResponse task, CancellationToken cancellationToken)
        {
            var id = task.Status.ContainerStatus?.ContainerID;
            if (string.IsNullOrEmpty(id)) return false;
            try
            {
                return (await Client.Containers.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false)).State.OOMKilled;
            }
            catch (DockerContainerNotFoundException)
            {
                return false; // on another node: the task's exit code (137) is all there is
            }
        }

        public async IAsyncEnumerable<RunStateChange> WatchAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            TaskState? last = null;
            while (!cancellationToken.IsCancellationRequested)
            {
                var task = await CurrentTaskAsync(runId, cancellationToken).ConfigureAwait(false);
                if (task == null) yield break;
                if (task.Status.State != last)
                {
                    last = task.Status.State;
                    if (task.Status.State == TaskState.Running) yield return new RunStateChange(runId, RunState.Running);
                    else if (Ended.Contains(task.Status.State))
                    {
                        var exit = await WaitForExitAsync(runId, cancellationToken).ConfigureAwait(false);
                        yield return new RunStateChange(runId, exit.OutOfMemory ? RunState.OutOfMemory : exit.ExitCode == 0 ? RunState.Succeeded : RunState.Failed, "exit code " + exit.ExitCode);
                        yield break;
                    }
                }
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>A deploy service restarts its own task (restart policy any); this waits until a new task runs.</summary>
        public async Task RestartAsync(string runId, CancellationToken cancellationToken)
        {
            while (true)
            {
                var task = await CurrentTaskAsync(runId, cancellationToken).ConfigureAwait(false);
                if (task == null || task.Status.State == TaskState.Running) return;
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// A run job's task container is stopped (SIGTERM, then kill), so its exit code stays readable; a deploy
        /// service, which would restart its task, is removed.
        /// </summary>
        public async Task StopAsync(string runId, TimeSpan grace, CancellationToken cancellationToken)
        {
            var service = await FindServiceAsync(runId, cancellationToken).ConfigureAwait(false);
            if (service == null) return;
            var task = await CurrentTaskAsync(runId, cancellationToken).ConfigureAwait(false);
            var container = task?.Status.ContainerStatus?.ContainerID;
            if (service.Spec.Mode.ReplicatedJob != null && !string.IsNullOrEmpty(container))
            {
                try
                {
                    await Client.Containers.StopContainerAsync(container,
                        new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Max(0, Math.Ceiling(grace.TotalSeconds)) }, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (DockerContainerNotFoundException) { } // on another node: removing the service stops it there
            }
            await RemoveAsync(runId, cancellationToken).ConfigureAwait(false);
        }

        public async Task RemoveAsync(string runId, CancellationToken cancellationToken)
        {
            lock (imageOfRun) imageOfRun.Remove(runId);
            try
            {
                await Client.Swarm.RemoveServiceAsync(ServiceName(runId), cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound) { }
        }

        public async Task<RunInfo?> InspectAsync(string runId, CancellationToken cancellationToken)
        {
            var service = await FindServiceAsync(runId, cancellationToken).ConfigureAwait(false);
            return service == null ? null : await ToRunInfoAsync(service, cancellationToken).ConfigureAwait(false);
        }

        public async Task<IReadOnlyList<RunInfo>> ListAsync(string? owner, CancellationToken cancellationToken)
        {
            var services = await Client.Swarm.ListServicesAsync(new ServicesListParameters
            {
                Filters = new ServiceFilter { Label = new[] { owner == null ? RunLabels.Run : RunLabels.Owner + "=" + owner } },
            }, cancellationToken).ConfigureAwait(false);
            var runs = new List<RunInfo>();
            foreach (var service in services.Where(s => s.Spec.Labels != null && s.Spec.Labels.ContainsKey(RunLabels.Run)))
                runs.Add(await ToRunInfoAsync(service, cancellationToken).ConfigureAwait(false));
            return runs;
        }

        private async Task<SwarmService?> FindServiceAsync(string runId, CancellationToken cancellationToken)
        {
            try
            {
                return await Client.Swarm.InspectServiceAsync(ServiceName(runId), cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }
        }

        private async Task<RunInfo> ToRunInfoAsync(SwarmService service, CancellationToken cancellationToken)
        {
            var labels = service.Spec.Labels ?? new Dictionary<string, string>();
            string Label(string key) => labels.TryGetValue(key, out var v) ? v : "";
            var runId = Label(RunLabels.Run);
            var task = await CurrentTaskAsync(runId, cancellationToken).ConfigureAwait(false);
            bool running = task == null || !Ended.Contains(task.Status.State) || service.Spec.Mode.ReplicatedJob == null;
            int? exitCode = running ? null : (int)(task!.Status.ContainerStatus?.ExitCode ?? 0);
            bool oom = !running && await WasOomKilledAsync(task!, cancellationToken).ConfigureAwait(false);
            return new RunInfo(runId, Label(RunLabels.Job), labels.ContainsKey(RunLabels.Owner) ? Label(RunLabels.Owner) : null,
                labels.ContainsKey(RunLabels.JobType) ? Label(RunLabels.JobType) : null, running, exitCode, oom, new Dictionary<string, string>(labels))
            {
                Node = task == null || string.IsNullOrEmpty(task.NodeID) ? null : await NodeNameAsync(task.NodeID, cancellationToken).ConfigureAwait(false),
            };
        }

        private async Task<string> NodeNameAsync(string nodeId, CancellationToken cancellationToken)
        {
            var node = await Client.Swarm.InspectNodeAsync(nodeId, cancellationToken).ConfigureAwait(false);
            return node.Description?.Hostname ?? nodeId;
        }

        public ValueTask DisposeAsync() => images.DisposeAsync();

        /// <summary>Completes once no line has arrived for the given time.</summary>
        private sealed class QuietTimer
        {
            private readonly TimeSpan quietFor;
            private long lastTouch = DateTime.UtcNow.Ticks;

            public QuietTimer(TimeSpan quietFor) => this.quietFor = quietFor;

            public void Touch() => Interlocked.Exchange(ref lastTouch, DateTime.UtcNow.Ticks);

            public async Task WaitAsync(CancellationToken cancellationToken)
            {
                while (true)
                {
                    var left = new DateTime(Interlocked.Read(ref lastTouch)) + quietFor - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero) return;
                    await Task.Delay(left, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
