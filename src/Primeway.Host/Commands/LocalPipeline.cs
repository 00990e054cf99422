using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Primeway.Engine;
using Primeway.Server.Runs;

namespace Primeway.Host.Commands
{
    /// <summary>
    /// primeway run PIPELINE: runs a pipeline file's steps on this machine's engine, each as soon as the steps it
    /// waits for have completed, side by side where they do not wait for each other. Each step's artifacts go to
    /// ARTIFACTS/&lt;step id&gt;/ and are bound read-only at /&lt;step id&gt;/ into the steps that list it in inputs.
    /// A failure skips what depends on it. A deploy step (only the last) is kept up until Ctrl+C.
    /// </summary>
    internal sealed class LocalPipeline
    {
        private readonly PipelineSpec pipeline;
        private readonly IJobBackend backend;
        private readonly string artifacts;
        private readonly IRunListener listener;
        private readonly TextWriter stderr;

        public LocalPipeline(PipelineSpec pipeline, IJobBackend backend, string artifacts, IRunListener listener, TextWriter stderr)
        {
            this.pipeline = pipeline;
            this.backend = backend;
            this.artifacts = artifacts;
            this.listener = listener;
            this.stderr = stderr;
        }

        /// <summary>0 when every step completed; else the exit code of the first step that failed (1 when it has none).</summary>
        public async Task<int> RunAsync(CancellationToken ct)
        {
            var results = new Dictionary<string, int?>(StringComparer.Ordinal); // exit code, or null when skipped
            var running = new Dictionary<Task<int>, PipelineStep>();
            int? firstFailure = null;
            while (true)
            {
                foreach (var step in pipeline.Steps.Where(s => !results.ContainsKey(s.Id!) && !running.ContainsValue(s)))
                {
                    var before = step.WaitsFor.ToList();
                    if (before.Any(id => results.TryGetValue(id, out var code) && code != 0))
                    {
                        results[step.Id!] = null;
                        Say("step " + step.Id + " skipped: " + string.Join(", ", before.Where(id => results.TryGetValue(id, out var c) && c != 0)) + " did not complete.");
                    }
                    else if (before.All(id => results.TryGetValue(id, out var code) && code == 0) && !ct.IsCancellationRequested)
                    {
                        Say("step " + step.Id + " starting.");
                        running[RunStepAsync(step, ct)] = step;
                    }
                }
                if (running.Count == 0) break;
                var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
                var finished = running[done];
                running.Remove(done);
                int exit;
                try { exit = await done.ConfigureAwait(false); }
                catch (EngineException e)
                {
                    Say("step " + finished.Id + ": " + e.Message);
                    exit = RunCommand.EngineFailed;
                }
                results[finished.Id!] = exit;
                Say("step " + finished.Id + (exit == 0 ? " completed." : " failed with exit code " + exit + "."));
                if (exit != 0 && firstFailure == null) firstFailure = exit;
            }
            var skipped = pipeline.Steps.Count(s => !results.TryGetValue(s.Id!, out var code) || code == null);
            Say("pipeline " + pipeline.PipelineName + (firstFailure == null && skipped == 0 ? " completed" : " failed") + "; artifacts in " + artifacts + ".");
            return firstFailure ?? (skipped > 0 ? 1 : 0);
        }

        private async Task<int> RunStepAsync(PipelineStep step, CancellationToken ct)
        {
            var own = Path.Combine(artifacts, step.Id!);
            Directory.CreateDirectory(own);
            // The same places and variables as on a server, so a step behaves alike in both (a host process finds them through the variables).
            var mounts = new List<WorkloadMount>();
            if (step.Job.JobType == JobType.Run) mounts.Add(new WorkloadMount(own, step.Job.ArtifactsPath ?? "/primeway-artifacts", ReadOnly: false, Artifacts.Variable));
            mounts.AddRange(step.Inputs.Select(input => new WorkloadMount(Path.Combine(artifacts, input), "/" + input, ReadOnly: true, Artifacts.InputVariable(input))));
            var stepListener = new StepListener(listener, step.Id!);
            if (step.Job.JobType == JobType.Deploy)
            {
                var workload = WorkloadPlanner.Plan(step.Job, null, null, mounts);
                await using var deployment = await Deployment.StartAsync(backend, workload, stepListener, new EngineOptions(), ct).ConfigureAwait(false);
                Say("step " + step.Id + " is healthy at " + deployment.ServiceUrl + " (Ctrl+C stops it)");
                try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
                return 0;
            }
            var result = await new JobRunner(backend).RunAsync(step.Job, mounts, stepListener, ct).ConfigureAwait(false);
            return result.State == RunState.Succeeded ? 0 : result.State == RunState.TimedOut ? RunCommand.TimedOut
                : result.State == RunState.OutOfMemory ? RunCommand.OutOfMemory : result.ExitCode == 0 ? 1 : result.ExitCode;
        }

        private void Say(string message)
        {
            lock (stderr) stderr.WriteLine("primeway: " + message);
        }

        /// <summary>Marks each line of a step's output with the step, since steps run side by side.</summary>
        private sealed class StepListener : IRunListener
        {
            private readonly IRunListener inner;
            private readonly string prefix;

            public StepListener(IRunListener inner, string stepId)
            {
                this.inner = inner;
                prefix = "[" + stepId + "] ";
            }

            public void OnLog(LogLine line) => inner.OnLog(line with { Text = prefix + line.Text });
            public void OnStateChanged(RunStateChange change) => inner.OnStateChanged(change with { Message = change.Message == null ? null : prefix + change.Message });
            public void OnProgress(string message) => inner.OnProgress(prefix + message);
            public void OnWarning(string message) => inner.OnWarning(prefix + message);
        }
    }
}
