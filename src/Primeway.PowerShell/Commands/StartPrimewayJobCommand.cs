using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Primeway.PowerShell.Server;

namespace Primeway.PowerShell.Commands
{
    /// <summary>
    /// Start-PrimewayJob: validates each job, submits it with its project directory, and returns the JobRun. An
    /// invalid job is a non-terminating error and is not submitted. -Wait streams the log to the information stream
    /// and returns the run when it has ended (a deploy job: once it is healthy); -AsJob returns a PowerShell job.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "PrimewayJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ReturnSet)]
    [OutputType(typeof(JobRun), ParameterSetName = new[] { ReturnSet, WaitSet })]
    [OutputType(typeof(Job2), ParameterSetName = new[] { AsJobSet })]
    public sealed class StartPrimewayJobCommand : PrimewayServerCmdlet
    {
        private const string ReturnSet = "Return";
        private const string WaitSet = "Wait";
        private const string AsJobSet = "AsJob";
        private int progressId = 1;

        /// <summary>JobSpecs from New-PrimewayJob, or validation results from Test-PrimewayJob (through their Job property).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Job")]
        [ValidateNotNull]
        public JobSpec[] InputObject { get; set; } = new JobSpec[0];

        [Parameter(ParameterSetName = WaitSet, Mandatory = true)]
        public SwitchParameter Wait { get; set; }

        [Parameter(ParameterSetName = AsJobSet, Mandatory = true)]
        public SwitchParameter AsJob { get; set; }

        /// <summary>Skip the checks that project_dir and entry_script exist here (they are still packed when they do).</summary>
        [Parameter]
        public SwitchParameter NoFileSystemCheck { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var job in InputObject)
            {
                if (!IsValid(job)) continue;
                var name = job.JobName ?? "(unnamed)";
                if (!ShouldProcess(name + " on " + ServerDescription, "Start the job")) continue;
                if (!TryAwait(ct => Client.StartAsync(job, CurrentFolder, UploadProgress(name), ct), job, out JobRun run)) continue;
                WriteVerbose("Started run " + run.Id + " of " + run.JobName + " on " + run.Server + ".");
                if (Wait) WaitForRun(run);
                else if (AsJob) WriteObject(PrimewayRunJob.Create(JobManager, JobRepository, run, Connection.Token));
                else WriteObject(run);
            }
        }

        private string CurrentFolder => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

        private bool IsValid(JobSpec job)
        {
            var result = JobValidator.Validate(job, new ValidationOptions { CheckFileSystem = !NoFileSystemCheck, BaseDirectory = CurrentFolder });
            foreach (var warning in result.Warnings) WriteWarning(warning.ToString());
            if (result.IsValid) return true;
            WriteError(ServerErrors.InvalidJob(result));
            return false;
        }

        private Action<long, long> UploadProgress(string name)
        {
            var id = progressId++;
            return (sent, total) => Post(() =>
            {
                var record = new ProgressRecord(id, "Uploading the project of " + name, sent + " of " + total + " bytes")
                {
                    PercentComplete = total == 0 ? 100 : (int)(sent * 100 / total),
                    RecordType = sent >= total ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                };
                WriteProgress(record);
            });
        }

        /// <summary>Streams the log while the run goes on; returns the ended run, or a deploy run once it is healthy.</summary>
        private void WaitForRun(JobRun run)
        {
            using var following = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
            var client = Client;
            var log = client.FollowLogAsync(run.Id, line => Post(() => WriteLogLine(line)), ct: following.Token);
            JobRun ended;
            try
            {
                if (!TryAwait(async ct =>
                    {
                        if (run.JobType == "deploy")
                        {
                            // A service's log never ends: follow it until the service is healthy (or has ended).
                            var ready = await client.WaitAsync(run.Id, ct: ct).ConfigureAwait(false);
                            following.Cancel();
                            await Quietly(log).ConfigureAwait(false);
                            return ready;
                        }
                        await log.ConfigureAwait(false);
                        return await client.WaitAsync(run.Id, ct: ct).ConfigureAwait(false);
                    }, run, out ended))
                    return;
            }
            finally
            {
                following.Cancel(); // on any way out, the log stream is closed rather than left reading
            }
            if (ended.Status == "failed" || ended.Status == "terminated") WriteError(ServerErrors.RunFailed(ended));
            WriteObject(ended);
        }

        private static async Task Quietly(Task task)
        {
            try { await task.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
    }
}
