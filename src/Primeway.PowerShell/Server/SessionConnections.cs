using System.Collections.Generic;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace Primeway.PowerShell.Server
{
    /// <summary>
    /// What each runspace remembers: the server it connected to with Connect-PrimewayServer, and whether it has
    /// been told where the local server is. Keyed by runspace, so sessions side by side never share a connection.
    /// </summary>
    internal sealed class SessionConnections
    {
        private static readonly ConditionalWeakTable<Runspace, SessionConnections> BySession = new ConditionalWeakTable<Runspace, SessionConnections>();

        public ServerConnection? Connected { get; set; }

        /// <summary>The local server addresses this session has been told about.</summary>
        public HashSet<string> AnnouncedLocalServers { get; } = new HashSet<string>();

        public static SessionConnections For(Runspace runspace) => BySession.GetValue(runspace, _ => new SessionConnections());
    }
}
