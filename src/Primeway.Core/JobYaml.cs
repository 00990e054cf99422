using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Primeway.Yaml;

namespace Primeway
{
    /// <summary>What reading a job file gave: its jobs, and the problems that belong to no single job.</summary>
    public sealed class JobReadResult
    {
        internal JobReadResult(string? file, IReadOnlyList<JobSpec> jobs, IReadOnlyList<Diagnostic> diagnostics)
        {
            File = file;
            Jobs = jobs;
            Diagnostics = diagnostics;
        }

        public string? File { get; }
        /// <summary>One JobSpec per YAML document, each carrying what was wrong with reading it.</summary>
        public IReadOnlyList<JobSpec> Jobs { get; }
        /// <summary>File-level findings: a YAML syntax error, an unreadable file, a document that is not a job.</summary>
        public IReadOnlyList<Diagnostic> Diagnostics { get; }
        public bool HasErrors => Diagnostics.Any(d => d.IsError);
    }

    /// <summary>Reads job files (YAML or JSON, one or more documents) and writes jobs back as clean YAML.</summary>
    public static class JobYaml
    {
        /// <summary>Reads the text of a job file; <paramref name="file"/> is used in positions and to resolve relative paths.</summary>
        public static JobReadResult Read(string text, string? file = null)
        {
            var documents = YamlTreeReader.ReadAll(text ?? "", out var syntaxError);
            var jobs = new List<JobSpec>();
            var diagnostics = new List<Diagnostic>();
            for (int i = 0; i < documents.Count; i++)
            {
                var document = documents[i];
                if (document.Root == null || (document.Root is YScalar s && s.IsNull)) continue;
                if (document.Root is YMapping map)
                {
                    jobs.Add(JobReader.Read(map, file, i, map.Position));
                    continue;
                }
                diagnostics.Add(new Diagnostic(DiagnosticCodes.NotAMapping, DiagnosticSeverity.Error, null,
                    "a job must be a mapping of fields (job_name: ..., job_type: ...), but document " + (i + 1) + " is " + document.Root.KindName + ".",
                    file, document.Root.Position.Line, document.Root.Position.Column));
            }
            if (syntaxError != null)
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.YamlSyntax, DiagnosticSeverity.Error, null,
                    "YAML syntax error: " + CleanSyntaxMessage(syntaxError) + ". Check the indentation and quoting on this line or the one before it.",
                    file, (int)syntaxError.Start.Line, (int)syntaxError.Start.Column));
            }
            else if (jobs.Count == 0 && diagnostics.Count == 0)
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.EmptyDocument, DiagnosticSeverity.Warning, null,
                    "the file holds no job. Add at least job_name, job_type and docker_image.", file, 1, 1));
            }
            return new JobReadResult(file, jobs, diagnostics);
        }

        /// <summary>Reads a job file from disk; a file that cannot be read gives a PW1016 diagnostic, not an exception.</summary>
        public static JobReadResult ReadFile(string path)
        {
            var text = SourceText.Read(path, "job file", out var problem);
            return text == null ? new JobReadResult(path, Array.Empty<JobSpec>(), new[] { problem! }) : Read(text, path);
        }

        /// <summary>
        /// Builds a job from a dictionary with the file's keys (a PowerShell hashtable, parsed JSON): the same
        /// reading rules and diagnostics as a file, without positions.
        /// </summary>
        public static JobSpec FromDictionary(IDictionary definition, string? baseFile = null)
        {
            if (definition == null) throw new ArgumentNullException(nameof(definition));
            var job = JobReader.Read((YMapping)ToNode(definition), baseFile, 0, default);
            return job;
        }

        private static YNode ToNode(object? value)
        {
            switch (value)
            {
                case null:
                    return new YScalar("", YamlDotNet.Core.ScalarStyle.Plain, default);
                case string text:
                    return new YScalar(text, YamlDotNet.Core.ScalarStyle.DoubleQuoted, default);
                case bool flag:
                    return new YScalar(flag ? "true" : "false", YamlDotNet.Core.ScalarStyle.Plain, default);
                case IDictionary dictionary:
                    var map = new YMapping(default);
                    foreach (DictionaryEntry entry in dictionary)
                        map.Pairs.Add(new KeyValuePair<YNode, YNode>(ToNode(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)), ToNode(entry.Value)));
                    return map;
                case IEnumerable items:
                    var sequence = new YSequence(default);
                    foreach (var item in items) sequence.Items.Add(ToNode(item));
                    return sequence;
                case IFormattable formattable:
                    return new YScalar(formattable.ToString(null, CultureInfo.InvariantCulture), YamlDotNet.Core.ScalarStyle.Plain, default);
                default:
                    return new YScalar(value.ToString() ?? "", YamlDotNet.Core.ScalarStyle.DoubleQuoted, default);
            }
        }

        /// <summary>One job as YAML, fields in the document's order, only those that are set.</summary>
        public static string Write(JobSpec job) => JobWriter.Write(new[] { job ?? throw new ArgumentNullException(nameof(job)) });

        /// <summary>Several jobs as one YAML stream of documents separated by ---.</summary>
        public static string Write(IEnumerable<JobSpec> jobs) => JobWriter.Write(jobs ?? throw new ArgumentNullException(nameof(jobs)));

        private static string CleanSyntaxMessage(YamlDotNet.Core.YamlException e)
        {
            // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 40) - (Line: ...): "; the position is reported separately.
            var message = e.Message;
            var cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith("(", StringComparison.Ordinal) && cut > 0) message = message.Substring(cut + 3);
            return message.TrimEnd('.');
        }
    }
}
