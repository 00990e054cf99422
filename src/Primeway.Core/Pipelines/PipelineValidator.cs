using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Primeway
{
    /// <summary>A pipeline's findings: its own (ids, references, cycles, the deploy step) and each step's job.</summary>
    public sealed class PipelineValidationResult
    {
        internal PipelineValidationResult(PipelineSpec pipeline, IReadOnlyList<Diagnostic> diagnostics)
        {
            Pipeline = pipeline;
            Diagnostics = diagnostics;
        }

        public PipelineSpec Pipeline { get; }
        public string? PipelineName => Pipeline.PipelineName;
        public string? File => Pipeline.SourceFile;
        public IReadOnlyList<Diagnostic> Diagnostics { get; }
        public Diagnostic[] Errors => Diagnostics.Where(d => d.IsError).ToArray();
        public Diagnostic[] Warnings => Diagnostics.Where(d => !d.IsError).ToArray();
        public bool IsValid => !Diagnostics.Any(d => d.IsError);

        public override string ToString() => (PipelineName ?? "(unnamed pipeline)") + ": " + (IsValid ? "valid" : Errors.Length + " error(s)");
    }

    public static class PipelineValidator
    {
        // A step id names a directory (/<id>/) and part of a job name: keep it to a plain word.
        private static readonly Regex StepIdPattern = new Regex("^[a-z0-9]([a-z0-9_-]{0,62})$", RegexOptions.CultureInvariant);

        public static PipelineValidationResult Validate(PipelineSpec pipeline, ValidationOptions? options = null)
        {
            if (pipeline == null) throw new ArgumentNullException(nameof(pipeline));
            var diagnostics = new List<Diagnostic>(pipeline.ReadDiagnostics);
            void Error(string code, string? field, SourcePosition at, string message) =>
                diagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Error, field, message, pipeline.SourceFile, at.Line, at.Column));

            if (string.IsNullOrWhiteSpace(pipeline.PipelineName) && !pipeline.FieldPositions.ContainsKey("pipeline_name"))
                Error(DiagnosticCodes.RequiredField, "pipeline_name", pipeline.Position, "pipeline_name is required. Add pipeline_name: my-pipeline.");
            if (pipeline.Schedule != null && !ScheduleExpression.TryParse(pipeline.Schedule, out var schedule, out var why))
                Error(DiagnosticCodes.InvalidScheduleExpression, "schedule", pipeline.PositionOf("schedule"), "schedule: " + why);
            if (pipeline.Steps.Count == 0 && !pipeline.ReadDiagnostics.Any(d => d.Field == "steps"))
                Error(DiagnosticCodes.RequiredField, "steps", pipeline.PositionOf("steps"), "a pipeline needs steps: a list of jobs, each with an id.");

            var seen = new Dictionary<string, PipelineStep>(StringComparer.Ordinal);
            for (int i = 0; i < pipeline.Steps.Count; i++)
            {
                var step = pipeline.Steps[i];
                var path = "steps[" + i + "]";
                if (step.Id == null)
                {
                    if (!step.FieldPositions.ContainsKey("id"))
                        Error(DiagnosticCodes.RequiredField, path + ".id", step.Position, path + " has no id. Add id: a short name (letters, digits, - or _) for the step.");
                    continue;
                }
                if (!StepIdPattern.IsMatch(step.Id))
                    Error(DiagnosticCodes.InvalidStepId, path + ".id", step.PositionOf("id"),
                        "step id '" + step.Id + "' must be lowercase letters, digits, '-' or '_', starting with a letter or digit (it names the folder /" + step.Id + "/ where its artifacts are read).");
                if (seen.ContainsKey(step.Id))
                    Error(DiagnosticCodes.DuplicateStepId, path + ".id", step.PositionOf("id"), "two steps have the id '" + step.Id + "'. Give each step its own id.");
                else
                    seen[step.Id] = step;
            }

            for (int i = 0; i < pipeline.Steps.Count; i++)
            {
                var step = pipeline.Steps[i];
                foreach (var (key, ids) in new[] { ("dependencies", step.Dependencies), ("inputs", step.Inputs) })
                    foreach (var id in ids)
                    {
                        if (!seen.ContainsKey(id))
                        {
                            var guess = Text.DidYouMean(id, seen.Keys);
                            Error(DiagnosticCodes.UnknownStep, "steps[" + i + "]." + key, step.PositionOf(key),
                                "step '" + step.Id + "' lists '" + id + "' in " + key + ", but no step has that id." +
                                (guess != null ? " Did you mean '" + guess + "'?" : " Steps: " + string.Join(", ", seen.Keys) + "."));
                        }
                        else if (id == step.Id)
                            Error(DiagnosticCodes.StepCycle, "steps[" + i + "]." + key, step.PositionOf(key), "step '" + id + "' lists itself in " + key + ". Remove it.");
                    }
            }

            var cycle = FindCycle(pipeline, seen);
            if (cycle != null)
            {
                var first = seen[cycle[0]];
                Error(DiagnosticCodes.StepCycle, "steps[" + pipeline.Steps.IndexOf(first) + "].dependencies", first.PositionOf(first.FieldPositions.ContainsKey("dependencies") ? "dependencies" : "inputs"),
                    "the steps wait for each other in a circle: " + string.Join(" → ", cycle) + ". Remove one of these dependencies.");
            }

            var deploys = pipeline.Steps.Where(s => s.Job.JobType == JobType.Deploy).ToList();
            foreach (var deploy in deploys)
            {
                var index = pipeline.Steps.IndexOf(deploy);
                var dependents = pipeline.Steps.Where(s => deploy.Id != null && s.WaitsFor.Contains(deploy.Id)).Select(s => s.Id).ToList();
                string? problem =
                    deploys.Count > 1 ? "a pipeline may have one deploy step; this one has " + deploys.Count + " (" + string.Join(", ", deploys.Select(d => d.Id)) + ")." :
                    index != pipeline.Steps.Count - 1 ? "the deploy step '" + deploy.Id + "' must be the last step; move it to the end of steps." :
                    dependents.Count > 0 ? "no step can wait for the deploy step '" + deploy.Id + "' (it never completes), but " + string.Join(", ", dependents) + " do." : null;
                if (problem != null) Error(DiagnosticCodes.DeployStepNotLast, "steps[" + index + "].job_type", deploy.Job.PositionOf("job_type"), problem);
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var step in pipeline.Steps)
            {
                foreach (var finding in JobValidator.Validate(step.Job, options).Diagnostics)
                    diagnostics.Add(finding);
                if (step.Job.JobName != null && !names.Add(step.Job.JobName))
                    Error(DiagnosticCodes.DuplicateJobName, "job_name", step.Job.PositionOf("job_name"), "two steps have the job_name '" + step.Job.JobName + "'. Give each step its own.");
            }
            return new PipelineValidationResult(pipeline, diagnostics);
        }

        /// <summary>The first circle of waiting steps, as ids from a step back to itself; null when there is none.</summary>
        private static List<string>? FindCycle(PipelineSpec pipeline, Dictionary<string, PipelineStep> steps)
        {
            var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the current path, 2: done
            var path = new List<string>();

            List<string>? Visit(string id)
            {
                state[id] = 1;
                path.Add(id);
                foreach (var next in steps[id].WaitsFor.Where(n => steps.ContainsKey(n) && n != id))
                {
                    if (state.TryGetValue(next, out var s) && s == 1)
                        return path.Skip(path.IndexOf(next)).Concat(new[] { next }).ToList();
                    if (!state.ContainsKey(next) && Visit(next) is List<string> found) return found;
                }
                path.RemoveAt(path.Count - 1);
                state[id] = 2;
                return null;
            }

            foreach (var step in pipeline.Steps)
                if (step.Id != null && steps.TryGetValue(step.Id, out var known) && known == step && !state.ContainsKey(step.Id) && Visit(step.Id) is List<string> cycle)
                    return cycle;
            return null;
        }
    }
}
