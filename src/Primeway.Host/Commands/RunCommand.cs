using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Primeway.Engine;

namespace Primeway.Host.Commands
{
    /// <summary>
    /// primeway run FILE [--backend docker|process]: runs the job in this process, attached. stdout carries only
    /// the job's output; progress, warnings and states go to stderr. The exit code is the job's.
    /// </summary>
    internal static class RunCommand
    {
        public const int TimedOut = 124;
        /// <summary>The engine could not start the job (image missing, build failed, engine refused), as docker run uses it.</summary>
        public const int EngineFailed = 125;
        public const int OutOfMemory = 137;
        public const int Interrupted = 130;
        public const int Terminated = 143;

        public static Command Create(TextWriter stdout, TextWriter stderr)
        {
            var file = new Argument<string>("file") { Description = "The job file (one job), or a pipeline file (run here, step by step)." };
            var backend = new Option<string?>("--backend") { Description = "docker or process; default: docker when an engine answers, else process." };
            backend.AcceptOnlyFromAmong("docker", "swarm", "process");
            var server = RemoteCommands.ServerOption();
            server.Description = "Run the job on this server (token: PRIMEWAY_API_TOKEN) instead of in this process.";
            var detach = new Option<bool>("--detach", "-d") { Description = "Submit the job to the server (--server, else the configured or local one), print the run id and return." };
            var artifacts = new Option<string?>("--artifacts") { Description = "Pipelines: where the steps' artifacts go (default ./primeway-artifacts/<pipeline_name>-<time>)." };
            var command = new Command("run", "Run a job attached: stream its log and exit with its exit code (124 timeout, 137 out of memory). A pipeline file runs its steps here, in order.")
            {
                file,
                backend,
                server,
                detach,
                artifacts,
            };
            command.SetAction(result =>
            {
                var path = result.GetValue(file)!;
                if (File.Exists(path) && PipelineYaml.IsPipeline(File.ReadAllText(path)))
                {
                    if (result.GetValue(server) != null || result.GetValue(detach))
                    {
                        stderr.WriteLine("primeway: a pipeline runs here with primeway run; to run it on a server, POST it to /v1/pipeline-runs (PrimewayClient.StartPipelineAsync).");
                        return ExitCodes.UsageOrIo;
                    }
                    return RunPipeline(path, result.GetValue(backend), result.GetValue(artifacts), stdout, stderr);
                }
                if (result.GetValue(server) == null && !result.GetValue(detach)) return Run(path, result.GetValue(backend), stdout, stderr);
                if (result.GetValue(backend) != null) { stderr.WriteLine("primeway: --backend chooses the engine of a run in this process; a server has its own (primeway server --backend)."); return ExitCodes.UsageOrIo; }
                return ServerRun.Run(result.GetValue(file)!, result.GetValue(server), result.GetValue(detach), stdout, stderr);
            });
            return command;
        }

        /// <summary>Reads the one job of a file and prints its diagnostics; an exit code when it cannot be run.</summary>
        internal static (JobSpec? Job, int ExitCode) ReadOneJob(string path, TextWriter stderr, Action<string>? report = null)
        {
            report ??= stderr.WriteLine;
            if (!File.Exists(path))
            {
                stderr.WriteLine("primeway: no such file: " + path);
                return (null, ExitCodes.UsageOrIo);
            }
            var read = JobYaml.ReadFile(path);
            var validation = JobValidator.Validate(read);
            var diagnostics = read.Diagnostics.Concat(validation.SelectMany(v => v.Diagnostics)).OrderBy(d => d.Line).ThenBy(d => d.Column).Select(d => d.ToString()).Distinct().ToList();
            foreach (var d in diagnostics) report(d);
            if (read.Diagnostics.Any(d => d.Code == DiagnosticCodes.FileNotReadable)) return (null, ExitCodes.UsageOrIo);
            if (read.Diagnostics.Concat(validation.SelectMany(v => v.Diagnostics)).Any(d => d.IsError)) return (null, ExitCodes.Invalid);
            if (read.Jobs.Count != 1)
            {
                stderr.WriteLine("primeway: " + path + " holds " + read.Jobs.Count + " jobs (" + string.Join(", ", read.Jobs.Select(j => j.JobName))
                    + "); primeway run takes a file with one job. Put the job you want to run in its own file.");
                return (null, ExitCodes.UsageOrIo);
            }
            return (read.Jobs[0], ExitCodes.Success);
        }

        /// <summary>A pipeline file, step by step on this machine's engine; Ctrl+C stops the running steps.</summary>
        internal static int RunPipeline(string path, string? backendName, string? artifactsDirectory, TextWriter stdout, TextWriter stderr)
        {
            using var stop = new CancellationTokenSource();
            int signalExit = Interrupted;
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true;
                signalExit = context.Signal == PosixSignal.SIGTERM ? Terminated : Interrupted;
                stop.Cancel();
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            int code = RunPipelineAsync(path, backendName, artifactsDirectory, stdout, stderr, stop.Token).GetAwaiter().GetResult();
            return stop.IsCancellationRequested ? signalExit : code;
        }

