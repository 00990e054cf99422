using System.IO;
using System.Linq;
using System.Management.Automation;

namespace Primeway.PowerShell.Tests
{
    public sealed class ExportPrimewayJobTests : IClassFixture<PowerShellSession>
    {
        private readonly PowerShellSession ps;

        public ExportPrimewayJobTests(PowerShellSession session)
        {
            ps = session;
            ps.WriteFile("export/two.yaml", Jobs.TwoJobs);
        }

        private string Target(string name) => Path.Combine(ps.Folder, "export", name);

        [Fact]
        public void Text_form_is_one_YAML_string_per_job_that_reads_back_the_same()
        {
            var result = ps.Run("$jobs = New-PrimewayJob export/two.yaml; $text = $jobs | Export-PrimewayJob; $text.Count; " +
                                "$back = $text | ForEach-Object { New-PrimewayJob -Yaml $_ }; $jobs[0].Equals($back[0]); $jobs[1].Equals($back[1])");
            Assert.Empty(result.Errors);
            Assert.Equal(new object[] { 2, true, true }, result.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void Path_writes_every_piped_job_into_one_file()
        {
            var result = ps.Run("New-PrimewayJob export/two.yaml | Export-PrimewayJob -Path export/out.yaml -PassThru");
            Assert.Empty(result.Errors);
            Assert.Equal(Target("out.yaml"), ((FileInfo)result.Output.Single().BaseObject).FullName);
            Assert.Equal(2, ps.Run("New-PrimewayJob export/out.yaml").Output.Count);
        }

        [Fact]
        public void WhatIf_writes_nothing()
        {
            ps.Run("New-PrimewayJob export/two.yaml | Export-PrimewayJob -Path export/whatif.yaml -WhatIf");
            Assert.False(File.Exists(Target("whatif.yaml")));
        }

        [Fact]
        public void Confirm_asks_before_writing()
        {
            // This runspace has no interactive host, so the confirmation question itself fails: proof it was asked.
            var result = ps.Run("New-PrimewayJob export/two.yaml | Export-PrimewayJob -Path export/confirm.yaml -Confirm");
            Assert.NotEmpty(result.Errors);
            Assert.False(File.Exists(Target("confirm.yaml")));
            ps.Run("New-PrimewayJob export/two.yaml | Export-PrimewayJob -Path export/confirm.yaml -Confirm:$false");
            Assert.True(File.Exists(Target("confirm.yaml")));
        }

        [Fact]
        public void NoClobber_keeps_an_existing_file_and_reports_ResourceExists()
        {
            File.WriteAllText(Target("kept.yaml"), "keep me");
            var result = ps.Run("New-PrimewayJob export/two.yaml | Export-PrimewayJob -Path export/kept.yaml -NoClobber");
            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
            Assert.Equal("FileExists,Primeway.PowerShell.Commands.ExportPrimewayJobCommand", error.FullyQualifiedErrorId);
            Assert.Equal(Target("kept.yaml"), error.TargetObject);
            Assert.Equal("keep me", File.ReadAllText(Target("kept.yaml")));
        }

        [Fact]
        public void An_existing_file_is_replaced_and_a_read_only_one_only_with_Force()
        {
            File.WriteAllText(Target("old.yaml"), "old");
            ps.Run("New-PrimewayJob export/two.yaml | Export-PrimewayJob -Path export/old.yaml");
            Assert.Contains("job_name: hello", File.ReadAllText(Target("old.yaml")));

            File.WriteAllText(Target("readonly.yaml"), "old");
            new FileInfo(Target("readonly.yaml")).IsReadOnly = true;
            ps.Run("New-PrimewayJob export/two.yaml | Export-PrimewayJob -Path export/readonly.yaml -Force");
            Assert.Contains("job_name: second", File.ReadAllText(Target("readonly.yaml")));
            Assert.False(new FileInfo(Target("readonly.yaml")).IsReadOnly);
        }
    }
}
