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
using System.Threading;
using System.Threading.Tasks;

// Load benchmark of the Primeway server, from a second process on loopback.
// The server runs `primeway server --backend process` (jobs are `true` on the host), so Docker is not what is measured.
// Prints submissions per second and p50/p99 latency of POST /v1/runs, and the server's resident memory idle and
// with 1,000 finished runs. Targets: >= 1,000 submissions/s, p99 < 50 ms.
// Run: dotnet run -c Release --project bench/Primeway.Server.Bench [-- --requests 5000 --concurrency 16]
var requests = Arg("--requests", 5000);
var concurrency = Arg("--concurrency", 16);
var data = Path.Combine(Path.GetTempPath(), "primeway-bench-" + Guid.NewGuid().ToString("N"));
var port = FreePort();
using var server = StartServer(port, data);
try
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false }) { BaseAddress = new Uri("http://127.0.0.1:" + port) };
    await WaitForHealthAsync(http);
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(data, "admin-token")).Trim());
    await Task.Delay(1000);
    var idleRss = Rss(server.Id);

    const string job = "job_name: bench\njob_type: run\ndocker_image: busybox\ncommand: 'true'\n";
    await SubmitAsync(http, job, 200, concurrency); // warm-up: JIT, connection pool, SQLite pages
    var latencies = await SubmitAsync(http, job, requests, concurrency);
    var total = latencies.Wall;
    var sorted = latencies.Milliseconds.OrderBy(x => x).ToArray();

    Console.WriteLine($"POST /v1/runs, {requests} requests, {concurrency} concurrent, SQLite store, process backend");
    Console.WriteLine($"  throughput: {requests / total.TotalSeconds:F0} submissions/s (target >= 1000: {(requests / total.TotalSeconds >= 1000 ? "met" : "NOT met")})");
    Console.WriteLine($"  latency p50: {Percentile(sorted, 0.50):F2} ms, p99: {Percentile(sorted, 0.99):F2} ms, max: {sorted[^1]:F2} ms (p99 target < 50 ms: {(Percentile(sorted, 0.99) < 50 ? "met" : "NOT met")})");

    // Memory with 1,000 finished runs: wait until the runs submitted above have all finished.
    await WaitForRunsToFinishAsync(http);
    var runs = JsonDocument.Parse(await http.GetStringAsync("/v1/runs?status=completed&limit=1000")).RootElement.GetArrayLength();
    GC.Collect();
    await Task.Delay(2000);
    var busyRss = Rss(server.Id);
    Console.WriteLine($"  server resident memory: idle {idleRss / 1048576.0:F1} MiB, with {requests + 200} finished runs {busyRss / 1048576.0:F1} MiB (ratio {busyRss / (double)idleRss:F2})");
}
finally
{
    server.Kill(entireProcessTree: true);
    server.WaitForExit();
    try { Directory.Delete(data, true); } catch (IOException) { }
}

static async Task<(List<double> Milliseconds, TimeSpan Wall)> SubmitAsync(HttpClient http, string job, int count, int concurrency)
{
    var latencies = new List<double>(count);
    int next = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
    {
        var mine = new List<double>();
        while (Interlocked.Increment(ref next) <= count)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync("/v1/runs", new StringContent(job, Encoding.UTF8, "application/yaml"));
            if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException("POST /v1/runs answered " + (int)response.StatusCode + ": " + await response.Content.ReadAsStringAsync());
            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        lock (latencies) latencies.AddRange(mine);
    })));
    return (latencies, clock.Elapsed);
}

static async Task WaitForRunsToFinishAsync(HttpClient http)
{
    var until = DateTime.UtcNow.AddMinutes(5);
    foreach (var status in new[] { "pending", "building", "creating", "running" })
        while (JsonDocument.Parse(await http.GetStringAsync("/v1/runs?status=" + status + "&limit=1")).RootElement.GetArrayLength() > 0)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("runs still " + status + " after 5 minutes");
            await Task.Delay(500);
        }
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static long Rss(int pid)
{
    var line = File.ReadAllLines("/proc/" + pid + "/status").First(l => l.StartsWith("VmRSS:"));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
}

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

static async Task WaitForHealthAsync(HttpClient http)
{
    for (int i = 0; i < 300; i++)
    {
        try { if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return; } catch (HttpRequestException) { }
        await Task.Delay(100);
    }
    throw new TimeoutException("the server did not start");
}

static int FreePort()
{
    var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}
