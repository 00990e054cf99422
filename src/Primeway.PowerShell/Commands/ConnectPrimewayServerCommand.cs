using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using Primeway.PowerShell.Server;

namespace Primeway.PowerShell.Commands
{
    /// <summary>
    /// Connect-PrimewayServer: the server the session's commands use, checked before it is remembered. The token is
    /// -Token (a string or a SecureString), else PRIMEWAY_API_TOKEN. -Save also keeps it in the user's profile (0600).
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "PrimewayServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(PSObject))]
    public sealed class ConnectPrimewayServerCommand : PrimewayServerCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Server", "Url")]
        [ValidateNotNullOrEmpty]
        public string Uri { get; set; } = "";

        [Parameter(Position = 1)]
        [SecureStringTransformation]
        public SecureString? Token { get; set; }

        /// <summary>Also store the address and token in the user's profile, for later sessions and the primeway verbs.</summary>
        [Parameter]
        public SwitchParameter Save { get; set; }

        protected override void ProcessRecord()
        {
            Uri server;
            try
            {
                server = ServerConnection.ParseServer(Uri);
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "InvalidServerAddress", ErrorCategory.InvalidArgument, Uri));
                return;
            }
            var token = Token != null ? new NetworkCredential("", Token).Password : ServerConnection.EnvironmentToken();
            var connection = new ServerConnection(server, token, ConnectionSource.Explicit);
            // Checked before it is remembered: a wrong address or token is reported now, not at the next command.
            try
            {
                Await(connection.Client.ListRunsAsync(limit: 1, ct: Cancellation));
            }
            catch (Exception e) when (e is PrimewayApiException || e is PrimewayUnreachableException)
            {
                connection.Dispose();
                if (e is PrimewayApiException api && api.IsUnauthorized && token == null)
                    ThrowTerminatingError(new ErrorRecord(e, "TokenMissing", ErrorCategory.AuthenticationError, server)
                    {
                        ErrorDetails = new ErrorDetails("The server at " + server + " needs a token.") { RecommendedAction = "Pass -Token, or set PRIMEWAY_API_TOKEN." },
                    });
                ThrowTerminatingError(ServerErrors.From(e, server));
                return;
            }

            var sessionConnections = SessionConnections.For(System.Management.Automation.Runspaces.Runspace.DefaultRunspace);
            sessionConnections.Connected?.Dispose();
            sessionConnections.Connected = connection;

            var saved = false;
            if (Save && ShouldProcess(PrimewayHome.ConnectionFile, "Save the connection to " + server + (token != null ? " with its token" : "")))
            {
                new SavedConnection { Server = server.ToString(), Token = token }.Save();
                saved = true;
            }
            WriteObject(Describe(connection, saved));
        }

        internal static PSObject Describe(ServerConnection connection, bool saved)
        {
            var info = new PSObject();
            info.TypeNames.Insert(0, "Primeway.ConnectionInfo");
            info.Properties.Add(new PSNoteProperty("Server", connection.Server));
            info.Properties.Add(new PSNoteProperty("Source", connection.Source.ToString()));
            info.Properties.Add(new PSNoteProperty("HasToken", connection.Token != null));
            info.Properties.Add(new PSNoteProperty("Saved", saved));
            return info;
        }
    }

    /// <summary>
    /// Disconnect-PrimewayServer: forgets the session's connection and the saved one, so commands go to
    /// PRIMEWAY_SERVER when set, else the local server.
    /// </summary>
    [Cmdlet(VerbsCommunications.Disconnect, "PrimewayServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(void))]
    public sealed class DisconnectPrimewayServerCommand : PSCmdlet
    {
        protected override void ProcessRecord()
        {
            var session = SessionConnections.For(System.Management.Automation.Runspaces.Runspace.DefaultRunspace);
            if (session.Connected != null)
            {
                WriteVerbose("Forgetting the connection to " + session.Connected.Server + ".");
                session.Connected.Dispose();
                session.Connected = null;
            }
            if (System.IO.File.Exists(PrimewayHome.ConnectionFile) && ShouldProcess(PrimewayHome.ConnectionFile, "Delete the saved connection"))
                SavedConnection.Delete();
        }
    }
}
