using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway
{
    /// <summary>
    /// The typed client of the Primeway server API, shared by the PowerShell module and the primeway host.
    /// Requests that are safe to repeat (GET) are retried on transient failures; nothing else is.
    /// </summary>
    public sealed class PrimewayClient : IDisposable
    {
        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        private readonly HttpClient http;
        private readonly bool ownsHttp;

        public PrimewayClient(Uri server, string? token, HttpMessageHandler? handler = null, TimeSpan? timeout = null)
        {
            Server = server ?? throw new ArgumentNullException(nameof(server));
            http = handler == null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
            ownsHttp = true;
            http.BaseAddress = server;
            http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
            RequestTimeout = timeout ?? TimeSpan.FromSeconds(100);
            if (!string.IsNullOrEmpty(token)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("primeway", typeof(PrimewayClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
        }

        public Uri Server { get; }

        /// <summary>How long one request may take (following a log has no limit).</summary>
        public TimeSpan RequestTimeout { get; }

        /// <summary>How many times a safe request is tried in all.</summary>
        public int SafeAttempts { get; set; } = 3;

        // Health

        /// <summary>Whether the server answers /healthz.</summary>
        public async Task<bool> IsHealthyAsync(CancellationToken ct = default)
        {
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(TimeSpan.FromSeconds(5));
                using var response = await http.GetAsync("healthz", cts.Token).ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException && !ct.IsCancellationRequested) { return false; }
        }

        // Jobs

        /// <summary>Stores a job file on the server (replacing a job of the same name), with its project directory packed when it has one.</summary>
        public Task<JobDefinition> SubmitJobAsync(JobSpec job, CancellationToken ct = default) =>
            SendAsync<JobDefinition>(() => JobContent(job, null), HttpMethod.Post, "v1/jobs", ct);

        public Task<IReadOnlyList<JobDefinition>> ListJobsAsync(CancellationToken ct = default) =>
            GetAsync<IReadOnlyList<JobDefinition>>("v1/jobs", ct);

        public Task<JobDefinition> GetJobAsync(string idOrName, CancellationToken ct = default) =>
            GetAsync<JobDefinition>("v1/jobs/" + Uri.EscapeDataString(idOrName), ct);

        public Task DeleteJobAsync(string id, CancellationToken ct = default) =>
            SendAsync<object>(null, HttpMethod.Delete, "v1/jobs/" + Uri.EscapeDataString(id), ct);

        // Runs

        /// <summary>Submits the job and starts a run of it in one call.</summary>
        public Task<JobRun> StartAsync(JobSpec job, CancellationToken ct = default) => StartAsync(job, null, null, ct);

        /// <summary>
        /// Submits the job and starts a run of it; <paramref name="uploadProgress"/> hears (bytes sent, bytes in all)
        /// while a project directory is uploaded. A relative project_dir of a job read from no file is resolved against
        /// <paramref name="baseDirectory"/> (the caller's current folder, which in PowerShell is not the process's).
        /// </summary>
        public async Task<JobRun> StartAsync(JobSpec job, string? baseDirectory, Action<long, long>? uploadProgress, CancellationToken ct = default) =>
            Stamp(await SendAsync<JobRun>(() => JobContent(job, baseDirectory, uploadProgress), HttpMethod.Post, "v1/runs", ct).ConfigureAwait(false));

        /// <summary>Starts a run of a job already stored on the server.</summary>
        public async Task<JobRun> StartStoredAsync(string jobIdOrName, CancellationToken ct = default) =>
            Stamp(await SendAsync<JobRun>(null, HttpMethod.Post, "v1/jobs/" + Uri.EscapeDataString(jobIdOrName) + "/runs", ct).ConfigureAwait(false));

        public async Task<IReadOnlyList<JobRun>> ListRunsAsync(string? status = null, string? job = null, int limit = 100, CancellationToken ct = default)
        {
            var query = "v1/runs?limit=" + limit + (status != null ? "&status=" + Uri.EscapeDataString(status) : "") + (job != null ? "&job=" + Uri.EscapeDataString(job) : "");
            var runs = await GetAsync<List<JobRun>>(query, ct).ConfigureAwait(false);
            foreach (var run in runs) Stamp(run);
            return runs;
        }

        public async Task<JobRun> GetRunAsync(string id, CancellationToken ct = default) =>
            Stamp(await GetAsync<JobRun>("v1/runs/" + Uri.EscapeDataString(id), ct).ConfigureAwait(false));

        public async Task<JobRun> StopRunAsync(string id, CancellationToken ct = default) =>
            Stamp(await SendAsync<JobRun>(null, HttpMethod.Post, "v1/runs/" + Uri.EscapeDataString(id) + "/stop", ct).ConfigureAwait(false));

        public Task DeleteRunAsync(string id, CancellationToken ct = default) =>
            SendAsync<object>(null, HttpMethod.Delete, "v1/runs/" + Uri.EscapeDataString(id), ct);

        /// <summary>
        /// Saves a run job's artifacts into <paramref name="directory"/> (made when missing) and returns the files
        /// written. An entry that would land outside the directory is refused.
        /// </summary>
        public async Task<IReadOnlyList<string>> SaveArtifactsAsync(string runId, string directory, CancellationToken ct = default)
        {
            var bytes = await GetBytesAsync("v1/runs/" + Uri.EscapeDataString(runId) + "/artifacts", ct).ConfigureAwait(false);
            var root = Path.GetFullPath(directory);
            Directory.CreateDirectory(root);
            var written = new List<string>();
            using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            foreach (var entry in zip.Entries)
            {
                var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
                if (!target.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new InvalidDataException("artifact '" + entry.FullName + "' of run " + runId + " would be written outside " + root + ".");
                if (entry.FullName.EndsWith("/", StringComparison.Ordinal)) continue;
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using (var source = entry.Open())
                using (var file = File.Create(target))
                    await source.CopyToAsync(file, 81920, ct).ConfigureAwait(false);
                written.Add(target);
            }
            return written;
        }

        // Pipelines

        /// <summary>Validates the pipeline file on the server and starts it; an invalid file is a PrimewayApiException with its diagnostics.</summary>
        public Task<PipelineRun> StartPipelineAsync(string pipelineYaml, CancellationToken ct = default) =>
            SendAsync<PipelineRun>(() => new StringContent(pipelineYaml, Encoding.UTF8, "application/yaml"), HttpMethod.Post, "v1/pipeline-runs", ct);

        /// <summary>Pipeline runs, latest first, in one status when given.</summary>
        public Task<List<PipelineRun>> ListPipelineRunsAsync(string? status = null, int limit = 100, CancellationToken ct = default) =>
            GetAsync<List<PipelineRun>>("v1/pipeline-runs?limit=" + limit + (status != null ? "&status=" + Uri.EscapeDataString(status) : ""), ct);

        public Task<PipelineRun> GetPipelineRunAsync(string id, CancellationToken ct = default) =>
            GetAsync<PipelineRun>("v1/pipeline-runs/" + Uri.EscapeDataString(id), ct);

        public Task<PipelineRun> StopPipelineRunAsync(string id, CancellationToken ct = default) =>
            SendAsync<PipelineRun>(null, HttpMethod.Post, "v1/pipeline-runs/" + Uri.EscapeDataString(id) + "/stop", ct);

        /// <summary>The run's log so far, the last <paramref name="tail"/> lines when given.</summary>
        public async Task<IReadOnlyList<LogEntry>> GetLogAsync(string id, int? tail = null, CancellationToken ct = default)
        {
            var text = await GetTextAsync("v1/runs/" + Uri.EscapeDataString(id) + "/logs?timestamps=true" + (tail != null ? "&tail=" + tail : ""), ct).ConfigureAwait(false);
            var entries = new List<LogEntry>();
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0) continue;
                var space = line.IndexOf(' ');
                entries.Add(space > 0 && DateTimeOffset.TryParse(line.Substring(0, space), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
                    ? new LogEntry { Time = time, Text = line.Substring(space + 1) }
                    : new LogEntry { Text = line });
            }
            return entries;
        }

        /// <summary>The run's log from the start (or the last <paramref name="tail"/> lines), then new lines as they come, until the run ends.</summary>
        public async IAsyncEnumerable<LogEntry> FollowLogAsync(string id, int? tail = null, [EnumeratorCancellation] CancellationToken ct = default)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "v1/runs/" + Uri.EscapeDataString(id) + "/logs?follow=true" + (tail != null ? "&tail=" + tail : ""));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await SendOnceAsync(request, HttpCompletionOption.ResponseHeadersRead, ct, timeout: null).ConfigureAwait(false);
            await ThrowIfFailedAsync(response).ConfigureAwait(false);
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string? eventName = null;
            while (true)
            {
                var line = await ReadLineAsync(reader, ct).ConfigureAwait(false);
                if (line == null) yield break;
                if (line.StartsWith("event: ", StringComparison.Ordinal)) eventName = line.Substring(7);
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    if (eventName == "end") yield break;
                    if (eventName == "log") yield return JsonSerializer.Deserialize<LogEntry>(line.Substring(6), Json)!;
                }
            }
        }

        /// <summary>
        /// Calls <paramref name="onLine"/> for each line of the run's log, from the start (or the last
        /// <paramref name="tail"/> lines), then as lines come, until the run ends. For callers that cannot name
        /// IAsyncEnumerable (the module, whose dependencies load in their own context).
        /// </summary>
        public async Task FollowLogAsync(string id, Action<LogEntry> onLine, int? tail = null, CancellationToken ct = default)
        {
            await foreach (var line in FollowLogAsync(id, tail, ct).ConfigureAwait(false)) onLine(line);
        }

        /// <summary>
        /// A line of the stream, or OperationCanceledException as soon as <paramref name="ct"/> is cancelled:
        /// ReadLineAsync takes no token on netstandard2.0, and a quiet log may send nothing for a long time.
        /// </summary>
        private static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            var read = reader.ReadLineAsync();
            if (read.IsCompleted) return await read.ConfigureAwait(false);
            var cancelled = new TaskCompletionSource<bool>();
            using (ct.Register(() => cancelled.TrySetResult(true)))
            {
                if (await Task.WhenAny(read, cancelled.Task).ConfigureAwait(false) == read) return await read.ConfigureAwait(false);
            }
            // The abandoned read fails when the response is disposed; observe that so it is not reported as unobserved.
            _ = read.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            throw new OperationCanceledException(ct);
        }

        /// <summary>Polls the run until it has finished (or reached one of <paramref name="statuses"/>), or the timeout passes.</summary>
        public async Task<JobRun> WaitAsync(string id, TimeSpan? timeout = null, IReadOnlyCollection<string>? statuses = null, CancellationToken ct = default)
        {
            var deadline = timeout == null ? (DateTime?)null : DateTime.UtcNow + timeout.Value;
            var pause = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                var run = await GetRunAsync(id, ct).ConfigureAwait(false);
                if (statuses != null ? statuses.Contains(run.Status) || run.IsFinished : run.IsFinished) return run;
                if (run.JobType == "deploy" && statuses == null && run.HealthStatus == "healthy") return run;
                if (deadline != null && DateTime.UtcNow >= deadline)
                    throw new TimeoutException("run " + id + " is still " + run.Status + " after " + timeout!.Value.TotalSeconds + " s.");
                await Task.Delay(pause, ct).ConfigureAwait(false);
                pause = TimeSpan.FromMilliseconds(Math.Min(1000, pause.TotalMilliseconds * 1.5));
            }
        }

        // Tokens

        public Task<ApiToken> CreateTokenAsync(string name, string? owner = null, bool admin = false, CancellationToken ct = default) =>
            SendAsync<ApiToken>(() => new StringContent(JsonSerializer.Serialize(new Dictionary<string, object?> { ["name"] = name, ["owner"] = owner, ["admin"] = admin }), Encoding.UTF8, "application/json"),
                HttpMethod.Post, "v1/tokens", ct);

        public Task<IReadOnlyList<ApiToken>> ListTokensAsync(CancellationToken ct = default) => GetAsync<IReadOnlyList<ApiToken>>("v1/tokens", ct);

        public Task RevokeTokenAsync(string id, CancellationToken ct = default) => SendAsync<object>(null, HttpMethod.Delete, "v1/tokens/" + Uri.EscapeDataString(id), ct);

        // Plumbing

        private JobRun Stamp(JobRun run)
        {
            run.Server = Server;
            return run;
        }

        /// <summary>The job as YAML, or multipart with its project directory as tar.gz when it has project_dir.</summary>
        private static HttpContent JobContent(JobSpec job, string? baseDirectory, Action<long, long>? uploadProgress = null)
        {
            var yaml = JobYaml.Write(job);
            if (job.ProjectDir == null) return new StringContent(yaml, Encoding.UTF8, "application/yaml");
            var directory = Path.GetFullPath(Path.Combine(job.BaseDirectory ?? baseDirectory ?? Directory.GetCurrentDirectory(), job.ProjectDir));
            var archive = ProjectArchive.Create(directory, job.IgnorePatterns);
            return new MultipartFormDataContent
            {
                { new StringContent(yaml, Encoding.UTF8, "application/yaml"), "job" },
                { uploadProgress == null ? new ByteArrayContent(archive) : new ProgressContent(archive, uploadProgress), "project", "project.tar.gz" },
            };
        }

        private async Task<T> GetAsync<T>(string path, CancellationToken ct)
        {
            var text = await GetTextAsync(path, ct).ConfigureAwait(false);
            return JsonSerializer.Deserialize<T>(text, Json)!;
        }

        private Task<byte[]> GetBytesAsync(string path, CancellationToken ct) => GetContentAsync(path, content => content.ReadAsByteArrayAsync(), ct);

        private Task<string> GetTextAsync(string path, CancellationToken ct) => GetContentAsync(path, content => content.ReadAsStringAsync(), ct);

        /// <summary>A GET, retried with backoff on connection failures and 502/503/504: it is safe to repeat.</summary>
        private async Task<T> GetContentAsync<T>(string path, Func<HttpContent, Task<T>> read, CancellationToken ct)
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, path);
                    using var response = await SendOnceAsync(request, HttpCompletionOption.ResponseContentRead, ct, RequestTimeout).ConfigureAwait(false);
                    if (attempt < SafeAttempts && IsTransient(response.StatusCode))
                    {
                        await Task.Delay(Backoff(attempt), ct).ConfigureAwait(false);
                        continue;
                    }
                    await ThrowIfFailedAsync(response).ConfigureAwait(false);
                    return await read(response.Content).ConfigureAwait(false);
                }
                catch (PrimewayUnreachableException) when (attempt < SafeAttempts)
                {
                    await Task.Delay(Backoff(attempt), ct).ConfigureAwait(false);
                }
            }
        }

        /// <summary>A request that changes state: sent once, never retried.</summary>
        private async Task<T> SendAsync<T>(Func<HttpContent>? content, HttpMethod method, string path, CancellationToken ct)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content?.Invoke() };
            using var response = await SendOnceAsync(request, HttpCompletionOption.ResponseContentRead, ct, RequestTimeout).ConfigureAwait(false);
            await ThrowIfFailedAsync(response).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NoContent || typeof(T) == typeof(object)) return default!;
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            return JsonSerializer.Deserialize<T>(text, Json)!;
        }

        private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct, TimeSpan? timeout)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (timeout != null) cts.CancelAfter(timeout.Value);
            try
            {
                return await http.SendAsync(request, completion, cts.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new PrimewayUnreachableException(Server, e);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new PrimewayUnreachableException(Server, new TimeoutException("no answer within " + timeout?.TotalSeconds + " s", e));
            }
        }

        private static bool IsTransient(HttpStatusCode status) =>
            status == HttpStatusCode.BadGateway || status == HttpStatusCode.ServiceUnavailable || status == HttpStatusCode.GatewayTimeout;

        private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt - 1));

        /// <summary>Turns a problem-details answer into a PrimewayApiException that says what to do.</summary>
        private static async Task ThrowIfFailedAsync(HttpResponseMessage response)
        {
            if (response.IsSuccessStatusCode) return;
            var body = response.Content == null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            string title = response.ReasonPhrase ?? response.StatusCode.ToString();
            string detail = body;
            var errors = new List<Diagnostic>();
            try
            {
                using var problem = JsonDocument.Parse(body);
                var root = problem.RootElement;
                if (root.TryGetProperty("title", out var t)) title = t.GetString() ?? title;
                if (root.TryGetProperty("detail", out var d)) detail = d.GetString() ?? "";
                foreach (var (name, severity) in new[] { ("errors", DiagnosticSeverity.Error), ("warnings", DiagnosticSeverity.Warning) })
                {
                    if (!root.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array) continue;
                    foreach (var e in list.EnumerateArray())
                        errors.Add(new Diagnostic(e.GetProperty("code").GetString() ?? "", severity,
                            e.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null,
                            e.GetProperty("message").GetString() ?? "", null,
                            e.TryGetProperty("line", out var l) ? l.GetInt32() : 0, e.TryGetProperty("column", out var c) ? c.GetInt32() : 0));
                }
            }
            catch (JsonException) { }
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                detail += " Connect with a valid token (Connect-PrimewayServer -Token, or PRIMEWAY_API_TOKEN).";
            throw new PrimewayApiException(response.StatusCode, title, detail.Trim(), errors.Where(e => e.IsError).ToList());
        }

        public void Dispose()
        {
            if (ownsHttp) http.Dispose();
        }
    }
}
