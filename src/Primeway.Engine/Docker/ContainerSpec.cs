using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Docker.DotNet.Models;

namespace Primeway.Engine.Docker
{
    /// <summary>The engine's create-container request for a workload: command, env, labels, limits, network.</summary>
    internal static class ContainerSpec
    {
        public static CreateContainerParameters Create(Workload workload, string image, bool hostNetwork, bool withDiskQuota)
        {
            var host = new HostConfig
            {
                Memory = workload.MemoryBytes ?? 0,
                // Swap equal to memory means no swap: the limit is the limit, and going over it is an OOM kill.
                MemorySwap = workload.MemoryBytes ?? 0,
                NanoCPUs = workload.NanoCpus ?? 0,
                NetworkMode = hostNetwork ? "host" : null,
                Binds = workload.Mounts.Count == 0 ? null : workload.Mounts.Select(m => m.HostPath + ":" + m.ContainerPath + (m.ReadOnly ? ":ro" : ":rw")).ToList(),
            };
            if (workload.DiskBytes is long disk && withDiskQuota)
                host.StorageOpt = new Dictionary<string, string> { ["size"] = disk.ToString(CultureInfo.InvariantCulture) };
            if (workload.GpuCount > 0)
                host.DeviceRequests = new List<DeviceRequest>
                {
                    new DeviceRequest { Driver = "nvidia", Count = workload.GpuCount, Capabilities = new List<IList<string>> { new List<string> { "gpu" } } },
                };

            var parameters = new CreateContainerParameters
            {
                Name = DockerBackend.ContainerName(workload.RunId),
                Image = image,
                Entrypoint = workload.Entrypoint?.ToList(),
                Cmd = workload.Arguments?.ToList(),
                Env = workload.Environment.Select(e => e.Key + "=" + e.Value).ToList(),
                Labels = new Dictionary<string, string>(workload.Labels),
                HostConfig = host,
            };
            if (workload.Port is int port && !hostNetwork)
            {
                // With a bridge, the service is published on loopback only, on the same port number.
                var key = port.ToString(CultureInfo.InvariantCulture) + "/tcp";
                parameters.ExposedPorts = new Dictionary<string, EmptyStruct> { [key] = default };
                host.PortBindings = new Dictionary<string, IList<PortBinding>>
                {
                    [key] = new List<PortBinding> { new PortBinding { HostIP = "127.0.0.1", HostPort = port.ToString(CultureInfo.InvariantCulture) } },
                };
            }
            return parameters;
        }
    }
}
