using System;
using System.Collections.Generic;
using System.Linq;

namespace Primeway.Server.Scheduling
{
    /// <summary>
    /// When a job starts and ends: schedule_start/schedule_end (an ISO instant once, or cron) and the schedule
    /// object's windows, in the job's time zone (schedule.timezone) or the server's. Pure: it only answers questions
    /// about instants, so the scheduler can ask with any clock.
    /// </summary>
    public sealed class JobSchedule
    {
        // How far back a missed start is looked for after a long outage, and how far ahead the next one.
        private static readonly TimeSpan LookBack = TimeSpan.FromDays(400);
        private const int LookAheadDays = 400;

        private readonly ScheduleExpression? start;
        private readonly ScheduleExpression? end;
        private readonly ScheduleWindows? windows;

        private JobSchedule(ScheduleExpression? start, ScheduleExpression? end, ScheduleWindows? windows, TimeZoneInfo zone)
        {
            this.start = start;
            this.end = end;
            this.windows = windows;
            Zone = zone;
        }

        public TimeZoneInfo Zone { get; }
        public bool HasWindows => windows != null;

        /// <summary>The job's schedule, or null when it has none (or one that does not parse: the validator refuses those).</summary>
        public static JobSchedule? For(JobSpec job, string serverTimeZone)
        {
            if (job.ScheduleStart == null && job.ScheduleEnd == null && job.Schedule == null) return null;
            ScheduleExpression? start = null, end = null;
            if (job.ScheduleStart != null && !ScheduleExpression.TryParse(job.ScheduleStart, out start, out _)) return null;
            if (job.ScheduleEnd != null && !ScheduleExpression.TryParse(job.ScheduleEnd, out end, out _)) return null;
            var zone = TimeZoneInfo.FindSystemTimeZoneById(job.Schedule?.Timezone ?? serverTimeZone);
            return new JobSchedule(start, end, job.Schedule, zone);
        }

        /// <summary>The latest start in (after, upTo]: a missed run of starts counts once.</summary>
        public DateTimeOffset? LatestStart(DateTimeOffset after, DateTimeOffset upTo) =>
            Latest(Latest(start, after, upTo), LatestOf(Windows(after, upTo).Select(w => w.Start), after, upTo));

        /// <summary>The latest end in (after, upTo].</summary>
        public DateTimeOffset? LatestEnd(DateTimeOffset after, DateTimeOffset upTo) =>
            Latest(Latest(end, after, upTo), LatestOf(Windows(after, upTo).Select(w => w.End), after, upTo));

        public DateTimeOffset? NextStart(DateTimeOffset from) => Earliest(Next(start, from), NextWindowEdge(from, w => w.Start));
        public DateTimeOffset? NextEnd(DateTimeOffset from) => Earliest(Next(end, from), NextWindowEdge(from, w => w.End));

        /// <summary>Whether a window holds the instant.</summary>
        public bool IsInsideWindow(DateTimeOffset at) => Windows(at - TimeSpan.FromDays(1), at).Any(w => w.Start <= at && at < w.End);

        private DateTimeOffset? Latest(ScheduleExpression? expression, DateTimeOffset after, DateTimeOffset upTo)
        {
            if (expression == null) return null;
            if (expression.Once is DateTimeOffset once) return once > after && once <= upTo ? once : null;
            var from = after > upTo - LookBack ? after : upTo - LookBack;
            DateTimeOffset? last = null;
            foreach (var at in expression.Cron!.GetOccurrences(from, upTo, Zone, fromInclusive: false, toInclusive: true)) last = at;
            return last;
        }

        private DateTimeOffset? Next(ScheduleExpression? expression, DateTimeOffset from)
        {
            if (expression == null) return null;
            if (expression.Once is DateTimeOffset once) return once > from ? once : null;
            return expression.Cron!.GetNextOccurrence(from, Zone);
        }

        private DateTimeOffset? NextWindowEdge(DateTimeOffset from, Func<(DateTimeOffset Start, DateTimeOffset End), DateTimeOffset> edge)
        {
            if (windows == null) return null;
            for (int days = 0; days < LookAheadDays; days += 8)
            {
                var chunkEnd = from + TimeSpan.FromDays(days + 8);
                // Edges past the chunk may be where the merging stopped looking, not real ones.
                var first = Windows(from + TimeSpan.FromDays(days), chunkEnd).Select(edge).Where(t => t > from && t <= chunkEnd).OrderBy(t => t).ToList();
                if (first.Count > 0) return first[0];
            }
            return null;
        }

        private static DateTimeOffset? LatestOf(IEnumerable<DateTimeOffset> instants, DateTimeOffset after, DateTimeOffset upTo)
        {
            DateTimeOffset? last = null;
            foreach (var at in instants)
                if (at > after && at <= upTo && (last == null || at > last)) last = at;
            return last;
        }

        private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a == null ? b : b == null ? a : (a > b ? a : b);
        private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a == null ? b : b == null ? a : (a < b ? a : b);

        /// <summary>
        /// The windows (UTC) of the local days around [from, to], merged where one ends as the next begins, so a job
        /// up all week is not stopped and started again at each midnight.
        /// </summary>
        private List<(DateTimeOffset Start, DateTimeOffset End)> Windows(DateTimeOffset from, DateTimeOffset to)
        {
            var merged = new List<(DateTimeOffset Start, DateTimeOffset End)>();
            if (windows == null) return merged;
            if (from < to - LookBack) from = to - LookBack;
            var firstDay = TimeZoneInfo.ConvertTime(from, Zone).Date.AddDays(-2);
            var lastDay = TimeZoneInfo.ConvertTime(to, Zone).Date.AddDays(2);
            var all = new List<(DateTimeOffset Start, DateTimeOffset End)>();
            for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
                foreach (var window in WindowsOn(day))
                {
                    var end = window.End <= window.Start ? window.End + TimeSpan.FromDays(1) : window.End;
                    all.Add((ToUtc(day + window.Start), ToUtc(day + end)));
                }
            foreach (var w in all.OrderBy(w => w.Start))
            {
                if (merged.Count > 0 && w.Start <= merged[^1].End)
                    merged[^1] = (merged[^1].Start, w.End > merged[^1].End ? w.End : merged[^1].End);
                else
                    merged.Add(w);
            }
            return merged;
        }

        private IEnumerable<TimeWindow> WindowsOn(DateTime day)
        {
            var specific = windows!.SpecificDays.FirstOrDefault(d => d.Date?.Date == day.Date) ?? windows.SpecificDays.FirstOrDefault(d => d.Date == null && d.Day == day.DayOfWeek);
            if (specific != null) return specific.Windows;
            return day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? windows.Weekends : windows.Workdays;
        }

        /// <summary>A local time in the job's zone as UTC; a time skipped by a clock change moves to the hour after.</summary>
        private DateTimeOffset ToUtc(DateTime local)
        {
            local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
            if (Zone.IsInvalidTime(local)) local = local.AddHours(1);
            return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, Zone), TimeSpan.Zero);
        }
    }
}
