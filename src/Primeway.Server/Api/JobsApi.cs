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
using Primeway.Server.Store;

namespace Primeway.Server.Api
{
    /// <summary>/v1/jobs: job definitions of the caller.</summary>
    public static class JobsApi
    {
        public static void Map(IEndpointRouteBuilder app)
        {
            var jobs = app.MapGroup("/v1/jobs").WithTags("Jobs");
            jobs.MapPost("", Submit).WithSummary("Submit a job file (YAML or JSON); a job of the same name is replaced.")
                .Accepts<string>("application/yaml", "application/json", "multipart/form-data");
            jobs.MapGet("", List).WithSummary("The caller's jobs, newest first.");
            jobs.MapGet("/{id}", Get).WithSummary("One job, by id or name.");
            jobs.MapDelete("/{id}", Delete).WithSummary("Delete a job definition; its runs are kept.");
        }

        public sealed record JobView(string Id, string Name, string JobType, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Definition, object[] Warnings);

        internal static JobView View(JobRecord job, params Diagnostic[] warnings) =>
            new JobView(job.Id, job.Name, job.JobType, job.CreatedAt, job.UpdatedAt, job.Yaml, warnings.Select(Problems.ToJson).ToArray());

        private static async Task<IResult> Submit(HttpContext context, IStore store, Runs.ProjectFiles projects, CancellationToken ct)
        {
            var submitted = await JobSubmission.ReadAsync(context.Request, store, projects, context.GetCaller().Owner, ct).ConfigureAwait(false);
            if (submitted.Problem != null) return submitted.Problem;
            var view = View(submitted.Job!, submitted.Warnings);
            return submitted.Created ? Results.Created("/v1/jobs/" + submitted.Job!.Id, view) : Results.Ok(view);
        }

        private static async Task<IResult> List(HttpContext context, IStore store, CancellationToken ct)
        {
            var jobs = await store.ListJobsAsync(context.GetCaller().Owner, ct).ConfigureAwait(false);
            return Results.Ok(jobs.Select(j => View(j)).ToList());
        }

        private static async Task<IResult> Get(string id, HttpContext context, IStore store, CancellationToken ct)
        {
            var job = await store.GetJobAsync(context.GetCaller().Owner, id, ct).ConfigureAwait(false);
            return job == null ? Problems.NotFound("Job", id) : Results.Ok(View(job));
        }

        private static async Task<IResult> Delete(string id, HttpContext context, IStore store, CancellationToken ct)
        {
            var owner = context.GetCaller().Owner;
            var job = await store.GetJobAsync(owner, id, ct).ConfigureAwait(false);
            if (job == null) return Problems.NotFound("Job", id);
            await store.DeleteJobAsync(owner, job.Id, ct).ConfigureAwait(false);
            return Results.NoContent();
        }
    }
}
