using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Primeway.Engine;
using Primeway.Engine.Docker;

namespace Primeway.Engine.Tests
{
    /// <summary>
    /// A test that needs the Docker engine. Without one it is skipped with the reason, except under CI=true,
    /// where it runs and fails: CI must not go green without having run it.
    /// </summary>
    public sealed class DockerFactAttribute : FactAttribute
    {
        private static readonly Lazy<string?> Missing = new Lazy<string?>(() =>
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) return null;
            var docker = new DockerBackend();
            bool available = docker.IsAvailableAsync(TimeSpan.FromSeconds(3)).GetAwaiter().GetResult();
            docker.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return available ? null
                : "no Docker engine answers at " + docker.Endpoint + " (run scripts/test-services.sh); under CI=true this test fails instead";
        });

        public DockerFactAttribute()
        {
            if (Missing.Value != null) Skip = Missing.Value;
        }
    }

    /// <summary>Collects everything a run reports, for assertions.</summary>
    public sealed class RecordingListener : IRunListener
    {
        public ConcurrentQueue<LogLine> Lines { get; } = new ConcurrentQueue<LogLine>();
        public ConcurrentQueue<RunStateChange> States { get; } = new ConcurrentQueue<RunStateChange>();
        public ConcurrentQueue<string> Progress { get; } = new ConcurrentQueue<string>();
        public ConcurrentQueue<string> Warnings { get; } = new ConcurrentQueue<string>();

        public void OnLog(LogLine line) => Lines.Enqueue(line);
        public void OnStateChanged(RunStateChange change) => States.Enqueue(change);
        public void OnProgress(string message) => Progress.Enqueue(message);
        public void OnWarning(string message) => Warnings.Enqueue(message);

        public string Stdout => string.Join("\n", Lines.Where(l => l.Stream == LogStream.Stdout).Select(l => l.Text));
        public string Stderr => string.Join("\n", Lines.Where(l => l.Stream == LogStream.Stderr).Select(l => l.Text));
        public string All => "stdout:\n" + Stdout + "\nstderr:\n" + Stderr + "\nprogress:\n" + string.Join("\n", Progress) + "\nwarnings:\n" + string.Join("\n", Warnings);
    }

    public static class Jobs
    {
        /// <summary>A job from YAML, as a file would give it (relative paths resolve against baseDir).</summary>
        public static JobSpec FromYaml(string yaml, string? baseDir = null)
        {
            var file = Path.Combine(baseDir ?? Path.GetTempPath(), "job.yaml");
            var read = JobYaml.Read(yaml, file);
            Assert.DoesNotContain(read.Diagnostics, d => d.IsError);
            var job = Assert.Single(read.Jobs);
            var result = JobValidator.Validate(job, new ValidationOptions { CheckFileSystem = false });
            Assert.True(result.IsValid, string.Join("\n", result.Errors.Select(e => e.ToString())));
            return job;
        }

        /// <summary>A unique DNS-label job name, so parallel tests never share containers or images.</summary>
        public static string Name(string stem) => stem + "-" + Guid.NewGuid().ToString("N").Substring(0, 6);

        public static int FreeLoopbackPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        public static EngineOptions FastOptions(bool keep = false) => new EngineOptions
        {
            StopGrace = TimeSpan.FromSeconds(1),
            RestartDelay = TimeSpan.FromMilliseconds(200),
            KeepEndedRuns = keep,
        };
    }

    /// <summary>A folder that is deleted after the test.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "primeway-test-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string Write(string relative, string text)
        {
            var full = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
            return full;
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
