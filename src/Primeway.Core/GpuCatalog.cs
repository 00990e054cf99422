using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Primeway
{
    /// <summary>A GPU model the platform offers.</summary>
    public sealed class GpuModel
    {
        internal GpuModel(string name, int memoryGb, params string[] tokens)
        {
            Name = name;
            MemoryGb = memoryGb;
            Tokens = tokens;
        }

        /// <summary>The canonical name, as written back and shown.</summary>
        public string Name { get; }
        public int MemoryGb { get; }

        /// <summary>The words that identify it; a user's name matches when its words are all among these.</summary>
        internal IReadOnlyList<string> Tokens { get; }

        public override string ToString() => Name + " (" + MemoryGb + " GB)";
    }

    /// <summary>The outcome of resolving a user's GPU name.</summary>
    public sealed class GpuResolution
    {
        internal GpuResolution(GpuModel? model, IReadOnlyList<GpuModel> candidates, bool ambiguous = false)
        {
            Model = model;
            Candidates = candidates;
            IsAmbiguous = ambiguous;
        }

        /// <summary>The one model the name means, or null.</summary>
        public GpuModel? Model { get; }
        /// <summary>When Model is null: the models the name could mean (ambiguous) or the closest ones (unknown).</summary>
        public IReadOnlyList<GpuModel> Candidates { get; }
        /// <summary>True when the name fits several models; false when it fits none (Candidates are then the closest names).</summary>
        public bool IsAmbiguous { get; }
    }

    /// <summary>
    /// The platform's GPUs. Users write them many ways ("A40", "NVIDIA A40", "NVIDIA A100 80GB PCIe"): a name is
    /// accepted when it names exactly one model without doubt; "H100" alone could be three models and is refused.
    /// </summary>
    public static class GpuCatalog
    {
        public static IReadOnlyList<GpuModel> Models { get; } = new[]
        {
            new GpuModel("A100 PCIe", 80, "a100", "pcie", "80gb"),
            new GpuModel("A100 SXM", 80, "a100", "sxm", "80gb"),
            new GpuModel("A40", 48, "a40", "48gb"),
            new GpuModel("RTX 4090", 24, "rtx", "4090", "24gb"),
            new GpuModel("H100 SXM", 80, "h100", "sxm", "80gb"),
            new GpuModel("H100 NVL", 94, "h100", "nvl", "94gb"),
            new GpuModel("H100 PCIe", 80, "h100", "pcie", "80gb"),
            new GpuModel("H200 SXM", 143, "h200", "sxm", "143gb"),
            new GpuModel("L4", 24, "l4", "24gb"),
            new GpuModel("L40", 48, "l40", "48gb"),
            new GpuModel("L40S", 48, "l40s", "48gb"),
            new GpuModel("RTX 2000 Ada", 16, "rtx", "2000", "ada", "16gb"),
            new GpuModel("RTX 6000 Ada", 48, "rtx", "6000", "ada", "48gb"),
            new GpuModel("RTX A6000", 48, "rtx", "a6000", "48gb"),
            new GpuModel("T4", 16, "t4", "16gb"),
            new GpuModel("RTX A2000", 12, "rtx", "a2000", "12gb"),
        };

        // Words that say nothing about which model is meant.
        private static readonly HashSet<string> Noise = new HashSet<string>(StringComparer.Ordinal)
        {
            "nvidia", "geforce", "tesla", "gpu", "ada", "generation", "lovelace", "hbm2", "hbm2e", "hbm3", "hbm3e", "gddr6", "gddr6x",
        };

        public static GpuResolution Resolve(string? name)
        {
            var words = Words(name ?? "");
            if (words.Count == 0) return new GpuResolution(null, Array.Empty<GpuModel>());

            var exact = Models.FirstOrDefault(m => Normalize(m.Name) == Normalize(name!));
            if (exact != null) return new GpuResolution(exact, Array.Empty<GpuModel>());

            // "Ada" alone is noise, but it distinguishes nothing in the catalog either: RTX 2000/6000 are the only Ada cards.
            var significant = words.Where(w => !Noise.Contains(w)).ToList();
            if (significant.Count == 0) return new GpuResolution(null, Closest(name!));

            var matches = Models.Where(m => significant.All(w => m.Tokens.Contains(w))).ToList();
            if (matches.Count == 1) return new GpuResolution(matches[0], Array.Empty<GpuModel>());
            if (matches.Count > 1) return new GpuResolution(null, matches, ambiguous: true);
            return new GpuResolution(null, Closest(name!));
        }

        private static IReadOnlyList<GpuModel> Closest(string name)
        {
            var key = Normalize(name);
            return Models
                .Select(m => (Model: m, Distance: Text.Levenshtein(key, Normalize(m.Name))))
                .Where(x => x.Distance <= Math.Max(2, key.Length / 2))
                .OrderBy(x => x.Distance)
                .Take(3)
                .Select(x => x.Model)
                .ToList();
        }

        private static string Normalize(string name) =>
            string.Concat(Words(name).Where(w => w != "nvidia" && w != "geforce" && w != "tesla"));

        /// <summary>Splits "NVIDIA A100-SXM4-80GB" into nvidia, a100, sxm, 80gb.</summary>
        internal static List<string> Words(string name)
        {
            var words = new List<string>();
            var sb = new StringBuilder();
            void Flush()
            {
                if (sb.Length == 0) return;
                words.Add(Canonical(sb.ToString()));
                sb.Clear();
            }
            foreach (char c in name.ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c)) sb.Append(c); else Flush();
            }
            Flush();
            // "80 GB" written apart becomes one word, as does "RTX4090".
            for (int i = words.Count - 2; i >= 0; i--)
            {
                if (words[i + 1] == "gb" && words[i].All(char.IsDigit))
                {
                    words[i] += "gb";
                    words.RemoveAt(i + 1);
                }
            }
            var split = new List<string>();
            foreach (var w in words)
            {
                if (w.StartsWith("rtx", StringComparison.Ordinal) && w.Length > 3) { split.Add("rtx"); split.Add(Canonical(w.Substring(3))); }
                else split.Add(w);
            }
            return split;
        }

        private static string Canonical(string word)
        {
            switch (word)
            {
                case "sxm4": case "sxm5": return "sxm";
                case "80g": return "80gb";
                case "pci": case "pciexpress": return "pcie";
                default:
                    if (word.EndsWith("g", StringComparison.Ordinal) && word.Length > 1 && word.Substring(0, word.Length - 1).All(char.IsDigit))
                        return word + "b";
                    return word;
            }
        }
    }
}
