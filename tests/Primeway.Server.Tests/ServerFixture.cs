using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Primeway.Server;

namespace Primeway.Server.Tests
{
    /// <summary>A real server on a free loopback port with its own data directory.</summary>
    public sealed class RunningServer : IAsyncDisposable
    {
        private RunningServer(WebApplication app, string dataDirectory, Uri address)
        {
            App = app;
            DataDirectory = dataDirectory;
            Address = address;
        }

        public WebApplication App { get; }
        public string DataDirectory { get; }
        public Uri Address { get; }
        public string AdminToken => File.ReadAllText(Path.Combine(DataDirectory, "admin-token")).Trim();

        public static async Task<RunningServer> StartAsync(string? dataDirectory = null, string? adminToken = null, string backend = "docker", Action<ServerOptions>? configure = null)
        {
            dataDirectory ??= Path.Combine(Path.GetTempPath(), "primeway-server-" + Guid.NewGuid().ToString("N"));
            var options = new ServerOptions
            {
                Urls = "http://127.0.0.1:0",
                DataDirectory = dataDirectory,
                AdminToken = adminToken,
                Backend = backend,
                StopGrace = TimeSpan.FromSeconds(2),
            };
            configure?.Invoke(options);
            var app = await PrimewayServer.BuildAsync(options);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return new RunningServer(app, dataDirectory, new Uri(address));
        }

        public HttpClient Client(string? token)
        {
            var client = new HttpClient { BaseAddress = Address };
            if (token != null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        /// <summary>Polls the run until it has finished, or fails the test after the limit.</summary>
        public static async Task<System.Text.Json.JsonElement> WaitForEndAsync(HttpClient client, string runId, int seconds = 60)
        {
            var until = DateTime.UtcNow.AddSeconds(seconds);
            while (true)
            {
                var run = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/v1/runs/" + runId)).RootElement;
                var status = run.GetProperty("status").GetString();
                if (status is "completed" or "failed" or "stopped" or "terminated") return run;
                if (DateTime.UtcNow > until) throw new TimeoutException("run " + runId + " is still " + status + " after " + seconds + " s");
                await Task.Delay(100);
            }
        }

        /// <summary>Starts a busybox run job with this shell command through POST /v1/runs; returns the run id.</summary>
        public static async Task<string> StartRunAsync(HttpClient client, string name, string command)
        {
            var response = await client.PostAsync("/v1/runs", Yaml("job_name: " + name + "\njob_type: run\ndocker_image: busybox\ncommand: '" + command + "'\n"));
            Xunit.Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
            return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        }

        /// <summary>Waits until the run's log holds the text, or fails the test after 30 s.</summary>
        public static async Task WaitForLogAsync(HttpClient client, string runId, string text)
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while (!(await client.GetStringAsync("/v1/runs/" + runId + "/logs")).Contains(text))
            {
                if (DateTime.UtcNow > until) throw new TimeoutException("'" + text + "' never appeared in the log of " + runId);
                await Task.Delay(50);
            }
        }

        public static StringContent Yaml(string yaml) => new StringContent(yaml, Encoding.UTF8, "application/yaml");

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
