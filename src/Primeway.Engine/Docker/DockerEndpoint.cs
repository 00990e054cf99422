using System;

namespace Primeway.Engine.Docker
{
    /// <summary>Which Docker engine to talk to: DOCKER_HOST when set, else the local unix socket.</summary>
    public static class DockerEndpoint
    {
        public const string DefaultUnixSocket = "unix:///var/run/docker.sock";

        public static Uri Resolve(string? dockerHost = null)
        {
            var value = dockerHost ?? Environment.GetEnvironmentVariable("DOCKER_HOST");
            if (string.IsNullOrWhiteSpace(value)) return new Uri(DefaultUnixSocket);
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != "unix" && uri.Scheme != "tcp" && uri.Scheme != "http" && uri.Scheme != "https" && uri.Scheme != "npipe"))
                throw new EngineException("DOCKER_HOST='" + value + "' is not an engine address. Use unix:///var/run/docker.sock or tcp://HOST:2375, or unset it.");
            return uri;
        }
    }
}
