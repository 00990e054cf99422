using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using Primeway.Engine.Docker;

namespace Primeway.Engine.Tests
{
    /// <summary>Run jobs on the real Docker engine with the busybox image the test services build.</summary>
    public sealed class DockerRunTests : IAsyncLifetime
    {
        private readonly DockerBackend docker = new DockerBackend();

        public Task InitializeAsync() => Task.CompletedTask;
        public async Task DisposeAsync() => await docker.DisposeAsync();

        private async Task<(RunResult Result, RecordingListener Listener)> RunAsync(string yaml, EngineOptions? options = null)
        {
            var listener = new RecordingListener();
            var result = await new JobRunner(docker, options ?? Jobs.FastOptions()).RunAsync(Jobs.FromYaml(yaml), listener);
            return (result, listener);
        }

        [DockerFact]
        public async Task Streams_stdout_and_stderr_with_timestamps_and_returns_the_exit_code()
        {
            var before = DateTimeOffset.UtcNow.AddSeconds(-5);
            var (result, log) = await RunAsync($"job_name: {Jobs.Name("out")}\njob_type: run\ndocker_image: busybox\ncommand: echo one; echo two >&2; echo three; exit 7\n");
            Assert.Equal(RunState.Failed, result.State);
            Assert.Equal(7, result.ExitCode);
            Assert.Equal("one\nthree", log.Stdout);
            Assert.Equal("two", log.Stderr);
            Assert.All(log.Lines, l => Assert.InRange(l.Timestamp, before, DateTimeOffset.UtcNow.AddSeconds(5)));
            Assert.Equal(new[] { RunState.Preparing, RunState.Starting, RunState.Running, RunState.Failed }, log.States.Select(s => s.State));
        }

        [DockerFact]
        public async Task A_successful_job_ends_Succeeded_and_its_container_is_removed()
        {
            var name = Jobs.Name("ok");
            var (result, _) = await RunAsync($"job_name: {name}\njob_type: run\ndocker_image: busybox\ncommand: [\"true\"]\n");
            Assert.Equal(RunState.Succeeded, result.State);
            Assert.Equal(0, result.ExitCode);
            Assert.Null(await docker.InspectAsync(result.RunId, default));
        }

        [DockerFact]
        public async Task Timeout_stops_the_run_and_reports_it_timed_out()
        {
            var started = DateTime.UtcNow;
            // sh as PID 1 ignores SIGTERM, so this also proves the kill after the grace period.
            var (result, _) = await RunAsync($"job_name: {Jobs.Name("slow")}\njob_type: run\ndocker_image: busybox\ncommand: sleep 60\ntimeout: 1\n");
            Assert.Equal(RunState.TimedOut, result.State);
            Assert.True(result.TimedOut);
            Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
            Assert.Contains("timeout", result.Message);
        }

        [DockerFact]
        public async Task Going_over_the_memory_limit_is_reported_as_out_of_memory()
        {
            // tail keeps the whole endless line in memory: well over 1 GB.
            var (result, log) = await RunAsync($"job_name: {Jobs.Name("oom")}\njob_type: run\ndocker_image: busybox\nmemory: 1\ncommand: head -c 1500m /dev/zero | tail\n");
            Assert.True(result.State == RunState.OutOfMemory, result + "\n" + log.All);
            Assert.Equal(137, result.ExitCode);
            Assert.Contains("memory", result.Message);
        }

        [DockerFact]
        public async Task Memory_and_cpu_limits_are_seen_from_inside()
        {
            const string script = "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cut -d' ' -f1 /sys/fs/cgroup/memory.max; "
                + "if [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us); else cat /sys/fs/cgroup/cpu.max; fi";
            var (result, log) = await RunAsync($"job_name: {Jobs.Name("limits")}\njob_type: run\ndocker_image: busybox\nmemory: 2\ncpu_count: 1\ncommand: |\n  {script}\n");
            Assert.Equal(0, result.ExitCode);
            var lines = log.Stdout.Split('\n');
            Assert.Equal((2L * 1024 * 1024 * 1024).ToString(), lines[0]);
            var cpu = lines[1].Split(' ').Select(long.Parse).ToArray();
            Assert.Equal(1.0, (double)cpu[0] / cpu[1]);
        }

        [DockerFact]
        public async Task Env_is_passed_as_given()
        {
            var (result, log) = await RunAsync($"job_name: {Jobs.Name("env")}\njob_type: run\ndocker_image: busybox\nenv:\n  - name: GREETING\n    value: hello world\n  - name: N\n    value: '42'\ncommand: echo \"$GREETING/$N\"\n");
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("hello world/42", log.Stdout);
        }

