using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using static Primeway.Server.Tests.DeployRunTests;

namespace Primeway.Server.Tests
{
    /// <summary>A clock the test sets; the scheduler reads it, everything else keeps real time.</summary>
    public sealed class ManualClock : TimeProvider
    {
        private readonly object gate = new object();
        private DateTimeOffset now;

        public ManualClock(DateTimeOffset start) => now = start;

        public override DateTimeOffset GetUtcNow()
        {
            lock (gate) return now;
        }

        public void Set(DateTimeOffset at)
        {
            lock (gate) now = at;
        }
    }

    /// <summary>Schedules on a real server and Docker engine: once, cron (on a test clock), schedule_end, windows, a restart.</summary>
    public sealed class ScheduleTests
    {
        // A Monday.
        private static readonly DateTimeOffset Monday = new DateTimeOffset(2030, 1, 7, 0, 0, 0, TimeSpan.Zero);

        private static Task<RunningServer> StartAsync(string? data = null, ManualClock? clock = null) =>
            RunningServer.StartAsync(data, configure: o =>
            {
                o.SchedulerInterval = TimeSpan.FromMilliseconds(200);
                if (clock != null) o.Clock = clock;
            });

        private static async Task<JsonElement> StoreJobAsync(HttpClient client, string yaml)
        {
            var response = await client.PostAsync("/v1/jobs", RunningServer.Yaml(yaml));
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        }

        private static async Task<List<JsonElement>> RunsAsync(HttpClient client, string job) =>
            JsonDocument.Parse(await client.GetStringAsync("/v1/runs?job=" + job)).RootElement.EnumerateArray().Reverse().ToList();

        /// <summary>Waits until the job has this many runs, then a few scheduler ticks more to see that no other comes.</summary>
        private static async Task<List<JsonElement>> ExactlyRunsAsync(HttpClient client, string job, int count)
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while ((await RunsAsync(client, job)).Count < count)
            {
                if (DateTime.UtcNow > until) throw new TimeoutException(job + " has fewer than " + count + " runs: " + string.Join("\n", await RunsAsync(client, job)));
                await Task.Delay(100);
            }
            await Task.Delay(1500);
            var runs = await RunsAsync(client, job);
            Assert.True(runs.Count == count, job + " should have " + count + " runs:\n" + string.Join("\n", runs));
            return runs;
        }

