using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Tasks;
using static Primeway.Server.Tests.DeployRunTests;

namespace Primeway.Server.Tests
{
    /// <summary>The deploy gateway on a real server and Docker engine: busybox httpd with a CGI script that echoes what it was sent.</summary>
    public sealed class GatewayTests
    {
        /// <summary>A deploy job whose /cgi-bin/echo answers with the request URI and the forwarded headers it got.</summary>
        internal static string EchoService(string name, int port, string extra = "") =>
            "job_name: " + name + "\njob_type: deploy\ndocker_image: busybox\nport: " + port + "\nhealth_endpoint: /\nhealth_check_timeout: 30\n" + extra +
            "command: |\n" +
            "  mkdir -p /www/cgi-bin && echo ok > /www/index.html\n" +
            "  printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho \"uri=$REQUEST_URI host=$HTTP_X_FORWARDED_HOST prefix=$HTTP_X_FORWARDED_PREFIX proto=$HTTP_X_FORWARDED_PROTO auth=$HTTP_AUTHORIZATION\"\\n' > /www/cgi-bin/echo\n" +
            "  chmod +x /www/cgi-bin/echo\n" +
            "  exec httpd -f -p " + port + " -h /www\n";

        private static HttpRequestMessage Get(string url, string? token = null, string? host = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (token != null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (host != null) request.Headers.Host = host;
            return request;
        }

        private static async Task StopAsync(HttpClient client, string runId)
        {
            await client.PostAsync("/v1/runs/" + runId + "/stop", null);
            await RunningServer.WaitForEndAsync(client, runId, 30);
        }

        [Fact]
        public async Task Path_routing_strips_the_prefix_and_forwards_host_prefix_and_scheme()
        {
            await using var server = await RunningServer.StartAsync();
            using var client = server.Client(server.AdminToken);
            var port = FreePort();
            var id = await StartAsync(client, EchoService("echo", port, "gateway_auth: none\n"));
            var healthy = await WaitForHealthAsync(client, id);
            Assert.Equal(server.Address + "d/echo/", healthy.GetProperty("url").GetString());
            Assert.Equal("http://127.0.0.1:" + port + "/", healthy.GetProperty("direct_url").GetString());

            using var anonymous = new HttpClient { BaseAddress = server.Address };
            Assert.Equal("uri=/cgi-bin/echo?q=1&r=2 host=" + server.Address.Authority + " prefix=/d/echo proto=http auth=",
                (await anonymous.GetStringAsync("/d/echo/cgi-bin/echo?q=1&r=2")).Trim());
            Assert.Equal("ok\n", await anonymous.GetStringAsync("/d/echo/"));
            Assert.Equal("ok\n", await anonymous.GetStringAsync("/d/echo"));
            // The job's own 404 comes through as the job sent it.
            var missing = await anonymous.GetAsync("/d/echo/nothing-here");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.NotEqual("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

            var unknown = await anonymous.GetAsync("/d/nosuchjob/");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("nosuchjob", await unknown.Content.ReadAsStringAsync());

            await StopAsync(client, id);
            var stopped = await anonymous.GetAsync("/d/echo/");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, stopped.StatusCode);
            Assert.Contains("stopped", await stopped.Content.ReadAsStringAsync());
        }

        [Fact]
        public async Task Host_routing_sends_job_name_dot_domain_to_the_job_and_leaves_other_hosts_to_the_api()
        {
            await using var server = await RunningServer.StartAsync(configure: o => o.GatewayDomain = "apps.test");
            using var client = server.Client(server.AdminToken);
            var port = FreePort();
            var id = await StartAsync(client, EchoService("hosted", port, "gateway_auth: none\n"));
            var healthy = await WaitForHealthAsync(client, id);
            Assert.Equal("http://hosted.apps.test:" + server.Address.Port + "/", healthy.GetProperty("url").GetString());

            using var raw = new HttpClient { BaseAddress = server.Address };
            var answer = await raw.SendAsync(Get("/cgi-bin/echo?x=1", host: "hosted.apps.test:" + server.Address.Port));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("uri=/cgi-bin/echo?x=1 host=hosted.apps.test:" + server.Address.Port + " prefix= proto=http auth=", (await answer.Content.ReadAsStringAsync()).Trim());
            // /healthz on the job's host is the job's; on the server's own host it is the server's.
            Assert.Equal("ok\n", await (await raw.SendAsync(Get("/", host: "hosted.apps.test"))).Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await raw.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await raw.SendAsync(Get("/", host: "other.apps.test"))).StatusCode);
            await StopAsync(client, id);
        }

