using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace Primeway.PowerShell.Completion
{
    /// <summary>Turns candidate words into completion results, quoting those with spaces.</summary>
    internal static class Completions
    {
        public static IEnumerable<CompletionResult> Matching(IEnumerable<(string Value, string Tooltip)> candidates, string wordToComplete,
            CompletionResultType type = CompletionResultType.ParameterValue)
        {
            var typed = (wordToComplete ?? "").Trim('\'', '"');
            return candidates
                .Where(c => c.Value.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(c => new CompletionResult(Quote(c.Value), c.Value, type, c.Tooltip));
        }

        public static string Quote(string value) =>
            value.IndexOfAny(new[] { ' ', '\'', '$', '`', '(', ')', ';', ',', '&', '{', '}', '@', '#' }) >= 0
                ? "'" + value.Replace("'", "''") + "'"
                : value;
    }
}
