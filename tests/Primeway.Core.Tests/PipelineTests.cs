using System.Linq;

namespace Primeway.Core.Tests
{
    public sealed class PipelineTests
    {
        private const string ThreeSteps = @"pipeline_name: nightly
schedule: '0 2 * * *'
steps:
  - id: fetch
    docker_image: busybox
    command: echo data > /primeway-artifacts/data.txt
  - id: clean
    docker_image: busybox
    command: echo clean
  - id: train
    dependencies: [fetch, clean]
    inputs: [fetch]
    docker_image: busybox
    command: cat /fetch/data.txt
    timeout: 600
";

        private static PipelineValidationResult Validate(string yaml)
        {
            var read = PipelineYaml.Read(yaml, "pipeline.yaml");
            Assert.False(read.HasErrors, string.Join("\n", read.Diagnostics));
            return PipelineValidator.Validate(read.Pipeline!, new ValidationOptions { CheckFileSystem = false });
        }

        private static Diagnostic Single(PipelineValidationResult result, string code)
        {
            Assert.False(result.IsValid);
            return Assert.Single(result.Errors, e => e.Code == code);
        }

        [Fact]
        public void A_pipeline_file_reads_to_steps_that_are_whole_jobs()
        {
            Assert.True(PipelineYaml.IsPipeline(ThreeSteps));
            Assert.False(PipelineYaml.IsPipeline("job_name: a\njob_type: run\n"));
            var result = Validate(ThreeSteps);
            Assert.True(result.IsValid, string.Join("\n", result.Diagnostics));
            var pipeline = result.Pipeline;
            Assert.Equal(("nightly", "0 2 * * *"), (pipeline.PipelineName, pipeline.Schedule));
            Assert.Equal(new[] { "fetch", "clean", "train" }, pipeline.Steps.Select(s => s.Id));
            var train = pipeline.Step("train")!;
            Assert.Equal(new[] { "fetch", "clean" }, train.Dependencies);
            Assert.Equal(new[] { "fetch" }, train.Inputs);
            Assert.Equal(("nightly-train", JobType.Run, 600), (train.Job.JobName, train.Job.JobType, train.Job.Timeout));
            Assert.Equal(10, train.Job.SourceLine);
        }

        [Fact]
        public void Writing_a_pipeline_reads_back_to_the_same_steps()
        {
            var pipeline = PipelineYaml.Read(ThreeSteps).Pipeline!;
            var again = PipelineYaml.Read(PipelineYaml.Write(pipeline)).Pipeline!;
            Assert.Equal(pipeline.PipelineName, again.PipelineName);
            Assert.Equal(pipeline.Schedule, again.Schedule);
            for (int i = 0; i < pipeline.Steps.Count; i++)
            {
                Assert.Equal(pipeline.Steps[i].Id, again.Steps[i].Id);
                Assert.Equal(pipeline.Steps[i].Dependencies, again.Steps[i].Dependencies);
                Assert.Equal(pipeline.Steps[i].Inputs, again.Steps[i].Inputs);
                Assert.Equal(pipeline.Steps[i].Job, again.Steps[i].Job);
            }
        }

        [Fact]
        public void Step_ids_are_unique()
        {
            var error = Single(Validate("pipeline_name: p\nsteps:\n  - id: a\n    docker_image: busybox\n  - id: a\n    docker_image: busybox\n"), DiagnosticCodes.DuplicateStepId);
            Assert.Equal(("pipeline.yaml", 5, 5), (error.File, error.Line, error.Column));
        }

        [Fact]
        public void A_dependency_or_input_must_name_a_step_with_a_suggestion()
        {
            var result = Validate("pipeline_name: p\nsteps:\n  - id: fetch\n    docker_image: busybox\n  - id: train\n    dependencies: [fetc]\n    inputs: [nothing]\n    docker_image: busybox\n");
            var errors = result.Errors.Where(e => e.Code == DiagnosticCodes.UnknownStep).ToList();
            Assert.Equal(2, errors.Count);
            Assert.Contains("Did you mean 'fetch'?", errors[0].Message);
            Assert.Equal(6, errors[0].Line);
            Assert.Equal(7, errors[1].Line);
        }

        [Fact]
        public void A_cycle_is_an_error_that_names_the_cycle()
        {
            var error = Single(Validate(@"pipeline_name: p
steps:
  - id: a
    dependencies: [c]
    docker_image: busybox
  - id: b
    dependencies: [a]
    docker_image: busybox
  - id: c
    inputs: [b]
    docker_image: busybox
"), DiagnosticCodes.StepCycle);
            Assert.Contains("a → c → b → a", error.Message);
            Assert.Equal(4, error.Line);
        }

        [Fact]
        public void One_deploy_step_at_most_and_only_as_the_last()
        {
            const string deploy = "    job_type: deploy\n    docker_image: busybox\n    port: 8080\n    health_endpoint: /\n";
            Assert.Contains("must be the last step", Single(Validate("pipeline_name: p\nsteps:\n  - id: serve\n" + deploy + "  - id: after\n    docker_image: busybox\n"), DiagnosticCodes.DeployStepNotLast).Message);
            Assert.Equal(2, Validate("pipeline_name: p\nsteps:\n  - id: one\n" + deploy + "  - id: two\n" + deploy).Errors.Count(e => e.Code == DiagnosticCodes.DeployStepNotLast));
            Assert.True(Validate("pipeline_name: p\nsteps:\n  - id: build\n    docker_image: busybox\n  - id: serve\n    dependencies: [build]\n" + deploy).IsValid);
        }

        [Fact]
        public void Step_ids_are_plain_words()
        {
            Assert.Contains("lowercase", Single(Validate("pipeline_name: p\nsteps:\n  - id: 'Bad/Id'\n    docker_image: busybox\n"), DiagnosticCodes.InvalidStepId).Message);
        }

        [Fact]
        public void The_pipeline_needs_a_name_steps_and_ids_and_each_step_job_is_validated_with_its_position()
        {
            var result = Validate("steps:\n  - docker_image: busybox\n  - id: deploy\n    job_type: deploy\n    docker_image: busybox\n");
            Assert.Contains(result.Errors, e => e.Code == DiagnosticCodes.RequiredField && e.Field == "pipeline_name");
            Assert.Contains(result.Errors, e => e.Code == DiagnosticCodes.RequiredField && e.Field == "steps[0].id");
            var deployRule = result.Errors.Where(e => e.Code == DiagnosticCodes.DeployNeedsPortAndHealth).ToList();
            Assert.NotEmpty(deployRule);
            Assert.All(deployRule, e => Assert.Equal(("pipeline.yaml", 4), (e.File, e.Line)));
        }

        [Fact]
        public void Unknown_pipeline_keys_and_a_bad_schedule_are_errors()
        {
            var read = PipelineYaml.Read("pipeline_name: p\nstep: []\nschedule: 'every day'\n", "pipeline.yaml");
            var unknown = Assert.Single(read.Pipeline!.ReadDiagnostics.Concat(PipelineValidator.Validate(read.Pipeline).Errors).Where(e => e.Code == DiagnosticCodes.UnknownField).Distinct());
            Assert.Contains("Did you mean 'steps'?", unknown.Message);
            Assert.Contains(PipelineValidator.Validate(read.Pipeline).Errors, e => e.Code == DiagnosticCodes.InvalidScheduleExpression);
        }
    }
}
