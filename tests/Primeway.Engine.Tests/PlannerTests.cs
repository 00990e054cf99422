using System.Linq;
using Primeway.Engine.Docker;

namespace Primeway.Engine.Tests
{
    /// <summary>What runs, and how the limits and labels are computed, without an engine.</summary>
    public sealed class PlannerTests
    {
        private static Workload Plan(string body) => WorkloadPlanner.Plan(Jobs.FromYaml("job_name: plan\njob_type: run\ndocker_image: img\n" + body), runId: "plan-1");

        [Fact]
        public void A_command_string_runs_in_sh_and_a_list_is_executed_as_it_is()
        {
            var text = Plan("command: echo $HOME\nentry_script: ignored.py\n");
            Assert.Equal(new[] { "sh", "-c" }, text.Entrypoint);
            Assert.Equal(new[] { "echo $HOME" }, text.Arguments);
            var list = Plan("command: [python, -m, http.server]\n");
            Assert.Equal(new[] { "python" }, list.Entrypoint);
            Assert.Equal(new[] { "-m", "http.server" }, list.Arguments);
        }

        [Theory]
        [InlineData("train.sh", "sh", "train.sh")]
        [InlineData("tool.ps1", "pwsh", "-File")]
        [InlineData("run", "./run", null)]
        [InlineData("bin/run", "bin/run", null)]
        public void An_entry_script_gets_the_interpreter_of_its_extension(string script, string first, string? second)
        {
            var w = Plan("entry_script: " + script + "\nargs: --epochs 3\n");
            var all = w.Entrypoint!.Concat(w.Arguments!).ToList();
            Assert.Equal(first, all[0]);
            if (second != null) Assert.Equal(second, all[1]);
            Assert.Equal(new[] { "--epochs", "3" }, all.Skip(all.Count - 2));
        }

        [Fact]
        public void A_python_script_runs_with_python_or_else_python3()
        {
            var w = Plan("entry_script: main.py\n");
            Assert.Equal("sh", w.Entrypoint![0]);
            Assert.Contains("exec python \"$@\" || exec python3", w.Entrypoint[2]);
            Assert.Equal(new[] { "main.py" }, w.Arguments);
        }

        [Fact]
        public void Args_alone_keep_the_image_entrypoint()
        {
            var w = Plan("args: \"--port 80 'a b'\"\n");
            Assert.Null(w.Entrypoint);
            Assert.Equal(new[] { "--port", "80", "a b" }, w.Arguments);
        }

        [Fact]
        public void Limits_and_labels_are_computed_as_Docker_counts_them()
        {
            var w = Plan("memory: 3\ncpu_count: 2\ndisk_space: 5\ngpu_types:\n  - type: A40\n    count: 2\n  - type: L4\n    count: 1\n");
            Assert.Equal(3L * 1024 * 1024 * 1024, w.MemoryBytes);
            Assert.Equal(2_000_000_000L, w.NanoCpus);
            Assert.Equal(5L * 1024 * 1024 * 1024, w.DiskBytes);
            Assert.Equal(3, w.GpuCount);
            Assert.Equal("plan", w.Labels[RunLabels.Job]);
            Assert.Equal("plan-1", w.Labels[RunLabels.Run]);
            Assert.Equal(RunLabels.DefaultOwner, w.Labels[RunLabels.Owner]);
        }

        [Fact]
        public void With_a_bridge_a_deploy_port_is_published_on_loopback_only_and_without_one_host_networking_is_used()
        {
            var w = WorkloadPlanner.Plan(Jobs.FromYaml("job_name: web\njob_type: deploy\ndocker_image: img\nport: 8123\nhealth_endpoint: /h\ncommand: serve\n"));
            var bridged = ContainerSpec.Create(w, "img", hostNetwork: false, withDiskQuota: true);
            var binding = Assert.Single(bridged.HostConfig.PortBindings["8123/tcp"]);
            Assert.Equal("127.0.0.1", binding.HostIP);
            Assert.Equal("8123", binding.HostPort);
            Assert.Null(bridged.HostConfig.NetworkMode);
            var host = ContainerSpec.Create(w, "img", hostNetwork: true, withDiskQuota: true);
            Assert.Equal("host", host.HostConfig.NetworkMode);
            Assert.Null(host.HostConfig.PortBindings);
            Assert.Equal("http://127.0.0.1:8123/h", w.HealthUrl!.ToString());
        }

        [Fact]
        public void The_generated_Dockerfile_installs_apt_then_pip_then_copies_the_project()
        {
            var text = BuildContext.GenerateDockerfile("python:3.12", new[] { "curl", "git" }, hasRequirements: true, hasProject: true, new[] { "PIP_INDEX_URL" });
            var lines = text.Split('\n');
            Assert.Equal("FROM python:3.12", lines[0]);
            Assert.Equal("ARG PIP_INDEX_URL", lines[1]);
            Assert.StartsWith("RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl git", lines[2]);
            Assert.Equal("WORKDIR /app", lines[3]);
            Assert.Contains("-m pip install", lines[5]);
            Assert.Equal("COPY project/ /app/", lines[6]);
        }
    }

    public sealed class IgnoreRulesTests
    {
        [Theory]
        [InlineData("secret.env", "secret.env", true)]
        [InlineData("logs", "logs/a/b.log", true)]
        [InlineData("*.md", "docs/readme.md", false)]
        [InlineData("**/*.md", "docs/readme.md", true)]
        [InlineData("data/*", "data/x.bin", true)]
        [InlineData("/build", "build/out.o", true)]
        [InlineData("te?t", "test", true)]
        [InlineData("[a-c].txt", "b.txt", true)]
        [InlineData("[a-c].txt", "d.txt", false)]
        public void Dockerignore_patterns_match_as_Docker_reads_them(string pattern, string path, bool excluded)
        {
            var rules = new IgnoreRules();
            rules.Add(pattern, anyDepthWithoutSlash: false);
            Assert.Equal(excluded, rules.IsExcluded(path));
        }

        [Fact]
        public void The_last_matching_rule_wins_and_an_exclamation_mark_takes_a_file_back()
        {
            var rules = new IgnoreRules();
            rules.Add("data/*", false);
            rules.Add("!data/keep.bin", false);
            Assert.True(rules.IsExcluded("data/drop.bin"));
            Assert.False(rules.IsExcluded("data/keep.bin"));
        }

        [Fact]
        public void Ignore_patterns_without_a_slash_match_at_any_depth()
        {
            var rules = new IgnoreRules();
            rules.Add("__pycache__", anyDepthWithoutSlash: true);
            rules.Add("*.pyc", anyDepthWithoutSlash: true);
            Assert.True(rules.IsExcluded("src/pkg/__pycache__/m.cpython-312.pyc"));
            Assert.True(rules.IsExcluded("a.pyc"));
            Assert.False(rules.IsExcluded("src/main.py"));
        }
    }
}
