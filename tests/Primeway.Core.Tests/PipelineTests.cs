using System.Linq;

namespace Primeway.Core.Tests
{
    /// <summary>Pipeline files: reading and the pipeline rules, each with its code, field and line.</summary>
    public class PipelineTests
    {
        private const string Valid = @"pipeline_name: nightly
schedule: '0 2 * * *'
steps:
  - id: prepare
    docker_image: busybox
    job_type: run
    command: echo data > /primeway-artifacts/data.txt
  - id: train
    docker_image: busybox
    job_type: run
    dependencies: [prepare]
    inputs: [prepare]
    command: cat /prepare/data.txt
  - id: evaluate
    job_name: nightly-eval
    docker_image: busybox
    job_type: run
    inputs: [prepare, train]
    artifacts_path: /out
    command: 'true'
  - id: serve
    docker_image: busybox
    job_type: deploy
    dependencies: evaluate
    port: 8080
    health_endpoint: /
";

        private static PipelineValidationResult Check(string yaml)
        {
            var read = PipelineYaml.Read(yaml, "pipeline.yaml");
            Assert.False(read.HasErrors, string.Join("\n", read.Diagnostics));
            return PipelineValidator.Validate(read.Pipeline!, new ValidationOptions { CheckFileSystem = false });
        }

        private static Diagnostic Single(string yaml, string code)
        {
            var found = Check(yaml).Diagnostics.Where(d => d.Code == code).ToList();
            Assert.True(found.Count == 1, "expected one " + code + " in:\n" + string.Join("\n", Check(yaml).Diagnostics));
            Assert.Equal("pipeline.yaml", found[0].File);
            return found[0];
        }

        [Fact]
        public void A_valid_pipeline_reads_its_steps_graph_and_job_names()
        {
            var result = Check(Valid);
            Assert.True(result.IsValid, string.Join("\n", result.Diagnostics));
            var pipeline = result.Pipeline;
            Assert.Equal(("nightly", "0 2 * * *"), (pipeline.PipelineName, pipeline.Schedule));
            Assert.Equal(new[] { "prepare", "train", "evaluate", "serve" }, pipeline.Steps.Select(s => s.Id));
            Assert.Equal(new[] { "nightly-prepare", "nightly-train", "nightly-eval", "nightly-serve" }, pipeline.Steps.Select(s => s.Job.JobName));
            Assert.Equal(new[] { "prepare", "train" }, pipeline.Steps[2].Inputs);
            Assert.Equal(new[] { "evaluate" }, pipeline.Steps[3].Dependencies);
            Assert.Equal(new[] { "prepare" }, pipeline.Steps[1].Prerequisites);
            Assert.Equal("/out", pipeline.Steps[2].Job.ArtifactsPath);
            Assert.True(PipelineYaml.IsPipeline(Valid));
            Assert.False(PipelineYaml.IsPipeline("job_name: a\njob_type: run\ndocker_image: busybox\n"));
        }

        [Fact]
        public void Step_ids_are_unique()
        {
            var d = Single(Valid.Replace("id: train", "id: prepare").Replace("[prepare, train]", "[prepare]"), DiagnosticCodes.DuplicateStepId);
            Assert.Equal(("steps[1].id", 8), (d.Field, d.Line));
            Assert.Contains("line 4", d.Message);
        }

        [Fact]
        public void Dependencies_and_inputs_name_steps_of_the_pipeline()
        {
            var dependency = Single(Valid.Replace("dependencies: evaluate", "dependencies: evalute"), DiagnosticCodes.UnknownDependency);
            Assert.Equal(("steps[3].dependencies", 24), (dependency.Field, dependency.Line));
            Assert.Contains("Did you mean 'evaluate'?", dependency.Message);
            var input = Single(Valid.Replace("inputs: [prepare, train]", "inputs: [prepare, tune]"), DiagnosticCodes.UnknownInput);
            Assert.Equal(("steps[2].inputs", 18), (input.Field, input.Line));
        }

