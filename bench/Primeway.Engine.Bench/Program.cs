using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;
using Primeway;
using Primeway.Engine;
using Primeway.Engine.Docker;

// The engine against the docker CLI on the same engine and image, interleaved so drift hits both alike:
//   1. an attached run of busybox `true`: JobRunner.RunAsync vs `docker run --rm --network host busybox true`;
//   2. a deploy job's time to healthy (busybox httpd): Deployment.StartAsync vs `docker run -d` + the same polling.
// Usage: dotnet run -c Release --project bench/Primeway.Engine.Bench [-- RUNS]
int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
await using var docker = new DockerBackend();
if (!await docker.IsAvailableAsync(TimeSpan.FromSeconds(3))) { Console.Error.WriteLine("no Docker engine answers at " + docker.Endpoint); return 2; }
var options = new EngineOptions { StopGrace = TimeSpan.FromSeconds(1) };
using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(2) };

var trueJob = Job("job_name: bench-true\njob_type: run\ndocker_image: busybox\ncommand: [\"true\"]\n");
async Task EngineRun()
{
    var result = await new JobRunner(docker, options).RunAsync(trueJob, NullRunListener.Instance);
    if (result.ExitCode != 0) throw new Exception("engine run failed: " + result.Message);
}
async Task CliRun() => await Docker("run", "--rm", "--network", "host", "busybox", "true");

string HttpdCommand(int port) => $"mkdir -p /www && echo ok > /www/health && exec httpd -f -p 127.0.0.1:{port} -h /www";
async Task EngineDeploy()
{
    int port = BenchSupport.FreePort();
    var job = Job($"job_name: bench-web\njob_type: deploy\ndocker_image: busybox\nport: {port}\nhealth_endpoint: /health\ncommand: {HttpdCommand(port)}\n");
    var sw = Stopwatch.StartNew();
    var deployment = await Deployment.StartAsync(docker, job, NullRunListener.Instance, options);
    Record("deploy: engine", sw.Elapsed);
    await deployment.DisposeAsync();
}
async Task CliDeploy()
{
    int port = BenchSupport.FreePort();
    var name = "bench-cli-web-" + port;
    var sw = Stopwatch.StartNew();
    await Docker("run", "-d", "--name", name, "--network", "host", "busybox", "sh", "-c", HttpdCommand(port));
    var pause = TimeSpan.FromMilliseconds(50); // the engine's own first probe interval and growth
    while (!await Healthy("http://127.0.0.1:" + port + "/health"))
    {
        await Task.Delay(pause);
        pause = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, (long)(pause.Ticks * 1.5)));
    }
    Record("deploy: docker CLI", sw.Elapsed);
    await Docker("rm", "-f", name);
}

// Warm-up: JIT, the engine's first connection, the CLI's page cache.
await EngineRun(); await CliRun(); await EngineDeploy(); await CliDeploy();
samples.Clear();
for (int i = 0; i < runs; i++)
{
    await Time("run true: engine", EngineRun);
    await Time("run true: docker CLI", CliRun);
}
for (int i = 0; i < runs; i++)
{
    await EngineDeploy();
    await CliDeploy();
}

Console.WriteLine($"{runs} runs each, interleaved; milliseconds ({Environment.ProcessorCount} cores, engine {docker.Endpoint})");
Console.WriteLine($"{"case",-22} {"mean",8} {"p50",8} {"p95",8}");
foreach (var (name, values) in samples) Console.WriteLine($"{name,-22} {values.Average(),8:F1} {P(values, 50),8:F1} {P(values, 95),8:F1}");
Console.WriteLine($"ratio engine/CLI, run true (mean): {samples["run true: engine"].Average() / samples["run true: docker CLI"].Average():F2}  (p50 {P(samples["run true: engine"], 50) / P(samples["run true: docker CLI"], 50):F2})");
Console.WriteLine($"ratio engine/CLI, deploy to healthy (mean): {samples["deploy: engine"].Average() / samples["deploy: docker CLI"].Average():F2}  (p50 {P(samples["deploy: engine"], 50) / P(samples["deploy: docker CLI"], 50):F2})");
return 0;

static JobSpec Job(string yaml) => JobYaml.Read(yaml, "bench.yaml").Jobs.Single();

static double P(List<double> values, int percentile)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
}


async Task<bool> Healthy(string url)
{
    try { using var r = await http.GetAsync(url); return r.IsSuccessStatusCode; }
    catch (HttpRequestException) { return false; }
}

async Task Time(string name, Func<Task> action)
{
    var sw = Stopwatch.StartNew();
    await action();
    Record(name, sw.Elapsed);
}

void Record(string name, TimeSpan elapsed)
{
    if (!samples.TryGetValue(name, out var list)) samples[name] = list = new List<double>();
    list.Add(elapsed.TotalMilliseconds);
}

static async Task Docker(params string[] arguments)
{
    var info = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) info.ArgumentList.Add(a);
    using var p = Process.Start(info)!;
    var err = p.StandardError.ReadToEndAsync();
    await p.StandardOutput.ReadToEndAsync();
    await p.WaitForExitAsync();
    if (p.ExitCode != 0) throw new Exception("docker " + string.Join(" ", arguments) + " failed: " + await err);
}

partial class Program
{
    private static readonly Dictionary<string, List<double>> samples = new Dictionary<string, List<double>>();
}
