using System.Linq;
using System.Management.Automation;

namespace Primeway.PowerShell.Tests
{
    public sealed class TestPrimewayJobTests : IClassFixture<PowerShellSession>
    {
        private readonly PowerShellSession ps;

        public TestPrimewayJobTests(PowerShellSession session)
        {
            ps = session;
            ps.WriteFile("test/valid.yaml", Jobs.Valid);
            ps.WriteFile("test/deploy.yaml", Jobs.DeployWithoutPort);
            ps.WriteFile("test/warned.yaml", Jobs.Warned);
            ps.WriteFile("test/broken.yaml", Jobs.BrokenYaml);
            ps.WriteFile("test/twice.yaml", Jobs.Valid + "---\n" + Jobs.Valid);
        }

        [Fact]
        public void Paths_through_New_then_Test_give_one_result_per_job()
        {
            var result = ps.Run("'test/valid.yaml', 'test/deploy.yaml' | New-PrimewayJob | Test-PrimewayJob");
            Assert.Equal(2, result.Output.Count);
            Assert.Equal("Primeway.JobValidationResult", result.Output[0].TypeNames[0]);
            Assert.Equal(true, result.Property(0, "IsValid"));
            Assert.Equal(false, result.Property(1, "IsValid"));
        }

        [Fact]
        public void Errors_carry_code_field_message_file_line_and_column()
        {
            var result = ps.Run("Test-PrimewayJob -Path test/deploy.yaml | ForEach-Object Errors");
            Assert.Equal(2, result.Output.Count);
            var first = result.Output.First(e => (string)e.Properties["Field"].Value == "port");
            Assert.Equal("PW1003", first.Properties["Code"].Value);
            Assert.EndsWith("deploy.yaml", (string)first.Properties["File"].Value);
            Assert.True((int)first.Properties["Line"].Value >= 1);
            Assert.True((int)first.Properties["Column"].Value >= 1);
            Assert.Contains("port", (string)first.Properties["Message"].Value);
        }

        [Fact]
        public void Warnings_go_to_the_warning_stream_and_into_the_result()
        {
            var result = ps.Run("New-PrimewayJob test/warned.yaml | Test-PrimewayJob -NoFileSystemCheck");
            Assert.Equal(true, result.Property(0, "IsValid"));
            var warning = Assert.Single(result.Warnings);
            Assert.Contains("warning PW2", warning);
            Assert.Equal(1, ps.Run("(New-PrimewayJob test/warned.yaml | Test-PrimewayJob -NoFileSystemCheck -WarningAction SilentlyContinue).Warnings.Count").Output.Single().BaseObject);
        }

        [Fact]
        public void Quiet_emits_only_a_bool_per_job_and_false_for_an_unreadable_file()
        {
            var result = ps.Run("Test-PrimewayJob -Path test/valid.yaml, test/deploy.yaml, test/broken.yaml -Quiet -ErrorAction SilentlyContinue");
            Assert.Equal(new object[] { true, false, false }, result.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void Path_strings_from_the_pipeline_bind_to_Path_and_wildcards_expand()
        {
            var result = ps.Run("'test/v*.yaml' | Test-PrimewayJob");
            Assert.Equal("hello", result.Property(0, "JobName"));
            Assert.Equal(3, ps.Run("Test-PrimewayJob -LiteralPath test/valid.yaml, test/deploy.yaml, test/warned.yaml -WarningAction SilentlyContinue").Output.Count);
        }

        [Fact]
        public void A_name_used_twice_in_one_file_is_an_error()
        {
            var result = ps.Run("Test-PrimewayJob -Path test/twice.yaml");
            Assert.Equal(false, result.Property(1, "IsValid"));
        }

        [Fact]
        public void An_unreadable_file_is_a_non_terminating_error_for_that_file()
        {
            var result = ps.Run("Test-PrimewayJob -Path test/broken.yaml, test/valid.yaml");
            Assert.Single(result.Output);
            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Equal("InvalidJobYaml,Primeway.PowerShell.Commands.TestPrimewayJobCommand", error.FullyQualifiedErrorId);
        }
    }
}
