using System;
using System.Reflection;
using System.Runtime.Loader;

namespace Primeway.PowerShell.Loading
{
    /// <summary>
    /// The PowerShell 7 half of <see cref="DependencyResolver"/>, in its own class so that Windows PowerShell never
    /// compiles a method that names AssemblyLoadContext.
    /// </summary>
    internal static class CoreClrHook
    {
        private static DependencyLoadContext? context;

        public static void Hook(string dependencyDirectory)
        {
            context = new DependencyLoadContext(dependencyDirectory);
            AssemblyLoadContext.Default.Resolving += ResolvePrimewayCore;
        }

        // Only the entry points into our dependencies are redirected; everything they reference is then
        // resolved by the dependency context itself.
        private static Assembly? ResolvePrimewayCore(AssemblyLoadContext requester, AssemblyName name) =>
            Array.IndexOf(DependencyResolver.EntryAssemblyNames, name.Name) >= 0
                ? context!.LoadFromAssemblyName(name)
                : null;
    }
}
