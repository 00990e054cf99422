using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Primeway;
using YamlDotNet.Serialization;

// Parse + validate of a typical 25-line job file, beside YamlDotNet deserialising the same text into a
// plain dictionary (the baseline), so the overhead of the typed model and its rules shows as a ratio.
// Target: at least 20,000 files per second on one core (50 us per file).
// Run: dotnet run -c Release --project bench/Primeway.Core.Bench
BenchmarkRunner.Run<ParseAndValidate>(
    DefaultConfig.Instance.AddJob(Job.Default.WithAffinity((System.IntPtr)1)));

[MemoryDiagnoser]
public class ParseAndValidate
{
    public const string TypicalJob = @"# Serve a model behind an HTTP endpoint.
job_name: bert-serve
job_type: deploy
docker_image: python:3.12-slim
command: [python, -m, server, --port, '8000']
memory: 16
disk_space: 40
cpu_count: 4
gpu_types:
  - type: NVIDIA A100 80GB PCIe
    count: 1
timeout: 86400
env:
  - name: MODEL_NAME
    value: bert-base-uncased
  - name: LOG_LEVEL
    value: info
  - name: WORKERS
    value: '4'
requirements: [torch==2.5.1, transformers==4.46.0]
apt_packages: [curl]
port: 8000
health_endpoint: /health
idle_timeout: 900
health_check_timeout: 120
";

    private static readonly IDeserializer Baseline = new DeserializerBuilder().Build();

    [Benchmark(Baseline = true, Description = "YamlDotNet -> Dictionary (baseline)")]
    public object Dictionary() => Baseline.Deserialize<Dictionary<object, object>>(TypicalJob);

    [Benchmark(Description = "Primeway read + validate")]
    public bool ReadAndValidate()
    {
        var read = JobYaml.Read(TypicalJob, "bert-serve.yaml");
        return JobValidator.Validate(read.Jobs[0]).IsValid;
    }
}
