using System;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Primeway.Server.Api;
using Microsoft.AspNetCore.Http.Features;
using Primeway.Engine;
using Primeway.Server.Auth;
using Primeway.Server.Gateway;
using Primeway.Server.Scheduling;
using Primeway.Server.Runs;
using Primeway.Server.Store;

namespace Primeway.Server
{
    public sealed class ServerOptions
    {
        /// <summary>Where Kestrel listens; loopback by default.</summary>
        public string Urls { get; set; } = "http://127.0.0.1:8750";

        /// <summary>The data directory: the SQLite file, logs, the admin token.</summary>
        public string DataDirectory { get; set; } = DefaultDataDirectory();

        /// <summary>Made the admin token on a first start when set (PRIMEWAY_API_TOKEN).</summary>
        public string? AdminToken { get; set; } = Environment.GetEnvironmentVariable("PRIMEWAY_API_TOKEN");

        public LogLevel LogLevel { get; set; } = LogLevel.Warning;

        /// <summary>docker, process, or null: Docker when an engine answers, else host processes.</summary>
        public string? Backend { get; set; }

        /// <summary>How many runs may be building or starting at once; the rest wait as pending.</summary>
        public int MaxConcurrentStarts { get; set; } = 8;

        /// <summary>Between SIGTERM and SIGKILL when a run times out or is stopped.</summary>
        public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>The most log kept per run; later lines are dropped with one notice.</summary>
        public long LogCapBytes { get; set; } = 64L * 1024 * 1024;

        /// <summary>sqlite (the default: a file in the data directory, one instance) or postgres (shared by several instances).</summary>
        public string Store { get; set; } = "sqlite";

        /// <summary>The PostgreSQL connection string, with Store = postgres.</summary>
        public string? ConnectionString { get; set; }

        /// <summary>This instance's name in run leases; unique among the instances that share a store.</summary>
        public string InstanceId { get; set; } = Environment.MachineName + "-" + Guid.NewGuid().ToString("N").Substring(0, 8);

        /// <summary>How long a run stays with an instance that stopped renewing its lease, before another takes it over.</summary>
        public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>How often an instance looks for stop requests and runs to take over, where the store is shared.</summary>
        public TimeSpan LeasePollInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>When set (apps.example.com), a request for host {job_name}.apps.example.com goes to that deploy job.</summary>
        public string? GatewayDomain { get; set; }

        /// <summary>The address users reach this server at, for the gateway URLs in answers; the request's own when null.</summary>
        public string? PublicUrl { get; set; }

        /// <summary>How long a request to a sleeping deploy job is held while it starts again.</summary>
        public TimeSpan WakeTimeout { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>The clock schedules follow; a test may pass one it controls.</summary>
        public TimeProvider Clock { get; set; } = TimeProvider.System;

        /// <summary>The time zone of schedules whose job names none (schedule.timezone).</summary>
        public string ScheduleTimeZone { get; set; } = "UTC";

        /// <summary>How often the scheduler looks at the clock.</summary>
        public TimeSpan SchedulerInterval { get; set; } = TimeSpan.FromSeconds(1);

        public static string DefaultDataDirectory() =>
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".primeway", "server");
    }

    /// <summary>The Primeway server: REST API under /v1 with bearer tokens, over a durable store, with the supervisor.</summary>
    public static class PrimewayServer
    {
        private const long MaxUploadBytes = 2L * 1024 * 1024 * 1024;

        /// <summary>Says at start-up which backend the server fell back to, once.</summary>
        private sealed class StartupListener : IRunListener
        {
            public void OnWarning(string message) => Console.Error.WriteLine("primeway server: " + message);
        }

