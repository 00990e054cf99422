using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Tasks;

namespace Primeway.Server.Tests
{
    /// <summary>Deploy jobs through the server on a real Docker engine: healthy, URL, stop, unhealthy, restart of the server.</summary>
    public sealed class DeployRunTests
    {
        private static string Service(string name, int port, string healthPath = "/") =>
            "job_name: " + name + "\njob_type: deploy\ndocker_image: busybox\ncommand: [sh, -c, 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p " + port + " -h /www']\n" +
            "port: " + port + "\nhealth_endpoint: " + healthPath + "\nhealth_check_timeout: 20\n";

        internal static async Task<JsonElement> WaitForHealthAsync(HttpClient client, string runId, string expected = "healthy")
        {
            var until = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var run = JsonDocument.Parse(await client.GetStringAsync("/v1/runs/" + runId)).RootElement;
                if (run.GetProperty("health_status").ValueKind == JsonValueKind.String && run.GetProperty("health_status").GetString() == expected) return run;
                if (run.GetProperty("status").GetString() is "failed" or "stopped" or "terminated" && expected == "healthy")
                    throw new InvalidOperationException("run ended: " + run + "\n" + await client.GetStringAsync("/v1/runs/" + runId + "/logs"));
                if (DateTime.UtcNow > until) throw new TimeoutException("run " + runId + " never became " + expected + ": " + run);
                await Task.Delay(100);
            }
        }

        internal static async Task<string> StartAsync(HttpClient client, string yaml)
        {
            var response = await client.PostAsync("/v1/runs", RunningServer.Yaml(yaml));
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        }

        [Fact]
        public async Task A_deploy_job_becomes_healthy_answers_at_its_url_and_stops_on_request()
        {
            await using var server = await RunningServer.StartAsync();
            using var client = server.Client(server.AdminToken);
            var port = FreePort();
            var id = await StartAsync(client, Service("web", port));

            var healthy = await WaitForHealthAsync(client, id);
            Assert.Equal("running", healthy.GetProperty("status").GetString());
            Assert.Equal(server.Address + "d/web/", healthy.GetProperty("url").GetString());
            var url = healthy.GetProperty("direct_url").GetString()!;
            Assert.Equal("http://127.0.0.1:" + port + "/", url);
            using (var direct = new HttpClient())
                Assert.Equal("ok\n", await direct.GetStringAsync(url));

            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/v1/runs/" + id + "/stop", null)).StatusCode);
            var ended = await RunningServer.WaitForEndAsync(client, id, 30);
            Assert.Equal("stopped", ended.GetProperty("status").GetString());
            await Assert.ThrowsAsync<HttpRequestException>(async () => { using var direct = new HttpClient(); await direct.GetStringAsync(url); });
        }

        [Fact]
        public async Task A_deploy_job_that_never_answers_its_health_endpoint_fails_as_unhealthy()
        {
            await using var server = await RunningServer.StartAsync();
            using var client = server.Client(server.AdminToken);
            var port = FreePort();
            var id = await StartAsync(client, Service("sick", port, "/missing").Replace("health_check_timeout: 20", "health_check_timeout: 2"));
            var ended = await RunningServer.WaitForEndAsync(client, id, 60);
            Assert.Equal(("failed", "unhealthy"), (ended.GetProperty("status").GetString(), ended.GetProperty("reason").GetString()));
            Assert.Contains("404", await client.GetStringAsync("/v1/runs/" + id + "/logs"));
        }

        [Fact]
        public async Task A_deploy_job_keeps_running_across_a_server_restart_and_is_followed_again()
        {
            var data = Path.Combine(Path.GetTempPath(), "primeway-server-" + Guid.NewGuid().ToString("N"));
            var port = FreePort();
            string id;
            await using (var first = await RunningServer.StartAsync(data))
            {
                using var client = first.Client(first.AdminToken);
                id = await StartAsync(client, Service("survives", port));
                await WaitForHealthAsync(client, id);
            }
            using (var direct = new HttpClient())
                Assert.Equal("ok\n", await direct.GetStringAsync("http://127.0.0.1:" + port + "/"));

            await using var second = await RunningServer.StartAsync(data);
            using var again = second.Client(second.AdminToken);
            var run = await WaitForHealthAsync(again, id);
            Assert.Equal("running", run.GetProperty("status").GetString());
            await again.PostAsync("/v1/runs/" + id + "/stop", null);
            Assert.Equal("stopped", (await RunningServer.WaitForEndAsync(again, id, 30)).GetProperty("status").GetString());
        }

        internal static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
    }
}
