using System.Reflection;
using System.Runtime.CompilerServices;

namespace Primeway.PowerShell.Tests
{
    /// <summary>
    /// Before any test imports the module, this process loads a YamlDotNet other than the module's (13.7.1 against
    /// 16.3.0) into the default load context, as another module might. Every test then runs beside it.
    /// </summary>
    internal static class ConflictingYamlDotNet
    {
        public static Assembly? Loaded { get; private set; }

        [ModuleInitializer]
        internal static void LoadFirst() => Loaded = Assembly.LoadFrom(PowerShellSession.Metadata("ConflictingYamlDotNet"));
    }
}
