using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Primeway.Yaml
{
    /// <summary>Writes jobs as block-style YAML that reads back to equal JobSpecs.</summary>
    internal static class JobWriter
    {
        public static string Write(IEnumerable<JobSpec> jobs)
        {
            var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
            var emitter = new Emitter(writer, new EmitterSettings().WithNewLine("\n"));
            emitter.Emit(new StreamStart());
            var list = jobs.ToList();
            for (int i = 0; i < list.Count; i++)
            {
                emitter.Emit(new DocumentStart(null, null, isImplicit: i == 0));
                WriteJob(emitter, list[i]);
                emitter.Emit(new DocumentEnd(isImplicit: true));
            }
            emitter.Emit(new StreamEnd());
            return writer.ToString();
        }

        private static void WriteJob(IEmitter e, JobSpec job)
        {
            e.Emit(new MappingStart());
            WriteJobFields(e, job);
            e.Emit(new MappingEnd());
        }

        private static void WriteJobFields(IEmitter e, JobSpec job)
        {
            foreach (var field in JobFields.All)
            {
                if (!field.IsSet(job)) continue;
                Plain(e, field.Key);
                WriteValue(e, field, field.Get(job)!);
            }
        }

        /// <summary>A pipeline file: its name and schedule, then each step's id, dependencies and inputs before its job fields.</summary>
        public static string WritePipeline(PipelineSpec pipeline)
        {
            var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
            var e = new Emitter(writer, new EmitterSettings().WithNewLine("\n"));
            e.Emit(new StreamStart());
            e.Emit(new DocumentStart(null, null, isImplicit: true));
            e.Emit(new MappingStart());
            if (pipeline.PipelineName != null) { Plain(e, "pipeline_name"); Str(e, pipeline.PipelineName); }
            if (pipeline.Schedule != null) { Plain(e, "schedule"); Str(e, pipeline.Schedule); }
            Plain(e, "steps");
            e.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
            foreach (var step in pipeline.Steps)
            {
                e.Emit(new MappingStart());
                if (step.Id != null) { Plain(e, "id"); Str(e, step.Id); }
                WriteIds(e, "dependencies", step.Dependencies);
                WriteIds(e, "inputs", step.Inputs);
                WriteJobFields(e, step.Job);
                e.Emit(new MappingEnd());
            }
            e.Emit(new SequenceEnd());
            e.Emit(new MappingEnd());
            e.Emit(new DocumentEnd(isImplicit: true));
            e.Emit(new StreamEnd());
            return writer.ToString();
        }

        private static void WriteIds(IEmitter e, string key, List<string> ids)
        {
            if (ids.Count == 0) return;
            Plain(e, key);
            e.Emit(new SequenceStart(null, null, false, SequenceStyle.Flow));
            foreach (var id in ids) Str(e, id);
            e.Emit(new SequenceEnd());
        }

        private static void WriteValue(IEmitter e, JobField field, object value)
        {
            switch (field.Kind)
            {
                case JobFieldKind.Text: Str(e, (string)value); break;
                case JobFieldKind.Integer: Plain(e, ((int)value).ToString(CultureInfo.InvariantCulture)); break;
                case JobFieldKind.JobType: Plain(e, ((JobType)value).ToString().ToLowerInvariant()); break;
                case JobFieldKind.CommandLine:
                    var command = (CommandLine)value;
                    if (command.IsList) StrList(e, command.Items!); else Str(e, command.Text!);
                    break;
                case JobFieldKind.TextList: StrList(e, (List<string>)value); break;
                case JobFieldKind.GpuList:
                    e.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
                    foreach (var gpu in (List<GpuRequest>)value)
                    {
                        e.Emit(new MappingStart(null, null, false, MappingStyle.Flow));
                        Plain(e, "type"); Str(e, gpu.Type ?? "");
                        Plain(e, "count"); Plain(e, gpu.Count.ToString(CultureInfo.InvariantCulture));
                        e.Emit(new MappingEnd());
                    }
                    e.Emit(new SequenceEnd());
                    break;
                case JobFieldKind.EnvList:
                    e.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
                    foreach (var variable in (List<EnvVar>)value)
                    {
                        e.Emit(new MappingStart());
                        Plain(e, "name"); Str(e, variable.Name ?? "");
                        if (variable.Value != null) { Plain(e, "value"); Str(e, variable.Value); }
                        e.Emit(new MappingEnd());
                    }
                    e.Emit(new SequenceEnd());
                    break;
                case JobFieldKind.Schedule: WriteSchedule(e, (ScheduleWindows)value); break;
                default: throw new InvalidOperationException(field.Kind.ToString());
            }
        }

        private static void WriteSchedule(IEmitter e, ScheduleWindows schedule)
        {
            e.Emit(new MappingStart());
            if (schedule.Timezone != null) { Plain(e, "timezone"); Str(e, schedule.Timezone); }
            if (schedule.Workdays.Count > 0) { Plain(e, "workdays"); Windows(e, schedule.Workdays); }
            if (schedule.Weekends.Count > 0) { Plain(e, "weekends"); Windows(e, schedule.Weekends); }
            if (schedule.SpecificDays.Count > 0)
            {
                Plain(e, "specific_days");
                e.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
                foreach (var day in schedule.SpecificDays)
                {
                    e.Emit(new MappingStart());
                    if (day.Day != null) { Plain(e, "day"); Plain(e, day.Day.Value.ToString().ToLowerInvariant()); }
                    if (day.Date != null) { Plain(e, "date"); Plain(e, day.Date.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); }
                    Plain(e, "windows");
                    Windows(e, day.Windows);
                    e.Emit(new MappingEnd());
                }
                e.Emit(new SequenceEnd());
            }
            e.Emit(new MappingEnd());
        }

        private static void Windows(IEmitter e, List<TimeWindow> windows)
        {
            e.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
            foreach (var w in windows)
            {
                e.Emit(new MappingStart(null, null, false, MappingStyle.Flow));
                Plain(e, "start"); Quoted(e, TimeWindow.Format(w.Start));
                Plain(e, "end"); Quoted(e, TimeWindow.Format(w.End));
                e.Emit(new MappingEnd());
            }
            e.Emit(new SequenceEnd());
        }

        private static void StrList(IEmitter e, IEnumerable<string> items)
        {
            e.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
            foreach (var item in items) Str(e, item);
            e.Emit(new SequenceEnd());
        }

        // Strings that another YAML reader would take for a number, a boolean, null or a time are quoted.
        private static readonly Regex LooksTyped = new Regex(
            @"^(?:[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|null|Null|NULL|~|\d+(?::\d+)+)$",
            RegexOptions.CultureInvariant);

        private static void Str(IEmitter e, string value)
        {
            if (value.Length == 0 || LooksTyped.IsMatch(value)) Quoted(e, value);
            else e.Emit(new Scalar(null, null, value, ScalarStyle.Any, true, true));
        }

        private static void Plain(IEmitter e, string value) => e.Emit(new Scalar(null, null, value, ScalarStyle.Plain, true, false));

        private static void Quoted(IEmitter e, string value) => e.Emit(new Scalar(null, null, value, ScalarStyle.DoubleQuoted, false, true));
    }
}
