using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Primeway.PowerShell.Completion
{
    /// <summary>Completes job file paths: folders to descend into, and *.yaml, *.yml and *.json files.</summary>
    public sealed class JobFileCompleter : IArgumentCompleter
    {
        private static readonly string[] JobFileExtensions = { ".yaml", ".yml", ".json" };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = (wordToComplete ?? "").Trim('\'', '"');
            var baseFolder = CurrentFolder();
            var typedFolder = typed.Length == 0 ? "" : typed.Substring(0, typed.LastIndexOfAny(new[] { '/', '\\' }) + 1);
            var folder = Path.Combine(baseFolder, typedFolder);
            if (!Directory.Exists(folder)) return Array.Empty<CompletionResult>();

            var prefix = typed.Substring(typedFolder.Length);
            var folders = Directory.EnumerateDirectories(folder)
                .Select(d => (Text: typedFolder + Path.GetFileName(d) + Path.DirectorySeparatorChar, Type: CompletionResultType.ProviderContainer));
            var files = Directory.EnumerateFiles(folder)
                .Where(f => JobFileExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Select(f => (Text: typedFolder + Path.GetFileName(f), Type: CompletionResultType.ProviderItem));
            return folders.Concat(files)
                .Where(c => Path.GetFileName(c.Text.TrimEnd(Path.DirectorySeparatorChar)).StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(c => c.Type == CompletionResultType.ProviderContainer ? 1 : 0).ThenBy(c => c.Text, StringComparer.OrdinalIgnoreCase)
                .Select(c => new CompletionResult(Completions.Quote(c.Text), c.Text, c.Type, c.Text));
        }

        // The completer runs on the pipeline thread of the session being completed in, so a script block sees its location.
        private static string CurrentFolder()
        {
            var location = ScriptBlock.Create("$ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath").Invoke();
            return location.Count == 1 && location[0]?.BaseObject is string path ? path : Directory.GetCurrentDirectory();
        }
    }
}
