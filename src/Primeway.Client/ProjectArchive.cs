using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace Primeway
{
    /// <summary>
    /// A project directory packed as tar.gz for upload, leaving out what .dockerignore and ignore_patterns name,
    /// with the same rules the engine's build context uses.
    /// </summary>
    public static class ProjectArchive
    {
        public static byte[] Create(string directory, IEnumerable<string> ignorePatterns)
        {
            if (!Directory.Exists(directory))
                throw new DirectoryNotFoundException("project_dir " + directory + " does not exist. Paths are relative to the job file's folder.");
            var rules = IgnoreRules.For(directory, ignorePatterns);
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                var tar = new TarStream(gzip);
                foreach (var file in rules.Files(directory)) tar.AddFile(file.RelativePath, file.FullPath);
                tar.Finish();
            }
            return buffer.ToArray();
        }

        /// <summary>Writes POSIX ustar entries, with a PAX record for paths too long for the ustar header.</summary>
        private sealed class TarStream
        {
            private readonly Stream output;

            public TarStream(Stream output) => this.output = output;

            public void AddFile(string relativePath, string fullPath)
            {
                var info = new FileInfo(fullPath);
                var name = relativePath.Replace('\\', '/');
                if (Encoding.UTF8.GetByteCount(name) > 100)
                {
                    var record = PaxRecord("path", name);
                    WriteHeader("PaxHeader/" + Truncate(name, 80), record.Length, 'x', 420);
                    WriteData(record);
                    name = Truncate(name, 100);
                }
                WriteHeader(name, info.Length, '0', IsExecutable(fullPath) ? 493 : 420);
                using var file = File.OpenRead(fullPath);
                file.CopyTo(output);
                Pad(info.Length);
            }

            public void Finish() => output.Write(new byte[1024], 0, 1024);

            private void WriteHeader(string name, long size, int type, int mode)
            {
                var header = new byte[512];
                Put(header, 0, 100, Encoding.UTF8.GetBytes(name));
                Put(header, 100, 8, Octal(mode, 7));
                Put(header, 108, 8, Octal(0, 7));
                Put(header, 116, 8, Octal(0, 7));
                Put(header, 124, 12, Octal(size, 11));
                Put(header, 136, 12, Octal(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 11));
                for (int i = 148; i < 156; i++) header[i] = (byte)' ';
                header[156] = (byte)type;
                Put(header, 257, 6, Encoding.ASCII.GetBytes("ustar\0"));
                Put(header, 263, 2, Encoding.ASCII.GetBytes("00"));
                long checksum = header.Sum(b => (long)b);
                Put(header, 148, 8, Octal(checksum, 6).Concat(new byte[] { 0, (byte)' ' }).ToArray());
                output.Write(header, 0, header.Length);
            }

            private void WriteData(byte[] data)
            {
                output.Write(data, 0, data.Length);
                Pad(data.Length);
            }

            private void Pad(long length)
            {
                var padding = (int)((512 - length % 512) % 512);
                if (padding > 0) output.Write(new byte[padding], 0, padding);
            }

            private static byte[] PaxRecord(string key, string value)
            {
                var body = " " + key + "=" + value + "\n";
                var bodyLength = Encoding.UTF8.GetByteCount(body);
                int length = bodyLength + 1;
                while (length.ToString(CultureInfo.InvariantCulture).Length + bodyLength != length) length++;
                return Encoding.UTF8.GetBytes(length.ToString(CultureInfo.InvariantCulture) + body);
            }

            private static string Truncate(string text, int bytes)
            {
                while (Encoding.UTF8.GetByteCount(text) > bytes) text = text.Substring(1);
                return text;
            }

            private static byte[] Octal(long value, int digits) =>
                Encoding.ASCII.GetBytes(Convert.ToString(value, 8).PadLeft(digits, '0') + "\0");

            private static void Put(byte[] header, int offset, int length, byte[] value) =>
                Array.Copy(value, 0, header, offset, Math.Min(length, value.Length));

            // netstandard2.0 cannot read Unix file modes: shell scripts and extensionless files are packed as
            // executable so that an entry script or a binary in the project can run.
            private static bool IsExecutable(string path)
            {
                var extension = Path.GetExtension(path);
                return extension == ".sh" || extension.Length == 0;
            }
        }
    }
}
