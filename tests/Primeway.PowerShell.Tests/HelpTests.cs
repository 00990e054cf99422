using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace Primeway.PowerShell.Tests
{
    /// <summary>
    /// Get-Help exists in this engine and reads the module's MAML file, so help is checked as a user gets it:
    /// synopsis, description, every parameter of every cmdlet described, at least two examples.
    /// </summary>
    public sealed class HelpTests : IClassFixture<PowerShellSession>
    {
        private readonly PowerShellSession ps;

        public HelpTests(PowerShellSession session) => ps = session;

        [Theory]
        [InlineData("New-PrimewayJob")]
        [InlineData("Test-PrimewayJob")]
        [InlineData("Export-PrimewayJob")]
        [InlineData("Connect-PrimewayServer")]
        [InlineData("Disconnect-PrimewayServer")]
        [InlineData("Start-PrimewayJob")]
        [InlineData("Get-PrimewayJob")]
        [InlineData("Wait-PrimewayJob")]
        [InlineData("Receive-PrimewayJob")]
        [InlineData("Stop-PrimewayJob")]
        [InlineData("Remove-PrimewayJob")]
        [InlineData("New-PrimewayPipeline")]
        [InlineData("Test-PrimewayPipeline")]
        [InlineData("Start-PrimewayPipeline")]
        [InlineData("Get-PrimewayPipeline")]
        [InlineData("Save-PrimewayArtifact")]
        public void Get_Help_Full_shows_synopsis_description_every_parameter_and_examples(string cmdlet)
        {
            var help = ps.Run("$h = Get-Help " + cmdlet + " -Full; $h.Synopsis; ($h.description | ForEach-Object Text) -join ' '; $h.examples.example.Count; " +
                              "$h.parameters.parameter | ForEach-Object { $_.name + '=' + (($_.description | ForEach-Object Text) -join ' ') }");
            Assert.Empty(help.Errors);
            var synopsis = help.Output[0].ToString();
            Assert.DoesNotContain(cmdlet + " [", synopsis); // without a help file, Get-Help falls back to the syntax
            Assert.True(synopsis.Length > 20, synopsis);
            Assert.True(help.Output[1].ToString().Length > 80);
            Assert.True((int)help.Output[2].BaseObject >= 2);

            var described = help.Output.Skip(3).Select(o => o.ToString().Split('=', 2))
                .Where(p => p[1].Trim().Length > 10).Select(p => p[0]).ToHashSet();
            var parameters = ps.Run("(Get-Command " + cmdlet + ").Parameters.Keys").Output.Select(o => o.ToString())
                .Except(System.Management.Automation.Cmdlet.CommonParameters).Except(System.Management.Automation.Cmdlet.OptionalCommonParameters.Where(p => p != "WhatIf" && p != "Confirm"));
            foreach (var parameter in parameters) Assert.Contains(parameter, described);
        }

        [Fact]
        public void The_help_file_ships_beside_the_manifest_as_well_formed_MAML()
        {
            var file = Path.Combine(PowerShellSession.RepoRoot, "en-US", "Primeway.PowerShell.dll-Help.xml");
            XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
            var names = XDocument.Load(file).Descendants(command + "name").Select(n => n.Value);
            Assert.Equal(new[]
            {
                "New-PrimewayJob", "Test-PrimewayJob", "Export-PrimewayJob", "Connect-PrimewayServer", "Disconnect-PrimewayServer", "Start-PrimewayJob",
                "Get-PrimewayJob", "Wait-PrimewayJob", "Receive-PrimewayJob", "Stop-PrimewayJob", "Remove-PrimewayJob",
                "New-PrimewayPipeline", "Test-PrimewayPipeline", "Start-PrimewayPipeline", "Get-PrimewayPipeline", "Save-PrimewayArtifact",
            }, names);
        }
    }
}
