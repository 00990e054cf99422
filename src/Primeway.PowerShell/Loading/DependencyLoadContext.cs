using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace Primeway.PowerShell.Loading
{
    /// <summary>
    /// Holds Primeway.Core, Primeway.Client and the exact YamlDotNet and Cronos they were built with, apart from
    /// whatever versions PowerShell or other modules loaded into the default context.
    /// </summary>
    internal sealed class DependencyLoadContext : AssemblyLoadContext
    {
        private readonly string directory;
        private readonly Dictionary<string, string> platform = PlatformAssemblies();

        public DependencyLoadContext(string directory)
        {
            this.directory = directory;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // netstandard2.0 packages (System.Text.Json, System.Memory, ...) ship in our folder for Windows PowerShell;
            // on PowerShell 7 the runtime's own copy is used when it is at least as new, so there is one Span<T>.
            if (IsProvidedByRuntime(assemblyName)) return null;
            var path = Path.Combine(directory, assemblyName.Name + ".dll");
            // Anything not shipped in our folder (the framework, System.Management.Automation) comes from the default context.
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        private bool IsProvidedByRuntime(AssemblyName name)
        {
            if (name.Name == null || !platform.TryGetValue(name.Name, out var path)) return false;
            try
            {
                return name.Version == null || AssemblyName.GetAssemblyName(path).Version >= name.Version;
            }
            catch (Exception e) when (e is IOException || e is BadImageFormatException)
            {
                return false;
            }
        }

        /// <summary>The runtime's trusted platform assemblies, by simple name.</summary>
        private static Dictionary<string, string> PlatformAssemblies()
        {
            var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
            foreach (var path in list.Split(Path.PathSeparator))
                if (path.Length > 0) byName[Path.GetFileNameWithoutExtension(path)] = path;
            return byName;
        }
    }
}
