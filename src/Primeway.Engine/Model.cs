using System;
using System.Collections.Generic;

namespace Primeway.Engine
{
    /// <summary>Where a run is in its life. Deploy runs pass through Healthy and may go back to Restarting.</summary>
    public enum RunState
    {
        Preparing,
        Starting,
        Running,
        Healthy,
        Unhealthy,
        Restarting,
        Succeeded,
        Failed,
        TimedOut,
        OutOfMemory,
        Stopped,
    }

    public enum LogStream
    {
        Stdout,
        Stderr,
    }

    /// <summary>One line a job wrote, without its line break; Timestamp is when the engine received it.</summary>
    public sealed record LogLine(LogStream Stream, string Text, DateTimeOffset Timestamp);

    /// <summary>A change of state of one run, with a sentence for people (the last health failure, the exit code).</summary>
    public sealed record RunStateChange(string RunId, RunState State, string? Message = null);

    /// <summary>How a workload ended: its exit code and whether the kernel killed it for memory.</summary>
    public sealed record RunExit(int ExitCode, bool OutOfMemory);

    /// <summary>What an engine knows of one run, found again from its labels (after a restart, too).</summary>
    public sealed record RunInfo(
        string RunId,
        string JobName,
        string? Owner,
        string? JobType,
        bool IsRunning,
        int? ExitCode,
        bool OutOfMemory,
        IReadOnlyDictionary<string, string> Labels)
    {
        /// <summary>The node the run's task landed on, for cluster backends (Swarm); null on a single engine.</summary>
        public string? Node { get; init; }
    }

    /// <summary>The end of an attached run job.</summary>
    public sealed record RunResult(string RunId, RunState State, int ExitCode, string? Message = null)
    {
        public bool TimedOut => State == RunState.TimedOut;
        public bool OutOfMemory => State == RunState.OutOfMemory;
    }

    /// <summary>The labels that tie a container to its job and run; a server finds its runs again by them.</summary>
    public static class RunLabels
    {
        public const string Job = "primeway.job";
        public const string Run = "primeway.run";
        public const string Owner = "primeway.owner";
        public const string JobType = "primeway.job-type";
        public const string DefaultOwner = "primeway";
    }

    /// <summary>Receives what happens during a run: log lines, state changes, pull and build progress, warnings.</summary>
    public interface IRunListener
    {
        void OnLog(LogLine line) { }
        void OnStateChanged(RunStateChange change) { }
        /// <summary>Pull and build output: for people, not part of the job's log.</summary>
        void OnProgress(string message) { }
        void OnWarning(string message) { }
    }

    /// <summary>A listener that ignores everything.</summary>
    public sealed class NullRunListener : IRunListener
    {
        public static NullRunListener Instance { get; } = new NullRunListener();
    }

    /// <summary>An error the user can act on: the job, what went wrong, and how to fix it.</summary>
    public sealed class EngineException : Exception
    {
        public EngineException(string message, Exception? inner = null) : base(message, inner) { }
    }
}
