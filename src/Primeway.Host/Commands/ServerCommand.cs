using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Primeway.Server;

namespace Primeway.Host.Commands
{
    /// <summary>
    /// primeway server [--urls URL] [--data DIR] [--store ...]: runs the Primeway server in the foreground.
    /// primeway server --local: the per-user local server the client starts on demand (free loopback port, server.json).
    /// primeway server stop: stops that local server.
    /// </summary>
    internal static class ServerCommand
    {
        public static Command Create(TextWriter stdout)
        {
            var urls = new Option<string?>("--urls") { Description = "Where to listen (default http://127.0.0.1:8750; with --local, a free loopback port)." };
            var data = new Option<string?>("--data") { Description = "Data directory: database, logs, admin token (default ~/.primeway/server; with --local, ~/.primeway/local)." };
            var backend = new Option<string?>("--backend") { Description = "docker, swarm (services on a Docker Swarm) or process (default: Docker when an engine answers, else host processes)." };
            backend.AcceptOnlyFromAmong("docker", "swarm", "process");
            var store = new Option<string>("--store") { Description = "sqlite (default: a file in the data directory, one instance) or postgres (one database shared by several instances).", DefaultValueFactory = _ => "sqlite" };
            store.AcceptOnlyFromAmong("sqlite", "postgres");
            var connection = new Option<string?>("--connection")
            {
                Description = "PostgreSQL connection string for --store postgres (default: PRIMEWAY_STORE_CONNECTION, which keeps the password off the command line).",
                DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PRIMEWAY_STORE_CONNECTION"),
            };
            var instance = new Option<string?>("--instance") { Description = "This instance's name in run leases, unique among instances sharing a store (default: host name and a random suffix)." };
            var local = new Option<bool>("--local") { Description = "Run as the local server that the cmdlets and primeway verbs use when no server is connected (they start it on demand)." };
            var gatewayDomain = new Option<string?>("--gateway-domain") { Description = "Route host {job_name}.DOMAIN to that deploy job (besides /d/{job_name}/)." };
            var publicUrl = new Option<string?>("--public-url") { Description = "The address users reach the server at, for the gateway URLs of deploy runs (default: as the request came)." };
            var command = new Command("server", "Run the Primeway server: REST API, store, supervisor, deploy gateway and scheduler.")
            {
                urls, data, backend, store, connection, instance, local, gatewayDomain, publicUrl, StopCommand(stdout),
            };
            command.SetAction(async (result, ct) =>
            {
                var isLocal = result.GetValue(local);
                var options = new ServerOptions
                {
                    Urls = result.GetValue(urls) ?? (isLocal ? "http://127.0.0.1:0" : "http://127.0.0.1:8750"),
                    DataDirectory = Path.GetFullPath(result.GetValue(data) ?? (isLocal ? PrimewayHome.LocalServerDirectory : ServerOptions.DefaultDataDirectory())),
                    Backend = result.GetValue(backend),
                    Store = result.GetValue(store)!,
                    ConnectionString = result.GetValue(connection),
                    LogLevel = LogLevel.Information,
                    GatewayDomain = result.GetValue(gatewayDomain),
                    PublicUrl = result.GetValue(publicUrl),
                };
                if (result.GetValue(instance) is string name) options.InstanceId = name;
                // The local server always makes its own token (in <data>/admin-token), whatever the caller's environment holds.
                if (isLocal) options.AdminToken = null;
                var app = await PrimewayServer.BuildAsync(options, ct);
                await app.StartAsync(ct);
                // The bound address, not the option: with port 0 only Kestrel knows which port it got.
                var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
                stdout.WriteLine("Primeway server on " + address + ", data in " + options.DataDirectory + ", store " + options.Store + ", instance " + options.InstanceId);
                if (isLocal)
                {
                    LocalServer.WriteState(options.DataDirectory, address, Environment.ProcessId);
                    app.Lifetime.ApplicationStopping.Register(() => LocalServer.ClearState(options.DataDirectory, Environment.ProcessId));
                }
                await app.WaitForShutdownAsync(ct);
                return ExitCodes.Success;
            });
            return command;
        }

        private static Command StopCommand(TextWriter stdout)
        {
            var command = new Command("stop", "Stop the local Primeway server (the one started on demand). The runs it started keep going in the engine.");
            command.SetAction(async (_, ct) =>
            {
                var stopped = await LocalServer.StopAsync(ct: ct);
                stdout.WriteLine(stopped == null
                    ? "No local Primeway server is running (" + PrimewayHome.LocalServerDirectory + ")."
                    : "Stopped the local Primeway server at " + stopped.Url + " (pid " + stopped.ProcessId + ").");
                return ExitCodes.Success;
            });
            return command;
        }
    }
}
