using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

using System.Threading;
using System.Threading.Tasks;

namespace Primeway.PowerShell.Server
{
    /// <summary>
    /// A run on a server as a PowerShell job (Start-PrimewayJob -AsJob). It follows the run's log into its
    /// information stream and, when the run ends, puts the ended JobRun into its output: Completed for a run that
    /// completed, Failed (with an error) for one that failed, Stopped for one that was stopped. Stop-Job stops the run.
    /// </summary>
    public sealed class PrimewayRunJob : Job2
    {
        public const string TypeName = "PrimewayJob";
        private readonly PrimewayClient client;
        private readonly CancellationTokenSource following = new CancellationTokenSource();
        private int started;

        internal PrimewayRunJob(JobRun run, string? token)
            : base("Start-PrimewayJob " + run.JobName, run.JobName)
        {
            Run = run;
            client = new PrimewayClient(run.Server!, token);
            PSJobTypeName = TypeName;
        }

        /// <summary>The run as last seen: as started, then as it ended.</summary>
        public JobRun Run { get; private set; }

        public override string Location => Run.Server?.ToString() ?? "";

        public override string StatusMessage => Run.Status;

        public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Information.Count > 0;

        /// <summary>Makes the job through the module's JobSourceAdapter (so Get-Job and Remove-Job find it) and starts it.</summary>
        internal static PrimewayRunJob Create(JobManager manager, JobRepository repository, JobRun run, string? token)
        {
            PrimewayRunJob job;
            if (manager.IsRegistered(nameof(PrimewayJobSourceAdapter)))
            {
                var parameters = new CommandParameterCollection { new CommandParameter(PrimewayJobSourceAdapter.RunParameter, run), new CommandParameter(PrimewayJobSourceAdapter.TokenParameter, token) };
                var definition = new System.Management.Automation.JobDefinition(typeof(PrimewayJobSourceAdapter), "Start-PrimewayJob " + run.JobName, run.JobName);
                job = (PrimewayRunJob)manager.NewJob(new JobInvocationInfo(definition, new[] { parameters }));
            }
            else
            {
                // The adapter is registered when the module is imported; a cmdlet added to a session by hand falls back to the repository.
                job = new PrimewayRunJob(run, token);
                repository.Add(job);
            }
            job.StartJob();
            return job;
        }

        public override void StartJob()
        {
            if (Interlocked.Exchange(ref started, 1) == 1) return;
            SetJobState(JobState.Running);
            Task.Run(FollowAsync);
        }

        public override void StartJobAsync()
        {
            StartJob();
            OnStartJobCompleted(new AsyncCompletedEventArgs(null, false, null));
        }

        private async Task FollowAsync()
        {
            try
            {
                await client.FollowLogAsync(Run.Id, line => Information.Add(new InformationRecord(new HostInformationMessage { Message = line.Text }, "Primeway")
                {
                    Tags = { "PSHOST", "Primeway", "Log", line.Stream.Length > 0 ? line.Stream : "stdout" },
                }), ct: following.Token).ConfigureAwait(false);
                Finish(await client.WaitAsync(Run.Id, ct: following.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (following.IsCancellationRequested)
            {
                // Stop-Job: StopJob settles the state.
            }
            catch (Exception e)
            {
                Error.Add(ServerErrors.From(e, Run));
                SetJobState(JobState.Failed);
            }
        }

        private void Finish(JobRun ended)
        {
            Run = ended;
            Output.Add(PSObject.AsPSObject(ended));
            switch (ended.Status)
            {
                case "completed": SetJobState(JobState.Completed); break;
                case "stopped": SetJobState(JobState.Stopped); break;
                default:
                    Error.Add(ServerErrors.RunFailed(ended));
                    SetJobState(JobState.Failed);
                    break;
            }
        }

        /// <summary>Stops the run on the server and waits until it has ended.</summary>
        public override void StopJob()
        {
            if (IsFinishedState(JobStateInfo.State)) return;
            SetJobState(JobState.Stopping);
            following.Cancel();
            try
            {
                try { client.StopRunAsync(Run.Id).GetAwaiter().GetResult(); }
                catch (PrimewayApiException e) when (e.IsConflict) { }
                Run = client.WaitAsync(Run.Id, TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
                Output.Add(PSObject.AsPSObject(Run));
            }
            catch (Exception e) when (e is PrimewayApiException || e is PrimewayUnreachableException || e is TimeoutException)
            {
                Error.Add(ServerErrors.From(e, Run));
            }
            SetJobState(JobState.Stopped);
        }

        public override void StopJobAsync()
        {
            Task.Run(() =>
            {
                StopJob();
                OnStopJobCompleted(new AsyncCompletedEventArgs(null, false, null));
            });
        }

        public override void StopJob(bool force, string reason) => StopJob();

        public override void StopJobAsync(bool force, string reason) => StopJobAsync();

        public override void SuspendJob() => throw new NotSupportedException("A Primeway run cannot be suspended; stop it with Stop-Job.");

        public override void SuspendJobAsync() => SuspendJob();

        public override void SuspendJob(bool force, string reason) => SuspendJob();

        public override void SuspendJobAsync(bool force, string reason) => SuspendJob();

        public override void ResumeJob() => throw new NotSupportedException("A Primeway run cannot be suspended or resumed.");

        public override void ResumeJobAsync() => ResumeJob();

        public override void UnblockJob() => throw new NotSupportedException("A Primeway run never blocks.");

        public override void UnblockJobAsync() => UnblockJob();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                following.Cancel();
                client.Dispose();
            }
            base.Dispose(disposing);
        }

        private static bool IsFinishedState(JobState state) =>
            state == JobState.Completed || state == JobState.Failed || state == JobState.Stopped;
    }
}
