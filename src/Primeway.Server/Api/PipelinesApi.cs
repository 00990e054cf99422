using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Primeway.Server.Auth;
using Primeway.Server.Pipelines;
using Primeway.Server.Store;

namespace Primeway.Server.Api
{
    /// <summary>/v1/pipeline-runs: start a pipeline file, watch its steps, stop it. Each step is an ordinary run under /v1/runs.</summary>
    public static class PipelinesApi
    {
        public static void Map(IEndpointRouteBuilder app)
        {
            var runs = app.MapGroup("/v1/pipeline-runs").WithTags("Pipelines");
            runs.MapPost("", Start).WithSummary("Validate a pipeline file and start it.").Accepts<string>("application/yaml", "application/json");
            runs.MapGet("/{id}", Get).WithSummary("A pipeline run and the status of each of its steps, with the step's run.");
            runs.MapPost("/{id}/stop", Stop).WithSummary("Start no more steps and stop the running ones.");
        }

        public sealed record StepView(string Id, string JobName, string JobType, string Status, string? RunId, string[] Dependencies, string[] Inputs);

        public sealed record PipelineRunView(string Id, string PipelineName, string Status, string? Reason, DateTimeOffset CreatedAt, DateTimeOffset? EndedAt,
            bool StopRequested, StepView[] Steps);

        private static async Task<PipelineRunView> ViewAsync(PipelineRunRecord run, IStore store, CancellationToken ct)
        {
            var pipeline = PipelineSteps.Parse(run);
            var runs = PipelineSteps.LatestRuns(await store.ListStepRunsAsync(run.Id, ct).ConfigureAwait(false));
            var statuses = PipelineSteps.Statuses(pipeline, runs, run.StopRequested || run.Status != Store.RunStatus.Running);
            var steps = pipeline.Steps.Select(s => new StepView(s.Id!, s.Job.JobName!, s.Job.JobType == JobType.Deploy ? "deploy" : "run",
                statuses[s.Id!] == PipelineSteps.Ready ? PipelineSteps.Waiting : statuses[s.Id!], runs.TryGetValue(s.Id!, out var r) ? r.Id : null,
                s.Dependencies.ToArray(), s.Inputs.ToArray())).ToArray();
            return new PipelineRunView(run.Id, run.PipelineName, run.Status, run.Reason, run.CreatedAt, run.EndedAt, run.StopRequested, steps);
        }

        private static async Task<IResult> Start(HttpContext context, IStore store, PipelineRunner runner, CancellationToken ct)
        {
            string text;
            using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
                text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            var read = PipelineYaml.Read(text, "request");
            if (read.HasErrors || read.Pipeline == null) return Problems.Invalid(read.Diagnostics, "The pipeline file could not be read.");
            var validation = PipelineValidator.Validate(read.Pipeline, JobSubmission.ServerValidation);
            if (!validation.IsValid) return Problems.Invalid(validation.Diagnostics, "The pipeline is invalid: " + validation.Errors.Length + " error(s).");
            var withProject = read.Pipeline.Steps.FirstOrDefault(s => s.Job.ProjectDir != null);
            if (withProject != null)
                return Problems.Result(StatusCodes.Status422UnprocessableEntity, "Invalid pipeline",
                    "Step '" + withProject.Id + "' has project_dir; pipeline steps on a server run from images only for now. Build and push an image, and name it in docker_image.");
            foreach (var step in read.Pipeline.Steps) step.Job.PrimewayApiToken = null;
            var run = await runner.StartAsync(read.Pipeline, text, context.GetCaller().Owner, ct).ConfigureAwait(false);
            return Results.Created("/v1/pipeline-runs/" + run.Id, await ViewAsync(run, store, ct).ConfigureAwait(false));
        }

        private static async Task<IResult> Get(string id, HttpContext context, IStore store, CancellationToken ct)
        {
            var run = await store.GetPipelineRunAsync(context.GetCaller().Owner, id, ct).ConfigureAwait(false);
            return run == null ? Problems.NotFound("Pipeline run", id) : Results.Ok(await ViewAsync(run, store, ct).ConfigureAwait(false));
        }

        private static async Task<IResult> Stop(string id, HttpContext context, IStore store, PipelineRunner runner, CancellationToken ct)
        {
            var run = await store.GetPipelineRunAsync(context.GetCaller().Owner, id, ct).ConfigureAwait(false);
            if (run == null) return Problems.NotFound("Pipeline run", id);
            if (run.Status != Store.RunStatus.Running)
                return Problems.Result(StatusCodes.Status409Conflict, "Pipeline run already finished", "Pipeline run '" + id + "' already ended as " + run.Status + ".");
            var stopping = await runner.StopAsync(run, ct).ConfigureAwait(false);
            return Results.Accepted("/v1/pipeline-runs/" + id, await ViewAsync(stopping, store, ct).ConfigureAwait(false));
        }
    }
}
