using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Primeway.Server.Auth;
using Primeway.Server.Runs;
using Primeway.Server.Store;

namespace Primeway.Server.Api
{
    /// <summary>/v1/runs and /v1/jobs/{id}/runs: starting, watching, stopping and removing runs.</summary>
    public static class RunsApi
    {
        public static void Map(IEndpointRouteBuilder app)
        {
            app.MapPost("/v1/jobs/{id}/runs", StartStoredJob).WithTags("Runs").WithSummary("Start a run of a stored job.");
            var runs = app.MapGroup("/v1/runs").WithTags("Runs");
            runs.MapPost("", SubmitAndStart).WithSummary("Submit a job file (with its project as multipart when it has project_dir) and start it in one call.")
                .Accepts<string>("application/yaml", "application/json", "multipart/form-data");
            runs.MapGet("", List).WithSummary("The caller's runs, latest first; filter by status and job (id or name).");
            runs.MapGet("/{id}", Get).WithSummary("One run.");
            runs.MapGet("/{id}/logs", Logs).WithSummary("The run's log as text; follow=true streams server-sent events until the run ends; tail=N.");
            runs.MapPost("/{id}/stop", Stop).WithSummary("Stop a run: SIGTERM, then kill after the grace period.");
            runs.MapGet("/{id}/artifacts", DownloadArtifacts).WithSummary("The run's artifacts (what it wrote to /primeway-artifacts) as a zip.");
            runs.MapDelete("/{id}", Delete).WithSummary("Remove a finished run and its log.");
        }

        public sealed record RunView(
            string Id, string JobId, string JobName, string JobType, string Status, string? Reason, int? ExitCode,
            DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds,
            string? HealthStatus, string? Url, string? DirectUrl, bool StopRequested, string StartedBy, double? ColdStartSeconds, string? Node, string? Supervisor,
            string? PipelineRunId, string? StepId);

        /// <summary>The run as the API shows it: a deploy run's url is its gateway address; direct_url is the container's own.</summary>
        public static RunView View(RunRecord run, HttpContext context)
        {
            double? duration = run.StartedAt == null ? null : ((run.EndedAt ?? DateTimeOffset.UtcNow) - run.StartedAt.Value).TotalSeconds;
            var url = run.JobType == "deploy" && run.Url != null
                ? Gateway.GatewayLinks.UrlFor(run.JobName, context.RequestServices.GetRequiredService<ServerOptions>(), context.Request)
                : run.Url;
            return new RunView(run.Id, run.JobId, run.JobName, run.JobType, run.Status, run.Reason, run.ExitCode, run.CreatedAt, run.StartedAt, run.EndedAt,
                duration == null ? null : Math.Round(duration.Value, 3), run.HealthStatus, url, run.Url, run.StopRequested, run.StartedBy, run.ColdStartSeconds, run.Node,
                RunStatus.IsFinished(run.Status) ? null : run.Supervisor, run.PipelineRunId, run.StepId);
        }

        private static async Task<IResult> StartStoredJob(string id, HttpContext context, IStore store, Supervisor supervisor, ProjectFiles projects, CancellationToken ct)
        {
            var job = await store.GetJobAsync(context.GetCaller().Owner, id, ct).ConfigureAwait(false);
            if (job == null) return Problems.NotFound("Job", id);
            if (job.JobType == Scheduling.Scheduler.PipelineType)
                return Problems.Result(StatusCodes.Status409Conflict, "A pipeline, not a job",
                    "'" + job.Name + "' is a stored pipeline: start it with POST /v1/pipelines/" + job.Name + "/runs.");
            var run = await supervisor.SubmitAsync(job, ct).ConfigureAwait(false);
            return Results.Created("/v1/runs/" + run.Id, View(run, context));
        }

        private static async Task<IResult> SubmitAndStart(HttpContext context, IStore store, Supervisor supervisor, ProjectFiles projects, CancellationToken ct)
        {
            var submitted = await JobSubmission.ReadAsync(context.Request, store, projects, context.GetCaller().Owner, ct).ConfigureAwait(false);
            if (submitted.Problem != null) return submitted.Problem;
            var run = await supervisor.SubmitAsync(submitted.Job!, ct).ConfigureAwait(false);
            return Results.Created("/v1/runs/" + run.Id, View(run, context));
        }

        private static async Task<IResult> List(HttpContext context, IStore store, string? status, string? job, int? limit, CancellationToken ct)
        {
            if (status != null && !RunStatus.All.Contains(status))
                return Problems.Result(StatusCodes.Status400BadRequest, "Bad request", "status must be one of " + string.Join(", ", RunStatus.All) + ".");
            var runs = await store.ListRunsAsync(context.GetCaller().Owner, status, job, Math.Clamp(limit ?? 100, 1, 1000), ct).ConfigureAwait(false);
            return Results.Ok(runs.Select(run => View(run, context)).ToList());
        }

