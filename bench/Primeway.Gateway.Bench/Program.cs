using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

// Added latency of the deploy gateway: the same upstream called directly and through the server's /d/{job}/, in one run.
// The server runs `primeway server --backend process`; the deploy jobs are this program in --upstream mode (Kestrel
// answering "ok"), so the upstream is fast and the same for both paths. Requests go one at a time over kept-alive
// connections, direct and gateway alternating, so drift on a busy machine hits both alike.
// Prints p50/p99 per path, the added latency at p50/p99 and the ratio. Target: under 1 ms added at p50 on loopback.
// Run: dotnet run -c Release --project bench/Primeway.Gateway.Bench [-- --requests 5000]
if (args.Length == 2 && args[0] == "--upstream") return await UpstreamAsync(int.Parse(args[1]));

var requests = BenchSupport.Arg(args, "--requests", 5000);
var data = Path.Combine(Path.GetTempPath(), "primeway-gateway-bench-" + Guid.NewGuid().ToString("N"));
var port = BenchSupport.FreePort();
using var server = StartServer(port, data);
try
{
    var serverUrl = "http://127.0.0.1:" + port;
    using var api = new HttpClient { BaseAddress = new Uri(serverUrl) };
    await BenchSupport.WaitForHealthAsync(api);
    var adminToken = File.ReadAllText(Path.Combine(data, "admin-token")).Trim();
    api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);

    var openPort = BenchSupport.FreePort();
    var tokenPort = BenchSupport.FreePort();
    await DeployAsync(api, "bench-open", openPort, "none");
    await DeployAsync(api, "bench-token", tokenPort, "token");

    using var direct = Client();
    using var gateway = Client();
    using var gatewayWithToken = Client();
    gatewayWithToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
    var targets = new (string Name, HttpClient Client, string Url)[]
    {
        ("direct", direct, "http://127.0.0.1:" + openPort + "/"),
        ("gateway (gateway_auth: none)", gateway, serverUrl + "/d/bench-open/"),
        ("gateway (gateway_auth: token)", gatewayWithToken, serverUrl + "/d/bench-token/"),
    };
    foreach (var target in targets) await MeasureAsync(target.Client, target.Url, 500); // warm-up: JIT, connections
    var samples = targets.Select(_ => new double[requests]).ToArray();
    for (int i = 0; i < requests; i++)
        for (int t = 0; t < targets.Length; t++)
            samples[t][i] = await TimeOneAsync(targets[t].Client, targets[t].Url);

    var baseline = samples[0].OrderBy(x => x).ToArray();
    double p50Direct = Percentile(baseline, 0.50), p99Direct = Percentile(baseline, 0.99);
    Console.WriteLine($"GET through the deploy gateway vs the upstream directly, {requests} requests each, one at a time, loopback, process backend");
    Console.WriteLine($"  {"direct",-30} p50 {p50Direct,7:F3} ms  p99 {p99Direct,7:F3} ms");
    for (int t = 1; t < targets.Length; t++)
    {
        var sorted = samples[t].OrderBy(x => x).ToArray();
        double p50 = Percentile(sorted, 0.50), p99 = Percentile(sorted, 0.99);
        Console.WriteLine($"  {targets[t].Name,-30} p50 {p50,7:F3} ms  p99 {p99,7:F3} ms  added p50 {p50 - p50Direct:F3} ms, p99 {p99 - p99Direct:F3} ms  " +
            $"(ratio p50 {p50 / p50Direct:F2}x; target < 1 ms added at p50: {(p50 - p50Direct < 1 ? "met" : "NOT met")})");
    }
    return 0;
}
finally
{
    server.Kill(entireProcessTree: true);
    server.WaitForExit();
    try { Directory.Delete(data, true); } catch (IOException) { }
}

static HttpClient Client() => new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1 });

static async Task<double> TimeOneAsync(HttpClient client, string url)
{
    var started = Stopwatch.GetTimestamp();
    using var response = await client.GetAsync(url);
    var body = await response.Content.ReadAsStringAsync();
    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    if (response.StatusCode != HttpStatusCode.OK || body != "ok") throw new InvalidOperationException(url + " answered " + (int)response.StatusCode + ": " + body);
    return elapsed;
}

static async Task MeasureAsync(HttpClient client, string url, int count)
{
    for (int i = 0; i < count; i++) await TimeOneAsync(client, url);
}

static async Task DeployAsync(HttpClient api, string name, int port, string auth)
{
    var upstream = Path.Combine(AppContext.BaseDirectory, "Primeway.Gateway.Bench.dll");
    var job = $"job_name: {name}\njob_type: deploy\ndocker_image: busybox\ngateway_auth: {auth}\nport: {port}\nhealth_endpoint: /\n" +
              $"command: [dotnet, '{upstream}', --upstream, '{port}']\n";
    var response = await api.PostAsync("/v1/runs", new StringContent(job, Encoding.UTF8, "application/yaml"));
    if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException("POST /v1/runs answered " + (int)response.StatusCode + ": " + await response.Content.ReadAsStringAsync());
    var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
    for (int i = 0; i < 600; i++)
    {
        var run = JsonDocument.Parse(await api.GetStringAsync("/v1/runs/" + id)).RootElement;
        if (run.GetProperty("health_status").ValueKind == JsonValueKind.String && run.GetProperty("health_status").GetString() == "healthy") return;
        if (run.GetProperty("status").GetString() is "failed" or "stopped" or "terminated")
            throw new InvalidOperationException("the upstream did not start: " + run + "\n" + await api.GetStringAsync("/v1/runs/" + id + "/logs"));
        await Task.Delay(100);
    }
    throw new TimeoutException("the upstream " + name + " did not become healthy");
}

static async Task<int> UpstreamAsync(int port)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls("http://127.0.0.1:" + port);
    var app = builder.Build();
    app.MapGet("/", () => Results.Text("ok"));
    await app.RunAsync();
    return 0;
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static Process StartServer(int port, string data)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "primeway.dll"), "server", "--urls", "http://127.0.0.1:" + port, "--data", data, "--backend", "process" })
        start.ArgumentList.Add(arg);
    start.Environment.Remove("PRIMEWAY_API_TOKEN");
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data != null && e.Data.Contains("fail")) Console.Error.WriteLine("server: " + e.Data); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}



