using System;
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
            var store = new Option<string>("--store") { Description = "sqlite (default: a file in the data directory, one instance) or postgres (one database shared by several instances).", DefaultValueFactory = _ => "sqlite" };
            store.AcceptOnlyFromAmong("sqlite", "postgres");
            var connection = new Option<string?>("--connection")
            {
                Description = "PostgreSQL connection string for --store postgres (default: PRIMEWAY_STORE_CONNECTION, which keeps the password off the command line).",
                DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PRIMEWAY_STORE_CONNECTION"),
            };
            var instance = new Option<string?>("--instance") { Description = "This instance's name in run leases, unique among instances sharing a store (default: host name and a random suffix)." };
            var command = new Command("server", "Run the Primeway server: REST API, store and supervisor.") { urls, data, backend, store, connection, instance };
            command.SetAction(async (result, ct) =>
            {
                var options = new ServerOptions
                {
                    Urls = result.GetValue(urls)!,
                    DataDirectory = Path.GetFullPath(result.GetValue(data)!),
                    Backend = result.GetValue(backend),
                    Store = result.GetValue(store)!,
                    ConnectionString = result.GetValue(connection),
                    LogLevel = LogLevel.Information,
                };
                if (result.GetValue(instance) is string name) options.InstanceId = name;
                var app = await PrimewayServer.BuildAsync(options, ct);
                stdout.WriteLine("Primeway server on " + options.Urls + ", data in " + options.DataDirectory + ", store " + options.Store + ", instance " + options.InstanceId);
                await app.StartAsync(ct);
                await app.WaitForShutdownAsync(ct);
                return ExitCodes.Success;
            });
            return command;
        }
    }
}
