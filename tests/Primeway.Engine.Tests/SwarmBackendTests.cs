using System;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using Primeway.Engine.Swarm;

namespace Primeway.Engine.Tests
{
    /// <summary>
    /// The Swarm backend on the single-node swarm that scripts/test-services.sh initialises
    /// (docker swarm init --advertise-addr 127.0.0.1): services, tasks, limits, logs and placement.
    /// </summary>
    public sealed class SwarmBackendTests : IAsyncLifetime
    {
        private readonly SwarmBackend swarm = new SwarmBackend();

        public async Task InitializeAsync() =>
            Assert.True(await swarm.IsManagerAsync(TimeSpan.FromSeconds(5)), "the Docker engine is not a swarm manager: run scripts/test-services.sh (docker swarm init --advertise-addr 127.0.0.1)");

        public async Task DisposeAsync() => await swarm.DisposeAsync();

        private async Task<(RunResult Result, RecordingListener Listener)> RunAsync(string yaml)
        {
            var listener = new RecordingListener();
            var result = await new JobRunner(swarm, Jobs.FastOptions()).RunAsync(Jobs.FromYaml(yaml), listener);
            return (result, listener);
        }

        [DockerFact]
        public async Task A_run_job_is_a_replicated_job_service_with_its_output_and_exit_code()
        {
            var (result, log) = await RunAsync($"job_name: {Jobs.Name("swarm")}\njob_type: run\ndocker_image: busybox\ncommand: echo one; echo two >&2; exit 7\n");
            Assert.True(RunState.Failed == result.State, log.All);
            Assert.Equal(7, result.ExitCode);
            Assert.Equal("one", log.Stdout);
            Assert.Equal("two", log.Stderr);
            Assert.Null(await swarm.InspectAsync(result.RunId, default));
        }

        [DockerFact]
        public async Task Memory_and_cpu_limits_are_seen_inside_the_task()
        {
            var (result, log) = await RunAsync($"job_name: {Jobs.Name("swarm-limits")}\njob_type: run\ndocker_image: busybox\nmemory: 1\ncpu_count: 1\n" +
                "command: cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max\n");
            Assert.True(result.State == RunState.Succeeded, log.All);
            Assert.Contains("1073741824", log.Stdout);
            Assert.Contains("100000", log.Stdout);
        }

        [DockerFact]
        public async Task A_run_job_past_its_timeout_is_stopped()
        {
            var (result, log) = await RunAsync($"job_name: {Jobs.Name("swarm-slow")}\njob_type: run\ndocker_image: busybox\ncommand: echo started; sleep 60\ntimeout: 2\n");
            Assert.True(result.State == RunState.TimedOut, log.All);
            Assert.Contains("started", log.Stdout);
        }

        [DockerFact]
        public async Task A_deploy_job_is_a_replicated_service_that_becomes_healthy_and_reports_its_node()
        {
            int port = Jobs.FreeLoopbackPort();
            var job = Jobs.FromYaml($"job_name: {Jobs.Name("swarm-web")}\njob_type: deploy\ndocker_image: busybox\n" +
                $"command: [sh, -c, 'mkdir -p /www && echo swarm > /www/index.html && exec httpd -f -p {port} -h /www']\nport: {port}\nhealth_endpoint: /\nhealth_check_timeout: 30\n");
            var listener = new RecordingListener();
            await using var deployment = await Deployment.StartAsync(swarm, job, listener, Jobs.FastOptions());
            using (var http = new HttpClient())
                Assert.Equal("swarm\n", await http.GetStringAsync("http://127.0.0.1:" + port + "/"));
            var info = await swarm.InspectAsync(deployment.RunId, default);
            Assert.NotNull(info);
            Assert.True(info!.IsRunning);
            Assert.False(string.IsNullOrEmpty(info.Node));
            Assert.Equal("healthy", await TaskHealthAsync(deployment.RunId));
            Assert.Contains(await swarm.ListAsync(null, default), r => r.RunId == deployment.RunId);
            await deployment.StopAsync();
            Assert.Null(await swarm.InspectAsync(deployment.RunId, default));
        }

        /// <summary>The health the engine reports for the service's task container, once it has one (the first check runs after an interval).</summary>
        private static async Task<string> TaskHealthAsync(string runId)
        {
            using var docker = new global::Docker.DotNet.DockerClientConfiguration().CreateClient();
            var until = DateTime.UtcNow.AddSeconds(40);
            while (true)
            {
                var containers = await docker.Containers.ListContainersAsync(new ContainersListParameters
                {
                    Filters = new System.Collections.Generic.Dictionary<string, System.Collections.Generic.IDictionary<string, bool>>
                    {
                        ["label"] = new System.Collections.Generic.Dictionary<string, bool> { ["com.docker.swarm.service.name=" + SwarmBackend.ServiceName(runId)] = true },
                    },
                });
                var status = containers.Count == 0 ? null : (await docker.Containers.InspectContainerAsync(containers[0].ID)).State.Health?.Status;
                if (status == "healthy" || DateTime.UtcNow > until) return status ?? "(no health check)";
                await Task.Delay(500);
            }
        }

