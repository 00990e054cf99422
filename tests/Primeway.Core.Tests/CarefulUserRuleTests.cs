using System;
using System.IO;
using System.Linq;
using static Primeway.Core.Tests.JobCheck;

namespace Primeway.Core.Tests
{
    /// <summary>The checks a careful user expects beyond the document's six rules.</summary>
    public class CarefulUserRuleTests
    {
        [Theory]
        [InlineData("job_name", "job_type: run\ndocker_image: busybox\n")]
        [InlineData("docker_image", "job_name: demo\njob_type: run\n")]
        public void Required_fields_are_errors_naming_the_field(string field, string yaml)
        {
            var d = Single(yaml, DiagnosticCodes.RequiredField);
            Assert.Equal(field, d.Field);
            Assert.Equal(1, d.Line);
            Assert.Contains("e.g.", d.Message);
        }

        [Theory]
        [InlineData("a")]
        [InlineData("train-bert-2")]
        [InlineData("x123456789012345678901234567890123456789012345678901234567890ab")]
        public void Dns_label_job_names_are_valid(string name)
        {
            Lacks("job_name: " + name + "\njob_type: run\ndocker_image: busybox\n", DiagnosticCodes.InvalidJobName);
        }

        [Theory]
        [InlineData("My_Job", "my-job")]
        [InlineData("train bert", "train-bert")]
        [InlineData("2fast", "job-2fast")]
        [InlineData("ends-", "ends")]
        [InlineData("x1234567890123456789012345678901234567890123456789012345678901234", null)]
        public void Job_names_that_cannot_name_a_container_are_errors_with_a_suggestion(string name, string? suggestion)
        {
            var d = Single("job_name: \"" + name + "\"\njob_type: run\ndocker_image: busybox\n", DiagnosticCodes.InvalidJobName);
            Assert.Equal("job_name", d.Field);
            Assert.Equal(1, d.Line);
            if (suggestion != null) Assert.Contains("e.g. '" + suggestion + "'", d.Message);
        }

        [Theory]
        [InlineData("memory")]
        [InlineData("disk_space")]
        [InlineData("cpu_count")]
        [InlineData("timeout")]
        [InlineData("idle_timeout")]
        [InlineData("health_check_timeout")]
        [InlineData("creation_timeout")]
        public void Sizes_and_times_must_be_positive(string field)
        {
            var d = Single(Minimal + field + ": 0\n", DiagnosticCodes.NotPositive);
            Assert.Equal(field, d.Field);
            Assert.Equal(4, d.Line);
            Lacks(Minimal + field + ": 3\n", DiagnosticCodes.NotPositive);
        }

        [Theory]
        [InlineData("memory: 16GB", "write memory: 16")]
        [InlineData("memory: 1.5", "whole number")]
        [InlineData("cpu_count: many", "whole number")]
        [InlineData("timeout: [1]", "but a list is given")]
        public void Numbers_of_the_wrong_type_are_errors_at_the_value(string line, string hint)
        {
            var d = Single(Minimal + line + "\n", DiagnosticCodes.WrongType);
            Assert.Equal(4, d.Line);
            Assert.True(d.Column > 1);
            Assert.Contains(hint, d.Message);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(65535)]
        public void Ports_in_range_are_valid(int port) =>
            Lacks("job_name: a\njob_type: deploy\ndocker_image: x\nhealth_endpoint: /\nport: " + port + "\n", DiagnosticCodes.PortOutOfRange);

        [Theory]
        [InlineData(0)]
        [InlineData(65536)]
        public void Ports_out_of_range_are_errors(int port)
        {
            var d = Single("job_name: a\njob_type: deploy\ndocker_image: x\nhealth_endpoint: /\nport: " + port + "\n", DiagnosticCodes.PortOutOfRange);
            Assert.Equal("port", d.Field);
            Assert.Equal(5, d.Line);
        }

        [Theory]
        [InlineData("health", "'/health'")]
        [InlineData("http://localhost:8080/health", "only the path")]
        public void Health_endpoint_must_be_a_path(string endpoint, string hint)
        {
            var d = Single("job_name: a\njob_type: deploy\ndocker_image: x\nport: 80\nhealth_endpoint: " + endpoint + "\n", DiagnosticCodes.HealthEndpointNotPath);
            Assert.Equal(5, d.Line);
            Assert.Contains(hint, d.Message);
        }

        [Fact]
        public void Env_is_read_as_strings_in_all_three_forms()
        {
            var list = JobYaml.Read(Minimal + "env:\n  - {name: PORT, value: 8080}\n  - {name: DEBUG, value: true}\n").Jobs[0];
            Assert.Equal(new[] { new EnvVar("PORT", "8080"), new EnvVar("DEBUG", "true") }, list.Env);
            var map = JobYaml.Read(Minimal + "env:\n  PORT: 8080\n  DEBUG: true\n").Jobs[0];
            Assert.Equal(list.Env, map.Env);
            var pairs = JobYaml.Read(Minimal + "env: [PORT=8080, DEBUG=true]\n").Jobs[0];
            Assert.Equal(list.Env, pairs.Env);
        }

