using System;
using System.Linq;

namespace Primeway.Core.Tests
{
    /// <summary>Writing a job back gives clean YAML that reads to an equal JobSpec.</summary>
    public class RoundTripTests
    {
        private const string Full = @"job_name: train-bert
job_type: deploy
docker_image: python:3.12-slim
project_dir: .
entry_script: serve.py
args: [--port, '8000']
command: python serve.py --port 8000
memory: 16
disk_space: 50
cpu_count: 4
gpu_types:
  - {type: NVIDIA A100 80GB PCIe, count: 2}
timeout: 3600
env:
  - {name: PORT, value: '8000'}
  - {name: DEBUG, value: 'true'}
  - {name: EMPTY, value: ''}
  - {name: QUOTE, value: 'it''s: ""odd"" # not a comment'}
requirements: [numpy==2.1.0, 'torch>=2']
apt_packages: [curl]
port: 8000
health_endpoint: /health
idle_timeout: 300
gateway_auth: none
health_check_timeout: 120
creation_timeout: 900
schedule_start: '0 9 * * 1-5'
schedule_end: 2026-12-31T18:00:00Z
schedule:
  timezone: Europe/Berlin
  workdays: [{start: '09:00', end: '18:00'}]
  weekends: [{start: '10:00:30', end: '02:00'}]
  specific_days:
    - {day: friday, windows: [{start: '09:00', end: '12:00'}]}
    - {date: 2026-12-25, windows: []}
ignore_patterns: ['*.ckpt', data/]
artifacts_path: /primeway-artifacts
request_input_dir: /input
primeway_api_token: pw_123
";

        [Fact]
        public void Every_field_survives_a_round_trip()
        {
            var original = JobYaml.Read(Full).Jobs.Single();
            Assert.Empty(original.ReadDiagnostics);
            var written = JobYaml.Write(original);
            var again = JobYaml.Read(written);
            Assert.Empty(again.Diagnostics);
            Assert.Empty(again.Jobs.Single().ReadDiagnostics);
            Assert.Equal(original, again.Jobs.Single());
            Assert.Equal(written, JobYaml.Write(again.Jobs.Single()));
        }

        [Fact]
        public void Every_field_of_the_model_is_in_the_full_example()
        {
            var job = JobYaml.Read(Full).Jobs.Single();
            var unset = JobFields.All.Where(f => !f.IsSet(job)).Select(f => f.Key);
            Assert.Empty(unset);
        }

        [Fact]
        public void Written_yaml_is_clean_block_style_in_the_documents_field_order()
        {
            var job = new JobSpec
            {
                JobName = "hello",
                JobType = JobType.Run,
                DockerImage = "busybox",
                Command = new[] { "echo", "hi" },
                Env = { new EnvVar("NUM", "42") },
            };
            Assert.Equal("job_name: hello\njob_type: run\ndocker_image: busybox\ncommand:\n- echo\n- hi\nenv:\n- name: NUM\n  value: \"42\"\n", JobYaml.Write(job));
        }

        [Theory]
        [InlineData("true")]
        [InlineData("no")]
        [InlineData("1.5")]
        [InlineData("0x1F")]
        [InlineData("null")]
        [InlineData("12:30")]
        [InlineData("~")]
        [InlineData("- dash")]
        [InlineData("a: b")]
        [InlineData(" padded ")]
        [InlineData("#hash")]
        [InlineData("line1\nline2")]
        public void Strings_that_look_like_other_types_stay_strings(string value)
        {
            var job = new JobSpec { JobName = "s", JobType = JobType.Run, DockerImage = "x", Env = { new EnvVar("V", value) }, EntryScript = value };
            var again = JobYaml.Read(JobYaml.Write(job)).Jobs.Single();
            Assert.Equal(value, again.Env.Single().Value);
            Assert.Equal(value, again.EntryScript);
        }

        [Fact]
        public void Several_jobs_are_written_as_documents()
        {
            var read = JobYaml.Read(JobCheck.Minimal + "---\n" + JobCheck.Minimal.Replace("demo", "second"));
            var written = JobYaml.Write(read.Jobs);
            Assert.Contains("\n---\n", written);
            var again = JobYaml.Read(written).Jobs;
            Assert.Equal(read.Jobs, again);
        }

        [Fact]
        public void Aliases_are_written_back_under_the_canonical_key()
        {
            var job = JobYaml.Read(JobCheck.Minimal + "context: .\njob_timeout: 5\nautoscaler_timeout: 9\ncommand: x\n").Jobs.Single();
            var written = JobYaml.Write(job);
            Assert.Contains("project_dir: .", written);
            Assert.Contains("timeout: 5", written);
            Assert.Contains("idle_timeout: 9", written);
            Assert.DoesNotContain("context", written);
        }

        [Fact]
        public void Shell_words_split_like_a_posix_shell()
        {
            Assert.Equal(new[] { "a", "b c", "d'e", "f\"g", "h i" }, ShellWords.Split("a 'b c' \"d'e\" f\\\"g h\\ i"));
            Assert.Equal(new[] { "", "x" }, ShellWords.Split("'' x"));
            var words = new[] { "plain", "with space", "it's", "" };
            Assert.Equal(words, ShellWords.Split(string.Join(" ", words.Select(ShellWords.Quote))));
        }
    }
}
