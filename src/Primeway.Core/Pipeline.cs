using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Primeway.Yaml;

namespace Primeway
{
    /// <summary>One step of a pipeline: a job with an id, the steps it waits for and the steps whose artifacts it reads.</summary>
    public sealed class PipelineStep
    {
        public string? Id { get; set; }
        /// <summary>Step ids that must complete before this step starts.</summary>
        public List<string> Dependencies { get; set; } = new List<string>();
        /// <summary>Step ids whose artifacts this step sees read-only at /&lt;step id&gt;/; they are dependencies too.</summary>
        public List<string> Inputs { get; set; } = new List<string>();
        public JobSpec Job { get; set; } = new JobSpec();

        internal SourcePosition Position { get; set; }
        internal Dictionary<string, SourcePosition> FieldPositions { get; } = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);

        internal SourcePosition PositionOf(string key) => FieldPositions.TryGetValue(key, out var p) ? p : Position;

        /// <summary>Every step this one waits for: its dependencies and its inputs.</summary>
        public IEnumerable<string> Prerequisites => Dependencies.Concat(Inputs).Distinct(StringComparer.Ordinal);

        public override string ToString() => Id ?? "(no id)";
    }

    /// <summary>A pipeline file: a name, an optional cron schedule, and steps that form a graph.</summary>
    public sealed class PipelineSpec
    {
        public string? PipelineName { get; set; }
        /// <summary>A five-field cron expression on which the whole pipeline starts.</summary>
        public string? Schedule { get; set; }
        public List<PipelineStep> Steps { get; set; } = new List<PipelineStep>();

        public string? SourceFile { get; set; }

        internal SourcePosition Position { get; set; }
        internal Dictionary<string, SourcePosition> FieldPositions { get; } = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        internal List<Diagnostic> ReadDiagnostics { get; } = new List<Diagnostic>();

        internal SourcePosition PositionOf(string key) => FieldPositions.TryGetValue(key, out var p) ? p : Position;

        public override string ToString() => (PipelineName ?? "(unnamed)") + " (" + Steps.Count + " steps)";
    }

    /// <summary>What reading a pipeline file gave: the pipeline (null when the file holds none) and what was wrong with the file itself.</summary>
    public sealed class PipelineReadResult
    {
        internal PipelineReadResult(string? file, PipelineSpec? pipeline, IReadOnlyList<Diagnostic> diagnostics)
        {
            File = file;
            Pipeline = pipeline;
            Diagnostics = diagnostics;
        }

        public string? File { get; }
        public PipelineSpec? Pipeline { get; }
        public IReadOnlyList<Diagnostic> Diagnostics { get; }
        public bool HasErrors => Diagnostics.Any(d => d.IsError);
    }

    /// <summary>Reads pipeline files: one YAML document with pipeline_name, schedule and steps.</summary>
    public static class PipelineYaml
    {
        public static readonly IReadOnlyList<string> Keys = new[] { "pipeline_name", "schedule", "steps" };
        public static readonly IReadOnlyList<string> StepKeys = new[] { "id", "dependencies", "inputs" };

        /// <summary>Whether the text is a pipeline file rather than a job file: its first document has pipeline_name or steps.</summary>
        public static bool IsPipeline(string text)
        {
            var documents = YamlTreeReader.ReadAll(text ?? "", out _);
            return documents.FirstOrDefault(d => d.Root is YMapping)?.Root is YMapping map
                && map.Pairs.Any(p => p.Key is YScalar k && (k.Value == "pipeline_name" || k.Value == "steps"));
        }

        public static PipelineReadResult ReadFile(string path)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
            {
                return new PipelineReadResult(path, null, new[]
                {
                    new Diagnostic(DiagnosticCodes.FileNotReadable, DiagnosticSeverity.Error, null, "cannot read the pipeline file: " + e.Message + ". Check the path and its permissions.", path, 0, 0),
                });
            }
            return Read(text, path);
        }

        public static PipelineReadResult Read(string text, string? file = null)
        {
            var documents = YamlTreeReader.ReadAll(text ?? "", out var syntaxError);
            var diagnostics = new List<Diagnostic>();
            if (syntaxError != null)
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.YamlSyntax, DiagnosticSeverity.Error, null,
                    "YAML syntax error: " + syntaxError.Message + ". Check the indentation and quoting on this line or the one before it.",
                    file, (int)syntaxError.Start.Line, (int)syntaxError.Start.Column));
                return new PipelineReadResult(file, null, diagnostics);
            }
            var roots = documents.Where(d => d.Root != null && !(d.Root is YScalar s && s.IsNull)).ToList();
            if (roots.Count != 1 || !(roots[0].Root is YMapping root))
            {
                var at = roots.Count > 0 ? roots[0].Root!.Position : new SourcePosition(1, 1);
                diagnostics.Add(new Diagnostic(DiagnosticCodes.NotAMapping, DiagnosticSeverity.Error, null,
                    "a pipeline file is one mapping with pipeline_name and steps, but this file holds " + (roots.Count == 1 ? roots[0].Root!.KindName : roots.Count + " documents") + ".",
                    file, at.Line, at.Column));
                return new PipelineReadResult(file, null, diagnostics);
            }
            return new PipelineReadResult(file, new PipelineReader(file).Read(root), diagnostics);
        }

        private sealed class PipelineReader
        {
            private readonly string? file;
            private PipelineSpec pipeline = new PipelineSpec();

            public PipelineReader(string? file) => this.file = file;

            public PipelineSpec Read(YMapping root)
            {
                pipeline = new PipelineSpec { SourceFile = file, Position = root.Position };
                foreach (var (key, keyNode, value) in Pairs(root, "pipeline file", Keys))
                {
                    pipeline.FieldPositions[key] = keyNode.Position;
                    switch (key)
                    {
                        case "pipeline_name": pipeline.PipelineName = Scalar(key, value); break;
                        case "schedule": pipeline.Schedule = Scalar(key, value); break;
                        case "steps": ReadSteps(value); break;
                    }
                }
                // A step's job is named after the pipeline and the step unless it names itself.
                foreach (var step in pipeline.Steps)
                    if (step.Job.JobName == null && pipeline.PipelineName != null && step.Id != null)
                        step.Job.JobName = pipeline.PipelineName + "-" + step.Id.Replace('_', '-');
                return pipeline;
            }

            private void ReadSteps(YNode node)
            {
                if (!(node is YSequence list))
                {
                    if (!(node is YScalar s && s.IsNull)) WrongType("steps", node, "a list of steps");
                    return;
                }
                for (int i = 0; i < list.Items.Count; i++)
                {
                    if (!(list.Items[i] is YMapping map))
                    {
                        WrongType("steps[" + i + "]", list.Items[i], "a mapping (id, job fields, dependencies, inputs)");
                        continue;
                    }
                    var step = new PipelineStep { Position = map.Position, Job = JobReader.Read(map, file, 0, map.Position, StepKeys.ToList()) };
                    foreach (var (key, keyNode, value) in Pairs(map, null, StepKeys))
                    {
                        step.FieldPositions[key] = keyNode.Position;
                        var path = "steps[" + i + "]." + key;
                        if (key == "id") step.Id = Scalar(path, value);
                        else if (key == "dependencies") step.Dependencies = Ids(path, value);
                        else step.Inputs = Ids(path, value);
                    }
                    pipeline.Steps.Add(step);
                }
            }

            /// <summary>The pairs of a mapping whose keys are in <paramref name="keys"/>; others are reported unknown when <paramref name="where"/> is given.</summary>
            private IEnumerable<(string Key, YScalar KeyNode, YNode Value)> Pairs(YMapping map, string? where, IReadOnlyList<string> keys)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var pair in map.Pairs)
                {
                    if (!(pair.Key is YScalar keyNode)) continue;
                    if (!keys.Contains(keyNode.Value))
                    {
                        if (where != null) Error(DiagnosticCodes.UnknownField, keyNode.Value, keyNode.Position, JobReader.UnknownKeyMessage(keyNode.Value, keys, where));
                        continue;
                    }
                    if (!seen.Add(keyNode.Value))
                    {
                        Error(DiagnosticCodes.DuplicateField, keyNode.Value, keyNode.Position, "'" + keyNode.Value + "' is given twice. Keep one of them.");
                        continue;
                    }
                    yield return (keyNode.Value, keyNode, pair.Value);
                }
            }

            private string? Scalar(string path, YNode node)
            {
                if (node is YScalar s) return s.IsNull ? null : s.Value;
                WrongType(path, node, "a single value");
                return null;
            }

            /// <summary>A list of step ids; a single id is taken as a list of one.</summary>
            private List<string> Ids(string path, YNode node)
            {
                if (node is YScalar single) return single.IsNull ? new List<string>() : new List<string> { single.Value };
                if (node is YSequence list && list.Items.All(item => item is YScalar))
                    return list.Items.Cast<YScalar>().Where(s => !s.IsNull).Select(s => s.Value).ToList();
                WrongType(path, node, "a list of step ids");
                return new List<string>();
            }

            private void WrongType(string path, YNode node, string expected) =>
                Error(DiagnosticCodes.WrongType, path, node.Position, path + " must be " + expected + ", but " + node.KindName + " is given.");

            private void Error(string code, string? field, SourcePosition at, string message) =>
                pipeline.ReadDiagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Error, field, message, file, at.Line, at.Column));
        }
    }
}
