using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Primeway
{
    public sealed class PipelineValidationResult
    {
        internal PipelineValidationResult(PipelineSpec pipeline, IReadOnlyList<Diagnostic> diagnostics)
        {
            Pipeline = pipeline;
            Diagnostics = diagnostics;
        }

        public PipelineSpec Pipeline { get; }
        /// <summary>The pipeline's own findings and every step's, in file order.</summary>
        public IReadOnlyList<Diagnostic> Diagnostics { get; }
        public Diagnostic[] Errors => Diagnostics.Where(d => d.IsError).ToArray();
        public Diagnostic[] Warnings => Diagnostics.Where(d => !d.IsError).ToArray();
        public bool IsValid => !Diagnostics.Any(d => d.IsError);
    }

    /// <summary>
    /// The rules of a pipeline: a name and steps; unique step ids; dependencies and inputs that name steps; no cycle;
    /// at most one deploy step, and only as the last. Each step is also validated as a job.
    /// </summary>
    public static class PipelineValidator
    {
        // A step id names a directory (/<id>/) in the steps that read its artifacts.
        private static readonly Regex StepIdPattern = new Regex("^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant);

        public static PipelineValidationResult Validate(PipelineSpec pipeline, ValidationOptions? options = null)
        {
            if (pipeline == null) throw new ArgumentNullException(nameof(pipeline));
            var check = new Checker(pipeline);
            check.Run(options ?? ValidationOptions.Default);
            return new PipelineValidationResult(pipeline, check.Diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList());
        }

        private sealed class Checker
        {
            private readonly PipelineSpec pipeline;

            public Checker(PipelineSpec pipeline)
            {
                this.pipeline = pipeline;
                Diagnostics.AddRange(pipeline.ReadDiagnostics);
            }

            public List<Diagnostic> Diagnostics { get; } = new List<Diagnostic>();

            public void Run(ValidationOptions options)
            {
                if (string.IsNullOrWhiteSpace(pipeline.PipelineName) && !pipeline.FieldPositions.ContainsKey("pipeline_name"))
                    Error(DiagnosticCodes.RequiredField, "pipeline_name", pipeline.Position, "pipeline_name is required. Add it, e.g. pipeline_name: nightly-training.");
                else if (pipeline.PipelineName != null && !JobValidator.IsValidJobName(pipeline.PipelineName))
                    Error(DiagnosticCodes.InvalidJobName, "pipeline_name", pipeline.PositionOf("pipeline_name"),
                        "pipeline_name '" + pipeline.PipelineName + "' must be lowercase letters, digits and hyphens, starting with a letter: it prefixes the names of its steps' jobs.");
                if (pipeline.Steps.Count == 0 && !pipeline.ReadDiagnostics.Any(d => d.Field == "steps"))
                    Error(DiagnosticCodes.RequiredField, "steps", pipeline.PositionOf("steps"), "a pipeline needs steps: a list of jobs, each with an id.");
                Schedule();
                StepIds();
                References();
                Cycles();
                DeployStepIsLast();
                foreach (var step in pipeline.Steps) Diagnostics.AddRange(ValidateStepJob(step, options));
            }

            private void Schedule()
            {
                if (pipeline.Schedule == null) return;
                if (ScheduleExpression.TryParse(pipeline.Schedule, out var expression, out var error) && expression!.IsRecurring) return;
                Error(DiagnosticCodes.InvalidScheduleExpression, "schedule", pipeline.PositionOf("schedule"),
                    "schedule: " + (error ?? "a pipeline's schedule is a five-field cron expression (0 2 * * *), not a date-time") + ".");
            }

            private void StepIds()
            {
                var seen = new Dictionary<string, PipelineStep>(StringComparer.Ordinal);
                for (int i = 0; i < pipeline.Steps.Count; i++)
                {
                    var step = pipeline.Steps[i];
                    if (step.Id == null)
                    {
                        if (!step.FieldPositions.ContainsKey("id"))
                            Error(DiagnosticCodes.RequiredField, "steps[" + i + "].id", step.Position, "every step needs an id, e.g. id: prepare.");
                        continue;
                    }
                    if (!StepIdPattern.IsMatch(step.Id))
                        Error(DiagnosticCodes.InvalidStepId, "steps[" + i + "].id", step.PositionOf("id"),
                            "step id '" + step.Id + "' must be lowercase letters, digits, '-' and '_', starting and ending with a letter or digit: it names the directory other steps read its artifacts from.");
                    if (seen.TryGetValue(step.Id, out var first))
                        Error(DiagnosticCodes.DuplicateStepId, "steps[" + i + "].id", step.PositionOf("id"),
                            "step id '" + step.Id + "' is already used by the step at line " + first.Position.Line + ". Give each step its own id.");
                    else seen[step.Id] = step;
                }
            }

            private void References()
            {
                var ids = new HashSet<string>(pipeline.Steps.Where(s => s.Id != null).Select(s => s.Id!), StringComparer.Ordinal);
                for (int i = 0; i < pipeline.Steps.Count; i++)
                {
                    var step = pipeline.Steps[i];
                    foreach (var (key, code, list) in new[] { ("dependencies", DiagnosticCodes.UnknownDependency, step.Dependencies), ("inputs", DiagnosticCodes.UnknownInput, step.Inputs) })
                        foreach (var id in list.Where(id => !ids.Contains(id)))
                        {
                            var guess = Text.DidYouMean(id, ids);
                            Error(code, "steps[" + i + "]." + key, step.PositionOf(key),
                                key + " of step '" + step.Id + "' names '" + id + "', which is no step of this pipeline." +
                                (guess != null ? " Did you mean '" + guess + "'?" : " Steps: " + string.Join(", ", ids.OrderBy(x => x)) + "."));
                        }
                }
            }

            /// <summary>Finds each cycle once, by depth-first search, and names it: a → b → a.</summary>
            private void Cycles()
            {
                var steps = pipeline.Steps.Where(s => s.Id != null).GroupBy(s => s.Id!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
                var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
                var path = new List<string>();
                foreach (var id in steps.Keys) Visit(id);

                void Visit(string id)
                {
                    if (state.TryGetValue(id, out var s) && s == 2) return;
                    state[id] = 1;
                    path.Add(id);
                    foreach (var next in steps[id].Prerequisites.Where(steps.ContainsKey))
                    {
                        if (state.TryGetValue(next, out var n) && n == 1)
                        {
                            var cycle = path.Skip(path.IndexOf(next)).Concat(new[] { next }).ToList();
                            Error(DiagnosticCodes.DependencyCycle, "steps", steps[id].PositionOf(steps[id].Dependencies.Contains(next) ? "dependencies" : "inputs"),
                                "steps " + string.Join(" → ", cycle) + " wait for each other in a cycle, so none can start. Remove one of these dependencies.");
                        }
                        else if (!state.ContainsKey(next)) Visit(next);
                    }
                    path.RemoveAt(path.Count - 1);
                    state[id] = 2;
                }
            }

            private void DeployStepIsLast()
            {
                var deploys = pipeline.Steps.Select((step, i) => (step, i)).Where(x => x.step.Job.JobType == JobType.Deploy).ToList();
                foreach (var (step, i) in deploys)
                {
                    var dependents = pipeline.Steps.Where(s => step.Id != null && s.Prerequisites.Contains(step.Id)).Select(s => s.Id).ToList();
                    string? problem = deploys.Count > 1 ? "a pipeline has at most one deploy step, and this one has " + deploys.Count
                        : i != pipeline.Steps.Count - 1 ? "the deploy step must be the last step of the pipeline"
                        : dependents.Count > 0 ? "no step can wait for the deploy step, which never completes, but " + string.Join(", ", dependents) + " do"
                        : null;
                    if (problem != null)
                        Error(DiagnosticCodes.DeployStepNotLast, "steps[" + i + "].job_type", step.Job.PositionOf("job_type"), problem + ". Make it the last step, or a run job.");
                }
            }

            private static IEnumerable<Diagnostic> ValidateStepJob(PipelineStep step, ValidationOptions options) =>
                JobValidator.Validate(step.Job, options).Diagnostics;

            private void Error(string code, string? field, SourcePosition at, string message) =>
                Diagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Error, field, message, pipeline.SourceFile, at.Line, at.Column));
        }
    }
}
