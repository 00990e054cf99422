using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Primeway
{
    /// <summary>How to start the primeway executable: an apphost, or dotnet with primeway.dll.</summary>
    public sealed class HostCommand
    {
        public HostCommand(string fileName, string? assembly)
        {
            FileName = fileName;
            Assembly = assembly;
        }

        /// <summary>The program to start: primeway itself, or dotnet when <see cref="Assembly"/> is set.</summary>
        public string FileName { get; }

        /// <summary>primeway.dll, passed to dotnet as its first argument.</summary>
        public string? Assembly { get; }

        public override string ToString() => Assembly == null ? FileName : FileName + " " + Assembly;
    }

    /// <summary>
    /// Finds the primeway executable that runs the local server, in this order: PRIMEWAY_HOST_PATH (the executable,
    /// primeway.dll, or their folder); this process when it is primeway; beside the module when it ships in primeway's
    /// Modules folder; the build output of a source checkout; primeway on PATH.
    /// </summary>
    public static class HostLocator
    {
        public const string Variable = "PRIMEWAY_HOST_PATH";

        /// <param name="moduleBase">The PowerShell module's folder (where Primeway.psd1 is), when the caller is the module.</param>
        public static HostCommand? Find(string? moduleBase = null)
        {
            var configured = Environment.GetEnvironmentVariable(Variable);
            if (!string.IsNullOrEmpty(configured)) return FromPath(configured!) ?? throw new FileNotFoundException(
                Variable + " is " + configured + ", which is neither the primeway executable, primeway.dll, nor a folder with one of them.");

            var entry = System.Reflection.Assembly.GetEntryAssembly();
            if (entry != null && entry.GetName().Name == "primeway")
            {
                // A single-file primeway has no assembly path: the process itself is the executable.
                var self = !string.IsNullOrEmpty(entry.Location) ? FromPath(entry.Location) : FromPath(System.Diagnostics.Process.GetCurrentProcess().MainModule?.FileName ?? "");
                if (self != null) return self;
            }

            foreach (var folder in ModuleCandidates(moduleBase))
            {
                var found = FromPath(folder);
                if (found != null) return found;
            }
            return FromSearchPath();
        }

        /// <summary>The executable or assembly at <paramref name="path"/>, or in that folder.</summary>
        public static HostCommand? FromPath(string path)
        {
            if (Directory.Exists(path))
            {
                var dll = Path.Combine(path, "primeway.dll");
                if (File.Exists(dll)) return new HostCommand(DotnetPath(), dll);
                var exe = Path.Combine(path, IsWindows ? "primeway.exe" : "primeway");
                return File.Exists(exe) ? new HostCommand(exe, null) : null;
            }
            if (!File.Exists(path)) return null;
            return path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new HostCommand(DotnetPath(), Path.GetFullPath(path)) : new HostCommand(Path.GetFullPath(path), null);
        }

        private static IEnumerable<string> ModuleCandidates(string? moduleBase)
        {
            if (string.IsNullOrEmpty(moduleBase)) yield break;
            // primeway's build output ships the module in <output>/Modules/Primeway.
            yield return Path.GetFullPath(Path.Combine(moduleBase, "..", ".."));
            // A source checkout: Primeway.psd1 at the root, the host built under src/Primeway.Host/bin; the newest build wins.
            var bin = Path.Combine(moduleBase, "src", "Primeway.Host", "bin");
            if (!Directory.Exists(bin)) yield break;
            foreach (var dll in Directory.GetFiles(bin, "primeway.dll", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc))
                yield return Path.GetDirectoryName(dll)!;
        }

        private static HostCommand? FromSearchPath()
        {
            var name = IsWindows ? "primeway.exe" : "primeway";
            foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            {
                if (folder.Length == 0) continue;
                var candidate = Path.Combine(folder, name);
                if (File.Exists(candidate)) return new HostCommand(candidate, null);
            }
            return null;
        }

        /// <summary>The dotnet muxer of the running runtime (pwsh's, or the test host's), else dotnet on PATH.</summary>
        public static string DotnetPath()
        {
            var muxer = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(muxer) && File.Exists(muxer)) return muxer!;
            // <root>/shared/Microsoft.NETCore.App/<version>/ holds the runtime; the muxer sits in <root>.
            var runtime = RuntimeEnvironment.GetRuntimeDirectory();
            var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
            var candidate = Path.Combine(root, IsWindows ? "dotnet.exe" : "dotnet");
            return File.Exists(candidate) ? candidate : "dotnet";
        }

        private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
    }
}
