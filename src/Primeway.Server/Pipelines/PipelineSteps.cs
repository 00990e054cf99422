using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Primeway.Engine;
using Primeway.Server.Runs;
using Primeway.Server.Store;

namespace Primeway.Server.Pipelines
{
    /// <summary>Where each step of a pipeline run stands, worked out from its step runs: nothing about steps is stored besides the runs.</summary>
    public static class PipelineSteps
    {
        public const string Waiting = "waiting";
        public const string Ready = "ready";
        public const string Skipped = "skipped";

        public static PipelineSpec Parse(PipelineRunRecord run) =>
            PipelineYaml.Read(run.Yaml, "pipeline run " + run.Id).Pipeline ?? throw new InvalidOperationException("pipeline run " + run.Id + " holds no pipeline");

        /// <summary>The latest run of each step that has one.</summary>
        public static Dictionary<string, RunRecord> LatestRuns(IEnumerable<RunRecord> stepRuns)
        {
            var latest = new Dictionary<string, RunRecord>(StringComparer.Ordinal);
            foreach (var run in stepRuns)
                if (run.StepId != null) latest[run.StepId] = run;
            return latest;
        }

        /// <summary>
        /// Each step's status: its run's status; else skipped when a step it waits for did not complete (or the
        /// pipeline is stopping), ready when all of them completed, waiting otherwise.
        /// </summary>
        public static Dictionary<string, string> Statuses(PipelineSpec pipeline, IReadOnlyDictionary<string, RunRecord> runs, bool stopping)
        {
            var steps = pipeline.Steps.Where(s => s.Id != null).ToDictionary(s => s.Id!, StringComparer.Ordinal);
            var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
            string Of(string id)
            {
                if (statuses.TryGetValue(id, out var known)) return known;
                string status;
                if (runs.TryGetValue(id, out var run)) status = run.Status;
                else if (stopping) status = Skipped;
                else
                {
                    var before = steps[id].Prerequisites.Where(steps.ContainsKey).Select(Of).ToList();
                    status = before.Any(s => s != RunStatus.Completed && (RunStatus.IsFinished(s) || s == Skipped)) ? Skipped
                        : before.All(s => s == RunStatus.Completed) ? Ready
                        : Waiting;
                }
                return statuses[id] = status;
            }
            foreach (var id in steps.Keys) Of(id);
            return statuses;
        }

        /// <summary>A step still under way: its run is active, except a deploy step that is up and healthy, which is the pipeline's result.</summary>
        public static bool IsActive(string status, RunRecord? run) =>
            status == Ready || (run != null && !RunStatus.IsFinished(run.Status) && !(run.JobType == "deploy" && run.HealthStatus == "healthy"));
    }

    /// <summary>Binds the artifacts of a step's inputs into its container, read-only, at /&lt;step id&gt;/.</summary>
    public sealed class StepInputs
    {
        private readonly IStore store;
        private readonly RunArtifacts artifacts;

        public StepInputs(IStore store, RunArtifacts artifacts)
        {
            this.store = store;
            this.artifacts = artifacts;
        }

        public async Task AddAsync(RunRecord run, Workload workload, CancellationToken ct)
        {
            if (run.PipelineRunId == null || run.StepId == null) return;
            var pipelineRun = await store.GetAnyPipelineRunAsync(run.PipelineRunId, ct).ConfigureAwait(false)
                ?? throw new EngineException("its pipeline run " + run.PipelineRunId + " is gone.");
            var step = PipelineSteps.Parse(pipelineRun).Steps.First(s => s.Id == run.StepId);
            var runs = PipelineSteps.LatestRuns(await store.ListStepRunsAsync(pipelineRun.Id, ct).ConfigureAwait(false));
            foreach (var input in step.Inputs)
            {
                if (!runs.TryGetValue(input, out var source) || source.Status != RunStatus.Completed || !artifacts.Has(source.Id))
                    throw new EngineException("input step '" + input + "' has no completed run with artifacts.");
                workload.Mounts.Add(new VolumeMount(artifacts.DirectoryOf(source.Id), "/" + input, ReadOnly: true));
            }
        }
    }
}
