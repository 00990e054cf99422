using System;

namespace Primeway
{
    /// <summary>One entry of gpu_types: a GPU model and how many of it.</summary>
    public sealed class GpuRequest : IEquatable<GpuRequest>
    {
        public GpuRequest() { }

        public GpuRequest(string type, int count)
        {
            Type = type;
            Count = count;
        }

        /// <summary>The GPU name as the user wrote it; <see cref="GpuCatalog.Resolve"/> gives the canonical model.</summary>
        public string? Type { get; set; }

        public int Count { get; set; } = 1;

        internal SourcePosition Position { get; set; }

        public bool Equals(GpuRequest? other) => other != null && Type == other.Type && Count == other.Count;
        public override bool Equals(object? obj) => Equals(obj as GpuRequest);
        public override int GetHashCode() => (Type ?? "").GetHashCode() * 31 + Count;
        public override string ToString() => Count + " x " + Type;
    }
}
