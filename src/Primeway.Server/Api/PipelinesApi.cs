using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Primeway.Server.Auth;
using Primeway.Server.Runs;
using Primeway.Server.Store;

namespace Primeway.Server.Api
{
    /// <summary>/v1/pipeline-runs: start a pipeline file, watch its steps, stop it.</summary>
    public static class PipelinesApi
    {
        public static void Map(IEndpointRouteBuilder app)
        {
            var stored = app.MapGroup("/v1/pipelines").WithTags("Pipelines");
            stored.MapPost("", Store).WithSummary("Store a pipeline file (a pipeline of the same name is replaced); its schedule, if any, starts it. Listed with the jobs (job_type pipeline).")
                .Accepts<string>("application/yaml", "application/json");
            stored.MapPost("/{name}/runs", StartStored).WithSummary("Start a run of a stored pipeline.");

            var pipelines = app.MapGroup("/v1/pipeline-runs").WithTags("Pipelines");
            pipelines.MapPost("", Start).WithSummary("Start a pipeline file (application/yaml or application/json). 422 with diagnostics when it is invalid.")
                .Accepts<string>("application/yaml", "application/json");
            pipelines.MapGet("", List).WithSummary("The caller's pipeline runs, latest first; filter by status.");
            pipelines.MapGet("/{id}", Get).WithSummary("One pipeline run with the status and run of each step.");
            pipelines.MapPost("/{id}/stop", Stop).WithSummary("Stop a pipeline run: its running steps are stopped, the rest skipped.");
        }

        public sealed record StepView(string Id, string JobName, string JobType, string Status, string? RunId, string[] Dependencies, string[] Inputs,
            int? ExitCode, string? Url);

        public sealed record PipelineRunView(string Id, string PipelineName, string Status, string? Reason, DateTimeOffset CreatedAt, DateTimeOffset? EndedAt,
            double? DurationSeconds, bool StopRequested, IReadOnlyList<StepView> Steps);

        public static PipelineRunView View(PipelineRunRecord run, IReadOnlyList<RunRecord> stepRuns)
        {
            var pipeline = PipelineYaml.Read(run.Yaml).Pipeline!;
            var steps = PipelineRunner.States(pipeline, stepRuns, run.StopRequested).Select(s => new StepView(
                s.Step.Id!, s.Step.Job.JobName!, s.Step.Job.JobType == JobType.Deploy ? "deploy" : "run", s.Status, s.Run?.Id,
                s.Step.Dependencies.ToArray(), s.Step.Inputs.ToArray(), s.Run?.ExitCode, s.Run?.Url)).ToList();
            var duration = ((run.EndedAt ?? DateTimeOffset.UtcNow) - run.CreatedAt).TotalSeconds;
            return new PipelineRunView(run.Id, run.PipelineName, run.Status, run.Reason, run.CreatedAt, run.EndedAt, Math.Round(duration, 3), run.StopRequested, steps);
        }

        /// <summary>The pipeline in the body, valid and runnable by the server; or the problem to answer with.</summary>
        private static async Task<(PipelineSpec? Pipeline, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken ct)
        {
            string text;
            using (var reader = new StreamReader(request.Body, Encoding.UTF8))
                text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            var read = PipelineYaml.Read(text, "request");
            if (read.Pipeline == null) return (null, Problems.Invalid(read.Diagnostics, "The pipeline file could not be read."));
            var validation = PipelineValidator.Validate(read.Pipeline, JobSubmission.ServerValidation);
            if (!validation.IsValid) return (null, Problems.Invalid(validation.Diagnostics, "The pipeline is invalid: " + validation.Errors.Length + " error(s)."));
            var withProject = read.Pipeline.Steps.FirstOrDefault(s => s.Job.ProjectDir != null);
            if (withProject != null)
                return (null, Problems.Result(StatusCodes.Status422UnprocessableEntity, "Project steps not supported",
                    "Step '" + withProject.Id + "' has project_dir: pipeline steps run from images for now. Build the image first, or run the step as a job."));
            foreach (var step in read.Pipeline.Steps) step.Job.PrimewayApiToken = null;
            return (read.Pipeline, null);
        }

