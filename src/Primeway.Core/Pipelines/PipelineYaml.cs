using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Primeway.Yaml;

namespace Primeway
{
    /// <summary>What reading a pipeline file gave: the pipeline (null when the file could not be read as one) and file-level findings.</summary>
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

    /// <summary>Reads and writes pipeline files: pipeline_name, schedule, and steps that are jobs with id, dependencies and inputs.</summary>
    public static class PipelineYaml
    {
        private static readonly string[] PipelineKeys = { "pipeline_name", "schedule", "steps" };
        private static readonly string[] StepKeys = { "id", "dependencies", "inputs" };

        /// <summary>Whether the text is a pipeline file (its first document has pipeline_name or steps) rather than job files.</summary>
        public static bool IsPipeline(string text)
        {
            var documents = YamlTreeReader.ReadAll(text ?? "", out _);
            var root = documents.Select(d => d.Root).FirstOrDefault(r => r is YMapping) as YMapping;
            return root != null && root.Pairs.Any(p => p.Key is YScalar key && (key.Value == "pipeline_name" || key.Value == "steps"));
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
                    "a pipeline file holds one mapping (pipeline_name: ..., steps: [...]); this one holds " +
                    (roots.Count == 1 ? roots[0].Root!.KindName : roots.Count + " documents") + ".", file, at.Line, at.Column));
                return new PipelineReadResult(file, null, diagnostics);
            }
            return new PipelineReadResult(file, ReadPipeline(root, file), diagnostics);
        }

        public static PipelineReadResult ReadFile(string path)
        {
            var text = SourceText.Read(path, "pipeline file", out var problem);
            return text == null ? new PipelineReadResult(path, null, new[] { problem! }) : Read(text, path);
        }

        /// <summary>The pipeline as clean YAML that reads back to the same pipeline.</summary>
        public static string Write(PipelineSpec pipeline) => JobWriter.WritePipeline(pipeline ?? throw new ArgumentNullException(nameof(pipeline)));

        private static PipelineSpec ReadPipeline(YMapping root, string? file)
        {
            var pipeline = new PipelineSpec { SourceFile = file, Position = root.Position };
            void Error(string code, string? field, SourcePosition at, string message) =>
                pipeline.ReadDiagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Error, field, message, file, at.Line, at.Column));

            foreach (var pair in root.Pairs)
            {
                if (!(pair.Key is YScalar key)) { Error(DiagnosticCodes.WrongType, null, pair.Key.Position, "a key must be a plain name such as pipeline_name."); continue; }
                if (pipeline.FieldPositions.ContainsKey(key.Value)) { Error(DiagnosticCodes.DuplicateField, key.Value, key.Position, "'" + key.Value + "' is given twice. Keep one of them."); continue; }
                pipeline.FieldPositions[key.Value] = key.Position;
                switch (key.Value)
                {
                    case "pipeline_name":
                        pipeline.PipelineName = Text(pair.Value, "pipeline_name", Error);
                        break;
                    case "schedule":
                        pipeline.Schedule = Text(pair.Value, "schedule", Error);
                        break;
                    case "steps":
                        if (pair.Value is YSequence steps)
                            for (int i = 0; i < steps.Items.Count; i++) ReadStep(pipeline, steps.Items[i], i, file, Error);
                        else
                            Error(DiagnosticCodes.WrongType, "steps", pair.Value.Position, "steps must be a list of jobs, each with an id, but " + pair.Value.KindName + " is given.");
                        break;
                    default:
                        Error(DiagnosticCodes.UnknownField, key.Value, key.Position, JobReader.UnknownKeyMessage(key.Value, PipelineKeys, "pipeline file").Replace("pipeline file entry", "pipeline file"));
                        break;
                }
            }
            return pipeline;
        }

        private static void ReadStep(PipelineSpec pipeline, YNode node, int index, string? file, Action<string, string?, SourcePosition, string> error)
        {
            var path = "steps[" + index + "]";
            if (!(node is YMapping map))
            {
                error(DiagnosticCodes.WrongType, path, node.Position, path + " must be a job with an id (id: train, job_type: run, ...), but " + node.KindName + " is given.");
                return;
            }
            var step = new PipelineStep { Position = map.Position };
            var jobFields = new YMapping(map.Position);
            foreach (var pair in map.Pairs)
            {
                var key = (pair.Key as YScalar)?.Value;
                if (key == null || Array.IndexOf(StepKeys, key) < 0)
                {
                    jobFields.Pairs.Add(pair);
                    continue;
                }
                step.FieldPositions[key] = pair.Key.Position;
                if (key == "id") step.Id = Text(pair.Value, path + ".id", error);
                else if (key == "dependencies") step.Dependencies = Ids(pair.Value, path + "." + key, error);
                else step.Inputs = Ids(pair.Value, path + "." + key, error);
            }
            step.Job = JobReader.Read(jobFields, file, 0, map.Position);
            // A step's job may leave out what the pipeline makes obvious: its name and that it runs once.
            if (step.Job.JobName == null && pipeline.PipelineName != null && step.Id != null) step.Job.JobName = pipeline.PipelineName + "-" + step.Id;
            if (step.Job.JobType == null) step.Job.JobType = JobType.Run;
            pipeline.Steps.Add(step);
        }

        private static string? Text(YNode node, string field, Action<string, string?, SourcePosition, string> error)
        {
            if (node is YScalar scalar && !scalar.IsNull) return scalar.Value;
            error(DiagnosticCodes.WrongType, field, node.Position, field + " must be a single value, but " + node.KindName + " is given.");
            return null;
        }

        private static List<string> Ids(YNode node, string field, Action<string, string?, SourcePosition, string> error)
        {
            var ids = new List<string>();
            if (node is YScalar one && !one.IsNull) ids.Add(one.Value);
            else if (node is YSequence list)
                foreach (var item in list.Items)
                {
                    if (item is YScalar id && !id.IsNull) ids.Add(id.Value);
                    else error(DiagnosticCodes.WrongType, field, item.Position, field + " must list step ids, but " + item.KindName + " is given.");
                }
            else if (!(node is YScalar))
                error(DiagnosticCodes.WrongType, field, node.Position, field + " must be a list of step ids, but " + node.KindName + " is given.");
            return ids;
        }
    }
}
