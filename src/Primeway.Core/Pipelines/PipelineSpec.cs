using System;
using System.Collections.Generic;
using System.Linq;

namespace Primeway
{
    /// <summary>
    /// Several jobs as one workflow: steps that wait for their dependencies, run in parallel otherwise, and pass
    /// artifacts along. Each step is a whole job (every job field) with an id.
    /// </summary>
    public sealed class PipelineSpec
    {
        public string? PipelineName { get; set; }

        /// <summary>A five-field cron expression: when the pipeline starts by itself.</summary>
        public string? Schedule { get; set; }

        public List<PipelineStep> Steps { get; set; } = new List<PipelineStep>();

        public string? SourceFile { get; set; }
        public int SourceLine => Position.Line;

        internal SourcePosition Position { get; set; }
        internal Dictionary<string, SourcePosition> FieldPositions { get; } = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        internal List<Diagnostic> ReadDiagnostics { get; } = new List<Diagnostic>();

        internal SourcePosition PositionOf(string key) => FieldPositions.TryGetValue(key, out var at) ? at : Position;

        /// <summary>The step with this id, or null.</summary>
        public PipelineStep? Step(string id) => Steps.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.Ordinal));

        public override string ToString() => (PipelineName ?? "(unnamed pipeline)") + " (" + Steps.Count + " steps)";
    }

    /// <summary>One step of a pipeline: its job, what it waits for, and whose artifacts it reads.</summary>
    public sealed class PipelineStep
    {
        public string? Id { get; set; }

        /// <summary>Steps that must have completed before this one starts.</summary>
        public List<string> Dependencies { get; set; } = new List<string>();

        /// <summary>Steps whose artifacts this one reads, read-only at /&lt;step id&gt;/; a step also waits for its inputs.</summary>
        public List<string> Inputs { get; set; } = new List<string>();

        public JobSpec Job { get; set; } = new JobSpec();

        /// <summary>Everything this step waits for: its dependencies and its inputs.</summary>
        public IEnumerable<string> WaitsFor => Dependencies.Concat(Inputs).Distinct(StringComparer.Ordinal);

        internal SourcePosition Position { get; set; }
        internal Dictionary<string, SourcePosition> FieldPositions { get; } = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);

        internal SourcePosition PositionOf(string key) => FieldPositions.TryGetValue(key, out var at) ? at : Position;

        public override string ToString() => (Id ?? "(no id)") + ": " + Job;
    }
}
