using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Primeway.PowerShell.Completion
{
    /// <summary>Completes GPU type names from the platform's catalog.</summary>
    public sealed class GpuTypeCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters) =>
            Completions.Matching(GpuCatalog.Models.Select(m => (m.Name, m.ToString())), wordToComplete);
    }
}
