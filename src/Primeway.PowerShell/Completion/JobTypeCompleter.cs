using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Primeway.PowerShell.Completion
{
    /// <summary>Completes job_type: run, deploy.</summary>
    public sealed class JobTypeCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters) =>
            Completions.Matching(
                Enum.GetNames(typeof(JobType)).Select(name => (name.ToLowerInvariant(), Describe(name))),
                wordToComplete);

        private static string Describe(string name) =>
            name == nameof(JobType.Deploy) ? "A long-lived HTTP service with a port and a health endpoint." : "Executed once and finished.";
    }
}
