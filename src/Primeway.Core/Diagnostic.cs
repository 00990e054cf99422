using System;
using System.Text;

namespace Primeway
{
    public enum DiagnosticSeverity
    {
        Error,
        Warning,
    }

    /// <summary>
    /// One finding about a job file: a stable code (PW1xxx errors, PW2xxx warnings), the field it is about,
    /// where it is, and a message that says how to fix it.
    /// </summary>
    public sealed class Diagnostic
    {
        public Diagnostic(string code, DiagnosticSeverity severity, string? field, string message, string? file, int line, int column)
        {
            Code = code;
            Severity = severity;
            Field = field;
            Message = message;
            File = file;
            Line = line;
            Column = column;
        }

        public string Code { get; }
        public DiagnosticSeverity Severity { get; }
        /// <summary>The snake_case field, with a path for nested items (env[2].name); null for the whole document.</summary>
        public string? Field { get; }
        public string Message { get; }
        public string? File { get; }
        public int Line { get; }
        public int Column { get; }

        public bool IsError => Severity == DiagnosticSeverity.Error;

        /// <summary>Compiler style, which CI problem matchers and editors read: file:line:col: error PW1003: message</summary>
        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.Append(string.IsNullOrEmpty(File) ? "<job>" : File);
            if (Line > 0) sb.Append(':').Append(Line).Append(':').Append(Column);
            sb.Append(": ").Append(IsError ? "error " : "warning ").Append(Code).Append(": ").Append(Message);
            return sb.ToString();
        }
    }
}
