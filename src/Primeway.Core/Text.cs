using System;
using System.Collections.Generic;
using System.Linq;

namespace Primeway
{
    internal static class Text
    {
        public static int Levenshtein(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++) previous[j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                }
                var t = previous; previous = current; current = t;
            }
            return previous[b.Length];
        }

        /// <summary>The candidate closest to the word, if it is close enough to be a likely typo.</summary>
        public static string? DidYouMean(string word, IEnumerable<string> candidates)
        {
            var best = candidates
                .Select(c => (Candidate: c, Distance: Levenshtein(word.ToLowerInvariant(), c)))
                .OrderBy(x => x.Distance)
                .FirstOrDefault();
            if (best.Candidate == null) return null;
            return best.Distance <= Math.Max(2, word.Length / 3) ? best.Candidate : null;
        }

        public static string JoinOr(IEnumerable<string> items)
        {
            var list = items.ToList();
            if (list.Count <= 1) return string.Concat(list);
            return string.Join(", ", list.Take(list.Count - 1)) + " or " + list[list.Count - 1];
        }
    }
}