        [Fact]
        public void A_cycle_is_an_error_that_names_it()
        {
            var yaml = "pipeline_name: loop\nsteps:\n" +
                       "  - {id: a, job_type: run, docker_image: busybox, dependencies: [c]}\n" +
                       "  - {id: b, job_type: run, docker_image: busybox, dependencies: [a]}\n" +
                       "  - {id: c, job_type: run, docker_image: busybox, inputs: [b]}\n" +
                       "  - {id: d, job_type: run, docker_image: busybox, dependencies: [d]}\n";
            var cycles = Check(yaml).Diagnostics.Where(d => d.Code == DiagnosticCodes.DependencyCycle).Select(d => d.Message).ToList();
            Assert.Equal(2, cycles.Count);
            Assert.Contains(cycles, m => m.Contains("a → c → b → a"));
            Assert.Contains(cycles, m => m.Contains("d → d"));
        }

        [Fact]
        public void One_deploy_step_at_most_and_only_as_the_last()
        {
            var twoDeploys = Valid.Replace("    job_type: run\n    inputs: [prepare, train]", "    job_type: deploy\n    port: 80\n    health_endpoint: /\n    inputs: [prepare, train]");
            var both = Check(twoDeploys).Diagnostics.Where(d => d.Code == DiagnosticCodes.DeployStepNotLast).ToList();
            Assert.Equal(new[] { "steps[2].job_type", "steps[3].job_type" }, both.Select(d => d.Field));
            Assert.All(both, d => Assert.Contains("at most one deploy step", d.Message));

            var yaml = "pipeline_name: p\nsteps:\n" +
                       "  - {id: web, job_type: deploy, docker_image: busybox, port: 80, health_endpoint: /}\n" +
                       "  - {id: after, job_type: run, docker_image: busybox, dependencies: [web]}\n";
            var d = Single(yaml, DiagnosticCodes.DeployStepNotLast);
            Assert.Equal(("steps[0].job_type", 3), (d.Field, d.Line));
            Assert.Contains("must be the last step", d.Message);
        }

        [Fact]
        public void Step_ids_are_required_and_can_name_a_directory()
        {
            var missing = Check("pipeline_name: p\nsteps:\n  - {job_type: run, docker_image: busybox}\n").Diagnostics.Where(d => d.Code == DiagnosticCodes.RequiredField);
            Assert.Contains(missing, d => d.Field == "steps[0].id" && d.Line == 3);
            var d = Single("pipeline_name: p\nsteps:\n  - {id: Bad/Id, job_type: run, docker_image: busybox}\n", DiagnosticCodes.InvalidStepId);
            Assert.Equal(3, d.Line);
        }

        [Fact]
        public void The_pipeline_needs_a_name_and_steps_and_a_cron_schedule()
        {
            var none = Check("schedule: '0 2 * * *'\n").Diagnostics.Where(d => d.Code == DiagnosticCodes.RequiredField).Select(d => d.Field);
            Assert.Equal(new[] { "pipeline_name", "steps" }, none.OrderBy(f => f));
            Assert.Equal("schedule", Single(Valid.Replace("'0 2 * * *'", "2030-01-01T00:00:00Z"), DiagnosticCodes.InvalidScheduleExpression).Field);
            var badName = Check(Valid.Replace("pipeline_name: nightly", "pipeline_name: Nightly_Run")).Diagnostics.Where(d => d.Code == DiagnosticCodes.InvalidJobName);
            Assert.Contains(badName, d => d.Field == "pipeline_name" && d.Line == 1);
        }

        [Fact]
        public void Unknown_keys_get_a_suggestion_and_steps_are_validated_as_jobs()
        {
            var top = Single(Valid.Replace("schedule:", "schedul:"), DiagnosticCodes.UnknownField);
            Assert.Contains("Did you mean 'schedule'?", top.Message);
            var inStep = Single(Valid.Replace("dependencies: [prepare]", "dependencis: [prepare]"), DiagnosticCodes.UnknownField);
            Assert.Contains("Did you mean 'dependencies'?", inStep.Message);
            var job = Single(Valid.Replace("    command: cat /prepare/data.txt", "    command: cat /prepare/data.txt\n    memory: 0"), DiagnosticCodes.NotPositive);
            Assert.Equal(("memory", 14), (job.Field, job.Line));
            Assert.True(Check(Valid.Replace("    job_type: run\n    dependencies", "    job_type: walk\n    dependencies")).Diagnostics.Any(d => d.Code == DiagnosticCodes.InvalidJobType && d.Line == 10));
        }
    }
}
