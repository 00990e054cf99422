using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Primeway.Server.Auth;
using Primeway.Server.Runs;
using Primeway.Server.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Primeway.Server.Store;

namespace Primeway.Server.Api
{
    /// <summary>
    /// Reads a submitted job: the body as YAML or JSON, or multipart with a 'job' part and, for a job with
    /// project_dir, a 'project' part holding the directory as tar.gz. Validates it and stores it for the owner.
    /// </summary>
    internal static class JobSubmission
    {
        internal static readonly ValidationOptions ServerValidation = new ValidationOptions { CheckFileSystem = false };

        public sealed record Result(JobRecord? Job, bool Created, Diagnostic[] Warnings, IResult? Problem);

        public static async Task<Result> ReadAsync(HttpRequest request, IStore store, ProjectFiles projects, string owner, CancellationToken ct)
        {
            string text;
            IFormFile? project = null;
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(ct).ConfigureAwait(false);
                var jobFile = form.Files.GetFile("job");
                text = jobFile != null ? await ReadAllAsync(jobFile.OpenReadStream(), ct).ConfigureAwait(false) : form["job"].ToString();
                project = form.Files.GetFile("project");
            }
            else
            {
                text = await ReadAllAsync(request.Body, ct).ConfigureAwait(false);
            }
            if (string.IsNullOrWhiteSpace(text))
                return Fail(Problems.Result(StatusCodes.Status400BadRequest, "Empty job",
                    "Send a job file as the body (Content-Type application/yaml or application/json), or as the 'job' part of a multipart form."));

            var read = JobYaml.Read(text, "request");
            if (read.HasErrors) return Fail(Problems.Invalid(read.Diagnostics, "The job file could not be read."));
            if (read.Jobs.Count != 1)
                return Fail(Problems.Result(StatusCodes.Status422UnprocessableEntity, "Invalid job", "Send one job per request; this body holds " + read.Jobs.Count + "."));
            var job = read.Jobs[0];
            var validation = JobValidator.Validate(job, ServerValidation);
            if (!validation.IsValid) return Fail(Problems.Invalid(validation.Diagnostics, "The job is invalid: " + validation.Errors.Length + " error(s)."));
            if (job.ProjectDir != null && project == null && request.HasFormContentType)
                return Fail(Problems.Result(StatusCodes.Status422UnprocessableEntity, "Project missing",
                    "Job '" + job.JobName + "' has project_dir: send the directory as a tar.gz in the multipart part 'project'."));

            // The token in a job file is never kept or echoed.
            job.PrimewayApiToken = null;
            var now = DateTimeOffset.UtcNow;
            var record = new JobRecord(Tokens.NewId("job"), owner, job.JobName!, job.JobType!.Value.ToString().ToLowerInvariant(), JobYaml.Write(job), now, now);
            var (stored, created) = await store.UpsertJobAsync(record, ct).ConfigureAwait(false);
            // A definition saved again unchanged keeps its schedule where it is.
            bool unchanged = !created && stored.UpdatedAt != record.UpdatedAt;
            if (!unchanged) await request.HttpContext.RequestServices.GetRequiredService<Scheduler>().RegisterAsync(stored, job, created, ct).ConfigureAwait(false);
            if (project != null)
            {
                try
                {
                    await using var upload = project.OpenReadStream();
                    await projects.SaveAsync(stored.Id, upload, ct).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    return Fail(Problems.Result(StatusCodes.Status422UnprocessableEntity, "Invalid project", e.Message));
                }
            }
            return new Result(stored, created, validation.Warnings, null);
        }

        private static Result Fail(IResult problem) => new Result(null, false, Array.Empty<Diagnostic>(), problem);

        private static async Task<string> ReadAllAsync(Stream stream, CancellationToken ct)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        }
    }
}
