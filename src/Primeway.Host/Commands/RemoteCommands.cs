using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.Host.Commands
{
    /// <summary>
    /// primeway jobs | logs RUN [--follow] [--tail N] | stop RUN | artifacts RUN -o DIR: the runs on a server, through Primeway.Client.
    /// The server is --server, else PRIMEWAY_SERVER, else the saved connection, else the local server (started on demand).
    /// </summary>
    internal static class RemoteCommands
    {
        /// <summary>The server refused or could not be reached.</summary>
        public const int RequestFailed = 1;

        public static Option<string?> ServerOption() =>
            new Option<string?>("--server") { Description = "The server's address (default: PRIMEWAY_SERVER, the saved connection, else the local server). The token is PRIMEWAY_API_TOKEN." };

        public static Command Jobs(TextWriter stdout, TextWriter stderr)
        {
            var server = ServerOption();
            var status = new Option<string?>("--status") { Description = "Only runs in this status (pending, running, completed, failed, stopped, ...)." };
            var job = new Option<string?>("--job") { Description = "Only runs of this job (name or id)." };
            var limit = new Option<int>("--limit") { Description = "At most this many runs, latest first (default 50).", DefaultValueFactory = _ => 50 };
            var command = new Command("jobs", "List runs on the server, latest first: id, job, type, status, started, duration, exit code, URL; then the scheduled jobs' next start and end.")
            {
                server, status, job, limit,
            };
            command.SetAction((result, ct) => WithServer(result.GetValue(server), stderr, async connection =>
            {
                var runs = await connection.Client.ListRunsAsync(result.GetValue(status), result.GetValue(job), result.GetValue(limit), ct);
                WriteTable(stdout, runs);
                var scheduled = (await connection.Client.ListJobsAsync(ct))
                    .Where(j => (j.NextStart != null || j.NextEnd != null) && (result.GetValue(job) is not string only || j.Name == only || j.Id == only)).ToList();
                if (scheduled.Count > 0)
                {
                    stdout.WriteLine();
                    WriteSchedules(stdout, scheduled);
                }
                return ExitCodes.Success;
            }, ct));
            return command;
        }

        public static Command Logs(TextWriter stdout, TextWriter stderr)
        {
            var server = ServerOption();
            var run = new Argument<string>("run") { Description = "The run's id." };
            var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the run ends." };
            var tail = new Option<int?>("--tail") { Description = "Only the last N lines." };
            var command = new Command("logs", "Print a run's log.") { run, server, follow, tail };
            command.SetAction((result, ct) => WithServer(result.GetValue(server), stderr, async connection =>
            {
                var id = result.GetValue(run)!;
                if (result.GetValue(follow))
                    await connection.Client.FollowLogAsync(id, line => (line.Stream == "stderr" ? stderr : stdout).WriteLine(line.Text), result.GetValue(tail), ct);
                else
                    foreach (var line in await connection.Client.GetLogAsync(id, result.GetValue(tail), ct)) stdout.WriteLine(line.Text);
                return ExitCodes.Success;
            }, ct));
            return command;
        }

        public static Command Stop(TextWriter stdout, TextWriter stderr)
        {
            var server = ServerOption();
            var run = new Argument<string>("run") { Description = "The run's id." };
            var command = new Command("stop", "Stop a run: SIGTERM, then a kill after the server's grace period.") { run, server };
            command.SetAction((result, ct) => WithServer(result.GetValue(server), stderr, async connection =>
            {
                var stopped = await connection.Client.StopRunAsync(result.GetValue(run)!, ct);
                stdout.WriteLine("Stopping run " + stopped.Id + " of " + stopped.JobName + " (" + stopped.Status + ").");
                return ExitCodes.Success;
            }, ct));
            return command;
        }

        public static Command Artifacts(TextWriter stdout, TextWriter stderr)
        {
            var server = ServerOption();
            var run = new Argument<string>("run") { Description = "The run's id." };
            var output = new Option<string>("--output", "-o") { Description = "The directory to save them in (made when missing; default: the current directory).", DefaultValueFactory = _ => "." };
            var command = new Command("artifacts", "Save a run job's artifacts (what it wrote to its artifacts_path) into a directory, and list the files.") { run, server, output };
            command.SetAction((result, ct) => WithServer(result.GetValue(server), stderr, async connection =>
            {
                var files = await connection.Client.SaveArtifactsAsync(result.GetValue(run)!, result.GetValue(output)!, ct);
                foreach (var file in files) stdout.WriteLine(file);
                return ExitCodes.Success;
            }, ct));
            return command;
        }

        /// <summary>Resolves the server, runs <paramref name="action"/>, and turns the client's errors into a message and exit code 1.</summary>
        public static async Task<int> WithServer(string? server, TextWriter stderr, Func<ServerConnection, Task<int>> action, CancellationToken ct)
        {
            try
            {
                using var connection = await ConnectAsync(server, stderr, ct);
                return await action(connection);
            }
            catch (PrimewayApiException e)
            {
                stderr.WriteLine("primeway: " + e.Message);
                return RequestFailed;
            }
            catch (Exception e) when (e is PrimewayUnreachableException || e is FileNotFoundException || e is TimeoutException || e is InvalidOperationException || e is ArgumentException || e is InvalidDataException)
            {
                stderr.WriteLine("primeway: " + e.Message);
                return RequestFailed;
            }
        }

        public static async Task<ServerConnection> ConnectAsync(string? server, TextWriter stderr, CancellationToken ct)
        {
            if (server != null)
                return new ServerConnection(ServerConnection.ParseServer(server), ServerConnection.EnvironmentToken(), ConnectionSource.Explicit);
            var connection = await ServerConnection.ResolveAsync(() => HostLocator.Find(), ct);
            if (connection.Local?.StartedNow == true)
                stderr.WriteLine("primeway: started a local server at " + connection.Server + " (data in " + connection.Local.Directory + "; 'primeway server stop' stops it)");
            return connection;
        }

        private static void WriteTable(TextWriter stdout, System.Collections.Generic.IReadOnlyList<JobRun> runs)
        {
            var rows = runs.Select(r => new[]
            {
                r.Id, r.JobName, r.JobType, r.Status,
                r.StartedAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "",
                r.Duration == null ? "" : FormatDuration(r.Duration.Value),
                r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "",
                r.Url ?? "",
            }).ToList();
            var header = new[] { "RUN", "JOB", "TYPE", "STATUS", "STARTED", "DURATION", "EXIT", "URL" };
            var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
            foreach (var row in new[] { header }.Concat(rows))
                stdout.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }

        private static void WriteSchedules(TextWriter stdout, System.Collections.Generic.IReadOnlyList<JobDefinition> jobs)
        {
            static string Time(DateTimeOffset? at) => at?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";
            var rows = jobs.Select(j => new[] { j.Name, j.JobType, Time(j.NextStart), Time(j.NextEnd) }).ToList();
            var header = new[] { "SCHEDULED JOB", "TYPE", "NEXT START", "NEXT END" };
            var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
            foreach (var row in new[] { header }.Concat(rows))
                stdout.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }

        public static string FormatDuration(TimeSpan duration) =>
            duration.TotalHours >= 1 ? ((int)duration.TotalHours).ToString(CultureInfo.InvariantCulture) + duration.ToString(@"\:mm\:ss", CultureInfo.InvariantCulture)
            : duration.TotalMinutes >= 1 ? duration.ToString(@"m\:ss", CultureInfo.InvariantCulture)
            : duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
    }
}
