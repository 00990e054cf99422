using System.Linq;
using System.Management.Automation;

namespace Primeway.PowerShell.Tests
{
    public sealed class NewPrimewayJobTests : IClassFixture<PowerShellSession>
    {
        private const string CommandType = "Primeway.PowerShell.Commands.NewPrimewayJobCommand";
        private readonly PowerShellSession ps;

        public NewPrimewayJobTests(PowerShellSession session)
        {
            ps = session;
            ps.WriteFile("new/one.yaml", Jobs.Valid);
            ps.WriteFile("new/two.yaml", Jobs.TwoJobs);
            ps.WriteFile("new/broken.yaml", Jobs.BrokenYaml);
            ps.WriteFile("new/odd[1].yaml", Jobs.ValidDeploy);
        }

        [Fact]
        public void Path_emits_one_typed_JobSpec_per_document_with_its_source_position()
        {
            var result = ps.Run("New-PrimewayJob -Path new/two.yaml");
            Assert.Empty(result.Errors);
            Assert.Equal(2, result.Output.Count);
            Assert.Equal("Primeway.JobSpec", result.Output[0].TypeNames[0]);
            Assert.Equal(new object?[] { "hello", "second" }, result.Output.Select(o => o.Properties["JobName"].Value));
            Assert.EndsWith("two.yaml", (string)result.Property(1, "SourceFile")!);
            Assert.Equal(1, result.Property(1, "DocumentIndex"));
            Assert.Equal(6, result.Property(1, "SourceLine"));
        }

        [Fact]
        public void Path_expands_wildcards_and_takes_several_paths()
        {
            Assert.Equal(3, ps.Run("New-PrimewayJob -Path new/one.yaml, new/tw*.yaml").Output.Count);
        }

        [Fact]
        public void Path_strings_bind_from_the_pipeline()
        {
            var result = ps.Run("'new/one.yaml', 'new/two.yaml' | New-PrimewayJob");
            Assert.Equal(new object?[] { "hello", "hello", "second" }, result.Output.Select(o => o.Properties["JobName"].Value));
        }

        [Fact]
        public void File_objects_bind_by_FullName_and_PSPath()
        {
            var byFullName = ps.Run("[System.IO.DirectoryInfo]::new([System.IO.Path]::Combine($PWD.Path, 'new')).GetFiles('t*.yaml') | New-PrimewayJob");
            Assert.Empty(byFullName.Errors);
            Assert.Equal(2, byFullName.Output.Count);

            var byPsPath = ps.Run("[pscustomobject]@{ PSPath = 'Microsoft.PowerShell.Core\\FileSystem::' + [System.IO.Path]::Combine($PWD.Path, 'new/odd[1].yaml') } | New-PrimewayJob");
            Assert.Empty(byPsPath.Errors);
            Assert.Equal("web", byPsPath.Property(0, "JobName"));
        }

        [Fact]
        public void LiteralPath_takes_brackets_as_they_are()
        {
            Assert.Equal("web", ps.Run("New-PrimewayJob -LiteralPath 'new/odd[1].yaml'").Property(0, "JobName"));
        }

        [Fact]
        public void A_missing_file_is_a_non_terminating_error_and_the_pipeline_goes_on()
        {
            var result = ps.Run("'new/missing.yaml', 'new/one.yaml' | New-PrimewayJob");
            Assert.Equal("hello", result.Property(0, "JobName"));
            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal("PathNotFound," + CommandType, error.FullyQualifiedErrorId);
            Assert.Equal("new/missing.yaml", error.TargetObject);
        }

        [Fact]
        public void A_file_that_is_not_YAML_is_InvalidData_targeting_the_file()
        {
            var result = ps.Run("New-PrimewayJob -Path new/broken.yaml, new/one.yaml");
            Assert.Single(result.Output);
            var error = Assert.Single(result.Errors);
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Equal("InvalidJobYaml," + CommandType, error.FullyQualifiedErrorId);
            Assert.EndsWith("broken.yaml", (string)error.TargetObject);
            Assert.Contains("PW1010", error.Exception.Message);
        }

        [Fact]
        public void A_folder_or_an_unmatched_wildcard_is_reported()
        {
            var result = ps.Run("New-PrimewayJob -Path new, new/*.nothing");
            Assert.Empty(result.Output);
            Assert.Equal(new[] { "PathIsFolder," + CommandType, "PathNotFound," + CommandType }, result.Errors.Select(e => e.FullyQualifiedErrorId));
            Assert.Equal(ErrorCategory.InvalidArgument, result.Errors[0].CategoryInfo.Category);
        }