        [Fact]
        public void The_service_spec_carries_limits_reservations_gpus_placement_and_restart_policy()
        {
            var job = Jobs.FromYaml("job_name: gpu\njob_type: run\ndocker_image: busybox\ncommand: nvidia-smi\nmemory: 2\ncpu_count: 3\ngpu_types: [{type: A100 SXM, count: 2}]\n");
            var spec = SwarmBackend.ServiceSpecFor(WorkloadPlanner.Plan(job, "owner", "run-1"), "busybox");
            Assert.NotNull(spec.Mode.ReplicatedJob);
            Assert.Equal("none", spec.TaskTemplate.RestartPolicy.Condition);
            Assert.Equal(2L * 1024 * 1024 * 1024, spec.TaskTemplate.Resources.Limits.MemoryBytes);
            Assert.Equal(3_000_000_000L, spec.TaskTemplate.Resources.Reservations.NanoCPUs);
            var gpu = Assert.Single(spec.TaskTemplate.Resources.Reservations.GenericResources);
            Assert.Equal(("NVIDIA-GPU", 2L), (gpu.DiscreteResourceSpec.Kind, gpu.DiscreteResourceSpec.Value));
            Assert.Equal("node.labels.primeway.gpu==A100-SXM", Assert.Single(spec.TaskTemplate.Placement.Constraints));
            Assert.Equal("host", spec.TaskTemplate.Networks.Single().Target);
            Assert.Equal("run-1", spec.Labels[RunLabels.Run]);

            var deploy = SwarmBackend.ServiceSpecFor(WorkloadPlanner.Plan(Jobs.FromYaml("job_name: web\njob_type: deploy\ndocker_image: busybox\nport: 8080\nhealth_endpoint: /\n"), null, "run-2"), "busybox");
            Assert.Equal(1UL, deploy.Mode.Replicated.Replicas);
            Assert.Equal("any", deploy.TaskTemplate.RestartPolicy.Condition);
            Assert.Equal("rollback", deploy.UpdateConfig.FailureAction);
            var health = deploy.TaskTemplate.ContainerSpec.Healthcheck;
            Assert.Equal("CMD-SHELL", health.Test[0]);
            Assert.Contains("http://127.0.0.1:8080/", health.Test[1]);
            Assert.Null(spec.TaskTemplate.ContainerSpec.Healthcheck);
        }

        [DockerFact]
        public async Task A_gpu_request_reaches_the_swarm_and_waits_for_a_node_that_has_one()
        {
            var job = Jobs.FromYaml($"job_name: {Jobs.Name("swarm-gpu")}\njob_type: run\ndocker_image: busybox\ncommand: 'true'\ngpu_types: [{{type: L4, count: 1}}]\n");
            var workload = WorkloadPlanner.Plan(job);
            var listener = new RecordingListener();
            await swarm.PrepareAsync(workload, listener, default);
            await swarm.StartAsync(workload, listener, default);
            try
            {
                using var client = new global::Docker.DotNet.DockerClientConfiguration().CreateClient();
                var until = DateTime.UtcNow.AddSeconds(20);
                string message = "";
                while (DateTime.UtcNow < until)
                {
                    var tasks = await client.Tasks.ListAsync(new TasksListParameters
                    {
                        Filters = new System.Collections.Generic.Dictionary<string, System.Collections.Generic.IDictionary<string, bool>>
                        {
                            ["service"] = new System.Collections.Generic.Dictionary<string, bool> { [SwarmBackend.ServiceName(workload.RunId)] = true },
                        },
                    });
                    var task = tasks.FirstOrDefault();
                    message = task?.Status.Err ?? task?.Status.Message ?? "";
                    if (task != null && task.Status.State == TaskState.Pending && message.Contains("no suitable node")) break;
                    await Task.Delay(200);
                }
                Assert.Contains("no suitable node", message);
                var service = await client.Swarm.InspectServiceAsync(SwarmBackend.ServiceName(workload.RunId));
                Assert.Equal(1L, service.Spec.TaskTemplate.Resources.Reservations.GenericResources.Single().DiscreteResourceSpec.Value);
            }
            finally
            {
                await swarm.RemoveAsync(workload.RunId, default);
            }
        }
    }
}
