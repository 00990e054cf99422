using System;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway
{
    public enum ConnectionSource
    {
        /// <summary>Given by the caller: Connect-PrimewayServer, or --server.</summary>
        Explicit,
        /// <summary>PRIMEWAY_SERVER.</summary>
        Environment,
        /// <summary>connection.json in the user's profile (Connect-PrimewayServer -Save).</summary>
        Saved,
        /// <summary>The local server on 127.0.0.1, started on demand.</summary>
        Local,
    }

    /// <summary>
    /// A server to talk to and its client. The module and the primeway verbs resolve it the same way: an explicit
    /// address, else PRIMEWAY_SERVER, else the saved connection, else the local server (started when none runs).
    /// The token is the explicit one, else the one saved with the connection, else PRIMEWAY_API_TOKEN.
    /// </summary>
    public sealed class ServerConnection : IDisposable
    {
        public const string ServerVariable = "PRIMEWAY_SERVER";
        public const string TokenVariable = "PRIMEWAY_API_TOKEN";

        public ServerConnection(Uri server, string? token, ConnectionSource source, LocalServer? local = null)
        {
            Server = server;
            Token = token;
            Source = source;
            Local = local;
            Client = new PrimewayClient(server, token);
        }

        public Uri Server { get; }
        public string? Token { get; }
        public ConnectionSource Source { get; }
        /// <summary>The local server, when that is what this connection uses.</summary>
        public LocalServer? Local { get; }
        public PrimewayClient Client { get; }

        /// <summary>The server named by PRIMEWAY_SERVER or the saved connection; null when neither names one.</summary>
        public static ServerConnection? Configured()
        {
            var fromEnvironment = System.Environment.GetEnvironmentVariable(ServerVariable);
            if (!string.IsNullOrEmpty(fromEnvironment))
                return new ServerConnection(ParseServer(fromEnvironment!), EnvironmentToken(), ConnectionSource.Environment);
            var saved = SavedConnection.Load();
            return saved == null ? null : new ServerConnection(new Uri(saved.Server), saved.Token ?? EnvironmentToken(), ConnectionSource.Saved);
        }

        /// <summary>The configured server, else the local one, started on demand with <paramref name="host"/>.</summary>
        public static async Task<ServerConnection> ResolveAsync(Func<HostCommand?> host, CancellationToken ct = default)
        {
            var configured = Configured();
            if (configured != null) return configured;
            var local = await LocalServer.EnsureRunningAsync(host, null, ct).ConfigureAwait(false);
            return new ServerConnection(local.Url, local.Token, ConnectionSource.Local, local);
        }

        public static string? EnvironmentToken()
        {
            var token = System.Environment.GetEnvironmentVariable(TokenVariable);
            return string.IsNullOrWhiteSpace(token) ? null : token!.Trim();
        }

        /// <summary>An absolute http(s) address; a bare host:port is taken as http.</summary>
        public static Uri ParseServer(string text)
        {
            var withScheme = text.Contains("://") ? text : "http://" + text;
            if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw new ArgumentException("'" + text + "' is not a server address. Use http://host:port or https://host.");
            return uri;
        }

        public void Dispose() => Client.Dispose();
    }
}
