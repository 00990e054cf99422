using System;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;

/// <summary>What the benchmarks that start servers share: a free loopback port, waiting for /healthz, integer options.</summary>
internal static class BenchSupport
{
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task WaitForHealthAsync(HttpClient http)
    {
        for (int i = 0; i < 300; i++)
        {
            try { if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return; } catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("the server did not start");
    }

    /// <summary>The integer after <paramref name="name"/> on the command line, or the fallback.</summary>
    public static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
    }
}