        [DockerFact]
        public async Task Args_alone_are_the_arguments_of_the_image_entrypoint()
        {
            var image = "primeway-test/echo-entry:" + Guid.NewGuid().ToString("N").Substring(0, 8);
            await CommitImageWithEntrypointAsync(image, new[] { "echo", "entry:" });
            try
            {
                var (result, log) = await RunAsync($"job_name: {Jobs.Name("args")}\njob_type: run\ndocker_image: {image}\nargs: [\"a b\", c]\n");
                Assert.Equal(0, result.ExitCode);
                Assert.Equal("entry: a b c", log.Stdout);
            }
            finally
            {
                await docker.Client.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = true });
            }
        }

        private async Task CommitImageWithEntrypointAsync(string image, IList<string> entrypoint)
        {
            var created = await docker.Client.Containers.CreateContainerAsync(new CreateContainerParameters { Image = "busybox", Cmd = new List<string> { "true" } });
            try
            {
                await docker.Client.Images.CommitContainerChangesAsync(new CommitContainerChangesParameters
                {
                    ContainerID = created.ID,
                    RepositoryName = image.Split(':')[0],
                    Tag = image.Split(':')[1],
                    Config = new Config { Entrypoint = entrypoint, Cmd = new List<string>(), Env = new List<string> { "PATH=/bin" } },
                });
            }
            finally
            {
                await docker.Client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
            }
        }

        [DockerFact]
        public async Task Containers_carry_labels_and_are_listed_and_inspected_by_them()
        {
            var name = Jobs.Name("labels");
            var options = new EngineOptions { Owner = "owner-" + name, KeepEndedRuns = true };
            var (result, _) = await RunAsync($"job_name: {name}\njob_type: run\ndocker_image: busybox\ncommand: exit 3\n", options);
            try
            {
                var info = await docker.InspectAsync(result.RunId, default);
                Assert.NotNull(info);
                Assert.Equal(name, info!.JobName);
                Assert.Equal("owner-" + name, info.Owner);
                Assert.Equal("run", info.JobType);
                Assert.False(info.IsRunning);
                Assert.Equal(3, info.ExitCode);
                var listed = Assert.Single(await docker.ListAsync("owner-" + name, default));
                Assert.Equal(result.RunId, listed.RunId);
                Assert.Empty(await docker.ListAsync("nobody-" + name, default));
            }
            finally
            {
                await docker.RemoveAsync(result.RunId, default);
            }
        }

        [DockerFact]
        public async Task Watch_reports_running_then_the_end()
        {
            var job = Jobs.FromYaml($"job_name: {Jobs.Name("watch")}\njob_type: run\ndocker_image: busybox\ncommand: sleep 1; exit 4\n");
            var workload = WorkloadPlanner.Plan(job);
            var listener = new RecordingListener();
            await docker.PrepareAsync(workload, listener, default);
            await docker.StartAsync(workload, listener, default);
            try
            {
                var states = new List<RunStateChange>();
                await foreach (var change in docker.WatchAsync(workload.RunId, default))
                {
                    states.Add(change);
                    if (change.State != RunState.Running) break;
                }
                Assert.Equal(RunState.Running, states.First().State);
                Assert.Equal(RunState.Failed, states.Last().State);
            }
            finally
            {
                await docker.RemoveAsync(workload.RunId, default);
            }
        }

        [DockerFact]
        public async Task Gpus_become_an_nvidia_device_request()
        {
            var job = Jobs.FromYaml($"job_name: {Jobs.Name("gpu")}\njob_type: run\ndocker_image: busybox\ncommand: nvidia-smi\ngpu_types:\n  - type: A40\n    count: 2\n");
            var workload = WorkloadPlanner.Plan(job);
            // Created, never started: there is no GPU here, but the engine must hold the request as sent.
            await docker.Client.Containers.CreateContainerAsync(Primeway.Engine.Docker.ContainerSpec.Create(workload, "busybox", hostNetwork: true, withDiskQuota: false));
            try
            {
                var inspected = await docker.Client.Containers.InspectContainerAsync(DockerBackend.ContainerName(workload.RunId));
                var request = Assert.Single(inspected.HostConfig.DeviceRequests);
                Assert.Equal("nvidia", request.Driver);
                Assert.Equal(2, request.Count);
                Assert.Equal(new[] { "gpu" }, Assert.Single(request.Capabilities));
            }
            finally
            {
                await docker.RemoveAsync(workload.RunId, default);
            }
        }

        [DockerFact]
        public async Task Disk_space_is_applied_or_a_clear_warning_says_it_cannot_be()
        {
            var (result, log) = await RunAsync($"job_name: {Jobs.Name("disk")}\njob_type: run\ndocker_image: busybox\ndisk_space: 1\ncommand: df -k /\n");
            Assert.Equal(0, result.ExitCode);
            var warning = log.Warnings.SingleOrDefault(w => w.Contains("disk_space"));
            if (warning == null)
            {
                // Enforced: the root file system is at most 1 GiB.
                var sizeKb = long.Parse(log.Stdout.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
                Assert.InRange(sizeKb, 1, 1024 * 1024);
            }
            else Assert.Contains("cannot be enforced", warning);
        }

        [DockerFact]
        public async Task A_missing_image_that_cannot_be_pulled_fails_with_a_clear_error()
        {
            var name = Jobs.Name("noimage");
            var listener = new RecordingListener();
            var job = Jobs.FromYaml($"job_name: {name}\njob_type: run\ndocker_image: primeway-test/absent-{name}:1\ncommand: \"true\"\n");
            var error = await Assert.ThrowsAsync<EngineException>(() => new JobRunner(docker).RunAsync(job, listener));
            Assert.Contains("job '" + name + "'", error.Message);
            Assert.Contains("could not be pulled", error.Message);
            Assert.Contains(listener.Progress, p => p.StartsWith("pulling primeway-test/absent-", StringComparison.Ordinal));
        }

        [DockerFact]
        public async Task Run_time_warnings_of_the_document_are_reported()
        {
            var (result, log) = await RunAsync($"job_name: {Jobs.Name("warn")}\njob_type: run\ndocker_image: busybox\nentry_script: /bin/echo\nargs: from args\n");
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("from args", log.Stdout);
            Assert.Contains(log.Warnings, w => w.Contains(DiagnosticCodes.EntryScriptAndArgs));
        }
    }
}