        private static async Task<IResult> Get(string id, HttpContext context, IStore store, CancellationToken ct)
        {
            var run = await store.GetRunAsync(context.GetCaller().Owner, id, ct).ConfigureAwait(false);
            return run == null ? Problems.NotFound("Run", id) : Results.Ok(View(run, context));
        }

        private static async Task<IResult> Stop(string id, HttpContext context, IStore store, Supervisor supervisor, CancellationToken ct)
        {
            var run = await store.GetRunAsync(context.GetCaller().Owner, id, ct).ConfigureAwait(false);
            if (run == null) return Problems.NotFound("Run", id);
            if (RunStatus.IsFinished(run.Status))
                return Problems.Result(StatusCodes.Status409Conflict, "Run already finished", "Run '" + id + "' already ended as " + run.Status + "; there is nothing to stop.");
            var stopping = await supervisor.StopAsync(run, ct).ConfigureAwait(false);
            return Results.Accepted("/v1/runs/" + id, View(stopping, context));
        }

        private static async Task<IResult> DownloadArtifacts(string id, HttpContext context, IStore store, Artifacts artifacts, CancellationToken ct)
        {
            var run = await store.GetRunAsync(context.GetCaller().Owner, id, ct).ConfigureAwait(false);
            if (run == null) return Problems.NotFound("Run", id);
            if (!artifacts.Has(id))
                return Problems.Result(StatusCodes.Status404NotFound, "No artifacts",
                    "Run '" + id + "' kept no artifacts: a run job keeps what it writes to /primeway-artifacts (or its artifacts_path).");
            var zip = new MemoryStream();
            artifacts.WriteZip(id, zip);
            zip.Position = 0;
            return Results.File(zip, "application/zip", run.JobName + "-" + id + "-artifacts.zip");
        }

        private static async Task<IResult> Delete(string id, HttpContext context, IStore store, RunLogs logs, ProjectFiles projects, Artifacts artifacts, CancellationToken ct)
        {
            var owner = context.GetCaller().Owner;
            var run = await store.GetRunAsync(owner, id, ct).ConfigureAwait(false);
            if (run == null) return Problems.NotFound("Run", id);
            if (!RunStatus.IsFinished(run.Status))
                return Problems.Result(StatusCodes.Status409Conflict, "Run still active", "Run '" + id + "' is " + run.Status + ": stop it first (POST /v1/runs/" + id + "/stop).");
            await store.DeleteRunAsync(owner, id, ct).ConfigureAwait(false);
            logs.Delete(id);
            projects.Forget(id);
            artifacts.Delete(id);
            return Results.NoContent();
        }

        private static async Task Logs(string id, HttpContext context, IStore store, RunLogs logs, bool? follow, int? tail, bool? timestamps, CancellationToken ct)
        {
            var owner = context.GetCaller().Owner;
            var run = await store.GetRunAsync(owner, id, ct).ConfigureAwait(false);
            if (run == null)
            {
                await Problems.NotFound("Run", id).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            async Task<bool> Finished() => (await store.GetRunAsync(owner, id, CancellationToken.None).ConfigureAwait(false))?.Status is string s && RunStatus.IsFinished(s);
            var lines = logs.ReadAsync(id, tail, follow == true, Finished, ct);
            var response = context.Response;
            if (follow != true)
            {
                response.ContentType = "text/plain; charset=utf-8";
                var text = new StringBuilder();
                await foreach (var line in lines.ConfigureAwait(false)) text.Append(line.ToText(timestamps == true)).Append('\n');
                await response.WriteAsync(text.ToString(), ct).ConfigureAwait(false);
                return;
            }

            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            await response.Body.FlushAsync(ct).ConfigureAwait(false);
            try
            {
                await foreach (var line in lines.ConfigureAwait(false))
                {
                    var data = JsonSerializer.Serialize(new { time = line.Time, stream = line.Stream, text = line.Text });
                    await response.WriteAsync("event: log\ndata: " + data + "\n\n", ct).ConfigureAwait(false);
                    await response.Body.FlushAsync(ct).ConfigureAwait(false);
                }
                var ended = await store.GetRunAsync(owner, id, CancellationToken.None).ConfigureAwait(false);
                var end = JsonSerializer.Serialize(new { status = ended?.Status, reason = ended?.Reason, exit_code = ended?.ExitCode });
                await response.WriteAsync("event: end\ndata: " + end + "\n\n", ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        }
    }
}
