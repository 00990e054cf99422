using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.PowerShell.Server
{
    /// <summary>
    /// What the cmdlets that talk to a server share: finding the server (the session's connection, else
    /// PRIMEWAY_SERVER or the saved one, else the local server, started on demand and announced once per session),
    /// cancellation on Ctrl+C, async work with every Write* kept on the pipeline thread, and ErrorRecords that say what to do.
    /// </summary>
    public abstract class PrimewayServerCmdlet : PSCmdlet, IDisposable
    {
        private readonly Pump pump = new Pump();
        private readonly CancellationTokenSource cancellation = new CancellationTokenSource();
        private ServerConnection? connection;
        private bool ownsConnection;
        private SessionConnections? session;

        protected CancellationToken Cancellation => cancellation.Token;

        private SessionConnections Session => session ??= SessionConnections.For(Runspace.DefaultRunspace);

        protected override void BeginProcessing()
        {
            session = SessionConnections.For(Runspace.DefaultRunspace);
        }

        protected override void StopProcessing() => cancellation.Cancel();

        /// <summary>Where the commands go, in words, without starting anything (for -WhatIf and confirmation prompts).</summary>
        protected string ServerDescription
        {
            get
            {
                if (Session.Connected != null) return Session.Connected.Server.ToString();
                var configured = Environment.GetEnvironmentVariable(ServerConnection.ServerVariable);
                if (!string.IsNullOrEmpty(configured)) return configured!;
                return SavedConnection.Load()?.Server ?? "the local Primeway server";
            }
        }

        /// <summary>The server to talk to, resolved once per command; null after a terminating error has been thrown.</summary>
        protected ServerConnection Connection
        {
            get
            {
                if (connection != null) return connection;
                if (Session.Connected != null) return connection = Session.Connected;
                try
                {
                    connection = Await(ServerConnection.ResolveAsync(() => HostLocator.Find(ModuleBase), Cancellation));
                }
                catch (Exception e) when (e is System.IO.FileNotFoundException || e is InvalidOperationException || e is TimeoutException || e is System.IO.IOException)
                {
                    ThrowTerminatingError(ServerErrors.LocalServerUnavailable(e));
                }
                catch (Exception e) when (e is PrimewayApiException || e is PrimewayUnreachableException || e is ArgumentException || e is System.IO.InvalidDataException)
                {
                    ThrowTerminatingError(ServerErrors.From(e, null));
                }
                ownsConnection = true;
                if (connection!.Local != null && Session.AnnouncedLocalServers.Add(connection.Server.ToString()))
                    Say((connection.Local.StartedNow ? "Started the local Primeway server at " : "Using the local Primeway server at ") + connection.Server +
                        " (data in " + connection.Local.Directory + "; 'primeway server stop' stops it).");
                return connection;
            }
        }

        protected PrimewayClient Client => Connection.Client;

        /// <summary>The folder of Primeway.psd1, where the primeway executable is looked for.</summary>
        private string? ModuleBase => MyInvocation.MyCommand.Module?.ModuleBase;

        /// <summary>Runs async work to its end, doing its posted writes on the pipeline thread meanwhile.</summary>
        protected T Await<T>(Task<T> task) => pump.Wait(task);

        protected void Await(Task task) => pump.Wait(task);

        /// <summary>From a worker thread: do this on the pipeline thread.</summary>
        protected void Post(Action action) => pump.Post(action);

        /// <summary>
        /// Runs one request for one input; a failure becomes a non-terminating error for that input, so the rest
        /// of the pipeline goes on. Ctrl+C ends the command.
        /// </summary>
        protected bool TryAwait<T>(Func<CancellationToken, Task<T>> request, object? target, out T result)
        {
            result = default!;
            try
            {
                result = Await(request(Cancellation));
                return true;
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception e) when (e is PrimewayApiException || e is PrimewayUnreachableException || e is TimeoutException || e is System.IO.IOException)
            {
                WriteError(ServerErrors.From(e, target));
                return false;
            }
        }

        protected bool TryAwait(Func<CancellationToken, Task> request, object? target) =>
            TryAwait(async ct => { await request(ct).ConfigureAwait(false); return true; }, target, out _);

        /// <summary>A message for the user that shows in the console (as Write-Host does) and can be captured from the information stream.</summary>
        protected void Say(string message) =>
            WriteInformation(new InformationRecord(new HostInformationMessage { Message = message }, MyInvocation.MyCommand.Name) { Tags = { "PSHOST", "Primeway" } });

        /// <summary>One log line on the information stream, tagged with its stream, shown in the console.</summary>
        protected void WriteLogLine(LogEntry line) =>
            WriteInformation(new InformationRecord(new HostInformationMessage { Message = line.Text }, "Primeway")
            {
                Tags = { "PSHOST", "Primeway", "Log", line.Stream.Length > 0 ? line.Stream : "stdout" },
                TimeGenerated = line.Time.LocalDateTime,
            });

        /// <summary>PowerShell disposes the cmdlet when its pipeline ends, however it ends (a terminating error skips EndProcessing).</summary>
        public void Dispose()
        {
            if (ownsConnection) connection?.Dispose();
            connection = null;
            ownsConnection = false;
            cancellation.Dispose();
        }
    }
}
