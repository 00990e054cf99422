using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Primeway.Engine;

namespace Primeway.Server.Runs
{
    /// <summary>One stored log line: when, which stream, what.</summary>
    public sealed record StoredLogLine(DateTimeOffset Time, string Stream, string Text)
    {
        public string ToText(bool timestamps) =>
            timestamps ? Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + " " + Text : Text;
    }

    /// <summary>
    /// Run logs as files under &lt;data&gt;/logs, one per run, never in the database. Each file holds lines of
    /// "time stream text"; past the size cap one notice is written and later lines are dropped. Followers wait
    /// on a per-run signal rather than polling.
    /// </summary>
    public sealed class RunLogs
    {
        private readonly string directory;
        private readonly long maxBytesPerRun;
        private readonly ConcurrentDictionary<string, RunLogFile> open = new ConcurrentDictionary<string, RunLogFile>(StringComparer.Ordinal);

        public RunLogs(string directory, long maxBytesPerRun)
        {
            this.directory = directory;
            this.maxBytesPerRun = maxBytesPerRun;
            Directory.CreateDirectory(directory);
        }

        private string PathOf(string runId) => Path.Combine(directory, runId + ".log");

        public void Append(string runId, LogLine line) =>
            File(runId).Append(new StoredLogLine(line.Timestamp, line.Stream == LogStream.Stderr ? "stderr" : "stdout", line.Text));

        /// <summary>A line from Primeway itself (build output, state notes), kept in the run's log.</summary>
        public void AppendNote(string runId, string text) =>
            File(runId).Append(new StoredLogLine(DateTimeOffset.UtcNow, "primeway", text));

        /// <summary>The time of the last line written, so a re-attached run does not log a line twice.</summary>
        public DateTimeOffset? LastTime(string runId) => File(runId).LastTime;

        /// <summary>Wakes followers for good: the run has ended and no more lines will come.</summary>
        public void Complete(string runId)
        {
            if (open.TryRemove(runId, out var file)) file.Complete();
        }

        public void Delete(string runId)
        {
            Complete(runId);
            System.IO.File.Delete(PathOf(runId));
        }

        private RunLogFile File(string runId) => open.GetOrAdd(runId, id => new RunLogFile(PathOf(id), maxBytesPerRun));

        /// <summary>
        /// The run's lines: the last <paramref name="tail"/> (all when null), then with follow, new lines as they come
        /// until <paramref name="isFinished"/> says the run ended and everything written has been read.
        /// </summary>
        public async IAsyncEnumerable<StoredLogLine> ReadAsync(string runId, int? tail, bool follow, Func<Task<bool>> isFinished,
            [EnumeratorCancellation] CancellationToken ct)
        {
            var path = PathOf(runId);
            long position = 0;
            var first = ReadFrom(path, ref position);
            int skip = tail is int n && first.Count > n ? first.Count - n : 0;
            for (int i = skip; i < first.Count; i++) yield return first[i];
            if (!follow) yield break;

            while (!ct.IsCancellationRequested)
            {
                var changed = open.TryGetValue(runId, out var file) ? file.Changed : Task.CompletedTask;
                var more = ReadFrom(path, ref position);
                foreach (var line in more) yield return line;
                if (more.Count > 0) continue;
                if (await isFinished().ConfigureAwait(false))
                {
                    foreach (var line in ReadFrom(path, ref position)) yield return line;
                    yield break;
                }
                // The signal covers lines written here; the delay covers a run finished by another path.
                await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(1), ct)).ConfigureAwait(false);
            }
        }

        private static List<StoredLogLine> ReadFrom(string path, ref long position)
        {
            var lines = new List<StoredLogLine>();
            if (!System.IO.File.Exists(path)) return lines;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length <= position) return lines;
            stream.Position = position;
            var buffer = new byte[stream.Length - position];
            int read = 0;
            while (read < buffer.Length)
            {
                int n = stream.Read(buffer, read, buffer.Length - read);
                if (n == 0) break;
                read += n;
            }
            int end = Array.LastIndexOf(buffer, (byte)'\n', read - 1);
            if (end < 0) return lines;
            position += end + 1;
            foreach (var raw in Encoding.UTF8.GetString(buffer, 0, end).Split('\n'))
            {
                var parsed = Parse(raw);
                if (parsed != null) lines.Add(parsed);
            }
            return lines;
        }

        internal static StoredLogLine? Parse(string raw)
        {
            var first = raw.IndexOf(' ');
            var second = first < 0 ? -1 : raw.IndexOf(' ', first + 1);
            if (second < 0) return null;
            if (!DateTimeOffset.TryParse(raw.Substring(0, first), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return null;
            return new StoredLogLine(time, raw.Substring(first + 1, second - first - 1), raw.Substring(second + 1));
        }

        /// <summary>
        /// One run's open log file: appends are serialised, and each append wakes the followers. The file stays open
        /// while the run writes (a busy job writes thousands of lines a second) and closes when the run ends.
        /// </summary>
        private sealed class RunLogFile
        {
            private readonly string path;
            private readonly long maxBytes;
            private readonly object gate = new object();
            private TaskCompletionSource<bool> changed = NewSignal();
            private long size;
            private bool capped;
            private FileStream? stream;

            public RunLogFile(string path, long maxBytes)
            {
                this.path = path;
                this.maxBytes = maxBytes;
                if (System.IO.File.Exists(path))
                {
                    size = new FileInfo(path).Length;
                    long position = 0;
                    var lines = ReadFrom(path, ref position);
                    if (lines.Count > 0) LastTime = lines[lines.Count - 1].Time;
                }
            }

            public DateTimeOffset? LastTime { get; private set; }
            public Task Changed { get { lock (gate) return changed.Task; } }

            public void Append(StoredLogLine line)
            {
                lock (gate)
                {
                    if (capped) return;
                    var text = line.Text.Replace('\n', ' ').Replace('\r', ' ');
                    var record = line.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + " " + line.Stream + " " + text + "\n";
                    var bytes = Encoding.UTF8.GetBytes(record);
                    if (size + bytes.Length > maxBytes)
                    {
                        capped = true;
                        bytes = Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)
                            + " primeway [log cap of " + maxBytes / (1024 * 1024) + " MiB reached: later lines of this run are not kept]\n");
                    }
                    stream ??= new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
                    // Written through at once: followers, in this process or another instance, read the file as it grows.
                    stream.Write(bytes, 0, bytes.Length);
                    size += bytes.Length;
                    LastTime = line.Time;
                    var signal = changed;
                    changed = NewSignal();
                    signal.TrySetResult(true);
                }
            }

            public void Complete()
            {
                lock (gate)
                {
                    stream?.Dispose();
                    stream = null;
                    changed.TrySetResult(true);
                }
            }

            private static TaskCompletionSource<bool> NewSignal() => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
