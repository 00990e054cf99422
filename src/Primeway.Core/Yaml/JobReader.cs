using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using YamlDotNet.Core;

namespace Primeway.Yaml
{
    /// <summary>Turns one YAML document's node tree into a JobSpec, reporting what does not fit.</summary>
    internal sealed class JobReader
    {
        private readonly JobSpec job;
        private readonly string? file;

        private JobReader(JobSpec job, string? file)
        {
            this.job = job;
            this.file = file;
        }

        public static JobSpec Read(YMapping root, string? file, int documentIndex, SourcePosition position)
        {
            var job = new JobSpec { SourceFile = file, DocumentIndex = documentIndex, Position = position };
            new JobReader(job, file).ReadFields(root);
            return job;
        }

        private void ReadFields(YMapping root)
        {
            foreach (var pair in root.Pairs)
            {
                if (!(pair.Key is YScalar keyNode))
                {
                    Error(DiagnosticCodes.WrongType, null, pair.Key.Position, "a key must be a plain name such as job_name, not " + pair.Key.KindName + ".");
                    continue;
                }
                var key = keyNode.Value;
                var field = JobFields.Find(key);
                if (field == null)
                {
                    Error(DiagnosticCodes.UnknownField, key, keyNode.Position, UnknownKeyMessage(key, JobFields.AllKeys, "job file"));
                    continue;
                }
                if (job.FieldPositions.ContainsKey(field.Key))
                {
                    var first = job.FieldSpellings.TryGetValue(field.Key, out var spelled) ? spelled : field.Key;
                    var earlier = job.FieldPositions[field.Key];
                    if (first == key)
                        Error(DiagnosticCodes.DuplicateField, field.Key, keyNode.Position,
                            "'" + key + "' is given twice (first at line " + earlier.Line + "). Keep one of them.");
                    else
                        Error(DiagnosticCodes.AliasConflict, field.Key, keyNode.Position,
                            "'" + key + "' and '" + first + "' (line " + earlier.Line + ") are two spellings of the same field. Keep one of them.");
                    continue;
                }
                job.FieldPositions[field.Key] = keyNode.Position;
                job.FieldSpellings[field.Key] = key;

                var value = ReadValue(field, pair.Value);
                if (value != null) field.Set(job, value);
                else if (!(pair.Value is YScalar s && s.IsNull)) job.UnreadableFields.Add(field.Key);
            }
        }

        private object? ReadValue(JobField field, YNode node)
        {
            if (node is YScalar nullScalar && nullScalar.IsNull) return null;
            switch (field.Kind)
            {
                case JobFieldKind.Text: return ReadText(field.Key, node);
                case JobFieldKind.Integer: return ReadInteger(field.Key, node, field.Unit);
                case JobFieldKind.JobType: return ReadJobType(node);
                case JobFieldKind.CommandLine: return ReadCommandLine(field.Key, node);
                case JobFieldKind.TextList: return ReadTextList(field.Key, node);
                case JobFieldKind.GpuList: return ReadGpus(node);
                case JobFieldKind.EnvList: return ReadEnv(node);
                case JobFieldKind.Schedule: return ReadSchedule(node);
                default: throw new InvalidOperationException(field.Kind.ToString());
            }
        }

        private string? ReadText(string path, YNode node)
        {
            if (node is YScalar scalar) return scalar.Value;
            WrongType(path, node, "a single text value");
            return null;
        }

