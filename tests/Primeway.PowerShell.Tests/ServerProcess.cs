using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace Primeway.PowerShell.Tests
{
    /// <summary>
    /// Keeps the tests out of the user's ~/.primeway: the whole test process uses a scratch PRIMEWAY_HOME, and no
    /// server or token from the developer's environment.
    /// </summary>
    internal static class TestEnvironment
    {
        public static readonly string Home = Directory.CreateTempSubdirectory("primeway-home-").FullName;

        [ModuleInitializer]
        internal static void Isolate()
        {
            Environment.SetEnvironmentVariable("PRIMEWAY_HOME", Home);
            Environment.SetEnvironmentVariable("PRIMEWAY_SERVER", null);
            Environment.SetEnvironmentVariable("PRIMEWAY_API_TOKEN", null);
            Environment.SetEnvironmentVariable("PRIMEWAY_HOST_PATH", null);
        }
    }

    /// <summary>`primeway server` as a real process on a free loopback port with its own data and a known admin token.</summary>
    public sealed class ServerProcess : IDisposable
    {
        public const string AdminToken = "pw_powershell_tests_admin";
        private readonly Process process;

        public ServerProcess()
        {
            Data = Directory.CreateTempSubdirectory("primeway-ps-server-").FullName;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { PowerShellSession.Metadata("HostAssembly"), "server", "--urls", "http://127.0.0.1:0", "--data", Data, "--backend", "docker" })
                start.ArgumentList.Add(arg);
            start.Environment["PRIMEWAY_API_TOKEN"] = AdminToken;
            process = Process.Start(start)!;
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            var readLine = Task.Run(() =>
            {
                string? line;
                while ((line = process.StandardOutput.ReadLine()) != null)
                {
                    var match = Regex.Match(line, @"Primeway server on (\S+),");
                    if (match.Success) return match.Groups[1].Value;
                }
                return null;
            });
            if (!readLine.Wait(TimeSpan.FromSeconds(60)) || readLine.Result == null)
                throw new InvalidOperationException("primeway server did not start (exit: " + (process.HasExited ? process.ExitCode.ToString() : "still running") + ").");
            Url = readLine.Result.TrimEnd('/');
            // Keep draining stdout so the server never blocks on a full pipe.
            Task.Run(() => { while (process.StandardOutput.ReadLine() != null) { } });
        }

        public string Url { get; }
        public string Data { get; }

        /// <summary>A loopback address where nothing listens.</summary>
        public static string ClosedAddress()
        {
            var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return "http://127.0.0.1:" + port;
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                // SIGTERM, so the server shuts down cleanly; then a kill if it has not within the limit.
                using (var kill = Process.Start("kill", process.Id.ToString())) kill.WaitForExit();
                if (!process.WaitForExit(15000)) process.Kill(entireProcessTree: true);
            }
            process.Dispose();
            try { Directory.Delete(Data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A runspace with the module, connected to its own real server with a real Docker engine.</summary>
    public sealed class ConnectedSession : IDisposable
    {
        public ConnectedSession()
        {
            DockerCheck.RequireOrSkip();
            if (DockerCheck.Reason != null) { Server = null!; Shell = null!; return; } // every test here is skipped
            Server = new ServerProcess();
            Shell = new PowerShellSession();
            Shell.Run("Connect-PrimewayServer -Uri " + PowerShellSession.Quote(Server.Url) + " -Token " + PowerShellSession.Quote(ServerProcess.AdminToken) + " | Out-Null").AssertNoErrors();
        }

        public ServerProcess Server { get; }
        public PowerShellSession Shell { get; }

        public void Dispose()
        {
            Shell?.Dispose();
            Server?.Dispose();
        }
    }

    /// <summary>
    /// The cmdlet tests need the Docker engine (scripts/test-services.sh starts it). Without one they are skipped,
    /// except under CI=true, where they fail.
    /// </summary>
    public static class DockerCheck
    {
        private static readonly Lazy<string?> Missing = new Lazy<string?>(Probe);

        public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        public static string? Reason => IsCi ? null : Missing.Value;

        public static void RequireOrSkip()
        {
            if (IsCi && Missing.Value != null) throw new InvalidOperationException("CI=true and " + Missing.Value);
        }

        private static string? Probe()
        {
            var socket = (Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock").Replace("unix://", "");
            try
            {
                using var handler = new SocketsHttpHandler
                {
                    ConnectCallback = async (_, ct) =>
                    {
                        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                        await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                        return new NetworkStream(s, ownsSocket: true);
                    },
                };
                using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(3) };
                return http.GetAsync("http://docker/_ping").GetAwaiter().GetResult().IsSuccessStatusCode ? null : "the Docker engine at " + socket + " does not answer _ping";
            }
            catch (Exception e) when (e is HttpRequestException || e is SocketException || e is TaskCanceledException || e is IOException)
            {
                return "no Docker engine answers at " + socket + " (run scripts/test-services.sh)";
            }
        }
    }

    /// <summary>A test that needs the Docker engine: skipped without one, except under CI=true, where it fails.</summary>
    public sealed class DockerFactAttribute : FactAttribute
    {
        public DockerFactAttribute()
        {
            if (DockerCheck.Reason != null) Skip = DockerCheck.Reason;
        }
    }
}
