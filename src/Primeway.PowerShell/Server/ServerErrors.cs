using System;
using System.IO;
using System.Management.Automation;

namespace Primeway.PowerShell.Server
{
    /// <summary>ErrorRecords for what a user meets talking to a server, each with what to do about it.</summary>
    internal static class ServerErrors
    {
        public static ErrorRecord From(Exception e, object? target)
        {
            switch (e)
            {
                case PrimewayUnreachableException unreachable:
                    return Record(e, "ServerUnreachable", ErrorCategory.ConnectionError, target,
                        "Start the server (primeway server), check the address with Connect-PrimewayServer -Uri, or run Disconnect-PrimewayServer to use the local server. (" + unreachable.Server + ")");
                case PrimewayApiException api when api.IsUnauthorized:
                    return Record(e, "TokenRefused", ErrorCategory.AuthenticationError, target,
                        "Connect again with a valid token: Connect-PrimewayServer -Uri <server> -Token <token>, or set PRIMEWAY_API_TOKEN.");
                case PrimewayApiException api when api.IsNotFound:
                    return Record(e, "RunNotFound", ErrorCategory.ObjectNotFound, target,
                        "Check the run id with Get-PrimewayJob; runs of other owners are not visible.");
                case PrimewayApiException api when api.IsConflict && api.Title.IndexOf("finished", StringComparison.OrdinalIgnoreCase) >= 0:
                    return Record(e, "RunAlreadyFinished", ErrorCategory.InvalidOperation, target,
                        "The run has ended; there is nothing to stop. Get-PrimewayJob shows how it ended.");
                case PrimewayApiException api when api.IsConflict:
                    return Record(e, "RunStillActive", ErrorCategory.InvalidOperation, target,
                        "Stop the run first (Stop-PrimewayJob), or use -Force to stop and remove it.");
                case PrimewayApiException api when api.IsInvalidJob:
                    return Record(e, "InvalidJob", ErrorCategory.InvalidData, target, "Fix the job (Test-PrimewayJob shows each problem with its position), then start it again.");
                case PrimewayApiException _:
                    return Record(e, "ServerError", ErrorCategory.ProtocolError, target, "See the server's log for details.");
                case FileNotFoundException _:
                case DirectoryNotFoundException _:
                    return Record(e, "FileNotFound", ErrorCategory.ObjectNotFound, target, "Check the path.");
                case TimeoutException _:
                    return Record(e, "Timeout", ErrorCategory.OperationTimeout, target, "Wait longer (-Timeout), or check the run with Get-PrimewayJob.");
                default:
                    return Record(e, "ServerRequestFailed", ErrorCategory.NotSpecified, target, "");
            }
        }

        public static ErrorRecord LocalServerUnavailable(Exception e) =>
            Record(e, "LocalServerUnavailable", ErrorCategory.ResourceUnavailable, null,
                "Set PRIMEWAY_HOST_PATH to the primeway executable (or primeway.dll), or connect to a server with Connect-PrimewayServer -Uri.");

        public static ErrorRecord InvalidJob(JobValidationResult result)
        {
            var message = "Job '" + (result.JobName ?? "(unnamed)") + "' is not valid and was not started:" + Environment.NewLine +
                          string.Join(Environment.NewLine, Array.ConvertAll(result.Errors, d => "  " + d));
            return Record(new InvalidDataException(message), "InvalidJob", ErrorCategory.InvalidData, result.Job,
                "Fix the job at the positions shown (Test-PrimewayJob lists every problem), then start it again.");
        }

        public static ErrorRecord RunFailed(JobRun run) =>
            Record(new InvalidOperationException("Run " + run.Id + " of " + run.JobName + " " + run.Status + (run.Reason != null ? " (" + run.Reason + ")" : "") +
                                                 (run.ExitCode != null ? " with exit code " + run.ExitCode : "") + "."),
                "RunFailed", ErrorCategory.InvalidResult, run, "Read its log with Receive-PrimewayJob -Id " + run.Id + ".");

        private static ErrorRecord Record(Exception e, string id, ErrorCategory category, object? target, string action)
        {
            var record = new ErrorRecord(e, id, category, target);
            if (action.Length > 0) record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = action };
            return record;
        }
    }
}
