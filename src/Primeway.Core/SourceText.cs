using System;
using System.IO;

namespace Primeway
{
    /// <summary>Reads a job or pipeline file's text; a file that cannot be read gives a PW1016 diagnostic, not an exception.</summary>
    internal static class SourceText
    {
        /// <summary>The text, or null with the diagnostic that says why not; <paramref name="what"/> names the file ("job file").</summary>
        public static string? Read(string path, string what, out Diagnostic? problem)
        {
            problem = null;
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
            {
                var reason = e is FileNotFoundException || e is DirectoryNotFoundException ? "the file does not exist" : e.Message;
                problem = new Diagnostic(DiagnosticCodes.FileNotReadable, DiagnosticSeverity.Error, null,
                    "cannot read the " + what + ": " + reason + ". Check the path and its permissions.", path, 0, 0);
                return null;
            }
        }
    }
}
