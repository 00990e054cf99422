using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace Primeway
{
    /// <summary>
    /// Which project files stay out of the build context: .dockerignore's patterns as Docker reads them
    /// (paths from the project root, * ? [..] and **, ! to take back, a directory excludes what is in it),
    /// then the job's ignore_patterns, where a pattern without a slash matches a name at any depth, as in .gitignore.
    /// </summary>
    public sealed class IgnoreRules
    {
        private readonly List<(Regex Pattern, bool Negated)> rules = new List<(Regex, bool)>();

        public static IgnoreRules For(string projectDir, IEnumerable<string> ignorePatterns)
        {
            var rules = new IgnoreRules();
            var dockerignore = Path.Combine(projectDir, ".dockerignore");
            if (File.Exists(dockerignore))
                foreach (var line in File.ReadAllLines(dockerignore)) rules.Add(line, anyDepthWithoutSlash: false);
            foreach (var pattern in ignorePatterns) rules.Add(pattern, anyDepthWithoutSlash: true);
            return rules;
        }

        public void Add(string line, bool anyDepthWithoutSlash)
        {
            var pattern = line.Trim();
            if (pattern.Length == 0 || pattern.StartsWith("#", StringComparison.Ordinal)) return;
            bool negated = pattern.StartsWith("!", StringComparison.Ordinal);
            if (negated) pattern = pattern.Substring(1).Trim();
            pattern = pattern.Replace('\\', '/').Trim('/');
            while (pattern.StartsWith("./", StringComparison.Ordinal)) pattern = pattern.Substring(2);
            if (pattern.Length == 0) return;
            if (anyDepthWithoutSlash && pattern.IndexOf('/') < 0) pattern = "**/" + pattern;
            rules.Add((new Regex("^" + ToRegex(pattern) + "$", RegexOptions.CultureInvariant), negated));
        }

        /// <summary>The project's files that are not excluded, as paths relative to the project (with /) and full paths, in a stable order.</summary>
        public IReadOnlyList<(string RelativePath, string FullPath)> Files(string projectDir)
        {
            var root = Path.GetFullPath(projectDir).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Select(full => (RelativePath: full.Substring(root.Length).Replace('\\', '/'), FullPath: full))
                .Where(f => !IsExcluded(f.RelativePath))
                .OrderBy(f => f.RelativePath, StringComparer.Ordinal)
                .ToList();
        }

        /// <summary>True when the file (a path relative to the project, with /) is left out; the last matching rule decides.</summary>
        public bool IsExcluded(string relativePath)
        {
            bool excluded = false;
            foreach (var (pattern, negated) in rules)
                if (MatchesItselfOrParent(pattern, relativePath)) excluded = !negated;
            return excluded;
        }

        private static bool MatchesItselfOrParent(Regex pattern, string path)
        {
            if (pattern.IsMatch(path)) return true;
            for (int i = path.IndexOf('/'); i > 0; i = path.IndexOf('/', i + 1))
                if (pattern.IsMatch(path.Substring(0, i))) return true;
            return false;
        }

        private static string ToRegex(string pattern)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    i++;
                    // "**/" matches no directory or any number of them.
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/') { i++; sb.Append("(.*/)?"); }
                    else sb.Append(".*");
                }
                else if (c == '*') sb.Append("[^/]*");
                else if (c == '?') sb.Append("[^/]");
                else if (c == '[')
                {
                    int end = pattern.IndexOf(']', i + 1);
                    if (end < 0) { sb.Append("\\["); continue; }
                    var set = pattern.Substring(i + 1, end - i - 1);
                    if (set.StartsWith("!", StringComparison.Ordinal)) set = "^" + set.Substring(1);
                    sb.Append('[').Append(set.Replace("\\", "\\\\")).Append(']');
                    i = end;
                }
                else sb.Append(Regex.Escape(c.ToString()));
            }
            return sb.ToString();
        }
    }
}
