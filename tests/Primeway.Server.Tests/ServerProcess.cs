using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace Primeway.Server.Tests
{
    /// <summary>`primeway server` in its own process on a free loopback port, so a test can kill it with SIGKILL.</summary>
    public sealed class ServerProcess : IDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> output = new ConcurrentQueue<string>();

        private ServerProcess(Process process, int port)
        {
            this.process = process;
            Port = port;
            process.OutputDataReceived += (_, e) => { if (e.Data != null) output.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data != null) output.Enqueue(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public int Port { get; }
        public Uri Address => new Uri("http://127.0.0.1:" + Port);

        /// <summary>What the server printed, for failure messages.</summary>
        public string Output => string.Join("\n", output);

        public static ServerProcess Start(string dataDirectory, params string[] extraArguments)
        {
            var port = DeployRunTests.FreePort();
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            var arguments = new List<string> { System.IO.Path.Combine(AppContext.BaseDirectory, "primeway.dll"), "server", "--urls", "http://127.0.0.1:" + port, "--data", dataDirectory };
            arguments.AddRange(extraArguments);
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            start.Environment.Remove("PRIMEWAY_API_TOKEN");
            return new ServerProcess(Process.Start(start)!, port);
        }

        public HttpClient Client(string? token = null)
        {
            var client = new HttpClient { BaseAddress = Address };
            if (token != null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        public async Task WaitForHealthAsync()
        {
            using var client = Client();
            var until = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                Assert.False(process.HasExited, "primeway server exited with code " + (process.HasExited ? process.ExitCode : 0) + ":\n" + Output);
                try
                {
                    if ((await client.GetAsync("/healthz")).IsSuccessStatusCode) return;
                }
                catch (HttpRequestException) { }
                if (DateTime.UtcNow > until) throw new TimeoutException("primeway server did not answer /healthz within 30 s:\n" + Output);
                await Task.Delay(100);
            }
        }

        /// <summary>SIGKILL: the server gets no chance to hand anything over.</summary>
        public async Task KillAsync()
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        public void Dispose()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
        }

    }
}