        internal static int Run(string path, string? backendName, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            int signalExit = Interrupted;
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true; // keep the process alive until the container is stopped and removed
                signalExit = context.Signal == PosixSignal.SIGTERM ? Terminated : Interrupted;
                stop.Cancel();
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            try
            {
                return RunAsync(path, backendName, stdout, stderr, stop.Token, () => signalExit).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return signalExit;
            }
        }

        private static async Task<int> RunAsync(string path, string? backendName, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, Func<int> signalExit)
        {
            var listener = new ConsoleListener(stdout, stderr);
            var (job, exitCode) = ReadOneJob(path, stderr, listener.Report);
            if (job == null) return exitCode;
            try
            {
                await using var backend = await BackendSelector.SelectAsync(backendName, listener, cancellationToken).ConfigureAwait(false);
                var options = new EngineOptions();
                if (job.JobType == JobType.Deploy) return await DeployAsync(backend, job, listener, options, cancellationToken).ConfigureAwait(false);
                var result = await new JobRunner(backend, options).RunAsync(job, listener, cancellationToken).ConfigureAwait(false);
                switch (result.State)
                {
                    case RunState.TimedOut: listener.Report("primeway: " + result.Message); return TimedOut;
                    case RunState.OutOfMemory: listener.Report("primeway: " + result.Message); return OutOfMemory;
                    case RunState.Stopped: return signalExit();
                    default: return result.ExitCode;
                }
            }
            catch (EngineException e)
            {
                listener.Report("primeway: " + e.Message);
                return EngineFailed;
            }
        }

        private static async Task<int> RunPipelineAsync(string path, string? backendName, string? artifactsDirectory, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
        {
            var read = PipelineYaml.ReadFile(path);
            var listener = new ConsoleListener(stdout, stderr);
            var diagnostics = read.Diagnostics.ToList();
            if (read.Pipeline != null) diagnostics.AddRange(PipelineValidator.Validate(read.Pipeline).Diagnostics);
            foreach (var d in diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column)) listener.Report(d.ToString());
            if (diagnostics.Any(d => d.Code == DiagnosticCodes.FileNotReadable)) return ExitCodes.UsageOrIo;
            if (read.Pipeline == null || diagnostics.Any(d => d.IsError)) return ExitCodes.Invalid;
            var pipeline = read.Pipeline;
            var artifacts = Path.GetFullPath(artifactsDirectory ?? Path.Combine("primeway-artifacts",
                pipeline.PipelineName + "-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture)));
            Directory.CreateDirectory(artifacts);
            try
            {
                await using var backend = await BackendSelector.SelectAsync(backendName, listener, cancellationToken).ConfigureAwait(false);
                return await new LocalPipeline(pipeline, backend, artifacts, listener, stderr).RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (EngineException e)
            {
                listener.Report("primeway: " + e.Message);
                return EngineFailed;
            }
        }

        private static async Task<int> DeployAsync(IJobBackend backend, JobSpec job, ConsoleListener listener, EngineOptions options, CancellationToken cancellationToken)
        {
            await using var deployment = await Deployment.StartAsync(backend, job, listener, options, cancellationToken).ConfigureAwait(false);
            listener.Report("primeway: " + job.JobName + " is healthy at " + deployment.ServiceUrl + " (Ctrl+C stops it)");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { }
            listener.Report("primeway: stopping " + job.JobName);
            return ExitCodes.Success;
        }

        /// <summary>Job output to stdout and stderr as the job wrote it; everything else to stderr, each message once.</summary>
        private sealed class ConsoleListener : IRunListener
        {
            private readonly TextWriter stdout;
            private readonly TextWriter stderr;
            private readonly HashSet<string> reported = new HashSet<string>(StringComparer.Ordinal);
            private readonly object gate = new object();

            public ConsoleListener(TextWriter stdout, TextWriter stderr)
            {
                this.stdout = stdout;
                this.stderr = stderr;
            }

            public void OnLog(LogLine line)
            {
                lock (gate) (line.Stream == LogStream.Stdout ? stdout : stderr).WriteLine(line.Text);
            }

            public void OnProgress(string message) => Write(message);

            // The run-time warnings repeat the validation warnings already printed; each is shown once.
            public void OnWarning(string message) => Report(message.StartsWith("<job>", StringComparison.Ordinal) || message.Contains(": warning ") ? message : "primeway: warning: " + message);

            public void OnStateChanged(RunStateChange change)
            {
                if (change.State == RunState.Restarting || change.State == RunState.Unhealthy) Write("primeway: " + change.Message);
            }

            public void Report(string message)
            {
                lock (gate) if (!reported.Add(message)) return;
                Write(message);
            }

            private void Write(string message)
            {
                lock (gate) stderr.WriteLine(message);
            }
        }
    }
}
