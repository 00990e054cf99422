using System;

namespace Primeway.Engine
{
    /// <summary>The engine's knobs; the defaults suit people, tests shorten them.</summary>
    public sealed class EngineOptions
    {
        /// <summary>Label primeway.owner on every run, so several servers or users can share one engine.</summary>
        public string Owner { get; init; } = RunLabels.DefaultOwner;

        /// <summary>Between SIGTERM and SIGKILL when a run times out or is stopped.</summary>
        public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

        /// <summary>How long a deploy job may take to answer its health endpoint when health_check_timeout is not set.</summary>
        public TimeSpan DefaultHealthCheckTimeout { get; init; } = TimeSpan.FromMinutes(5);

        /// <summary>The first wait between health probes; it grows up to HealthProbeMaxInterval.</summary>
        public TimeSpan HealthProbeInterval { get; init; } = TimeSpan.FromMilliseconds(50);
        public TimeSpan HealthProbeMaxInterval { get; init; } = TimeSpan.FromSeconds(2);

        /// <summary>The first wait before restarting a crashed deploy job; it doubles up to RestartMaxDelay.</summary>
        public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);
        public TimeSpan RestartMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

        /// <summary>Leave the ended run's container for inspection instead of removing it.</summary>
        public bool KeepEndedRuns { get; init; }
    }
}
