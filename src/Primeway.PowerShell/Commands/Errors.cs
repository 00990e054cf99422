using System;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace Primeway.PowerShell.Commands
{
    /// <summary>
    /// The module's ErrorRecords. Each id is scoped to the command by PowerShell, which appends the cmdlet's
    /// type name (PathNotFound,Primeway.PowerShell.Commands.NewPrimewayJobCommand).
    /// </summary>
    internal static class Errors
    {
        public static ErrorRecord PathNotFound(string path) => new ErrorRecord(
            new ItemNotFoundException("Cannot find the job file '" + path + "' because it does not exist."),
            "PathNotFound", ErrorCategory.ObjectNotFound, path);

        public static ErrorRecord PathIsFolder(string path) => new ErrorRecord(
            new IOException("'" + path + "' is a folder, not a job file. To read the job files in it, use a wildcard: '" + Path.Combine(path, "*.yaml") + "'."),
            "PathIsFolder", ErrorCategory.InvalidArgument, path);

        public static ErrorRecord NotAFileSystemPath(string path, string provider) => new ErrorRecord(
            new PSArgumentException("'" + path + "' is on the " + provider + " provider; job files must be on the file system."),
            "NotAFileSystemPath", ErrorCategory.InvalidArgument, path);

        public static ErrorRecord ReaderFailed(Exception e, object target) => new ErrorRecord(
            new InvalidDataException("The job YAML could not be read: " + e.Message + " Check its syntax.", e),
            "JobYamlNotRead", ErrorCategory.ParserError, target);

        /// <summary>A file or text whose YAML could not be read as jobs; target is the path, or the text itself.</summary>
        public static ErrorRecord UnreadableJobs(JobReadResult read, object target)
        {
            var problems = read.Diagnostics.Where(d => d.IsError).ToList();
            var unreadable = problems.Any(d => d.Code == DiagnosticCodes.FileNotReadable);
            var message = string.Join(Environment.NewLine, problems.Select(d => d.ToString()));
            var record = new ErrorRecord(
                unreadable ? (Exception)new IOException(message) : new InvalidDataException(message),
                unreadable ? "JobFileNotReadable" : "InvalidJobYaml",
                unreadable ? ErrorCategory.ReadError : ErrorCategory.InvalidData,
                target);
            record.ErrorDetails = new ErrorDetails(message)
            {
                RecommendedAction = unreadable ? "Check the path and its permissions." : "Fix the YAML at the position shown, then run the command again.",
            };
            return record;
        }
    }
}
