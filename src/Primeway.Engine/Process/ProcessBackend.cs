using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.Engine.Process
{
    /// <summary>
    /// Runs workloads as processes on this machine, for machines with no container engine: the command runs in
    /// the project directory with the job's env. There is no image, so docker_image, apt_packages, requirements
    /// and resource limits are not applied, which it says once. Runs live only as long as this object.
    /// </summary>
    public sealed class ProcessBackend : IJobBackend
    {
        private readonly ConcurrentDictionary<string, HostProcess> runs = new ConcurrentDictionary<string, HostProcess>();
        private readonly ConcurrentDictionary<string, Workload> workloads = new ConcurrentDictionary<string, Workload>();
        private int warned;

        public string Name => "process";

        public Task PrepareAsync(Workload workload, IRunListener listener, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref warned, 1) == 0)
                listener.OnWarning("the process backend runs jobs on this machine without a container: docker_image, apt_packages, requirements and the resource limits (memory, cpu_count, disk_space, gpu_types) are not applied.");
            if (workload.HostCommand.Count == 0)
                throw new EngineException("job '" + workload.JobName + "': nothing to run on this machine: without a container there is no image entrypoint. Add command or entry_script.");
            return Task.CompletedTask;
        }

        public Task StartAsync(Workload workload, IRunListener listener, CancellationToken cancellationToken)
        {
            var process = HostProcess.Start(workload);
            if (!runs.TryAdd(workload.RunId, process))
            {
                process.Kill();
                throw new InvalidOperationException("run " + workload.RunId + " is already started.");
            }
            workloads[workload.RunId] = workload;
            return Task.CompletedTask;
        }

        public async IAsyncEnumerable<LogLine> ReadLogsAsync(string runId, bool follow, DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var process = Get(runId);
            await foreach (var line in process.ReadLinesAsync(follow, cancellationToken).ConfigureAwait(false))
                if (since == null || line.Timestamp >= since) yield return line;
        }

        public Task<RunExit> WaitForExitAsync(string runId, CancellationToken cancellationToken) => Get(runId).WaitAsync(cancellationToken);

        public async IAsyncEnumerable<RunStateChange> WatchAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            while (true)
            {
                var process = Get(runId);
                if (!process.HasExited) yield return new RunStateChange(runId, RunState.Running);
                var exit = await process.WaitAsync(cancellationToken).ConfigureAwait(false);
                yield return new RunStateChange(runId, exit.ExitCode == 0 ? RunState.Succeeded : RunState.Failed, "exit code " + exit.ExitCode);
                // A restart replaces the process under the same run id; watch that one next.
                while (runs.TryGetValue(runId, out var current) && ReferenceEquals(current, process))
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                if (!runs.ContainsKey(runId))
                {
                    yield return new RunStateChange(runId, RunState.Stopped, "removed");
                    yield break;
                }
            }
        }

        public Task RestartAsync(string runId, CancellationToken cancellationToken)
        {
            var workload = workloads.TryGetValue(runId, out var w) ? w : throw Unknown(runId);
            runs[runId] = HostProcess.Start(workload);
            return Task.CompletedTask;
        }

        public Task StopAsync(string runId, TimeSpan grace, CancellationToken cancellationToken) =>
            runs.TryGetValue(runId, out var process) ? process.StopAsync(grace, cancellationToken) : Task.CompletedTask;

        public Task RemoveAsync(string runId, CancellationToken cancellationToken)
        {
            if (runs.TryRemove(runId, out var process)) process.Kill();
            workloads.TryRemove(runId, out _);
            return Task.CompletedTask;
        }

        public Task<RunInfo?> InspectAsync(string runId, CancellationToken cancellationToken) =>
            Task.FromResult(runs.TryGetValue(runId, out var p) && workloads.TryGetValue(runId, out var w) ? Info(w, p) : null);

        public Task<IReadOnlyList<RunInfo>> ListAsync(string? owner, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RunInfo>>(workloads.Values
                .Where(w => owner == null || w.Labels.GetValueOrDefault(RunLabels.Owner) == owner)
                .Select(w => runs.TryGetValue(w.RunId, out var p) ? Info(w, p) : null)
                .OfType<RunInfo>()
                .ToList());

        private static RunInfo Info(Workload w, HostProcess p) =>
            new RunInfo(w.RunId, w.JobName, w.Labels.GetValueOrDefault(RunLabels.Owner), w.Labels.GetValueOrDefault(RunLabels.JobType),
                !p.HasExited, p.HasExited ? p.ExitCode : null, false, w.Labels);

        private HostProcess Get(string runId) => runs.TryGetValue(runId, out var p) ? p : throw Unknown(runId);

        private static InvalidOperationException Unknown(string runId) => new InvalidOperationException("the process backend has no run " + runId + ".");

        public ValueTask DisposeAsync()
        {
            foreach (var process in runs.Values) process.Kill();
            runs.Clear();
            return default;
        }
    }
}
