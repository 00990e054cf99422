using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace Primeway.PowerShell.Loading
{
    /// <summary>
    /// Holds Primeway.Core and the exact YamlDotNet and Cronos it was built with, apart from whatever versions
    /// PowerShell or other modules loaded into the default context.
    /// </summary>
    internal sealed class DependencyLoadContext : AssemblyLoadContext
    {
        private readonly string directory;

        public DependencyLoadContext(string directory)
        {
            this.directory = directory;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var path = Path.Combine(directory, assemblyName.Name + ".dll");
            // Anything not shipped in our folder (the framework, System.Management.Automation) comes from the default context.
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
