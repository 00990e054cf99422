using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Xml.Linq;

namespace Primeway.PowerShell.Tests
{
    public sealed class ModuleTests : IClassFixture<PowerShellSession>
    {
        private static readonly string[] Cmdlets =
        {
            "Connect-PrimewayServer", "Disconnect-PrimewayServer", "Export-PrimewayJob", "Get-PrimewayJob", "Get-PrimewayPipeline", "New-PrimewayJob", "New-PrimewayPipeline", "Receive-PrimewayJob",
            "Remove-PrimewayJob", "Save-PrimewayArtifact", "Start-PrimewayJob", "Start-PrimewayPipeline", "Stop-PrimewayJob", "Test-PrimewayJob", "Test-PrimewayPipeline", "Wait-PrimewayJob",
        };
        private readonly PowerShellSession ps;

        public ModuleTests(PowerShellSession session) => ps = session;

        [Fact]
        public void Manifest_exports_exactly_the_cmdlets_and_carries_the_build_version_and_metadata()
        {
            var imported = ps.Run("(Get-Module Primeway).ExportedCmdlets.Keys").Output.Select(o => o.ToString()).OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(Cmdlets, imported);

            var props = File.ReadAllText(Path.Combine(PowerShellSession.RepoRoot, "Directory.Build.props"));
            var version = System.Text.RegularExpressions.Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
            var manifest = ps.Run("Test-ModuleManifest -Path " + PowerShellSession.Quote(PowerShellSession.ManifestPath)).Output.Single();
            Assert.Equal(version, manifest.Properties["Version"].Value.ToString());
            Assert.Equal("5.1", manifest.Properties["PowerShellVersion"].Value.ToString());
            Assert.Equal(new[] { "Desktop", "Core" }, ((System.Collections.IEnumerable)manifest.Properties["CompatiblePSEditions"].Value).Cast<object>().Select(o => o.ToString()));
            Assert.NotNull(manifest.Properties["ProjectUri"].Value);
            Assert.NotNull(manifest.Properties["LicenseUri"].Value);
            Assert.Contains("YAML", ((System.Collections.IEnumerable)manifest.Properties["Tags"].Value).Cast<object>().Select(o => o.ToString()));
            Assert.Equal(Cmdlets, ((System.Collections.IDictionary)manifest.Properties["ExportedCmdlets"].Value).Keys.Cast<string>().OrderBy(n => n, StringComparer.Ordinal));
            Assert.Empty(((System.Collections.IDictionary)manifest.Properties["ExportedFunctions"].Value).Keys.Cast<string>());
        }

        [Fact]
        public void Dependencies_load_in_their_own_context_beside_a_conflicting_YamlDotNet()
        {
            // The test process loaded YamlDotNet 13.7.1 into the default context before importing the module.
            var conflicting = ConflictingYamlDotNet.Loaded!;
            Assert.Equal(13, conflicting.GetName().Version!.Major);
            Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(conflicting));

            var result = ps.Run("$job = New-PrimewayJob -Yaml $text; $job; Export-PrimewayJob -InputObject $job", new() { ["text"] = Jobs.ValidDeploy });
            Assert.Empty(result.Errors);
            Assert.Contains("health_endpoint: /", result.Output[1].ToString());

            var core = result.Output[0].BaseObject.GetType().Assembly;
            var context = AssemblyLoadContext.GetLoadContext(core)!;
            Assert.NotSame(AssemblyLoadContext.Default, context);
            Assert.Equal("DependencyLoadContext", context.GetType().Name);
            var moduleYaml = context.Assemblies.Single(a => a.GetName().Name == "YamlDotNet");
            Assert.Equal(16, moduleYaml.GetName().Version!.Major);
        }

        [Fact]
        public void Format_and_type_files_give_JobSpec_and_results_table_and_list_views()
        {
            var views = XDocument.Load(Path.Combine(PowerShellSession.RepoRoot, "module", "Primeway.Format.ps1xml")).Descendants("View")
                .Select(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value + ":" + (v.Element("TableControl") != null ? "table" : v.Element("ListControl") != null ? "list" : "?"))
                .ToList();
            foreach (var type in new[] { "Primeway.JobSpec", "Primeway.JobValidationResult" })
            {
                Assert.Contains(type + ":table", views);
                Assert.Contains(type + ":list", views);
            }
            var result = ps.Run("$r = New-PrimewayJob -Yaml $text | Test-PrimewayJob; $r.ErrorCount; $r.FirstProblem; (New-PrimewayJob -Yaml $text).Name",
                new() { ["text"] = Jobs.DeployWithoutPort });
            Assert.Equal(2, result.Output[0].BaseObject);
            Assert.StartsWith("PW1003", result.Output[1].ToString());
            Assert.Equal("web", result.Output[2].ToString());
        }

        [Theory]
        [InlineData("New-PrimewayJob -JobName x -GpuType A1", "'A100 PCIe'")]
        [InlineData("New-PrimewayJob -JobName x -GpuType 'RTX 40", "'RTX 4090'")]
        [InlineData("New-PrimewayJob -JobName x -JobType d", "deploy")]
        [InlineData("New-PrimewayJob -Path compl", "completion.yaml")]
        [InlineData("Test-PrimewayJob -Path compl", "completion.yaml")]
        public void Tab_completion_offers_job_types_GPU_names_and_job_files(string input, string expected)
        {
            ps.WriteFile("completion.yaml", Jobs.Valid);
            ps.WriteFile("completion.txt", "not a job");
            var result = ps.Run("(TabExpansion2 -inputScript $in -cursorColumn $in.Length).CompletionMatches | ForEach-Object CompletionText",
                new() { ["in"] = input });
            var offered = result.Output.Select(o => o.ToString()).ToList();
            Assert.Contains(expected, offered);
            Assert.DoesNotContain("completion.txt", offered);
        }
    }
}
