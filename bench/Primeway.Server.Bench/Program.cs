using Npgsql;

// Load benchmark of the Primeway server, from a second process on loopback.
// The servers run `primeway server --backend process` (jobs are `true` on the host), so Docker is not what is measured.
// Two set-ups in one run: one instance on SQLite (the default), and two instances sharing one PostgreSQL database
// (requests alternate between them). For each: submissions per second and p50/p99 latency of POST /v1/runs under load,
// dispatch latency (accepted to started) of runs submitted one at a time, and for SQLite the server's resident memory
// idle and with the finished runs. Targets: >= 1,000 submissions/s, p99 < 50 ms.
// Run: dotnet run -c Release --project bench/Primeway.Server.Bench [-- --requests 5000 --concurrency 16]
// PostgreSQL: PRIMEWAY_BENCH_POSTGRES (default: the test server that scripts/test-services.sh starts).
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
var requests = BenchSupport.Arg(args, "--requests", 5000);
var concurrency = BenchSupport.Arg(args, "--concurrency", 16);
const string job = "job_name: bench\njob_type: run\ndocker_image: busybox\ncommand: 'true'\n";

var sqlite = await MeasureAsync("SQLite, one instance", requests, concurrency, measureMemory: true, data => new[] { StartServer(data, "a") });

var postgresServer = Environment.GetEnvironmentVariable("PRIMEWAY_BENCH_POSTGRES") ?? "Host=127.0.0.1;Username=primeway;Password=primeway;Database=primeway_test";
var database = "primeway_bench_" + Guid.NewGuid().ToString("N").Substring(0, 8);
await PostgresAsync(postgresServer, "CREATE DATABASE " + database);
Figures postgres;
try
{
    var connection = new NpgsqlConnectionStringBuilder(postgresServer) { Database = database }.ConnectionString;
    postgres = await MeasureAsync("PostgreSQL, two instances", requests, concurrency, measureMemory: false, data => new[]
    {
        StartServer(data, "a", "--store", "postgres", "--connection", connection),
        StartServer(data, "b", "--store", "postgres", "--connection", connection),
    });
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await PostgresAsync(postgresServer, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
}
Console.WriteLine();
Console.WriteLine($"PostgreSQL with two instances vs SQLite with one: throughput ratio {postgres.Throughput / sqlite.Throughput:F2}, " +
    $"p99 ratio {postgres.P99 / sqlite.P99:F2}, dispatch p50 ratio {postgres.DispatchP50 / sqlite.DispatchP50:F2}");

static async Task<Figures> MeasureAsync(string name, int requests, int concurrency, bool measureMemory, Func<string, (Process Process, int Port)[]> start)
{
    var data = Path.Combine(Path.GetTempPath(), "primeway-bench-" + Guid.NewGuid().ToString("N"));
    var servers = new List<(Process Process, int Port)>();
    try
    {
        // The first instance bootstraps the admin token; the others start once it has.
        foreach (var server in start(data))
        {
            servers.Add(server);
            using var probe = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + server.Port) };
            await BenchSupport.WaitForHealthAsync(probe);
        }
        var token = File.ReadAllText(Path.Combine(data, "admin-token")).Trim();
        var clients = servers.Select(server =>
        {
            var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false }) { BaseAddress = new Uri("http://127.0.0.1:" + server.Port) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return http;
        }).ToArray();
        await Task.Delay(1000);
        var idleRss = Rss(servers[0].Process.Id);

        await SubmitAsync(clients, job, 200, concurrency); // warm-up: JIT, connection pools, database pages
        var latencies = await SubmitAsync(clients, job, requests, concurrency);
        var sorted = latencies.Milliseconds.OrderBy(x => x).ToArray();
        var throughput = requests / latencies.Wall.TotalSeconds;
        await WaitForRunsToFinishAsync(clients[0]);
        var dispatch = await DispatchLatenciesAsync(clients, job, 100);

        Console.WriteLine($"{name}: POST /v1/runs, {requests} requests, {concurrency} concurrent, process backend");
        Console.WriteLine($"  throughput: {throughput:F0} submissions/s (target >= 1000: {(throughput >= 1000 ? "met" : "NOT met")})");
        Console.WriteLine($"  latency p50: {Percentile(sorted, 0.50):F2} ms, p99: {Percentile(sorted, 0.99):F2} ms, max: {sorted[^1]:F2} ms (p99 target < 50 ms: {(Percentile(sorted, 0.99) < 50 ? "met" : "NOT met")})");
        Console.WriteLine($"  dispatch (accepted to started, one at a time): p50 {Percentile(dispatch, 0.50):F1} ms, p99 {Percentile(dispatch, 0.99):F1} ms");
        if (measureMemory)
        {
            GC.Collect();
            await Task.Delay(2000);
            var busyRss = Rss(servers[0].Process.Id);
            Console.WriteLine($"  server resident memory: idle {idleRss / 1048576.0:F1} MiB, with {requests + 300} finished runs {busyRss / 1048576.0:F1} MiB (ratio {busyRss / (double)idleRss:F2})");
        }
        foreach (var client in clients) client.Dispose();
        return new Figures(throughput, Percentile(sorted, 0.99), Percentile(dispatch, 0.50));
    }
    finally
    {
        foreach (var (process, _) in servers)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        try { Directory.Delete(data, true); } catch (IOException) { }
    }
}

/// <summary>Runs submitted one at a time, each after the last has started: how long from accepted to started.</summary>
static async Task<double[]> DispatchLatenciesAsync(HttpClient[] clients, string job, int count)
{
    var latencies = new List<double>();
    for (int i = 0; i < count; i++)
    {
        var http = clients[i % clients.Length];
        using var response = await http.PostAsync("/v1/runs", new StringContent(job, Encoding.UTF8, "application/yaml"));
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        while (true)
        {
            var run = JsonDocument.Parse(await http.GetStringAsync("/v1/runs/" + id)).RootElement;
            if (run.GetProperty("started_at").ValueKind == JsonValueKind.String)
            {
                latencies.Add((run.GetProperty("started_at").GetDateTimeOffset() - run.GetProperty("created_at").GetDateTimeOffset()).TotalMilliseconds);
                break;
            }
            await Task.Delay(2);
        }
    }
    return latencies.OrderBy(x => x).ToArray();
}

static async Task PostgresAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

static async Task<(List<double> Milliseconds, TimeSpan Wall)> SubmitAsync(HttpClient[] clients, string job, int count, int concurrency)
{
    var latencies = new List<double>(count);
    int next = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
    {
        var mine = new List<double>();
        int mineNext;
        while ((mineNext = Interlocked.Increment(ref next)) <= count)
        {
            var http = clients[mineNext % clients.Length];
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

static (Process Process, int Port) StartServer(string data, string instance, params string[] extra)
{
    var port = BenchSupport.FreePort();
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "primeway.dll"), "server", "--urls", "http://127.0.0.1:" + port, "--data", data, "--backend", "process", "--instance", instance }.Concat(extra))
        start.ArgumentList.Add(arg);
    start.Environment.Remove("PRIMEWAY_API_TOKEN");
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data != null && e.Data.Contains("fail")) Console.Error.WriteLine("server: " + e.Data); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return (process, port);
}




sealed record Figures(double Throughput, double P99, double DispatchP50);
