using System;
using System.Threading;
using System.Threading.Tasks;
using Primeway.Engine.Docker;
using Primeway.Engine.Process;

namespace Primeway.Engine
{
    /// <summary>Picks the backend: the one asked for, else Docker when an engine answers, else host processes with a warning.</summary>
    public static class BackendSelector
    {
        public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

        public static async Task<IJobBackend> SelectAsync(string? name, IRunListener listener, CancellationToken cancellationToken = default)
        {
            switch (name?.ToLowerInvariant())
            {
                case "process":
                    return new ProcessBackend();
                case "swarm":
                    var swarm = new Swarm.SwarmBackend();
                    if (await swarm.IsManagerAsync(ProbeTimeout, cancellationToken).ConfigureAwait(false)) return swarm;
                    await swarm.DisposeAsync().ConfigureAwait(false);
                    throw new EngineException("the Docker engine does not answer or is not a swarm manager. Run 'docker swarm init' (or point DOCKER_HOST at a manager), or use --backend docker.");
                case "docker":
                    var docker = new DockerBackend();
                    if (await docker.IsAvailableAsync(ProbeTimeout, cancellationToken).ConfigureAwait(false)) return docker;
                    await docker.DisposeAsync().ConfigureAwait(false);
                    throw new EngineException("the Docker engine at " + docker.Endpoint + " does not answer. Start dockerd, set DOCKER_HOST to a running engine, or use --backend process.");
                case null:
                    var probe = new DockerBackend();
                    if (await probe.IsAvailableAsync(ProbeTimeout, cancellationToken).ConfigureAwait(false)) return probe;
                    await probe.DisposeAsync().ConfigureAwait(false);
                    listener.OnWarning("no Docker engine answers at " + probe.Endpoint + "; running on this machine as a process instead. Start dockerd (or set DOCKER_HOST) to run in a container.");
                    return new ProcessBackend();
                default:
                    throw new EngineException("unknown backend '" + name + "': use docker, swarm or process.");
            }
        }
    }
}