        [Fact]
        public void Env_item_without_value_is_an_error_at_the_item()
        {
            var d = Single(Minimal + "env:\n  - name: TOKEN\n", DiagnosticCodes.IncompleteEnvItem);
            Assert.Equal("env[0].value", d.Field);
            Assert.Equal(5, d.Line);
            Assert.Contains("TOKEN", d.Message);
        }

        [Fact]
        public void Env_item_without_name_is_an_error()
        {
            var d = Single(Minimal + "env:\n  - value: x\n", DiagnosticCodes.IncompleteEnvItem);
            Assert.Equal("env[0].name", d.Field);
        }

        [Fact]
        public void Env_empty_string_value_is_valid() => Clean(Minimal + "env:\n  - {name: EMPTY, value: ''}\n");

        [Theory]
        [InlineData("1ABC")]
        [InlineData("MY-VAR")]
        [InlineData("A B")]
        public void Env_names_must_be_well_formed(string name)
        {
            var d = Single(Minimal + "env:\n  - {name: '" + name + "', value: x}\n", DiagnosticCodes.InvalidEnvName);
            Assert.Equal("env[0].name", d.Field);
            Assert.Equal(5, d.Line);
        }

        [Fact]
        public void Env_names_must_be_unique()
        {
            var d = Single(Minimal + "env:\n  - {name: A, value: x}\n  - {name: B, value: x}\n  - {name: A, value: y}\n", DiagnosticCodes.DuplicateEnvName);
            Assert.Equal("env[2].name", d.Field);
            Assert.Equal(7, d.Line);
            Assert.Contains("env[0]", d.Message);
        }

        [Theory]
        [InlineData("2026-12-01T09:00:00Z")]
        [InlineData("2026-12-01T09:00:00+02:00")]
        [InlineData("2026-12-01T09:00")]
        [InlineData("0 9 * * 1-5")]
        [InlineData("*/15 * * * *")]
        [InlineData("@daily")]
        public void Schedule_times_accept_iso_and_cron(string value)
        {
            Lacks(Minimal + "schedule_start: '" + value + "'\n", DiagnosticCodes.InvalidScheduleExpression);
            Assert.True(ScheduleExpression.TryParse(value, out var parsed, out _));
            Assert.Equal(value.Contains('*') || value.StartsWith("@"), parsed!.IsRecurring);
        }

        [Theory]
        [InlineData("tomorrow")]
        [InlineData("0 9 * *")]
        [InlineData("61 9 * * *")]
        [InlineData("2026-13-01T00:00:00Z")]
        public void Schedule_times_that_are_neither_are_errors(string value)
        {
            var d = Single(Minimal + "schedule_end: '" + value + "'\n", DiagnosticCodes.InvalidScheduleExpression);
            Assert.Equal("schedule_end", d.Field);
            Assert.Equal(4, d.Line);
        }

        [Fact]
        public void Schedule_end_must_come_after_schedule_start()
        {
            var d = Single(Minimal + "schedule_start: 2026-12-02T00:00:00Z\nschedule_end: 2026-12-01T00:00:00Z\n", DiagnosticCodes.ScheduleEndBeforeStart);
            Assert.Equal("schedule_end", d.Field);
            Assert.Equal(5, d.Line);
            Lacks(Minimal + "schedule_start: 2026-12-01T00:00:00Z\nschedule_end: 2026-12-02T00:00:00Z\n", DiagnosticCodes.ScheduleEndBeforeStart);
        }

        [Fact]
        public void Port_health_endpoint_and_idle_timeout_on_a_run_job_warn_each()
        {
            var warnings = All(Minimal + "port: 80\nhealth_endpoint: /\nidle_timeout: 60\n").Where(d => d.Code == DiagnosticCodes.DeployFieldOnRunJob).ToList();
            Assert.Equal(new[] { "port", "health_endpoint", "idle_timeout" }, warnings.Select(d => d.Field));
            Assert.Equal(new[] { 4, 5, 6 }, warnings.Select(d => d.Line));
            Assert.All(warnings, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        }

        [Theory]
        [InlineData("open")]
        [InlineData("Token")]
        [InlineData("")]
        public void Gateway_auth_is_token_or_none(string value)
        {
            const string deploy = "job_name: web\njob_type: deploy\ndocker_image: busybox\nport: 80\nhealth_endpoint: /\n";
            var d = Single(deploy + "gateway_auth: \"" + value + "\"\n", DiagnosticCodes.InvalidGatewayAuth);
            Assert.Equal(("gateway_auth", 6), (d.Field, d.Line));
            Assert.Contains("'none'", d.Message);
            Lacks(deploy + "gateway_auth: none\n", DiagnosticCodes.InvalidGatewayAuth);
            Lacks(deploy + "gateway_auth: token\n", DiagnosticCodes.InvalidGatewayAuth);
        }

        [Fact]
        public void Gateway_auth_on_a_run_job_warns()
        {
            var d = Single(Minimal + "gateway_auth: none\n", DiagnosticCodes.DeployFieldOnRunJob);
            Assert.Equal("gateway_auth", d.Field);
        }

        [Fact]
        public void Literal_api_token_warns_and_points_to_the_environment_variable()
        {
            var d = Single(Minimal + "primeway_api_token: pw_secret\n", DiagnosticCodes.LiteralApiToken);
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.Contains("PRIMEWAY_API_TOKEN", d.Message);
            Assert.DoesNotContain("pw_secret", d.Message);
        }

        [Fact]
        public void Project_dir_and_entry_script_are_resolved_relative_to_the_job_file()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(Path.Combine(dir.Path, "app"));
            File.WriteAllText(Path.Combine(dir.Path, "app", "main.py"), "print(1)");
            var file = Path.Combine(dir.Path, "job.yaml");
            Clean(Minimal + "project_dir: app\nentry_script: main.py\n", file);

            var d = Single(Minimal + "project_dir: app\nentry_script: missing.py\n", DiagnosticCodes.EntryScriptNotFound, file);
            Assert.Equal("entry_script", d.Field);
            Assert.Equal(5, d.Line);

            var p = Single(Minimal + "project_dir: nowhere\nentry_script: main.py\n", DiagnosticCodes.ProjectDirNotFound, file);
            Assert.Equal("project_dir", p.Field);
            Assert.Equal(4, p.Line);
            Assert.Contains(Path.Combine(dir.Path, "nowhere"), p.Message);
        }

