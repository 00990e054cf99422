using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.Engine
{
    /// <summary>Polls a deploy job's health URL with growing pauses until it answers 2xx, the run ends, or time runs out.</summary>
    internal sealed class HealthProbe : IDisposable
    {
        private readonly HttpClient http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
        {
            Timeout = TimeSpan.FromSeconds(5),
        };
        private readonly EngineOptions options;

        public HealthProbe(EngineOptions options) => this.options = options;

        /// <summary>Null when healthy; otherwise the last failure, for the message that says why it never became healthy.</summary>
        public async Task<string?> WaitHealthyAsync(Uri url, TimeSpan timeout, Task runEnded, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + timeout;
            var pause = options.HealthProbeInterval;
            string lastFailure = "no answer yet";
            while (true)
            {
                lastFailure = await ProbeOnceAsync(url, cancellationToken).ConfigureAwait(false) ?? "";
                if (lastFailure.Length == 0) return null;
                if (runEnded.IsCompleted) return "the service exited before it answered (last probe: " + lastFailure + ")";
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return lastFailure;
                await Task.WhenAny(Task.Delay(pause < left ? pause : left, cancellationToken), runEnded).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                pause = TimeSpan.FromTicks(Math.Min(options.HealthProbeMaxInterval.Ticks, (long)(pause.Ticks * 1.5)));
            }
        }

        private async Task<string?> ProbeOnceAsync(Uri url, CancellationToken cancellationToken)
        {
            try
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                return status >= 200 && status < 300 ? null : "GET " + url + " answered HTTP " + status + " " + response.ReasonPhrase;
            }
            catch (HttpRequestException e)
            {
                return "GET " + url + " failed: " + (e.InnerException?.Message ?? e.Message);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return "GET " + url + " did not answer within " + http.Timeout.TotalSeconds + " s";
            }
        }

        public void Dispose() => http.Dispose();
    }
}
