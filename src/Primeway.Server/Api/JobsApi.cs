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
                .Accepts<string>("application/yaml", "application/json", "text/yaml");
            jobs.MapGet("", List).WithSummary("The caller's jobs, newest first.");
            jobs.MapGet("/{id}", Get).WithSummary("One job, by id or name.");
            jobs.MapDelete("/{id}", Delete).WithSummary("Delete a job definition; its runs are kept.");
        }

        public sealed record JobView(string Id, string Name, string JobType, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Definition, object[] Warnings);

        internal static JobView View(JobRecord job, params Diagnostic[] warnings) =>
            new JobView(job.Id, job.Name, job.JobType, job.CreatedAt, job.UpdatedAt, job.Yaml, warnings.Select(Problems.ToJson).ToArray());

        private static async Task<IResult> Submit(HttpContext context, IStore store, CancellationToken ct)
        {
            var (job, problem) = await ReadJobAsync(context.Request, ct).ConfigureAwait(false);
            if (problem != null) return problem;
            var warnings = JobValidator.Validate(job!, ServerValidation).Warnings;
            var (record, created) = await StoreJobAsync(store, context.GetCaller().Owner, job!, ct).ConfigureAwait(false);
            var view = View(record, warnings);
            return created ? Results.Created("/v1/jobs/" + record.Id, view) : Results.Ok(view);
        }

        internal static readonly ValidationOptions ServerValidation = new ValidationOptions { CheckFileSystem = false };

        /// <summary>Reads one job from the request body and validates it; an invalid job gives a 422 problem.</summary>
        internal static async Task<(JobSpec? Job, IResult? Problem)> ReadJobAsync(HttpRequest request, CancellationToken ct)
        {
            string text;
            using (var reader = new StreamReader(request.Body, Encoding.UTF8))
                text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(text))
                return (null, Problems.Result(StatusCodes.Status400BadRequest, "Empty body", "Send a job file as the body, with Content-Type application/yaml or application/json."));

            var read = JobYaml.Read(text, "request");
            if (read.HasErrors) return (null, Problems.Invalid(read.Diagnostics, "The job file could not be read."));
            if (read.Jobs.Count != 1)
                return (null, Problems.Result(StatusCodes.Status422UnprocessableEntity, "Invalid job", "Send one job per request; this body holds " + read.Jobs.Count + "."));
            var job = read.Jobs[0];
            var result = JobValidator.Validate(job, ServerValidation);
            if (!result.IsValid) return (null, Problems.Invalid(result.Diagnostics, "The job is invalid: " + result.Errors.Length + " error(s)."));
            return (job, null);
        }

        /// <summary>Stores the definition without the API token: a token in a job file is never kept or echoed.</summary>
        internal static Task<(JobRecord Job, bool Created)> StoreJobAsync(IStore store, string owner, JobSpec job, CancellationToken ct)
        {
            job.PrimewayApiToken = null;
            var now = DateTimeOffset.UtcNow;
            var record = new JobRecord(Tokens.NewId("job"), owner, job.JobName!, job.JobType!.Value.ToString().ToLowerInvariant(), JobYaml.Write(job), now, now);
            return store.UpsertJobAsync(record, ct);
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
