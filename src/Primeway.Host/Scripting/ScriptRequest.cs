using System;
using System.Collections.Generic;
using System.Linq;

namespace Primeway.Host.Scripting
{
    /// <summary>What `primeway -Command SCRIPT` or `primeway -File PATH [ARGS]` asks for, read the way pwsh reads it.</summary>
    internal sealed class ScriptRequest
    {
        private ScriptRequest(string? command, string? file, IReadOnlyList<string> fileArguments)
        {
            Command = command;
            File = file;
            FileArguments = fileArguments;
        }

        public string? Command { get; }
        public string? File { get; }
        public IReadOnlyList<string> FileArguments { get; }

        /// <summary>
        /// The request in args, or null when args is not a script invocation. Like pwsh: -Command takes the rest of
        /// the line as the script, -File the next word as the path and the rest as its arguments; the parameter
        /// names are case-insensitive and may be shortened to -c and -f.
        /// </summary>
        public static ScriptRequest? Parse(IReadOnlyList<string> args, out string? usageError)
        {
            usageError = null;
            if (args.Count == 0) return null;
            var first = args[0];
            if (IsSwitch(first, "-Command", "-c"))
            {
                if (args.Count < 2) usageError = "-Command needs a script, e.g. primeway -Command 'Test-PrimewayJob -Path *.yaml'.";
                return new ScriptRequest(string.Join(" ", args.Skip(1)), null, Array.Empty<string>());
            }
            if (IsSwitch(first, "-File", "-f"))
            {
                if (args.Count < 2) usageError = "-File needs the path of a .ps1 script, e.g. primeway -File ./check.ps1.";
                return new ScriptRequest(null, args.Count < 2 ? "" : args[1], args.Skip(2).ToArray());
            }
            return null;
        }

        private static bool IsSwitch(string arg, string name, string shortName) =>
            string.Equals(arg, name, StringComparison.OrdinalIgnoreCase) || string.Equals(arg, shortName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(arg, "-" + name, StringComparison.OrdinalIgnoreCase);
    }
}