        private static async Task<IResult> Start(HttpContext context, PipelineRunner runner, CancellationToken ct)
        {
            var (pipeline, problem) = await ReadAsync(context.Request, ct).ConfigureAwait(false);
            if (problem != null) return problem;
            var run = await runner.StartAsync(pipeline!, context.GetCaller().Owner, ct).ConfigureAwait(false);
            return Results.Created("/v1/pipeline-runs/" + run.Id, View(run, Array.Empty<RunRecord>()));
        }

        private static async Task<IResult> Store(HttpContext context, IStore store, Scheduling.Scheduler scheduler, CancellationToken ct)
        {
            var (pipeline, problem) = await ReadAsync(context.Request, ct).ConfigureAwait(false);
            if (problem != null) return problem;
            var now = DateTimeOffset.UtcNow;
            var record = new JobRecord(Tokens.NewId("job"), context.GetCaller().Owner, pipeline!.PipelineName!, Scheduling.Scheduler.PipelineType, PipelineYaml.Write(pipeline), now, now);
            var existing = await store.GetJobAsync(record.Owner, record.Name, ct).ConfigureAwait(false);
            if (existing != null && existing.JobType != Scheduling.Scheduler.PipelineType)
                return Problems.Result(StatusCodes.Status409Conflict, "Name taken by a job",
                    "A job named '" + record.Name + "' exists; pipelines and jobs share names. Rename the pipeline or delete the job.");
            var (stored, created) = await store.UpsertJobAsync(record, ct).ConfigureAwait(false);
            if (created || stored.UpdatedAt == record.UpdatedAt)
                await scheduler.RegisterAsync(stored, Scheduling.Scheduler.ScheduledSpec(stored) ?? new JobSpec(), created, ct).ConfigureAwait(false);
            var schedule = (await store.ListSchedulesAsync(stored.Owner, ct).ConfigureAwait(false)).FirstOrDefault(s => s.JobId == stored.Id);
            var view = JobsApi.View(stored, schedule);
            return created ? Results.Created("/v1/jobs/" + stored.Id, view) : Results.Ok(view);
        }

        private static async Task<IResult> StartStored(string name, HttpContext context, IStore store, PipelineRunner runner, CancellationToken ct)
        {
            var job = await store.GetJobAsync(context.GetCaller().Owner, name, ct).ConfigureAwait(false);
            if (job == null || job.JobType != Scheduling.Scheduler.PipelineType) return Problems.NotFound("Pipeline", name);
            var run = await runner.StartAsync(PipelineYaml.Read(job.Yaml).Pipeline!, job.Owner, ct).ConfigureAwait(false);
            return Results.Created("/v1/pipeline-runs/" + run.Id, View(run, Array.Empty<RunRecord>()));
        }

        private static async Task<IResult> List(HttpContext context, IStore store, string? status, int? limit, CancellationToken ct)
        {
            var runs = await store.ListPipelineRunsAsync(context.GetCaller().Owner, status, Math.Clamp(limit ?? 100, 1, 1000), ct).ConfigureAwait(false);
            var views = new List<PipelineRunView>();
            foreach (var run in runs) views.Add(View(run, await store.ListStepRunsAsync(run.Id, ct).ConfigureAwait(false)));
            return Results.Ok(views);
        }

        private static async Task<IResult> Get(string id, HttpContext context, IStore store, CancellationToken ct)
        {
            var run = await store.GetPipelineRunAsync(context.GetCaller().Owner, id, ct).ConfigureAwait(false);
            return run == null ? Problems.NotFound("Pipeline run", id) : Results.Ok(View(run, await store.ListStepRunsAsync(id, ct).ConfigureAwait(false)));
        }

        private static async Task<IResult> Stop(string id, HttpContext context, IStore store, PipelineRunner runner, CancellationToken ct)
        {
            var run = await store.GetPipelineRunAsync(context.GetCaller().Owner, id, ct).ConfigureAwait(false);
            if (run == null) return Problems.NotFound("Pipeline run", id);
            if (PipelineStatus.IsFinished(run.Status))
                return Problems.Result(StatusCodes.Status409Conflict, "Pipeline run already finished", "Pipeline run '" + id + "' is " + run.Status + "; there is nothing to stop.");
            await runner.StopPipelineAsync(run, ct).ConfigureAwait(false);
            var after = await store.GetPipelineRunAsync(context.GetCaller().Owner, id, ct).ConfigureAwait(false) ?? run;
            return Results.Accepted("/v1/pipeline-runs/" + id, View(after, await store.ListStepRunsAsync(id, ct).ConfigureAwait(false)));
        }
    }
}