        [Fact]
        public void File_checks_can_be_turned_off_for_servers()
        {
            Clean(Minimal + "project_dir: nowhere\nentry_script: main.py\n", "/tmp/x/job.yaml", new ValidationOptions { CheckFileSystem = false });
        }

        [Fact]
        public void Schedule_windows_are_read_with_times_days_and_dates()
        {
            var yaml = Minimal + "schedule:\n  timezone: Europe/Berlin\n  workdays: [{start: '09:00', end: '18:30:15'}]\n  weekends: [{start: '22:00', end: '02:00'}]\n" +
                       "  specific_days:\n    - {day: friday, windows: [{start: '09:00', end: '12:00'}]}\n    - {date: 2026-12-25, windows: []}\n";
            Clean(yaml);
            var schedule = JobYaml.Read(yaml).Jobs[0].Schedule!;
            Assert.Equal("Europe/Berlin", schedule.Timezone);
            Assert.Equal(new TimeWindow(new TimeSpan(9, 0, 0), new TimeSpan(18, 30, 15)), schedule.Workdays.Single());
            Assert.Equal(new TimeWindow(new TimeSpan(22, 0, 0), new TimeSpan(2, 0, 0)), schedule.Weekends.Single());
            Assert.Equal(DayOfWeek.Friday, schedule.SpecificDays[0].Day);
            Assert.Equal(new DateTime(2026, 12, 25), schedule.SpecificDays[1].Date);
            Assert.Empty(schedule.SpecificDays[1].Windows);
        }

        [Theory]
        [InlineData("workdays: [{start: '25:00', end: '10:00'}]", "schedule.workdays[0].start", "HH:MM")]
        [InlineData("workdays: [{start: '09:00'}]", "schedule.workdays[0].end", "end is missing")]
        [InlineData("workdays: [{start: '09:00', end: '09:00'}]", "schedule.workdays[0]", "same time")]
        [InlineData("specific_days: [{day: funday, windows: []}]", "schedule.specific_days[0].day", "monday")]
        [InlineData("specific_days: [{date: 25.12.2026, windows: []}]", "schedule.specific_days[0].date", "YYYY-MM-DD")]
        [InlineData("specific_days: [{windows: []}]", "schedule.specific_days[0]", "'day'")]
        [InlineData("specific_days: [{day: monday, date: 2026-12-25, windows: []}]", "schedule.specific_days[0]", "not both")]
        public void Bad_schedule_windows_are_errors(string line, string field, string hint)
        {
            var d = Single(Minimal + "schedule:\n  " + line + "\n", DiagnosticCodes.InvalidScheduleWindow);
            Assert.Equal(field, d.Field);
            Assert.Equal(5, d.Line);
            Assert.Contains(hint, d.Message);
        }

        [Fact]
        public void Unknown_time_zone_is_an_error()
        {
            var d = Single(Minimal + "schedule:\n  timezone: Mars/Olympus\n", DiagnosticCodes.InvalidTimezone);
            Assert.Equal("schedule.timezone", d.Field);
        }

        [Fact]
        public void Empty_docker_image_is_an_error()
        {
            var d = Single("job_name: a\njob_type: run\ndocker_image: ' '\n", DiagnosticCodes.EmptyValue);
            Assert.Equal("docker_image", d.Field);
        }

        [Fact]
        public void Duplicate_job_names_in_one_file_are_errors_at_the_second()
        {
            var d = Single(Minimal + "---\n" + Minimal, DiagnosticCodes.DuplicateJobName);
            Assert.Equal(5, d.Line);
            Assert.Contains("line 1", d.Message);
        }
    }

    internal sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "primeway-test-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose()
        {
            try { Directory.Delete(Path, true); } catch (IOException) { }
        }
    }
}
