using System.Management.Automation;

namespace Primeway.PowerShell.Loading
{
    /// <summary>Runs when PowerShell imports the module: hooks dependency resolution and does nothing else, so import stays fast.</summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        public void OnImport() => DependencyResolver.Hook();
    }
}
