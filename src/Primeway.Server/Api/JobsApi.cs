using System;
using System.IO;
using System.Collections.Generic;
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

        /// <summary>A job as the API shows it; next_start and next_end come from its schedule (null without one).</summary>
        public sealed record JobView(string Id, string Name, string JobType, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Definition, object[] Warnings,
            DateTimeOffset? NextStart, DateTimeOffset? NextEnd);

        internal static JobView View(JobRecord job, ScheduleRecord? schedule, params Diagnostic[] warnings) =>
            new JobView(job.Id, job.Name, job.JobType, job.CreatedAt, job.UpdatedAt, job.Yaml, warnings.Select(Problems.ToJson).ToArray(),
                schedule?.NextStartAt, schedule?.NextEndAt);

        private static async Task<Dictionary<string, ScheduleRecord>> SchedulesAsync(IStore store, string owner, CancellationToken ct) =>
            (await store.ListSchedulesAsync(owner, ct).ConfigureAwait(false)).ToDictionary(s => s.JobId, StringComparer.Ordinal);

        private static async Task<IResult> Submit(HttpContext context, IStore store, Runs.ProjectFiles projects, CancellationToken ct)
        {
            var owner = context.GetCaller().Owner;
            var submitted = await JobSubmission.ReadAsync(context.Request, store, projects, owner, ct).ConfigureAwait(false);
            if (submitted.Problem != null) return submitted.Problem;
            var schedules = await SchedulesAsync(store, owner, ct).ConfigureAwait(false);
            var view = View(submitted.Job!, schedules.GetValueOrDefault(submitted.Job!.Id), submitted.Warnings);
            return submitted.Created ? Results.Created("/v1/jobs/" + submitted.Job!.Id, view) : Results.Ok(view);
        }

        private static async Task<IResult> List(HttpContext context, IStore store, CancellationToken ct)
        {
            var owner = context.GetCaller().Owner;
            var jobs = await store.ListJobsAsync(owner, ct).ConfigureAwait(false);
            var schedules = await SchedulesAsync(store, owner, ct).ConfigureAwait(false);
            return Results.Ok(jobs.Select(j => View(j, schedules.GetValueOrDefault(j.Id))).ToList());
        }

        private static async Task<IResult> Get(string id, HttpContext context, IStore store, CancellationToken ct)
        {
            var owner = context.GetCaller().Owner;
            var job = await store.GetJobAsync(owner, id, ct).ConfigureAwait(false);
            if (job == null) return Problems.NotFound("Job", id);
            var schedules = await SchedulesAsync(store, owner, ct).ConfigureAwait(false);
            return Results.Ok(View(job, schedules.GetValueOrDefault(job.Id)));
        }

        private static async Task<IResult> Delete(string id, HttpContext context, IStore store, CancellationToken ct)
        {
            var owner = context.GetCaller().Owner;
            var job = await store.GetJobAsync(owner, id, ct).ConfigureAwait(false);
            if (job == null) return Problems.NotFound("Job", id);
            await store.DeleteJobAsync(owner, job.Id, ct).ConfigureAwait(false);
            await store.DeleteScheduleAsync(job.Id, ct).ConfigureAwait(false);
            return Results.NoContent();
        }
    }
}