        private static async Task<JsonElement> WaitForStatusAsync(HttpClient client, string runId, string status)
        {
            var until = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var run = JsonDocument.Parse(await client.GetStringAsync("/v1/runs/" + runId)).RootElement;
                if (run.GetProperty("status").GetString() == status) return run;
                if (DateTime.UtcNow > until) throw new TimeoutException("run " + runId + " never became " + status + ": " + run);
                await Task.Delay(100);
            }
        }

        private static async Task<JsonElement> JobAsync(HttpClient client, string name) =>
            JsonDocument.Parse(await client.GetStringAsync("/v1/jobs")).RootElement.EnumerateArray().Single(j => j.GetProperty("name").GetString() == name);

        private static DateTimeOffset? Time(JsonElement job, string property) =>
            job.GetProperty(property).ValueKind == JsonValueKind.Null ? null : job.GetProperty(property).GetDateTimeOffset();

        private static string Status(JsonElement run) => run.GetProperty("status").GetString() + "/" + run.GetProperty("reason");

        [Fact]
        public async Task A_once_schedule_starts_a_run_job_at_its_time_once()
        {
            await using var server = await StartAsync();
            using var client = server.Client(server.AdminToken);
            var at = DateTimeOffset.UtcNow.AddSeconds(3);
            var atText = at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var stored = await StoreJobAsync(client, "job_name: once\njob_type: run\ndocker_image: busybox\ncommand: echo scheduled\nschedule_start: " + atText + "\n");
            Assert.Equal(DateTimeOffset.Parse(atText, CultureInfo.InvariantCulture), Time(stored, "next_start"));
            Assert.Empty(await RunsAsync(client, "once"));

            var run = (await ExactlyRunsAsync(client, "once", 1))[0];
            Assert.Equal("schedule", run.GetProperty("started_by").GetString());
            Assert.True(run.GetProperty("created_at").GetDateTimeOffset() >= DateTimeOffset.Parse(atText, CultureInfo.InvariantCulture));
            Assert.Equal("completed", (await RunningServer.WaitForEndAsync(client, run.GetProperty("id").GetString()!)).GetProperty("status").GetString());
            Assert.Null(Time(await JobAsync(client, "once"), "next_start"));
        }

        [Fact]
        public async Task A_cron_schedule_starts_at_each_tick_counts_missed_ticks_once_and_schedule_end_stops_what_runs()
        {
            var clock = new ManualClock(Monday.AddHours(10).AddSeconds(30));
            await using var server = await StartAsync(clock: clock);
            using var client = server.Client(server.AdminToken);
            var stored = await StoreJobAsync(client, "job_name: hourly\njob_type: run\ndocker_image: busybox\ncommand: sleep 600\nschedule_start: '0 * * * *'\nschedule_end: '30 * * * *'\n");
            Assert.Equal((Monday.AddHours(11), Monday.AddHours(10).AddMinutes(30)), (Time(stored, "next_start"), Time(stored, "next_end")));
            await Task.Delay(600);
            Assert.Empty(await RunsAsync(client, "hourly"));

            clock.Set(Monday.AddHours(11));
            var first = (await ExactlyRunsAsync(client, "hourly", 1))[0].GetProperty("id").GetString()!;
            await WaitForStatusAsync(client, first, "running");

            // Server time jumps past three starts and ends: the last end stops the running one, the last start makes one run.
            clock.Set(Monday.AddHours(14).AddMinutes(10));
            var runs = await ExactlyRunsAsync(client, "hourly", 2);
            Assert.Equal("terminated/schedule_end", Status(await RunningServer.WaitForEndAsync(client, first, 30)));
            var second = runs[1].GetProperty("id").GetString()!;
            Assert.Equal("schedule", runs[1].GetProperty("started_by").GetString());
            await WaitForStatusAsync(client, second, "running");
            var job = await JobAsync(client, "hourly");
            Assert.Equal((Monday.AddHours(15), Monday.AddHours(14).AddMinutes(30)), (Time(job, "next_start"), Time(job, "next_end")));

            clock.Set(Monday.AddHours(14).AddMinutes(30));
            Assert.Equal("terminated/schedule_end", Status(await RunningServer.WaitForEndAsync(client, second, 30)));
        }

        [Fact]
        public async Task A_start_missed_while_the_server_was_down_is_made_once_when_it_comes_back()
        {
            var data = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "primeway-server-" + Guid.NewGuid().ToString("N"));
            var clock = new ManualClock(Monday.AddHours(10).AddSeconds(30));
            await using (var first = await StartAsync(data, clock))
            {
                using var client = first.Client(first.AdminToken);
                await StoreJobAsync(client, "job_name: nightly\njob_type: run\ndocker_image: busybox\ncommand: 'true'\nschedule_start: '0 * * * *'\n");
            }
            clock.Set(Monday.AddHours(13).AddMinutes(10));

            await using var second = await StartAsync(data, clock);
            using var again = second.Client(second.AdminToken);
            var runs = await ExactlyRunsAsync(again, "nightly", 1);
            Assert.Equal("schedule", runs[0].GetProperty("started_by").GetString());
            Assert.Equal(Monday.AddHours(14), Time(await JobAsync(again, "nightly"), "next_start"));

            clock.Set(Monday.AddHours(14));
            await ExactlyRunsAsync(again, "nightly", 2);
        }

        [Fact]
        public async Task Schedule_windows_keep_a_deploy_job_up_inside_and_down_outside()
        {
            var clock = new ManualClock(Monday.AddHours(8));
            await using var server = await StartAsync(clock: clock);
            using var client = server.Client(server.AdminToken);
            var port = FreePort();
            var stored = await StoreJobAsync(client, GatewayTests.EchoService("office", port, "gateway_auth: none\nschedule:\n  workdays:\n    - {start: '09:00', end: '17:00'}\n"));
            Assert.Equal((Monday.AddHours(9), Monday.AddHours(17)), (Time(stored, "next_start"), Time(stored, "next_end")));
            await Task.Delay(600);
            Assert.Empty(await RunsAsync(client, "office"));

            clock.Set(Monday.AddHours(9).AddSeconds(1));
            var morning = (await ExactlyRunsAsync(client, "office", 1))[0].GetProperty("id").GetString()!;
            await WaitForHealthAsync(client, morning);
            using var raw = new HttpClient { BaseAddress = server.Address };
            Assert.Equal("ok\n", await raw.GetStringAsync("/d/office/"));

            clock.Set(Monday.AddHours(17).AddSeconds(1));
            Assert.Equal("terminated/schedule_end", Status(await RunningServer.WaitForEndAsync(client, morning, 30)));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await raw.GetAsync("/d/office/")).StatusCode);
            Assert.Equal(Monday.AddDays(1).AddHours(9), Time(await JobAsync(client, "office"), "next_start"));

            clock.Set(Monday.AddDays(1).AddHours(9).AddSeconds(1));
            var tuesday = (await ExactlyRunsAsync(client, "office", 2))[1].GetProperty("id").GetString()!;
            await WaitForHealthAsync(client, tuesday);
            Assert.Equal("ok\n", await raw.GetStringAsync("/d/office/"));
            await client.PostAsync("/v1/runs/" + tuesday + "/stop", null);
            Assert.Equal("stopped/user", Status(await RunningServer.WaitForEndAsync(client, tuesday, 30)));
        }
    }
}
