using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Primeway.Engine.Docker
{
    /// <summary>
    /// Cuts the engine's multiplexed log bytes into lines per stream. With timestamps on, each line the engine
    /// sends starts with an RFC 3339 time and a space, which becomes the line's Timestamp.
    /// </summary>
    internal sealed class LogLineSplitter
    {
        /// <summary>The lines of a multiplexed log stream (container or service logs), until the engine closes it.</summary>
        public static async IAsyncEnumerable<LogLine> ReadAsync(global::Docker.DotNet.MultiplexedStream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] System.Threading.CancellationToken cancellationToken)
        {
            var splitter = new LogLineSplitter();
            var buffer = new byte[16 * 1024];
            while (true)
            {
                global::Docker.DotNet.MultiplexedStream.ReadResult read;
                try
                {
                    read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException) when (!cancellationToken.IsCancellationRequested)
                {
                    break; // the engine closed the stream: the container is gone
                }
                if (read.EOF) break;
                var target = read.Target == global::Docker.DotNet.MultiplexedStream.TargetStream.StandardError ? LogStream.Stderr : LogStream.Stdout;
                foreach (var line in splitter.Add(target, buffer, read.Count)) yield return line;
            }
            foreach (var line in splitter.Flush()) yield return line;
        }

        private readonly MemoryStream stdout = new MemoryStream();
        private readonly MemoryStream stderr = new MemoryStream();

        public IEnumerable<LogLine> Add(LogStream stream, byte[] buffer, int count)
        {
            var pending = stream == LogStream.Stdout ? stdout : stderr;
            var lines = new List<LogLine>();
            int start = 0;
            for (int i = 0; i < count; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                pending.Write(buffer, start, i - start);
                lines.Add(Parse(stream, pending));
                start = i + 1;
            }
            pending.Write(buffer, start, count - start);
            return lines;
        }

        /// <summary>What is left when the stream ends: a last line without a line break.</summary>
        public IEnumerable<LogLine> Flush()
        {
            if (stdout.Length > 0) yield return Parse(LogStream.Stdout, stdout);
            if (stderr.Length > 0) yield return Parse(LogStream.Stderr, stderr);
        }

        private static LogLine Parse(LogStream stream, MemoryStream pending)
        {
            var text = Encoding.UTF8.GetString(pending.GetBuffer(), 0, (int)pending.Length).TrimEnd('\r');
            pending.SetLength(0);
            var timestamp = DateTimeOffset.UtcNow;
            int space = text.IndexOf(' ');
            if (space > 0 && DateTimeOffset.TryParse(text.Substring(0, space), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                timestamp = parsed;
                text = text.Substring(space + 1);
            }
            return new LogLine(stream, text, timestamp);
        }
    }
}
