using System.CommandLine;
using System.IO;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Primeway.Server;

namespace Primeway.Host.Commands
{
    /// <summary>primeway server [--urls URL] [--data DIR]: runs the Primeway server in the foreground.</summary>
    internal static class ServerCommand
    {
        public static Command Create(TextWriter stdout)
        {
            var urls = new Option<string>("--urls") { Description = "Where to listen (default http://127.0.0.1:8750).", DefaultValueFactory = _ => "http://127.0.0.1:8750" };
            var data = new Option<string>("--data") { Description = "Data directory: database, logs, admin token (default ~/.primeway/server).", DefaultValueFactory = _ => ServerOptions.DefaultDataDirectory() };
            var backend = new Option<string?>("--backend") { Description = "docker, swarm (services on a Docker Swarm) or process (default: Docker when an engine answers, else host processes)." };
            backend.AcceptOnlyFromAmong("docker", "swarm", "process");
            var gatewayDomain = new Option<string?>("--gateway-domain") { Description = "Route host {job_name}.DOMAIN to that deploy job (besides /d/{job_name}/)." };
            var publicUrl = new Option<string?>("--public-url") { Description = "The address users reach the server at, for the gateway URLs of deploy runs (default: as the request came)." };
            var command = new Command("server", "Run the Primeway server: REST API, store, supervisor, deploy gateway and scheduler.") { urls, data, backend, gatewayDomain, publicUrl };
            command.SetAction(async (result, ct) =>
            {
                var options = new ServerOptions { Urls = result.GetValue(urls)!, DataDirectory = Path.GetFullPath(result.GetValue(data)!), Backend = result.GetValue(backend), LogLevel = LogLevel.Information,
                    GatewayDomain = result.GetValue(gatewayDomain), PublicUrl = result.GetValue(publicUrl) };
                var app = await PrimewayServer.BuildAsync(options, ct);
                stdout.WriteLine("Primeway server on " + options.Urls + ", data in " + options.DataDirectory);
                await app.StartAsync(ct);
                await app.WaitForShutdownAsync(ct);
                return ExitCodes.Success;
            });
            return command;
        }
    }
}
