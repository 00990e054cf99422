using System;
using Primeway.Server.Scheduling;

namespace Primeway.Server.Tests
{
    /// <summary>The instants a schedule names: cron and once, windows past midnight, merged, per date, in a time zone.</summary>
    public sealed class JobScheduleTests
    {
        // Monday 2030-01-07, 00:00 UTC.
        private static readonly DateTimeOffset Monday = new DateTimeOffset(2030, 1, 7, 0, 0, 0, TimeSpan.Zero);

        private static JobSchedule Schedule(string fields)
        {
            var read = JobYaml.Read("job_name: s\njob_type: deploy\ndocker_image: busybox\nport: 80\nhealth_endpoint: /\n" + fields, "test");
            Assert.False(read.HasErrors, string.Join("\n", read.Diagnostics));
            Assert.True(JobValidator.Validate(read.Jobs[0]).IsValid);
            return JobSchedule.For(read.Jobs[0], "UTC")!;
        }

        [Fact]
        public void A_cron_start_names_the_latest_match_only_and_the_next_one()
        {
            var schedule = Schedule("schedule_start: '0 * * * *'\n");
            Assert.Equal(Monday.AddHours(13), schedule.LatestStart(Monday.AddHours(10).AddMinutes(1), Monday.AddHours(13).AddMinutes(5)));
            Assert.Null(schedule.LatestStart(Monday.AddHours(10).AddMinutes(1), Monday.AddHours(10).AddMinutes(59)));
            Assert.Equal(Monday.AddHours(11), schedule.NextStart(Monday.AddHours(10)));
            Assert.Null(schedule.NextEnd(Monday));
        }

        [Fact]
        public void A_once_start_counts_only_between_the_last_look_and_now()
        {
            var schedule = Schedule("schedule_start: 2030-01-07T12:00:00Z\n");
            Assert.Equal(Monday.AddHours(12), schedule.LatestStart(Monday, Monday.AddHours(13)));
            Assert.Null(schedule.LatestStart(Monday.AddHours(12), Monday.AddHours(13)));
            Assert.Equal(Monday.AddHours(12), schedule.NextStart(Monday));
            Assert.Null(schedule.NextStart(Monday.AddHours(12)));
        }

        [Fact]
        public void A_window_past_midnight_ends_the_next_day_and_touching_windows_are_one()
        {
            var schedule = Schedule("schedule:\n  workdays:\n    - {start: '22:00', end: '02:00'}\n  weekends:\n    - {start: '00:00', end: '24:00'}\n");
            Assert.Equal(Monday.AddHours(22), schedule.NextStart(Monday.AddHours(3)));
            Assert.Equal(Monday.AddDays(1).AddHours(2), schedule.NextEnd(Monday.AddHours(23)));
            Assert.True(schedule.IsInsideWindow(Monday.AddDays(1).AddHours(1)));
            Assert.False(schedule.IsInsideWindow(Monday.AddDays(1).AddHours(3)));
            // Friday 22:00-02:00 runs into the weekend: one window, Friday 22:00 to Monday 00:00.
            var friday = Monday.AddDays(4);
            Assert.Equal(friday.AddHours(22), schedule.NextStart(friday.AddHours(12)));
            Assert.Equal(friday.AddDays(3), schedule.NextEnd(friday.AddHours(23)));
            Assert.Null(schedule.LatestEnd(friday.AddHours(23), friday.AddDays(2).AddHours(23)));
        }

        [Fact]
        public void A_specific_date_replaces_the_weekday_windows_and_a_time_zone_moves_them()
        {
            var schedule = Schedule("schedule:\n  timezone: Europe/Berlin\n  workdays:\n    - {start: '09:00', end: '17:00'}\n" +
                                    "  specific_days:\n    - {date: 2030-01-08, windows: []}\n    - {day: wednesday, windows: [{start: '10:00', end: '11:00'}]}\n");
            // Berlin is UTC+1 in January.
            Assert.Equal(Monday.AddHours(8), schedule.NextStart(Monday));
            Assert.Equal(Monday.AddHours(16), schedule.NextEnd(Monday.AddHours(8)));
            // Tuesday the 8th has no window; Wednesday has its own.
            Assert.Equal(Monday.AddDays(2).AddHours(9), schedule.NextStart(Monday.AddHours(17)));
            Assert.False(schedule.IsInsideWindow(Monday.AddDays(1).AddHours(10)));
        }
    }
}
