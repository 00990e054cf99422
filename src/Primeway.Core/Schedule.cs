using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Primeway
{
    /// <summary>The schedule object: time windows in which a job is kept up.</summary>
    public sealed class ScheduleWindows : IEquatable<ScheduleWindows>
    {
        /// <summary>IANA or Windows time zone id; UTC when not given.</summary>
        public string? Timezone { get; set; }

        /// <summary>Windows applied Monday to Friday.</summary>
        public List<TimeWindow> Workdays { get; set; } = new List<TimeWindow>();

        /// <summary>Windows applied Saturday and Sunday.</summary>
        public List<TimeWindow> Weekends { get; set; } = new List<TimeWindow>();

        /// <summary>Windows for one weekday or one date, replacing workdays/weekends on that day.</summary>
        public List<SpecificDay> SpecificDays { get; set; } = new List<SpecificDay>();

        public bool Equals(ScheduleWindows? other) =>
            other != null && Timezone == other.Timezone && Workdays.SequenceEqual(other.Workdays)
            && Weekends.SequenceEqual(other.Weekends) && SpecificDays.SequenceEqual(other.SpecificDays);

        public override bool Equals(object? obj) => Equals(obj as ScheduleWindows);
        public override int GetHashCode() => Workdays.Count * 7 + Weekends.Count * 31 + SpecificDays.Count;
    }

    /// <summary>A start and end time of day. An end at or before the start runs past midnight.</summary>
    public sealed class TimeWindow : IEquatable<TimeWindow>
    {
        public TimeWindow() { }

        public TimeWindow(TimeSpan start, TimeSpan end)
        {
            Start = start;
            End = end;
        }

        public TimeSpan Start { get; set; }
        public TimeSpan End { get; set; }

        internal SourcePosition Position { get; set; }

        public static string Format(TimeSpan time) =>
            time.Seconds == 0 ? time.ToString("hh\\:mm", CultureInfo.InvariantCulture) : time.ToString("hh\\:mm\\:ss", CultureInfo.InvariantCulture);

        /// <summary>Reads HH:MM or HH:MM:SS, 00:00 to 24:00.</summary>
        public static bool TryParseTime(string text, out TimeSpan time)
        {
            time = default;
            var parts = text.Split(':');
            if (parts.Length < 2 || parts.Length > 3) return false;
            if (!parts.All(p => p.Length == 2 && char.IsDigit(p[0]) && char.IsDigit(p[1]))) return false;
            int h = int.Parse(parts[0], CultureInfo.InvariantCulture);
            int m = int.Parse(parts[1], CultureInfo.InvariantCulture);
            int s = parts.Length == 3 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : 0;
            if (m > 59 || s > 59 || h > 24 || (h == 24 && (m != 0 || s != 0))) return false;
            time = new TimeSpan(h, m, s);
            return true;
        }

        public bool Equals(TimeWindow? other) => other != null && Start == other.Start && End == other.End;
        public override bool Equals(object? obj) => Equals(obj as TimeWindow);
        public override int GetHashCode() => Start.GetHashCode() * 31 + End.GetHashCode();
        public override string ToString() => Format(Start) + "-" + Format(End);
    }

    /// <summary>Windows for one weekday (every week) or one calendar date.</summary>
    public sealed class SpecificDay : IEquatable<SpecificDay>
    {
        public DayOfWeek? Day { get; set; }
        public DateTime? Date { get; set; }
        public List<TimeWindow> Windows { get; set; } = new List<TimeWindow>();

        internal SourcePosition Position { get; set; }

        public bool Equals(SpecificDay? other) =>
            other != null && Day == other.Day && Date == other.Date && Windows.SequenceEqual(other.Windows);

        public override bool Equals(object? obj) => Equals(obj as SpecificDay);
        public override int GetHashCode() => (Day?.GetHashCode() ?? 0) ^ (Date?.GetHashCode() ?? 0);
    }

    /// <summary>schedule_start / schedule_end: an ISO 8601 date-time (once) or a five-field cron expression (recurring).</summary>
    public sealed class ScheduleExpression
    {
        private ScheduleExpression(DateTimeOffset? once, Cronos.CronExpression? cron, string text)
        {
            Once = once;
            Cron = cron;
            Text = text;
        }

        public string Text { get; }
        public DateTimeOffset? Once { get; }
        public Cronos.CronExpression? Cron { get; }
        public bool IsRecurring => Cron != null;

        private static readonly string[] IsoFormats =
        {
            "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
            "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm",
            "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
        };

        /// <summary>Parses the text; a date-time without an offset is taken as UTC.</summary>
        public static bool TryParse(string text, out ScheduleExpression? result, out string? error)
        {
            result = null;
            error = null;
            var trimmed = (text ?? "").Trim();
            if (DateTimeOffset.TryParseExact(trimmed, IsoFormats, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                result = new ScheduleExpression(at, null, trimmed);
                return true;
            }
            var fields = trimmed.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 5 || trimmed.StartsWith("@", StringComparison.Ordinal))
            {
                try
                {
                    result = new ScheduleExpression(null, Cronos.CronExpression.Parse(trimmed, Cronos.CronFormat.Standard), trimmed);
                    return true;
                }
                catch (Cronos.CronFormatException e)
                {
                    error = "'" + trimmed + "' is not a valid cron expression: " + e.Message;
                    return false;
                }
            }
            error = "'" + trimmed + "' is neither an ISO 8601 date-time (2026-12-01T09:00:00Z) nor a five-field cron expression (0 9 * * 1-5)";
            return false;
        }
    }
}
