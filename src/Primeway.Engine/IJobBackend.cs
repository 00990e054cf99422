using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.Engine
{
    /// <summary>
    /// Where workloads run. A run is named by its run id (Workload.RunId) and carries the labels of
    /// <see cref="RunLabels"/>, so a supervisor that restarts can list its runs and attach to them again.
    /// </summary>
    public interface IJobBackend : IAsyncDisposable
    {
        /// <summary>docker or process.</summary>
        string Name { get; }

        /// <summary>Makes what the run needs ready (pulls or builds the image), reporting progress to the listener.</summary>
        Task PrepareAsync(Workload workload, IRunListener listener, CancellationToken cancellationToken);

        /// <summary>Starts the workload; PrepareAsync must have succeeded for it.</summary>
        Task StartAsync(Workload workload, IRunListener listener, CancellationToken cancellationToken);

        /// <summary>The run's output from its start (or since a time, after a restart); with follow, until the run ends.</summary>
        IAsyncEnumerable<LogLine> ReadLogsAsync(string runId, bool follow, DateTimeOffset? since, CancellationToken cancellationToken);

        /// <summary>Completes when the run's process ends.</summary>
        Task<RunExit> WaitForExitAsync(string runId, CancellationToken cancellationToken);

        /// <summary>Running, then the end state, as they happen (OutOfMemory for a kernel OOM kill).</summary>
        IAsyncEnumerable<RunStateChange> WatchAsync(string runId, CancellationToken cancellationToken);

        /// <summary>Starts an ended run again, same workload (a deploy job's restart after a crash).</summary>
        Task RestartAsync(string runId, CancellationToken cancellationToken);

        /// <summary>Asks the run to stop (SIGTERM) and kills it when it is still running after the grace period.</summary>
        Task StopAsync(string runId, TimeSpan grace, CancellationToken cancellationToken);

        /// <summary>Removes what is left of an ended run; a missing run is not an error.</summary>
        Task RemoveAsync(string runId, CancellationToken cancellationToken);

        /// <summary>The run, or null when the backend does not know it.</summary>
        Task<RunInfo?> InspectAsync(string runId, CancellationToken cancellationToken);

        /// <summary>The runs carrying primeway labels, of one owner when given.</summary>
        Task<IReadOnlyList<RunInfo>> ListAsync(string? owner, CancellationToken cancellationToken);
    }
}
