using System.Linq;
using static Primeway.Core.Tests.JobCheck;

namespace Primeway.Core.Tests
{
    /// <summary>The six rules of the user's job document, each valid and invalid, with code, field and line.</summary>
    public class DocumentRuleTests
    {
        [Theory]
        [InlineData("run")]
        [InlineData("deploy")]
        [InlineData("Run")]
        public void Rule1_job_type_run_or_deploy_is_accepted(string type)
        {
            var yaml = "job_name: demo\njob_type: " + type + "\ndocker_image: busybox\nport: 80\nhealth_endpoint: /\n";
            Lacks(yaml, DiagnosticCodes.InvalidJobType);
            Assert.Equal(type.ToLowerInvariant() == "run" ? JobType.Run : JobType.Deploy, JobYaml.Read(yaml).Jobs[0].JobType);
        }

        [Fact]
        public void Rule1_other_job_type_is_an_error_at_its_value_with_a_guess()
        {
            var d = Single("job_name: demo\njob_type: deplyo\ndocker_image: busybox\n", DiagnosticCodes.InvalidJobType, "job.yaml");
            Assert.Equal("job_type", d.Field);
            Assert.Equal((2, 11), (d.Line, d.Column));
            Assert.Equal("job.yaml", d.File);
            Assert.Contains("Did you mean 'deploy'?", d.Message);
        }

        [Fact]
        public void Rule1_missing_job_type_is_an_error()
        {
            var d = Single("job_name: demo\ndocker_image: busybox\n", DiagnosticCodes.InvalidJobType);
            Assert.Equal("job_type", d.Field);
            Assert.Contains("job_type: run", d.Message);
        }

        [Theory]
        [InlineData("entry_script: main.py")]
        [InlineData("args: --epochs 3")]
        [InlineData("command: python main.py")]
        public void Rule2_project_dir_with_something_to_run_is_valid(string line)
        {
            Lacks(Minimal + "project_dir: .\n" + line + "\n", DiagnosticCodes.ProjectDirNeedsEntry);
        }

        [Fact]
        public void Rule2_project_dir_alone_is_an_error_at_project_dir()
        {
            var d = Single(Minimal + "memory: 2\nproject_dir: .\n", DiagnosticCodes.ProjectDirNeedsEntry);
            Assert.Equal("project_dir", d.Field);
            Assert.Equal(5, d.Line);
            Assert.Contains("entry_script", d.Message);
        }

        [Fact]
        public void Rule3_deploy_with_port_and_health_endpoint_is_valid()
        {
            Clean("job_name: api\njob_type: deploy\ndocker_image: nginx\nport: 8080\nhealth_endpoint: /health\n");
        }

        [Fact]
        public void Rule3_deploy_without_port_or_health_endpoint_gives_one_error_each()
        {
            var all = All("job_name: api\njob_type: deploy\ndocker_image: nginx\n").Where(d => d.Code == DiagnosticCodes.DeployNeedsPortAndHealth).ToList();
            Assert.Equal(new[] { "port", "health_endpoint" }, all.Select(d => d.Field));
            Assert.All(all, d => Assert.Equal(2, d.Line));
        }

        [Fact]
        public void Rule3_deploy_with_port_only_reports_health_endpoint()
        {
            var d = Single("job_name: api\njob_type: deploy\ndocker_image: nginx\nport: 80\n", DiagnosticCodes.DeployNeedsPortAndHealth);
            Assert.Equal("health_endpoint", d.Field);
        }

        [Theory]
        [InlineData("A40", "A40")]
        [InlineData("NVIDIA A40", "A40")]
        [InlineData("NVIDIA A100 80GB PCIe", "A100 PCIe")]
        [InlineData("A100-SXM4-80GB", "A100 SXM")]
        [InlineData("H100 NVL", "H100 NVL")]
        [InlineData("NVIDIA H100 80GB HBM3 SXM5", "H100 SXM")]
        [InlineData("RTX 4090", "RTX 4090")]
        [InlineData("NVIDIA GeForce RTX 4090", "RTX 4090")]
        [InlineData("rtx4090", "RTX 4090")]
        [InlineData("L40S", "L40S")]
        [InlineData("L40", "L40")]
        [InlineData("Tesla T4", "T4")]
        [InlineData("RTX 6000 Ada", "RTX 6000 Ada")]
        [InlineData("RTX A6000", "RTX A6000")]
        [InlineData("H200", "H200 SXM")]
        public void Rule4_gpu_names_written_several_ways_resolve_to_one_model(string written, string model)
        {
            Assert.Equal(model, GpuCatalog.Resolve(written).Model?.Name);
            Lacks(Minimal + "gpu_types:\n  - type: " + written + "\n    count: 2\n", DiagnosticCodes.UnknownGpuType);
        }