        public static async Task<WebApplication> BuildAsync(ServerOptions options, CancellationToken ct = default)
        {
            Directory.CreateDirectory(options.DataDirectory);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(options.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            var store = OpenStore(options);
            await store.MigrateAsync(ct).ConfigureAwait(false);
            var tokens = new Tokens(store);
            var adminTokenAt = await tokens.BootstrapAdminAsync(options.DataDirectory, options.AdminToken, ct).ConfigureAwait(false);

            var backend = await BackendSelector.SelectAsync(options.Backend, new StartupListener(), ct).ConfigureAwait(false);

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = Array.Empty<string>() });
            builder.WebHost.UseUrls(options.Urls);
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxUploadBytes);
            builder.Services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = MaxUploadBytes);
            builder.Logging.SetMinimumLevel(options.LogLevel);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton<IStore>(store);
            builder.Services.AddSingleton(tokens);
            builder.Services.AddSingleton(backend);
            builder.Services.AddSingleton(new RunLogs(Path.Combine(options.DataDirectory, "logs"), options.LogCapBytes));
            builder.Services.AddSingleton(new ProjectFiles(options.DataDirectory));
            builder.Services.AddSingleton(new Artifacts(options.DataDirectory));
            builder.Services.AddSingleton<Supervisor>();
            builder.Services.AddHostedService(services => services.GetRequiredService<Supervisor>());
            builder.Services.AddSingleton<PipelineRunner>();
            builder.Services.AddHostedService(services => services.GetRequiredService<PipelineRunner>());
            builder.Services.AddHttpForwarder();
            builder.Services.AddSingleton<DeployGateway>();
            builder.Services.AddHostedService(services => services.GetRequiredService<DeployGateway>());
            builder.Services.AddSingleton<GatewayMiddleware>();
            builder.Services.AddSingleton<Scheduler>();
            builder.Services.AddHostedService(services => services.GetRequiredService<Scheduler>());
            builder.Services.AddProblemDetails();
            builder.Services.AddOpenApi();
            builder.Services.Configure<JsonOptions>(json =>
            {
                json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
                json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
            });

            var app = builder.Build();
            if (adminTokenAt != null)
                app.Logger.LogWarning("First start: the admin token is in {Where}.", adminTokenAt);

            app.UseExceptionHandler(errors => errors.Run(context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var status = error is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
                var detail = status == 500 ? "The server failed to handle the request; its log has the details." : error?.Message ?? "Bad request.";
                return Problems.Write(context, status, status == 500 ? "Server error" : "Bad request", detail);
            }));
            // Before the status code pages, so a job's own empty error answers pass through as they are.
            var gateway = app.Services.GetRequiredService<GatewayMiddleware>();
            app.Use((context, next) => gateway.InvokeAsync(context, next));
            app.UseStatusCodePages(async status =>
            {
                var response = status.HttpContext.Response;
                if (response.ContentLength == null && string.IsNullOrEmpty(response.ContentType))
                    await Problems.Write(status.HttpContext, response.StatusCode, response.StatusCode == 404 ? "Not found" : "Error",
                        response.StatusCode == 404 ? "No such route: " + status.HttpContext.Request.Path + ". The API is under /v1; see /openapi/v1.json." : "The request failed.").ConfigureAwait(false);
            });
            app.Use(BearerAuthentication.Middleware);

            app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).WithTags("Health");
            app.MapOpenApi();
            JobsApi.Map(app);
            TokensApi.Map(app);
            RunsApi.Map(app);
            PipelinesApi.Map(app);
            app.Lifetime.ApplicationStopped.Register(() =>
            {
                backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
                (store as IAsyncDisposable)?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            });
            return app;
        }

        private static SqlStore OpenStore(ServerOptions options)
        {
            switch (options.Store)
            {
                case "sqlite":
                    return new SqliteStore(Path.Combine(options.DataDirectory, "primeway.db"));
                case "postgres":
                    if (string.IsNullOrWhiteSpace(options.ConnectionString))
                        throw new ArgumentException("--store postgres needs --connection \"Host=...;Username=...;Password=...;Database=...\".");
                    return new PostgresStore(options.ConnectionString);
                default:
                    throw new ArgumentException("unknown store '" + options.Store + "': use sqlite or postgres.");
            }
        }
    }
}
