using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.Engine.Process
{
    /// <summary>One started host process: its output kept as lines (for late readers), its exit, and how to stop it.</summary>
    internal sealed class HostProcess
    {
        private readonly System.Diagnostics.Process process;
        private readonly List<LogLine> lines = new List<LogLine>();
        private readonly object gate = new object();
        private TaskCompletionSource changed = NewSignal();
        private readonly Task<RunExit> exited;

        private HostProcess(System.Diagnostics.Process process)
        {
            this.process = process;
            var stdout = PumpAsync(process.StandardOutput, LogStream.Stdout);
            var stderr = PumpAsync(process.StandardError, LogStream.Stderr);
            exited = WaitForEndAsync(stdout, stderr);
        }

        public static HostProcess Start(Workload workload)
        {
            var info = new ProcessStartInfo(workload.HostCommand[0])
            {
                WorkingDirectory = workload.HostDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var arg in System.Linq.Enumerable.Skip(workload.HostCommand, 1)) info.ArgumentList.Add(arg);
            foreach (var pair in workload.Environment) info.Environment[pair.Key] = pair.Value;
            // No container to mount into: a host process finds its folders where they are, through the same variables.
            foreach (var mount in workload.Mounts)
                if (mount.EnvironmentName != null) info.Environment[mount.EnvironmentName] = mount.HostPath;
            try
            {
                var process = System.Diagnostics.Process.Start(info) ?? throw new EngineException("job '" + workload.JobName + "': the process did not start.");
                process.StandardInput.Close();
                return new HostProcess(process);
            }
            catch (Win32Exception e)
            {
                throw new EngineException("job '" + workload.JobName + "': cannot run '" + workload.HostCommand[0] + "' in " + workload.HostDirectory + ": " + e.Message
                    + ". Install it on this machine or use the docker backend.", e);
            }
        }

        public bool HasExited => exited.IsCompleted;
        public int ExitCode => exited.IsCompletedSuccessfully ? exited.Result.ExitCode : -1;

        public Task<RunExit> WaitAsync(CancellationToken cancellationToken) => exited.WaitAsync(cancellationToken);

        public async IAsyncEnumerable<LogLine> ReadLinesAsync(bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            int next = 0;
            while (true)
            {
                Task signal;
                LogLine[] batch;
                lock (gate)
                {
                    batch = lines.GetRange(next, lines.Count - next).ToArray();
                    next = lines.Count;
                    signal = changed.Task;
                }
                foreach (var line in batch) yield return line;
                if (batch.Length > 0) continue;
                if (!follow || exited.IsCompleted) yield break;
                await Task.WhenAny(signal, exited).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>SIGTERM first; the whole process tree is killed when it outlives the grace period.</summary>
        public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
        {
            if (HasExited) return;
            if (!OperatingSystem.IsWindows()) SendSigterm(process.Id);
            try
            {
                await exited.WaitAsync(grace, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Kill();
                await exited.ConfigureAwait(false);
            }
        }

        public void Kill()
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException) { } // already gone
        }

        private async Task PumpAsync(StreamReader reader, LogStream stream)
        {
            string? text;
            while ((text = await reader.ReadLineAsync().ConfigureAwait(false)) != null)
            {
                TaskCompletionSource toSignal;
                lock (gate)
                {
                    lines.Add(new LogLine(stream, text, DateTimeOffset.UtcNow));
                    toSignal = changed;
                    changed = NewSignal();
                }
                toSignal.TrySetResult();
            }
        }

        private async Task<RunExit> WaitForEndAsync(Task stdout, Task stderr)
        {
            await process.WaitForExitAsync().ConfigureAwait(false);
            // A child that outlives the shell can hold the pipes open; its output is not worth hanging for.
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
            return new RunExit(process.ExitCode, false);
        }

        private static TaskCompletionSource NewSignal() => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int NativeKill(int pid, int signal);

        private static void SendSigterm(int pid) => NativeKill(pid, 15);
    }
}