        [Theory]
        [InlineData("H100", "H100 SXM", "H100 NVL", "H100 PCIe")]
        [InlineData("A100", "A100 PCIe", "A100 SXM")]
        [InlineData("H100 80GB", "H100 SXM", "H100 PCIe")]
        public void Rule4_ambiguous_gpu_name_is_refused_listing_the_models_it_could_mean(string written, params string[] models)
        {
            var d = Single(Minimal + "gpu_types:\n  - {type: " + written + ", count: 1}\n", DiagnosticCodes.UnknownGpuType);
            Assert.Equal("gpu_types[0].type", d.Field);
            Assert.Equal(5, d.Line);
            Assert.Contains("could mean", d.Message);
            foreach (var model in models) Assert.Contains("'" + model + "'", d.Message);
        }

        [Fact]
        public void Rule4_unknown_gpu_name_lists_close_matches()
        {
            var d = Single(Minimal + "gpu_types:\n  - {type: A4O, count: 1}\n", DiagnosticCodes.UnknownGpuType);
            Assert.Contains("is not offered", d.Message);
            Assert.Contains("Did you mean", d.Message);
            Assert.Contains("'A40'", d.Message);
        }

        [Fact]
        public void Rule4_gpu_without_type_is_an_error()
        {
            var d = Single(Minimal + "gpu_types:\n  - count: 1\n", DiagnosticCodes.UnknownGpuType);
            Assert.Contains("needs a type", d.Message);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-1)]
        [InlineData(9)]
        public void Rule4_gpu_count_outside_1_to_8_is_an_error(int count)
        {
            var d = Single(Minimal + "gpu_types:\n  - type: L4\n    count: " + count + "\n", DiagnosticCodes.GpuCountOutOfRange);
            Assert.Equal("gpu_types[0].count", d.Field);
            Assert.Equal(5, d.Line);
        }

        [Fact]
        public void Rule4_gpu_count_defaults_to_one_and_a_bare_name_is_accepted()
        {
            var job = JobYaml.Read(Minimal + "gpu_types: [T4, {type: L4}]\n").Jobs[0];
            Assert.Equal(new[] { new GpuRequest("T4", 1), new GpuRequest("L4", 1) }, job.GpuTypes);
            Clean(Minimal + "gpu_types: [T4, {type: L4}]\n");
        }

        [Fact]
        public void Rule5_entry_script_with_args_warns_that_args_runs()
        {
            var d = Single(Minimal + "entry_script: train.py\nargs: --epochs 3\n", DiagnosticCodes.EntryScriptAndArgs);
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.Equal("args", d.Field);
            Assert.Equal(5, d.Line);
            Assert.Contains("args is what runs", d.Message);
        }

        [Fact]
        public void Rule5_entry_script_alone_gives_no_warning()
        {
            Clean(Minimal + "entry_script: train.py\n");
        }

        [Fact]
        public void Rule6_requirements_without_project_dir_warn()
        {
            var d = Single(Minimal + "requirements:\n  - numpy\n", DiagnosticCodes.RequirementsWithoutProject);
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.Equal("requirements", d.Field);
            Assert.Equal(4, d.Line);
        }

        [Fact]
        public void Rule6_requirements_with_project_dir_give_no_warning()
        {
            Lacks(Minimal + "project_dir: .\nentry_script: x.py\nrequirements: [numpy]\n", DiagnosticCodes.RequirementsWithoutProject);
        }

        [Fact]
        public void Warnings_alone_leave_a_job_valid()
        {
            var read = JobYaml.Read(Minimal + "requirements: [numpy]\n");
            var result = JobValidator.Validate(read.Jobs[0]);
            Assert.True(result.IsValid);
            Assert.Single(result.Warnings);
            Assert.Empty(result.Errors);
        }
    }
}
