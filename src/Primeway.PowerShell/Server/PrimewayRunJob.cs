using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
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
        private readonly object settling = new object();
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
                Settle(null, JobState.Failed, ServerErrors.From(e, Run));
            }
        }

        private void Finish(JobRun ended)
        {
            switch (ended.Status)
            {
                case "completed": Settle(ended, JobState.Completed, null); break;
                case "stopped": Settle(ended, JobState.Stopped, null); break;
                default: Settle(ended, JobState.Failed, ServerErrors.RunFailed(ended)); break;
            }
        }

        /// <summary>Ends the job once: the follower and Stop-Job may both get here when a run ends as it is stopped.</summary>
        private void Settle(JobRun? ended, JobState state, ErrorRecord? error)
        {
            lock (settling)
            {
                if (IsFinishedState(JobStateInfo.State)) return;
                if (ended != null)
                {
                    Run = ended;
                    Output.Add(PSObject.AsPSObject(ended));
                }
                if (error != null) Error.Add(error);
                SetJobState(state);
            }
        }

        /// <summary>Stops the run on the server and waits until it has ended.</summary>
        public override void StopJob()
        {
            lock (settling)
            {
                if (IsFinishedState(JobStateInfo.State)) return;
                SetJobState(JobState.Stopping);
            }
            following.Cancel();
            try
            {
                try { client.StopRunAsync(Run.Id).GetAwaiter().GetResult(); }
                catch (PrimewayApiException e) when (e.IsConflict) { }
                Settle(client.WaitAsync(Run.Id, TimeSpan.FromSeconds(60), RunStatuses.All.Where(RunStatuses.IsFinished).ToList()).GetAwaiter().GetResult(), JobState.Stopped, null);
            }
            catch (Exception e) when (e is PrimewayApiException || e is PrimewayUnreachableException || e is TimeoutException)
            {
                Settle(null, JobState.Stopped, ServerErrors.From(e, Run));
            }
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