        [Fact]
        public async Task A_deploy_endpoint_takes_a_token_of_its_owner_by_default_and_does_not_pass_it_on()
        {
            await using var server = await RunningServer.StartAsync();
            using var admin = server.Client(server.AdminToken);
            var alice = await NewTokenAsync(admin, "alice");
            var bob = await NewTokenAsync(admin, "bob");
            using var asAlice = server.Client(alice);
            var port = FreePort();
            var id = await StartAsync(asAlice, EchoService("private", port));
            await WaitForHealthAsync(asAlice, id);

            using var raw = new HttpClient { BaseAddress = server.Address };
            var none = await raw.GetAsync("/d/private/");
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Contains("gateway_auth", await none.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, (await raw.SendAsync(Get("/d/private/", "pw_not-a-token"))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await raw.SendAsync(Get("/d/private/", bob))).StatusCode);

            var owner = await raw.SendAsync(Get("/d/private/cgi-bin/echo", alice));
            Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
            Assert.EndsWith("auth=", (await owner.Content.ReadAsStringAsync()).Trim());
            Assert.Equal(HttpStatusCode.OK, (await raw.SendAsync(Get("/d/private/", server.AdminToken))).StatusCode);
            // The gateway's own health endpoint stays open.
            Assert.Equal(HttpStatusCode.OK, (await raw.GetAsync("/healthz")).StatusCode);
            await StopAsync(asAlice, id);
        }

        [Fact]
        public async Task An_idle_deploy_job_is_terminated_and_the_next_request_starts_it_again_and_waits_for_it()
        {
            await using var server = await RunningServer.StartAsync();
            using var client = server.Client(server.AdminToken);
            var port = FreePort();
            var id = await StartAsync(client, EchoService("sleepy", port, "gateway_auth: none\nidle_timeout: 3\n"));
            await WaitForHealthAsync(client, id);
            using var raw = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(120) };

            // Requests more often than idle_timeout keep it up.
            var until = DateTime.UtcNow.AddSeconds(5);
            while (DateTime.UtcNow < until)
            {
                Assert.Equal("ok\n", await raw.GetStringAsync("/d/sleepy/"));
                await Task.Delay(300);
            }
            Assert.Equal("running", JsonDocument.Parse(await client.GetStringAsync("/v1/runs/" + id)).RootElement.GetProperty("status").GetString());

            // Without requests it is stopped by the system, for idleness.
            var idle = await RunningServer.WaitForEndAsync(client, id, 60);
            Assert.Equal(("terminated", "idle"), (idle.GetProperty("status").GetString(), idle.GetProperty("reason").GetString()));
            await Assert.ThrowsAsync<HttpRequestException>(async () => { using var direct = new HttpClient(); await direct.GetStringAsync("http://127.0.0.1:" + port + "/"); });

            // The next requests wake it, once, and are answered when it is healthy.
            var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => raw.GetStringAsync("/d/sleepy/")));
            Assert.All(answers, answer => Assert.Equal("ok\n", answer));
            var runs = JsonDocument.Parse(await client.GetStringAsync("/v1/runs?job=sleepy")).RootElement.EnumerateArray().ToList();
            Assert.Equal(2, runs.Count);
            var woken = runs[0];
            Assert.Equal(("running", "healthy", "gateway"),
                (woken.GetProperty("status").GetString(), woken.GetProperty("health_status").GetString(), woken.GetProperty("started_by").GetString()));
            Assert.True(woken.GetProperty("cold_start_seconds").GetDouble() > 0, woken.ToString());
            Assert.Equal(JsonValueKind.Null, runs[1].GetProperty("cold_start_seconds").ValueKind);

            // And it goes back to sleep the same way.
            var again = await RunningServer.WaitForEndAsync(client, woken.GetProperty("id").GetString()!, 60);
            Assert.Equal(("terminated", "idle"), (again.GetProperty("status").GetString(), again.GetProperty("reason").GetString()));
        }

        [Fact]
        public async Task A_job_asleep_when_the_server_restarts_is_woken_by_the_next_request_to_the_new_server()
        {
            var data = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "primeway-server-" + Guid.NewGuid().ToString("N"));
            var port = FreePort();
            await using (var first = await RunningServer.StartAsync(data))
            {
                using var client = first.Client(first.AdminToken);
                var id = await StartAsync(client, EchoService("nap", port, "idle_timeout: 1\n"));
                await WaitForHealthAsync(client, id);
                Assert.Equal("terminated/idle", Status(await RunningServer.WaitForEndAsync(client, id, 60)));
            }

            await using var second = await RunningServer.StartAsync(data);
            using var raw = new HttpClient { BaseAddress = second.Address, Timeout = TimeSpan.FromSeconds(120) };
            Assert.Equal(HttpStatusCode.Unauthorized, (await raw.GetAsync("/d/nap/")).StatusCode);
            var woken = await raw.SendAsync(Get("/d/nap/", second.AdminToken));
            Assert.Equal("ok\n", await woken.Content.ReadAsStringAsync());
            using var again = second.Client(second.AdminToken);
            var latest = JsonDocument.Parse(await again.GetStringAsync("/v1/runs?job=nap&limit=1")).RootElement[0];
            Assert.Equal("gateway", latest.GetProperty("started_by").GetString());
            await StopAsync(again, latest.GetProperty("id").GetString()!);
        }

        private static string Status(JsonElement run) => run.GetProperty("status").GetString() + "/" + run.GetProperty("reason");

        private static async Task<string> NewTokenAsync(HttpClient admin, string name)
        {
            var response = await admin.PostAsync("/v1/tokens", new StringContent("{\"name\": \"" + name + "\"}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        }
    }
}
