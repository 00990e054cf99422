using System;

namespace Primeway
{
    /// <summary>One entry of env: a variable name and its value (always a string).</summary>
    public sealed class EnvVar : IEquatable<EnvVar>
    {
        public EnvVar() { }

        public EnvVar(string name, string value)
        {
            Name = name;
            Value = value;
        }

        public string? Name { get; set; }
        public string? Value { get; set; }

        internal SourcePosition Position { get; set; }

        public bool Equals(EnvVar? other) => other != null && Name == other.Name && Value == other.Value;
        public override bool Equals(object? obj) => Equals(obj as EnvVar);
        public override int GetHashCode() => (Name ?? "").GetHashCode() * 31 + (Value ?? "").GetHashCode();
        public override string ToString() => Name + "=" + Value;
    }
}