        private int? ReadInteger(string path, YNode node, string unit)
        {
            if (node is YScalar scalar)
            {
                var text = scalar.Value.Trim();
                if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)) return number;
                var hint = "";
                var digits = new string(text.TakeWhile(char.IsDigit).ToArray());
                if (digits.Length > 0 && unit.Length > 0)
                    hint = " The unit is implied (" + unit + "): write " + path + ": " + digits + ".";
                else if (digits.Length > 0 && text.Contains("."))
                    hint = " Fractions are not accepted: write a whole number.";
                Error(DiagnosticCodes.WrongType, path, node.Position, path + " must be a whole number" + (unit.Length > 0 ? " of " + unit : "") + ", not '" + text + "'." + hint);
                return null;
            }
            WrongType(path, node, "a whole number");
            return null;
        }

        private JobType? ReadJobType(YNode node)
        {
            if (!(node is YScalar scalar))
            {
                WrongType("job_type", node, "run or deploy");
                return null;
            }
            var text = scalar.Value.Trim();
            if (string.Equals(text, "run", StringComparison.OrdinalIgnoreCase)) return Primeway.JobType.Run;
            if (string.Equals(text, "deploy", StringComparison.OrdinalIgnoreCase)) return Primeway.JobType.Deploy;
            var guess = Text.DidYouMean(text, new[] { "run", "deploy" });
            Error(DiagnosticCodes.InvalidJobType, "job_type", node.Position,
                "job_type must be 'run' or 'deploy', not '" + text + "'." + (guess != null ? " Did you mean '" + guess + "'?" : ""));
            return null;
        }

        private CommandLine? ReadCommandLine(string path, YNode node)
        {
            if (node is YScalar scalar) return CommandLine.FromText(scalar.Value);
            if (node is YSequence sequence)
            {
                var items = new List<string>();
                for (int i = 0; i < sequence.Items.Count; i++)
                {
                    var item = ReadText(path + "[" + i + "]", sequence.Items[i]);
                    if (item == null) return null;
                    items.Add(item);
                }
                return CommandLine.FromList(items);
            }
            WrongType(path, node, "a string or a list of strings");
            return null;
        }

        private List<string>? ReadTextList(string path, YNode node)
        {
            if (node is YScalar scalar) return new List<string> { scalar.Value };
            if (!(node is YSequence sequence))
            {
                WrongType(path, node, "a list of strings");
                return null;
            }
            var items = new List<string>();
            for (int i = 0; i < sequence.Items.Count; i++)
            {
                var item = ReadText(path + "[" + i + "]", sequence.Items[i]);
                if (item != null) items.Add(item);
            }
            return items;
        }

        private List<GpuRequest>? ReadGpus(YNode node)
        {
            if (!(node is YSequence sequence))
            {
                WrongType("gpu_types", node, "a list of {type, count}, e.g. gpu_types: [{type: A40, count: 1}]");
                return null;
            }
            var gpus = new List<GpuRequest>();
            for (int i = 0; i < sequence.Items.Count; i++)
            {
                var path = "gpu_types[" + i + "]";
                var item = sequence.Items[i];
                if (item is YScalar shortForm && !shortForm.IsNull)
                {
                    gpus.Add(new GpuRequest(shortForm.Value, 1) { Position = item.Position });
                    continue;
                }
                var map = AsMapping(path, item, "{type, count}");
                if (map == null) continue;
                var gpu = new GpuRequest { Position = item.Position, Type = null };
                foreach (var (key, value) in Keys(path, map, "type", "count"))
                {
                    if (key == "type") gpu.Type = ReadText(path + ".type", value);
                    else gpu.Count = ReadInteger(path + ".count", value, "") ?? 1;
                }
                gpus.Add(gpu);
            }
            return gpus;
        }

        private List<EnvVar>? ReadEnv(YNode node)
        {
            var vars = new List<EnvVar>();
            if (node is YMapping mapping)
            {
                foreach (var pair in mapping.Pairs)
                {
                    var name = ReadText("env", pair.Key);
                    var value = pair.Value is YScalar v && v.IsNull ? null : ReadText("env." + name, pair.Value);
                    vars.Add(new EnvVar { Name = name, Value = value, Position = pair.Key.Position });
                }
                return vars;
            }
            if (!(node is YSequence sequence))
            {
                WrongType("env", node, "a list of {name, value}");
                return null;
            }
            for (int i = 0; i < sequence.Items.Count; i++)
            {
                var path = "env[" + i + "]";
                var item = sequence.Items[i];
                if (item is YScalar text && !text.IsNull)
                {
                    // NAME=value, as docker run -e takes it.
                    int eq = text.Value.IndexOf('=');
                    vars.Add(eq < 0
                        ? new EnvVar { Name = text.Value, Value = null, Position = item.Position }
                        : new EnvVar { Name = text.Value.Substring(0, eq), Value = text.Value.Substring(eq + 1), Position = item.Position });
                    continue;
                }
                var map = AsMapping(path, item, "{name, value}");
                if (map == null) continue;
                var variable = new EnvVar { Position = item.Position };
                foreach (var (key, value) in Keys(path, map, "name", "value"))
                {
                    if (value is YScalar s && s.IsNull) continue;
                    if (key == "name") variable.Name = ReadText(path + ".name", value);
                    else variable.Value = ReadText(path + ".value", value);
                }
                vars.Add(variable);
            }
            return vars;
        }

        private ScheduleWindows? ReadSchedule(YNode node)
        {
            var map = AsMapping("schedule", node, "{workdays, weekends, specific_days}");
            if (map == null) return null;
            var schedule = new ScheduleWindows();
            foreach (var (key, value) in Keys("schedule", map, "timezone", "workdays", "weekends", "specific_days"))
            {
                switch (key)
                {
                    case "timezone": schedule.Timezone = ReadText("schedule.timezone", value); break;
                    case "workdays": schedule.Workdays = ReadWindows("schedule.workdays", value); break;
                    case "weekends": schedule.Weekends = ReadWindows("schedule.weekends", value); break;
                    case "specific_days": schedule.SpecificDays = ReadSpecificDays(value); break;
                }
            }
            return schedule;
        }

        private List<SpecificDay> ReadSpecificDays(YNode node)
        {
            var days = new List<SpecificDay>();
            if (!(node is YSequence sequence))
            {
                WrongType("schedule.specific_days", node, "a list of {day or date, windows}");
                return days;
            }
            for (int i = 0; i < sequence.Items.Count; i++)
            {
                var path = "schedule.specific_days[" + i + "]";
                var map = AsMapping(path, sequence.Items[i], "{day or date, windows}");
                if (map == null) continue;
                var day = new SpecificDay { Position = map.Position };
                foreach (var (key, value) in Keys(path, map, "day", "date", "windows"))
                {
                    var text = key == "windows" ? null : ReadText(path + "." + key, value);
                    if (key == "day" && text != null)
                    {
                        if (Enum.TryParse<DayOfWeek>(text.Trim(), true, out var dow) && !text.Trim().All(char.IsDigit)) day.Day = dow;
                        else Error(DiagnosticCodes.InvalidScheduleWindow, path + ".day", value.Position,
                            "'" + text + "' is not a day of the week: write monday, tuesday ... sunday.");
                    }
                    else if (key == "date" && text != null)
                    {
                        if (DateTime.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) day.Date = date;
                        else Error(DiagnosticCodes.InvalidScheduleWindow, path + ".date", value.Position,
                            "'" + text + "' is not a date: write it as YYYY-MM-DD, e.g. 2026-12-24.");
                    }
                    else if (key == "windows") day.Windows = ReadWindows(path + ".windows", value);
                }
                if (day.Day == null && day.Date == null && !map.Pairs.Any(p => p.Key is YScalar k && (k.Value == "day" || k.Value == "date")))
                    Error(DiagnosticCodes.InvalidScheduleWindow, path, map.Position, "a specific day needs 'day' (monday ... sunday) or 'date' (YYYY-MM-DD).");
                days.Add(day);
            }
            return days;
        }

        private List<TimeWindow> ReadWindows(string path, YNode node)
        {
            var windows = new List<TimeWindow>();
            if (!(node is YSequence sequence))
            {
                WrongType(path, node, "a list of {start, end}, e.g. [{start: '09:00', end: '18:00'}]");
                return windows;
            }
            for (int i = 0; i < sequence.Items.Count; i++)
            {
                var itemPath = path + "[" + i + "]";
                var map = AsMapping(itemPath, sequence.Items[i], "{start, end}");
                if (map == null) continue;
                TimeSpan? start = null, end = null;
                foreach (var (key, value) in Keys(itemPath, map, "start", "end"))
                {
                    var time = ReadTime(itemPath + "." + key, value);
                    if (key == "start") start = time; else end = time;
                }
                foreach (var missing in new[] { ("start", start), ("end", end) }.Where(x => x.Item2 == null && !map.Pairs.Any(p => p.Key is YScalar k && k.Value == x.Item1)))
                    Error(DiagnosticCodes.InvalidScheduleWindow, itemPath + "." + missing.Item1, map.Position, "a time window needs both start and end (HH:MM or HH:MM:SS); " + missing.Item1 + " is missing.");
                if (start != null && end != null) windows.Add(new TimeWindow(start.Value, end.Value) { Position = map.Position });
            }
            return windows;
        }

        private TimeSpan? ReadTime(string path, YNode node)
        {
            var text = ReadText(path, node);
            if (text == null) return null;
            if (TimeWindow.TryParseTime(text.Trim(), out var time)) return time;
            Error(DiagnosticCodes.InvalidScheduleWindow, path, node.Position, "'" + text + "' is not a time of day: write HH:MM or HH:MM:SS, e.g. '09:30'.");
            return null;
        }

        /// <summary>The pairs of a nested mapping whose keys are among the allowed ones; the rest are reported.</summary>
        private IEnumerable<(string Key, YNode Value)> Keys(string path, YMapping map, params string[] allowed)
        {
            var seen = new HashSet<string>();
            foreach (var pair in map.Pairs)
            {
                var key = (pair.Key as YScalar)?.Value ?? "";
                if (!allowed.Contains(key))
                {
                    Error(DiagnosticCodes.UnknownField, path + "." + key, pair.Key.Position, UnknownKeyMessage(key, allowed, path));
                    continue;
                }
                if (!seen.Add(key))
                {
                    Error(DiagnosticCodes.DuplicateField, path + "." + key, pair.Key.Position, "'" + key + "' is given twice in " + path + ". Keep one of them.");
                    continue;
                }
                yield return (key, pair.Value);
            }
        }

        private YMapping? AsMapping(string path, YNode node, string shape)
        {
            if (node is YMapping map) return map;
            WrongType(path, node, shape);
            return null;
        }

        internal static string UnknownKeyMessage(string key, IEnumerable<string> known, string where)
        {
            var guess = Text.DidYouMean(key, known);
            return "'" + key + "' is not a field of a " + (where == "job file" ? where : where + " entry") + "." +
                (guess != null ? " Did you mean '" + guess + "'?" : " Known fields: " + string.Join(", ", known.OrderBy(k => k)) + ".");
        }

        private void WrongType(string path, YNode node, string expected) =>
            Error(DiagnosticCodes.WrongType, path, node.Position, path + " must be " + expected + ", but " + node.KindName + " is given.");

        private void Error(string code, string? field, SourcePosition at, string message) =>
            job.ReadDiagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Error, field, message, file, at.Line, at.Column));
    }
}
