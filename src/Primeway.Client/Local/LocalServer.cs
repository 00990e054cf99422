using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway
{
    /// <summary>What a running local server writes about itself into server.json.</summary>
    public sealed class LocalServerState
    {
        [JsonPropertyName("url")] public string Url { get; set; } = "";
        [JsonPropertyName("pid")] public int ProcessId { get; set; }
        [JsonPropertyName("started_at")] public DateTimeOffset StartedAt { get; set; }
    }

    /// <summary>
    /// The per-user server on 127.0.0.1 that the cmdlets and the primeway verbs use when no server is connected.
    /// It is started on demand as `primeway server --local`, which listens on a free port and writes server.json
    /// (url and pid) into its data directory; its admin token is that directory's admin-token (mode 0600).
    /// Every caller finds it through server.json and reuses it while it answers.
    /// </summary>
    public sealed class LocalServer
    {
        public const string StateFileName = "server.json";
        public const string LogFileName = "server.log";
        private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

        private LocalServer(Uri url, string token, int processId, string directory, bool startedNow)
        {
            Url = url;
            Token = token;
            ProcessId = processId;
            Directory = directory;
            StartedNow = startedNow;
        }

        public Uri Url { get; }
        public string Token { get; }
        public int ProcessId { get; }
        public string Directory { get; }
        /// <summary>Whether this call started it (rather than finding it running).</summary>
        public bool StartedNow { get; }

        public static string StatePath(string directory) => Path.Combine(directory, StateFileName);

        public static LocalServerState? ReadState(string? directory = null)
        {
            var path = StatePath(directory ?? PrimewayHome.LocalServerDirectory);
            try
            {
                return File.Exists(path) ? JsonSerializer.Deserialize<LocalServerState>(File.ReadAllText(path)) : null;
            }
            catch (Exception e) when (e is JsonException || e is IOException)
            {
                return null; // half-written or corrupt: treated as no server, and replaced by the next start
            }
        }

        /// <summary>Called by the local server itself once it listens.</summary>
        public static void WriteState(string directory, Uri url, int processId)
        {
            var state = new LocalServerState { Url = url.ToString(), ProcessId = processId, StartedAt = DateTimeOffset.UtcNow };
            PrimewayHome.WriteOwnerOnlyFile(StatePath(directory), JsonSerializer.Serialize(state));
        }

        /// <summary>Called by the local server as it stops: removes server.json if it still describes this process.</summary>
        public static void ClearState(string directory, int processId)
        {
            var state = ReadState(directory);
            if (state != null && state.ProcessId == processId) File.Delete(StatePath(directory));
        }

        /// <summary>The local server when one runs and accepts its token; null otherwise.</summary>
        public static async Task<LocalServer?> FindRunningAsync(string? directory = null, CancellationToken ct = default)
        {
            directory ??= PrimewayHome.LocalServerDirectory;
            var state = ReadState(directory);
            var token = ReadToken(directory);
            if (state == null || token == null || !Uri.TryCreate(state.Url, UriKind.Absolute, out var url)) return null;
            using var client = new PrimewayClient(url, token, timeout: TimeSpan.FromSeconds(5)) { SafeAttempts = 1 };
            if (!await client.IsHealthyAsync(ct).ConfigureAwait(false)) return null;
            try
            {
                await client.ListRunsAsync(limit: 1, ct: ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PrimewayApiException || e is PrimewayUnreachableException)
            {
                return null; // another server took the port, or the token changed
            }
            return new LocalServer(url, token, state.ProcessId, directory, startedNow: false);
        }

        /// <summary>
        /// The running local server, or a new one started with <paramref name="host"/>. Callers in other processes
        /// wait on a lock file, so two first calls start one server between them.
        /// </summary>
        public static async Task<LocalServer> EnsureRunningAsync(Func<HostCommand?> host, string? directory = null, CancellationToken ct = default)
        {
            directory ??= PrimewayHome.LocalServerDirectory;
            var running = await FindRunningAsync(directory, ct).ConfigureAwait(false);
            if (running != null) return running;

            PrimewayHome.CreateOwnerOnlyDirectory(directory);
            using (await AcquireStartLockAsync(directory, ct).ConfigureAwait(false))
            {
                running = await FindRunningAsync(directory, ct).ConfigureAwait(false);
                if (running != null) return running;
                var command = host() ?? throw new FileNotFoundException(
                    "No server is connected and the primeway executable that runs a local server was not found. Set " + HostLocator.Variable +
                    " to primeway (or primeway.dll), put primeway on PATH, or connect to a server with Connect-PrimewayServer.");
                var state = StatePath(directory);
                if (File.Exists(state)) File.Delete(state);
                using var process = Launch(command, directory);
                var deadline = DateTime.UtcNow + StartLimit;
                while (true)
                {
                    await Task.Delay(100, ct).ConfigureAwait(false);
                    running = await FindRunningAsync(directory, ct).ConfigureAwait(false);
                    if (running != null) return new LocalServer(running.Url, running.Token, running.ProcessId, directory, startedNow: true);
                    if (process.HasExited && ReadState(directory) == null)
                        throw new InvalidOperationException("The local Primeway server (" + command + " server --local) exited with code " + process.ExitCode + " before it answered. " + LogTail(directory));
                    if (DateTime.UtcNow > deadline)
                        throw new TimeoutException("The local Primeway server did not answer within " + StartLimit.TotalSeconds + " s. " + LogTail(directory));
                }
            }
        }

        /// <summary>Stops the local server: SIGTERM, then a kill after <paramref name="grace"/>. Returns the server it stopped, or null when none ran.</summary>
        public static async Task<LocalServerState?> StopAsync(string? directory = null, TimeSpan? grace = null, CancellationToken ct = default)
        {
            directory ??= PrimewayHome.LocalServerDirectory;
            var state = ReadState(directory);
            if (state == null) return null;
            var process = OurProcess(state);
            if (process == null)
            {
                File.Delete(StatePath(directory));
                return null;
            }
            using (process)
            {
                Terminate(process);
                var deadline = DateTime.UtcNow + (grace ?? TimeSpan.FromSeconds(15));
                while (!process.HasExited && DateTime.UtcNow < deadline) await Task.Delay(100, ct).ConfigureAwait(false);
                if (!process.HasExited) process.Kill();
                process.WaitForExit(5000);
            }
            if (File.Exists(StatePath(directory))) File.Delete(StatePath(directory));
            return state;
        }

        private static string? ReadToken(string directory)
        {
            var path = Path.Combine(directory, "admin-token");
            try
            {
                return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
            }
            catch (IOException) { return null; }
        }

        // Only a process that is still primeway (run as primeway or by dotnet) is signalled: a pid in a stale
        // server.json may belong to something else by now.
        private static Process? OurProcess(LocalServerState state)
        {
            try
            {
                var process = Process.GetProcessById(state.ProcessId);
                if (process.ProcessName == "primeway" || process.ProcessName == "dotnet") return process;
                process.Dispose();
                return null;
            }
            catch (ArgumentException) { return null; }
        }

        private static void Terminate(Process process)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) process.Kill();
            else if (Signal.Kill(process.Id, Signal.SIGTERM) != 0) process.Kill();
        }

        private static Process Launch(HostCommand command, string directory)
        {
            var log = Path.Combine(directory, LogFileName);
            ProcessStartInfo start;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                start = new ProcessStartInfo(command.FileName, (command.Assembly != null ? "\"" + command.Assembly + "\" " : "") + "server --local --data \"" + directory + "\"") { CreateNoWindow = true };
            }
            else
            {
                // Through sh so the server's output goes to its log file, not to pipes the caller may close; in a
                // session of its own (setsid, where there is one) so that Ctrl+C in the caller's terminal leaves it running.
                const string script =
                    "if [ -n \\\"$PRIMEWAY_LAUNCH_DLL\\\" ]; then set -- \\\"$PRIMEWAY_LAUNCH_EXE\\\" \\\"$PRIMEWAY_LAUNCH_DLL\\\"; else set -- \\\"$PRIMEWAY_LAUNCH_EXE\\\"; fi; " +
                    "if command -v setsid >/dev/null 2>&1; then set -- setsid \\\"$@\\\"; fi; " +
                    "exec \\\"$@\\\" server --local --data \\\"$PRIMEWAY_LAUNCH_DATA\\\" >>\\\"$PRIMEWAY_LAUNCH_LOG\\\" 2>&1 </dev/null";
                start = new ProcessStartInfo("/bin/sh", "-c \"" + script + "\"");
                start.Environment["PRIMEWAY_LAUNCH_EXE"] = command.FileName;
                start.Environment["PRIMEWAY_LAUNCH_DLL"] = command.Assembly ?? "";
                start.Environment["PRIMEWAY_LAUNCH_LOG"] = log;
                start.Environment["PRIMEWAY_LAUNCH_DATA"] = directory;
            }
            start.UseShellExecute = false;
            // The local server makes its own admin token; a token meant for another server must not become it.
            start.Environment.Remove("PRIMEWAY_API_TOKEN");
            return Process.Start(start) ?? throw new InvalidOperationException("Could not start " + command + ".");
        }

        private static async Task<IDisposable> AcquireStartLockAsync(string directory, CancellationToken ct)
        {
            var path = Path.Combine(directory, "start.lock");
            var deadline = DateTime.UtcNow + StartLimit + TimeSpan.FromSeconds(10);
            while (true)
            {
                try
                {
                    return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200, ct).ConfigureAwait(false);
                }
            }
        }

        private static string LogTail(string directory)
        {
            var log = Path.Combine(directory, LogFileName);
            if (!File.Exists(log)) return "";
            var lines = File.ReadAllLines(log);
            return "Its log (" + log + ") ends with:" + Environment.NewLine + string.Join(Environment.NewLine, lines.Skip(Math.Max(0, lines.Length - 10)));
        }

        private static class Signal
        {
            public const int SIGTERM = 15;

            [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
            public static extern int Kill(int pid, int signal);
        }
    }
}
