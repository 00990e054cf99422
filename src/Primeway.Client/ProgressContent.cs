using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;

namespace Primeway
{
    /// <summary>Bytes sent in chunks, telling a listener how far the upload has got.</summary>
    internal sealed class ProgressContent : HttpContent
    {
        private const int Chunk = 64 * 1024;
        private readonly byte[] data;
        private readonly Action<long, long> progress;

        public ProgressContent(byte[] data, Action<long, long> progress)
        {
            this.data = data;
            this.progress = progress;
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            progress(0, data.Length);
            for (int offset = 0; offset < data.Length; offset += Chunk)
            {
                var count = Math.Min(Chunk, data.Length - offset);
                await stream.WriteAsync(data, offset, count).ConfigureAwait(false);
                progress(offset + count, data.Length);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = data.Length;
            return true;
        }
    }
}
