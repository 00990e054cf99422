using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Primeway
{
    /// <summary>How a job is checked.</summary>
    public sealed class ValidationOptions
    {
        public static ValidationOptions Default { get; } = new ValidationOptions();

        /// <summary>
        /// Check that project_dir and entry_script exist. Off on a server, which receives the project as an
        /// upload rather than a path.
        /// </summary>
        public bool CheckFileSystem { get; set; } = true;

        /// <summary>Where a relative project_dir is resolved for a job not read from a file (default: current directory).</summary>
        public string? BaseDirectory { get; set; }
    }

    /// <summary>Whether one job is valid, with every error and warning found in it.</summary>
    public sealed class JobValidationResult
    {
        internal JobValidationResult(JobSpec job, IReadOnlyList<Diagnostic> diagnostics)
        {
            Job = job;
            Diagnostics = diagnostics;
        }

        public JobSpec Job { get; }
        public string? JobName => Job.JobName;
        public string? File => Job.SourceFile;
        public int Line => Job.SourceLine;
        public IReadOnlyList<Diagnostic> Diagnostics { get; }
        public Diagnostic[] Errors => Diagnostics.Where(d => d.IsError).ToArray();
        public Diagnostic[] Warnings => Diagnostics.Where(d => !d.IsError).ToArray();
        public bool IsValid => !Diagnostics.Any(d => d.IsError);

        public override string ToString() => (JobName ?? "(unnamed)") + ": " + (IsValid ? "valid" : Errors.Length + " error(s)");
    }

    /// <summary>The rules of the job document, and the checks a careful user expects besides.</summary>
    public static class JobValidator
    {
        private static readonly Regex JobNamePattern = new Regex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant);
        /// <summary>The values of gateway_auth, the default first.</summary>
        public static readonly string[] GatewayAuthModes = { "token", "none" };

        private static readonly Regex EnvNamePattern = new Regex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);
        public const int MaxGpusPerType = 8;

        public static JobValidationResult Validate(JobSpec job, ValidationOptions? options = null)
        {
            if (job == null) throw new ArgumentNullException(nameof(job));
            var check = new Checker(job, options ?? ValidationOptions.Default);
            check.Run();
            return new JobValidationResult(job, check.Diagnostics);
        }

        /// <summary>Validates every job of a read file, adding the file's own findings and names used twice.</summary>
        public static IReadOnlyList<JobValidationResult> Validate(JobReadResult file, ValidationOptions? options = null)
        {
            var results = file.Jobs.Select(j => Validate(j, options)).ToList();
            var seen = new Dictionary<string, JobSpec>(StringComparer.Ordinal);
            foreach (var result in results)
            {
                var name = result.Job.JobName;
                if (name == null) continue;
                if (seen.TryGetValue(name, out var first))
                {
                    var at = result.Job.PositionOf("job_name");
                    ((List<Diagnostic>)result.Diagnostics).Add(new Diagnostic(DiagnosticCodes.DuplicateJobName, DiagnosticSeverity.Error, "job_name",
                        "job_name '" + name + "' is already used by the job at line " + first.SourceLine + ". Give each job in a file its own name.",
                        file.File, at.Line, at.Column));
                }
                else seen[name] = result.Job;
            }
            return results;
        }

        private sealed class Checker
        {
            private readonly JobSpec job;
            private readonly ValidationOptions options;

            public Checker(JobSpec job, ValidationOptions options)
            {
                this.job = job;
                this.options = options;
                Diagnostics.AddRange(job.ReadDiagnostics);
            }

            public List<Diagnostic> Diagnostics { get; } = new List<Diagnostic>();

            public void Run()
            {
                Required("job_name", "job_name: my-job");
                Required("docker_image", "docker_image: python:3.12-slim");
                JobNameIsDnsLabel();
                JobTypeIsRunOrDeploy();
                ProjectDirNeedsSomethingToRun();
                DeployNeedsPortAndHealthEndpoint();
                GpusAreKnownWithCounts();
                Positive("memory", job.Memory);
                Positive("disk_space", job.DiskSpace);
                Positive("cpu_count", job.CpuCount);
                Positive("timeout", job.Timeout);
                Positive("idle_timeout", job.IdleTimeout);
                Positive("health_check_timeout", job.HealthCheckTimeout);
                Positive("creation_timeout", job.CreationTimeout);
                PortInRange();
                HealthEndpointIsPath();
                GatewayAuthIsKnown();
                EnvIsWellFormed();
                Schedules();
                FilesExist();
                NotEmpty("docker_image", job.DockerImage);
                NotEmpty("entry_script", job.EntryScript);
                EntryScriptAndArgsWarning();
                RequirementsWithoutProjectWarning();
                DeployFieldsOnRunJobWarning();
                LiteralTokenWarning();
            }

            private bool Given(string key) => JobFields.Get(key).IsSet(job) || job.UnreadableFields.Contains(key);

            private void Required(string key, string example)
            {
                if (Given(key)) return;
                Error(DiagnosticCodes.RequiredField, key, job.Position, key + " is required. Add it, e.g. " + example + ".");
            }

            private void JobNameIsDnsLabel()
            {
                var name = job.JobName;
                if (name == null || JobNamePattern.IsMatch(name)) return;
                var suggestion = Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9-]+", "-").Trim('-');
                if (suggestion.Length > 63) suggestion = suggestion.Substring(0, 63).TrimEnd('-');
                if (suggestion.Length > 0 && !char.IsLetter(suggestion[0])) suggestion = "job-" + suggestion;
                Error(DiagnosticCodes.InvalidJobName, "job_name", job.PositionOf("job_name"),
                    "job_name '" + name + "' cannot name a container or a DNS host: use 1-63 lowercase letters, digits and hyphens, starting with a letter"
                    + (suggestion.Length > 0 && JobNamePattern.IsMatch(suggestion) ? ", e.g. '" + suggestion + "'." : "."));
            }

            private void JobTypeIsRunOrDeploy()
            {
                if (job.JobType != null || job.UnreadableFields.Contains("job_type")) return;
                Error(DiagnosticCodes.InvalidJobType, "job_type", job.Position, "job_type is required: add job_type: run (executed once) or job_type: deploy (a long-lived service).");
            }

            private void ProjectDirNeedsSomethingToRun()
            {
                if (job.ProjectDir == null) return;
                if (Given("entry_script") || Given("args") || Given("command")) return;
                Error(DiagnosticCodes.ProjectDirNeedsEntry, "project_dir", job.PositionOf("project_dir"),
                    "with project_dir, say what to run: add entry_script (e.g. entry_script: main.py), args or command.");
            }

            private void DeployNeedsPortAndHealthEndpoint()
            {
                if (job.JobType != Primeway.JobType.Deploy) return;
                if (!Given("port"))
                    Error(DiagnosticCodes.DeployNeedsPortAndHealth, "port", job.PositionOf("job_type"), "a deploy job needs port: the port the service listens on, e.g. port: 8000.");
                if (!Given("health_endpoint"))
                    Error(DiagnosticCodes.DeployNeedsPortAndHealth, "health_endpoint", job.PositionOf("job_type"),
                        "a deploy job needs health_endpoint: a path that answers 2xx when the service is ready, e.g. health_endpoint: /health.");
            }

            private void GpusAreKnownWithCounts()
            {
                for (int i = 0; i < job.GpuTypes.Count; i++)
                {
                    var gpu = job.GpuTypes[i];
                    var at = gpu.Position.IsKnown ? gpu.Position : job.PositionOf("gpu_types");
                    var path = "gpu_types[" + i + "]";
                    if (string.IsNullOrWhiteSpace(gpu.Type))
                    {
                        Error(DiagnosticCodes.UnknownGpuType, path + ".type", at, "each GPU needs a type, e.g. {type: A40, count: 1}. Known types: " + KnownGpus() + ".");
                    }
                    else
                    {
                        var resolved = GpuCatalog.Resolve(gpu.Type);
                        if (resolved.Model == null)
                        {
                            var names = resolved.Candidates.Select(c => "'" + c.Name + "'");
                            var message = resolved.IsAmbiguous
                                ? "GPU type '" + gpu.Type + "' could mean " + Text.JoinOr(names) + ". Write the full name."
                                : "GPU type '" + gpu.Type + "' is not offered." + (resolved.Candidates.Count > 0 ? " Did you mean " + Text.JoinOr(names) + "?" : "")
                                  + " Known types: " + KnownGpus() + ".";
                            Error(DiagnosticCodes.UnknownGpuType, path + ".type", at, message);
                        }
                    }
                    if (gpu.Count < 1 || gpu.Count > MaxGpusPerType)
                        Error(DiagnosticCodes.GpuCountOutOfRange, path + ".count", at,
                            "GPU count must be 1 to " + MaxGpusPerType + " per type, not " + gpu.Count + ".");
                }
            }

            private static string KnownGpus() => string.Join(", ", GpuCatalog.Models.Select(m => m.Name));

            private void Positive(string key, int? value)
            {
                if (value == null || value > 0) return;
                var unit = JobFields.Get(key).Unit;
                Error(DiagnosticCodes.NotPositive, key, job.PositionOf(key),
                    key + " must be a positive whole number" + (unit.Length > 0 ? " of " + unit : "") + ", not " + value + ". Remove it to use the default.");
            }

            private void GatewayAuthIsKnown()
            {
                var value = job.GatewayAuth;
                if (value == null || Array.IndexOf(GatewayAuthModes, value) >= 0) return;
                Error(DiagnosticCodes.InvalidGatewayAuth, "gateway_auth", job.PositionOf("gateway_auth"),
                    "gateway_auth must be 'token' (callers send a token) or 'none' (open to anyone), not '" + value + "'.");
            }

            private void PortInRange()
            {
                if (job.Port == null || (job.Port >= 1 && job.Port <= 65535)) return;
                Error(DiagnosticCodes.PortOutOfRange, "port", job.PositionOf("port"), "port must be between 1 and 65535, not " + job.Port + ".");
            }

            private void HealthEndpointIsPath()
            {
                var path = job.HealthEndpoint;
                if (path == null || path.StartsWith("/", StringComparison.Ordinal)) return;
                Error(DiagnosticCodes.HealthEndpointNotPath, "health_endpoint", job.PositionOf("health_endpoint"),
                    "health_endpoint must be a path starting with '/', e.g. '/" + path.TrimStart('/') + "'" +
                    (path.Contains("://") ? "; the host and port come from the job, so give only the path." : "."));
            }

            private void EnvIsWellFormed()
            {
                var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int i = 0; i < job.Env.Count; i++)
                {
                    var variable = job.Env[i];
                    var at = variable.Position.IsKnown ? variable.Position : job.PositionOf("env");
                    var path = "env[" + i + "]";
                    if (string.IsNullOrEmpty(variable.Name) || variable.Value == null)
                    {
                        var missing = string.IsNullOrEmpty(variable.Name) ? "name" : "value";
                        Error(DiagnosticCodes.IncompleteEnvItem, path + "." + missing, at,
                            "each env item needs both name and value; " + missing + " is missing" +
                            (variable.Name != null ? " for " + variable.Name : "") + ". Write {name: LOG_LEVEL, value: info} (use value: '' for an empty value).");
                        if (string.IsNullOrEmpty(variable.Name)) continue;
                    }
                    if (!EnvNamePattern.IsMatch(variable.Name!))
                        Error(DiagnosticCodes.InvalidEnvName, path + ".name", at,
                            "'" + variable.Name + "' is not a valid environment variable name: use letters, digits and underscores, not starting with a digit.");
                    else if (seen.TryGetValue(variable.Name!, out var first))
                        Error(DiagnosticCodes.DuplicateEnvName, path + ".name", at,
                            "env variable " + variable.Name + " is set twice (first as env[" + first + "]). Keep one of them.");
                    else seen[variable.Name!] = i;
                }
            }

            private void Schedules()
            {
                var start = ScheduleExpressionAt("schedule_start", job.ScheduleStart);
                var end = ScheduleExpressionAt("schedule_end", job.ScheduleEnd);
                if (start?.Once != null && end?.Once != null && end.Once <= start.Once)
                    Error(DiagnosticCodes.ScheduleEndBeforeStart, "schedule_end", job.PositionOf("schedule_end"),
                        "schedule_end (" + end.Text + ") must be after schedule_start (" + start.Text + ").");

                var schedule = job.Schedule;
                if (schedule == null) return;
                if (schedule.Timezone != null && !TimeZoneExists(schedule.Timezone))
                    Error(DiagnosticCodes.InvalidTimezone, "schedule.timezone", job.PositionOf("schedule"),
                        "'" + schedule.Timezone + "' is not a known time zone: use an IANA name such as Europe/Berlin or UTC.");
                CheckWindows("schedule.workdays", schedule.Workdays);
                CheckWindows("schedule.weekends", schedule.Weekends);
                for (int i = 0; i < schedule.SpecificDays.Count; i++)
                {
                    var day = schedule.SpecificDays[i];
                    if (day.Day != null && day.Date != null)
                        Error(DiagnosticCodes.InvalidScheduleWindow, "schedule.specific_days[" + i + "]", day.Position,
                            "a specific day takes either day (a weekday) or date (YYYY-MM-DD), not both.");
                    CheckWindows("schedule.specific_days[" + i + "].windows", day.Windows);
                }
            }

            private void CheckWindows(string path, List<TimeWindow> windows)
            {
                for (int i = 0; i < windows.Count; i++)
                {
                    if (windows[i].Start == windows[i].End)
                        Error(DiagnosticCodes.InvalidScheduleWindow, path + "[" + i + "]", windows[i].Position,
                            "the window " + windows[i] + " starts and ends at the same time; for a whole day write start: '00:00', end: '24:00'.");
                }
            }

            private ScheduleExpression? ScheduleExpressionAt(string key, string? text)
            {
                if (text == null) return null;
                if (ScheduleExpression.TryParse(text, out var expression, out var error)) return expression;
                Error(DiagnosticCodes.InvalidScheduleExpression, key, job.PositionOf(key), key + ": " + error + ".");
                return null;
            }

            private static bool TimeZoneExists(string id)
            {
                try
                {
                    TimeZoneInfo.FindSystemTimeZoneById(id);
                    return true;
                }
                catch (TimeZoneNotFoundException) { return false; }
                catch (InvalidTimeZoneException) { return false; }
            }

            private void FilesExist()
            {
                if (!options.CheckFileSystem || string.IsNullOrEmpty(job.ProjectDir)) return;
                var baseDirectory = job.BaseDirectory ?? options.BaseDirectory ?? Directory.GetCurrentDirectory();
                string projectDir;
                try
                {
                    projectDir = Path.GetFullPath(Path.Combine(baseDirectory, job.ProjectDir));
                }
                catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
                {
                    Error(DiagnosticCodes.ProjectDirNotFound, "project_dir", job.PositionOf("project_dir"), "project_dir '" + job.ProjectDir + "' is not a valid path: " + e.Message);
                    return;
                }
                if (!Directory.Exists(projectDir))
                {
                    Error(DiagnosticCodes.ProjectDirNotFound, "project_dir", job.PositionOf("project_dir"),
                        "project_dir '" + job.ProjectDir + "' does not exist (looked for " + projectDir + "). Paths are relative to the job file's folder.");
                    return;
                }
                if (string.IsNullOrEmpty(job.EntryScript)) return;
                var script = Path.Combine(projectDir, job.EntryScript);
                if (!File.Exists(script))
                    Error(DiagnosticCodes.EntryScriptNotFound, "entry_script", job.PositionOf("entry_script"),
                        "entry_script '" + job.EntryScript + "' is not in project_dir (looked for " + script + "). entry_script is relative to project_dir.");
            }

            private void NotEmpty(string key, string? value)
            {
                if (value == null || value.Trim().Length > 0) return;
                Error(DiagnosticCodes.EmptyValue, key, job.PositionOf(key), key + " is empty. Give it a value or remove it.");
            }

            private void EntryScriptAndArgsWarning()
            {
                if (job.EntryScript == null || job.Args == null) return;
                Warning(DiagnosticCodes.EntryScriptAndArgs, "args", job.PositionOf("args"),
                    "both entry_script and args are given: args is what runs, as the arguments of entry_script. Remove one if that is not what you mean.");
            }

            private void RequirementsWithoutProjectWarning()
            {
                if (job.Requirements.Count == 0 || job.ProjectDir != null) return;
                Warning(DiagnosticCodes.RequirementsWithoutProject, "requirements", job.PositionOf("requirements"),
                    "requirements without project_dir are installed over the Docker image's own packages and may conflict with them; prefer an image that has them, or add project_dir.");
            }

            private void DeployFieldsOnRunJobWarning()
            {
                if (job.JobType != Primeway.JobType.Run) return;
                foreach (var key in new[] { "port", "health_endpoint", "idle_timeout", "gateway_auth" })
                {
                    if (!Given(key)) continue;
                    Warning(DiagnosticCodes.DeployFieldOnRunJob, key, job.PositionOf(key),
                        key + " only applies to deploy jobs and is ignored for a run job. Remove it, or set job_type: deploy.");
                }
            }

            private void LiteralTokenWarning()
            {
                if (string.IsNullOrEmpty(job.PrimewayApiToken)) return;
                Warning(DiagnosticCodes.LiteralApiToken, "primeway_api_token", job.PositionOf("primeway_api_token"),
                    "a literal API token in a job file is a secret anyone with the file can use; remove it and set the PRIMEWAY_API_TOKEN environment variable instead.");
            }

            private void Error(string code, string? field, SourcePosition at, string message) =>
                Diagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Error, field, message, job.SourceFile, at.Line, at.Column));

            private void Warning(string code, string? field, SourcePosition at, string message) =>
                Diagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Warning, field, message, job.SourceFile, at.Line, at.Column));
        }
    }
}