        [Fact]
        public void ErrorAction_is_honoured()
        {
            Assert.Equal("caught PathNotFound", ps.Run("try { New-PrimewayJob new/missing.yaml -ErrorAction Stop; 'went on' } catch { 'caught ' + $_.FullyQualifiedErrorId.Split(',')[0] }").Output.Single().ToString());
            var silent = ps.Run("New-PrimewayJob new/missing.yaml -ErrorAction SilentlyContinue; 'went on'");
            Assert.Empty(silent.Errors);
            Assert.Equal("went on", silent.Output.Single().ToString());
        }

        [Fact]
        public void Yaml_text_gives_its_jobs_and_a_syntax_error_targets_the_text()
        {
            var jobs = ps.Run("New-PrimewayJob -Yaml $text", new() { ["text"] = Jobs.TwoJobs });
            Assert.Equal(2, jobs.Output.Count);
            Assert.Null(jobs.Property(0, "SourceFile"));

            var broken = ps.Run("New-PrimewayJob -Yaml $text", new() { ["text"] = Jobs.BrokenYaml });
            var error = Assert.Single(broken.Errors);
            Assert.Equal(Jobs.BrokenYaml, error.TargetObject);
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        }

        [Fact]
        public void Definition_takes_a_hashtable_with_the_file_keys_by_parameter_or_pipeline()
        {
            var result = ps.Run("@{ job_name = 'h'; job_type = 'deploy'; docker_image = 'nginx'; port = 8080; gpu_types = @(@{ type = 'A40'; count = 2 }) } | New-PrimewayJob | ForEach-Object { $_; $_.Gpus }; " +
                                "New-PrimewayJob -Definition @{ job_name = 'p'; job_type = 'run' }");
            Assert.Empty(result.Errors);
            Assert.Equal(8080, result.Property(0, "Port"));
            Assert.Equal("2 x A40", result.Output[1].ToString());
            Assert.Equal("p", result.Property(2, "JobName"));
        }

        [Fact]
        public void Field_parameters_build_a_job_the_way_a_file_would()
        {
            var result = ps.Run("New-PrimewayJob -JobName train -DockerImage pytorch -Command python, train.py -GpuType 'RTX 4090' -GpuCount 2 " +
                                "-Memory 16 -Env @{ SEED = 1 } -Timeout 600 -Requirements numpy | ForEach-Object { $_; $_.Gpus }");
            Assert.Empty(result.Errors);
            Assert.Equal(2, result.Output.Count);
            var job = result.Output[0];
            Assert.Equal("Run", job.Properties["JobType"].Value.ToString());
            Assert.Equal("python train.py", job.Properties["Command"].Value.ToString());
            Assert.True((bool)((dynamic)job.Properties["Command"].Value).IsList);
            Assert.Equal("2 x RTX 4090", result.Output[1].ToString());
            Assert.Equal(16, job.Properties["Memory"].Value);
            Assert.Equal("SEED=1", ps.Run("$args[0].Env[0].ToString()".Replace("$args[0]", "(New-PrimewayJob -JobName e -Env @{ SEED = 1 })")).Output.Single().ToString());

            var shellForm = ps.Run("(New-PrimewayJob -JobName s -JobType deploy -Command 'echo hi').Command.IsList").Output.Single();
            Assert.False((bool)shellForm.BaseObject);
        }

        [Fact]
        public void YAML_the_reader_cannot_handle_is_an_error_for_that_input_only()
        {
            // An unclosed flow sequence makes the job reader throw rather than report; the cmdlet turns that into an error record.
            var result = ps.Run("$texts | ForEach-Object { New-PrimewayJob -Yaml $_ }", new() { ["texts"] = new[] { "job_name: [unclosed\njob_type: run\n", Jobs.Valid } });
            Assert.Equal("hello", result.Property(0, "JobName"));
            var error = Assert.Single(result.Errors);
            Assert.Contains(error.CategoryInfo.Category, new[] { ErrorCategory.ParserError, ErrorCategory.InvalidData });
            Assert.Equal("job_name: [unclosed\njob_type: run\n", error.TargetObject);
        }
    }
}
