using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Primeway.Engine.Docker
{
    /// <summary>Runs workloads as containers on a Docker engine (DOCKER_HOST, else the local unix socket).</summary>
    public sealed class DockerBackend : IJobBackend
    {
        private readonly Lazy<DockerClient> client;
        private readonly ConcurrentDictionary<string, string> imageOfRun = new ConcurrentDictionary<string, string>();
        private readonly SemaphoreSlim probeLock = new SemaphoreSlim(1, 1);
        private bool? engineHasBridge;
        private bool diskQuotaUnsupported;
        private int diskQuotaWarned;

        public DockerBackend(string? dockerHost = null)
        {
            Endpoint = DockerEndpoint.Resolve(dockerHost);
            // Made on first use, so choosing a backend or loading the engine costs nothing until a job runs.
            client = new Lazy<DockerClient>(() => new DockerClientConfiguration(Endpoint).CreateClient());
        }

        public string Name => "docker";
        public Uri Endpoint { get; }
        internal DockerClient Client => client.Value;

        /// <summary>The image PrepareAsync made ready for the run (pulled or built).</summary>
        internal string ImageOf(string runId) =>
            imageOfRun.TryGetValue(runId, out var image) ? image : throw new InvalidOperationException("PrepareAsync must complete for run " + runId + " first.");

        /// <summary>True when the engine answers a ping within the timeout.</summary>
        public async Task<bool> IsAvailableAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            try
            {
                await Client.System.PingAsync(cts.Token).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        public async Task PrepareAsync(Workload workload, IRunListener listener, CancellationToken cancellationToken)
        {
            string image = !ImageBuilder.IsNeeded(workload)
                ? await new ImageStore(Client).EnsureAsync(workload.JobName, workload.Image, listener, cancellationToken).ConfigureAwait(false)
                : await new ImageBuilder(Client).EnsureAsync(workload, listener, cancellationToken).ConfigureAwait(false);
            imageOfRun[workload.RunId] = image;
        }

        public async Task StartAsync(Workload workload, IRunListener listener, CancellationToken cancellationToken)
        {
            if (!imageOfRun.TryGetValue(workload.RunId, out var image))
                throw new InvalidOperationException("PrepareAsync must complete for run " + workload.RunId + " before StartAsync.");
            bool bridge = await EngineHasBridgeAsync(cancellationToken).ConfigureAwait(false);
            var parameters = ContainerSpec.Create(workload, image, hostNetwork: !bridge, withDiskQuota: !diskQuotaUnsupported);
            await CreateAsync(workload, parameters, listener, cancellationToken).ConfigureAwait(false);
            await Client.Containers.StartContainerAsync(ContainerName(workload.RunId), new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
        }

        private async Task CreateAsync(Workload workload, CreateContainerParameters parameters, IRunListener listener, CancellationToken cancellationToken)
        {
            try
            {
                await Client.Containers.CreateContainerAsync(parameters, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException e) when (parameters.HostConfig.StorageOpt != null && IsDiskQuotaRefusal(e))
            {
                diskQuotaUnsupported = true;
                WarnDiskQuota(workload, listener, e);
                parameters.HostConfig.StorageOpt = null;
                await Client.Containers.CreateContainerAsync(parameters, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException e)
            {
                throw new EngineException("job '" + workload.JobName + "': the Docker engine refused to create its container: " + EngineMessage(e), e);
            }
        }

        private void WarnDiskQuota(Workload workload, IRunListener listener, DockerApiException e)
        {
            if (Interlocked.Exchange(ref diskQuotaWarned, 1) != 0) return;
            listener.OnWarning("job '" + workload.JobName + "': disk_space cannot be enforced on this Docker engine (" + EngineMessage(e).TrimEnd('.')
                + "); the job runs without a disk limit. A writable-layer limit needs the overlay2 driver on xfs mounted with pquota.");
        }

        private static bool IsDiskQuotaRefusal(DockerApiException e)
        {
            var text = e.ResponseBody ?? e.Message;
            return text.Contains("storage-opt", StringComparison.OrdinalIgnoreCase)
                || text.Contains("storage opt", StringComparison.OrdinalIgnoreCase)
                || text.Contains("quota", StringComparison.OrdinalIgnoreCase);
        }

        internal static string EngineMessage(DockerApiException e)
        {
            var body = e.ResponseBody;
            if (string.IsNullOrWhiteSpace(body)) return e.Message;
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(body);
                if (json.RootElement.TryGetProperty("message", out var message)) return message.GetString() ?? body;
            }
            catch (System.Text.Json.JsonException) { }
            return body.Trim();
        }

        private async Task<bool> EngineHasBridgeAsync(CancellationToken cancellationToken)
        {
            if (engineHasBridge is bool known) return known;
            await probeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (engineHasBridge is bool again) return again;
                var networks = await Client.Networks.ListNetworksAsync(new NetworksListParameters(), cancellationToken).ConfigureAwait(false);
                engineHasBridge = networks.Any(n => n.Name == "bridge" && n.Driver == "bridge");
                return engineHasBridge.Value;
            }
            finally
            {
                probeLock.Release();
            }
        }

        public async IAsyncEnumerable<LogLine> ReadLogsAsync(string runId, bool follow, DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var parameters = new ContainerLogsParameters
            {
                Follow = follow,
                ShowStdout = true,
                ShowStderr = true,
                Timestamps = true,
                Since = since?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            using var stream = await Client.Containers.GetContainerLogsAsync(ContainerName(runId), false, parameters, cancellationToken).ConfigureAwait(false);
            await foreach (var line in LogLineSplitter.ReadAsync(stream, cancellationToken).ConfigureAwait(false)) yield return line;
        }

        public async Task<RunExit> WaitForExitAsync(string runId, CancellationToken cancellationToken)
        {
            var name = ContainerName(runId);
            var waited = await Client.Containers.WaitContainerAsync(name, cancellationToken).ConfigureAwait(false);
            var state = (await Client.Containers.InspectContainerAsync(name, cancellationToken).ConfigureAwait(false)).State;
            return new RunExit((int)waited.StatusCode, state.OOMKilled);
        }

        public async IAsyncEnumerable<RunStateChange> WatchAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var changes = Channel.CreateUnbounded<RunStateChange>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var parameters = new ContainerEventsParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["label"] = new Dictionary<string, bool> { [RunLabels.Run + "=" + runId] = true },
                },
            };
            bool oom = false;
            var progress = new SyncProgress<Message>(m =>
            {
                switch (m.Action)
                {
                    case "start": changes.Writer.TryWrite(new RunStateChange(runId, RunState.Running)); break;
                    case "oom": oom = true; break;
                    case "die":
                        var code = m.Actor?.Attributes != null && m.Actor.Attributes.TryGetValue("exitCode", out var c) && int.TryParse(c, out var n) ? n : -1;
                        var state = oom ? RunState.OutOfMemory : code == 0 ? RunState.Succeeded : RunState.Failed;
                        changes.Writer.TryWrite(new RunStateChange(runId, state, "exit code " + code));
                        oom = false;
                        break;
                    case "destroy":
                        changes.Writer.TryWrite(new RunStateChange(runId, RunState.Stopped, "removed"));
                        changes.Writer.TryComplete();
                        break;
                }
            });
            var monitor = Client.System.MonitorEventsAsync(parameters, progress, stop.Token)
                .ContinueWith(_ => changes.Writer.TryComplete(), TaskScheduler.Default);
            // Events only tell what happens from now: a run already running or ended is reported first.
            var now = await InspectAsync(runId, cancellationToken).ConfigureAwait(false);
            if (now != null)
                yield return new RunStateChange(runId, now.IsRunning ? RunState.Running : now.OutOfMemory ? RunState.OutOfMemory : now.ExitCode == 0 ? RunState.Succeeded : RunState.Failed);
            try
            {
                await foreach (var change in changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return change;
            }
            finally
            {
                stop.Cancel();
                await monitor.ConfigureAwait(false);
            }
        }

        public Task RestartAsync(string runId, CancellationToken cancellationToken) =>
            Client.Containers.StartContainerAsync(ContainerName(runId), new ContainerStartParameters(), cancellationToken);

        public async Task StopAsync(string runId, TimeSpan grace, CancellationToken cancellationToken)
        {
            try
            {
                await Client.Containers.StopContainerAsync(ContainerName(runId),
                    new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Max(0, Math.Ceiling(grace.TotalSeconds)) }, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerContainerNotFoundException) { }
        }

        public async Task RemoveAsync(string runId, CancellationToken cancellationToken)
        {
            imageOfRun.TryRemove(runId, out _);
            try
            {
                await Client.Containers.RemoveContainerAsync(ContainerName(runId), new ContainerRemoveParameters { Force = true }, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerContainerNotFoundException) { }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict) { } // removal already in progress
        }

        public async Task<RunInfo?> InspectAsync(string runId, CancellationToken cancellationToken)
        {
            try
            {
                var c = await Client.Containers.InspectContainerAsync(ContainerName(runId), cancellationToken).ConfigureAwait(false);
                return ToRunInfo(c.Config.Labels, c.State.Running, c.State.ExitCode, c.State.OOMKilled);
            }
            catch (DockerContainerNotFoundException)
            {
                return null;
            }
        }

        public async Task<IReadOnlyList<RunInfo>> ListAsync(string? owner, CancellationToken cancellationToken)
        {
            var labels = new Dictionary<string, bool> { [RunLabels.Run] = true };
            if (owner != null) labels[RunLabels.Owner + "=" + owner] = true;
            var containers = await Client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels },
            }, cancellationToken).ConfigureAwait(false);
            var runs = new List<RunInfo>();
            foreach (var c in containers)
            {
                bool running = c.State == "running";
                // The list does not carry exit codes or OOM kills; ended runs are inspected for them.
                var info = running ? ToRunInfo(c.Labels, true, 0, false) : await InspectAsync(c.Labels[RunLabels.Run], cancellationToken).ConfigureAwait(false);
                if (info != null) runs.Add(info);
            }
            return runs;
        }

        private static RunInfo ToRunInfo(IDictionary<string, string> labels, bool running, long exitCode, bool oom)
        {
            labels ??= new Dictionary<string, string>();
            string Label(string key) => labels.TryGetValue(key, out var v) ? v : "";
            return new RunInfo(Label(RunLabels.Run), Label(RunLabels.Job), labels.ContainsKey(RunLabels.Owner) ? Label(RunLabels.Owner) : null,
                labels.ContainsKey(RunLabels.JobType) ? Label(RunLabels.JobType) : null,
                running, running ? null : (int)exitCode, oom, new Dictionary<string, string>(labels));
        }

        /// <summary>The container's name: the run id, prefixed so primeway's containers stand out in docker ps.</summary>
        public static string ContainerName(string runId) => "primeway-" + runId;

        public ValueTask DisposeAsync()
        {
            if (client.IsValueCreated) client.Value.Dispose();
            probeLock.Dispose();
            return default;
        }
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool and can reorder).</summary>
    internal sealed class SyncProgress<T> : IProgress<T>
    {
        private readonly Action<T> report;
        public SyncProgress(Action<T> report) => this.report = report;
        public void Report(T value) => report(value);
    }
}
