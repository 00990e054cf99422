using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Primeway.PowerShell.Loading
{
    /// <summary>
    /// Finds the module's own dependencies (Primeway.Core, Primeway.Client, YamlDotNet, Cronos, System.Text.Json) in module/dependencies/, a folder
    /// PowerShell does not probe. On PowerShell 7 they are loaded into <see cref="DependencyLoadContext"/>, so a
    /// different YamlDotNet loaded by another module cannot break ours. On Windows PowerShell 5.1 (.NET Framework,
    /// no load contexts) they are loaded from that folder when the runtime asks for them.
    /// </summary>
    internal static class DependencyResolver
    {
        /// <summary>The assemblies the cmdlets name; what they use in turn is found by the load context.</summary>
        internal static readonly string[] EntryAssemblyNames = { "Primeway.Core", "Primeway.Client" };

        private static readonly object Gate = new object();
        // Process-wide by nature: an assembly is loaded once per process, whatever the number of runspaces.
        private static bool hooked;

        internal static string DependencyDirectory { get; } =
            Path.Combine(Path.GetDirectoryName(typeof(DependencyResolver).Assembly.Location) ?? ".", "dependencies");

        public static void Hook()
        {
            lock (Gate)
            {
                if (hooked) return;
                hooked = true;
                if (IsNetFramework()) HookAppDomain(); else CoreClrHook.Hook(DependencyDirectory);
            }
        }

        private static bool IsNetFramework() =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        private static void HookAppDomain() => AppDomain.CurrentDomain.AssemblyResolve += ResolveOnNetFramework;

        private static Assembly? ResolveOnNetFramework(object sender, ResolveEventArgs args)
        {
            var path = Path.Combine(DependencyDirectory, new AssemblyName(args.Name).Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
