using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Primeway.Host.Commands
{
    /// <summary>primeway validate PATH... [--output text|json]: checks job files without running anything.</summary>
    internal static class ValidateCommand
    {
        public static Command Create(TextWriter stdout, TextWriter stderr)
        {
            var paths = new Argument<string[]>("path")
            {
                Description = "Job files, or folders whose *.yaml and *.yml files are checked.",
                Arity = ArgumentArity.OneOrMore,
            };
            var output = new Option<string>("--output", "-o")
            {
                Description = "text: compiler-style lines (file:line:col: error PW1003: ...); json: one object per file.",
                DefaultValueFactory = _ => "text",
            };
            output.AcceptOnlyFromAmong("text", "json");

            var command = new Command("validate", "Check job files against every rule and report errors and warnings with their positions.")
            {
                paths,
                output,
            };
            command.SetAction(result => Run(result.GetValue(paths)!, result.GetValue(output)!, stdout, stderr));
            return command;
        }

        internal static int Run(IReadOnlyList<string> paths, string format, TextWriter stdout, TextWriter stderr)
        {
            var files = new List<string>();
            foreach (var path in paths)
            {
                if (Directory.Exists(path))
                {
                    files.AddRange(Directory.EnumerateFiles(path)
                        .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                        .OrderBy(f => f, StringComparer.Ordinal));
                }
                else if (File.Exists(path)) files.Add(path);
                else
                {
                    stderr.WriteLine("primeway: no such file or folder: " + path);
                    return ExitCodes.UsageOrIo;
                }
            }
            if (files.Count == 0)
            {
                stderr.WriteLine("primeway: no *.yaml or *.yml files in " + string.Join(", ", paths));
                return ExitCodes.UsageOrIo;
            }

            var reports = files.Select(Check).ToList();
            if (format == "json") WriteJson(reports, stdout); else WriteText(reports, stdout);

            if (reports.Any(r => r.Unreadable)) return ExitCodes.UsageOrIo;
            return reports.All(r => r.Valid) ? ExitCodes.Success : ExitCodes.Invalid;
        }

        private sealed class FileReport
        {
            public string File = "";
            public List<Diagnostic> Diagnostics = new List<Diagnostic>();
            public int JobCount;
            public int InvalidJobs;
            public bool Valid => !Diagnostics.Any(d => d.IsError);
            public bool Unreadable => Diagnostics.Any(d => d.Code == DiagnosticCodes.FileNotReadable);
        }

        private static FileReport Check(string file)
        {
            if (IsPipelineFile(file)) return CheckPipeline(file);
            var read = JobYaml.ReadFile(file);
            var report = new FileReport { File = file, JobCount = read.Jobs.Count };
            report.Diagnostics.AddRange(read.Diagnostics);
            foreach (var result in JobValidator.Validate(read))
            {
                report.Diagnostics.AddRange(result.Diagnostics);
                if (!result.IsValid) report.InvalidJobs++;
            }
            report.Diagnostics.Sort((a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Column.CompareTo(b.Column));
            return report;
        }

        private static bool IsPipelineFile(string file)
        {
            try { return PipelineYaml.IsPipeline(File.ReadAllText(file)); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return false; }
        }

        /// <summary>A pipeline file: its own rules, then each step's job, counted as the file's jobs.</summary>
        private static FileReport CheckPipeline(string file)
        {
            var read = PipelineYaml.ReadFile(file);
            var report = new FileReport { File = file };
            report.Diagnostics.AddRange(read.Diagnostics);
            if (read.Pipeline != null)
            {
                var result = PipelineValidator.Validate(read.Pipeline);
                report.Diagnostics.AddRange(result.Diagnostics);
                report.JobCount = read.Pipeline.Steps.Count;
                report.InvalidJobs = read.Pipeline.Steps.Count(step => result.Errors.Any(e => e.Line >= step.Job.SourceLine && BelongsTo(read.Pipeline, step, e)));
            }
            report.Diagnostics.Sort((a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Column.CompareTo(b.Column));
            return report;
        }

        private static bool BelongsTo(PipelineSpec pipeline, PipelineStep step, Diagnostic error)
        {
            var next = pipeline.Steps.IndexOf(step) + 1;
            return next >= pipeline.Steps.Count || error.Line < pipeline.Steps[next].Job.SourceLine;
        }

        private static void WriteText(List<FileReport> reports, TextWriter stdout)
        {
            foreach (var report in reports)
                foreach (var diagnostic in report.Diagnostics)
                    stdout.WriteLine(diagnostic.ToString());
            int errors = reports.Sum(r => r.Diagnostics.Count(d => d.IsError));
            int warnings = reports.Sum(r => r.Diagnostics.Count(d => !d.IsError));
            int invalidJobs = reports.Sum(r => r.InvalidJobs);
            int invalidFiles = reports.Count(r => !r.Valid);
            var verdict = invalidFiles == 0 ? "all valid"
                : invalidJobs + " of " + Plural(reports.Sum(r => r.JobCount), "job") + " invalid, " + invalidFiles + " of " + Plural(reports.Count, "file") + " with errors";
            stdout.WriteLine("Checked " + Plural(reports.Count, "file") + ": " + verdict + " (" + Plural(errors, "error") + ", " + Plural(warnings, "warning") + ").");
        }

        private static string Plural(int n, string word) => n + " " + word + (n == 1 ? "" : "s");

        private static void WriteJson(List<FileReport> reports, TextWriter stdout)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartArray();
                foreach (var report in reports)
                {
                    json.WriteStartObject();
                    json.WriteString("file", report.File);
                    json.WriteBoolean("valid", report.Valid);
                    WriteDiagnostics(json, "errors", report.Diagnostics.Where(d => d.IsError));
                    WriteDiagnostics(json, "warnings", report.Diagnostics.Where(d => !d.IsError));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
        }

        private static void WriteDiagnostics(Utf8JsonWriter json, string name, IEnumerable<Diagnostic> diagnostics)
        {
            json.WriteStartArray(name);
            foreach (var d in diagnostics)
            {
                json.WriteStartObject();
                json.WriteString("code", d.Code);
                if (d.Field != null) json.WriteString("field", d.Field); else json.WriteNull("field");
                json.WriteString("message", d.Message);
                json.WriteNumber("line", d.Line);
                json.WriteNumber("column", d.Column);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
    }
}
