using System;
using System.IO;
using System.Linq;

namespace Primeway.PowerShell.Tests
{
    /// <summary>Test-PrimewayPipeline in a real runspace: results with codes and positions, -Quiet, unreadable files.</summary>
    public sealed class PipelineCmdletTests : IClassFixture<PowerShellSession>, IDisposable
    {
        private readonly PowerShellSession ps;
        private readonly string dir = Directory.CreateTempSubdirectory("primeway-pipelines-").FullName;

        public PipelineCmdletTests(PowerShellSession session) => ps = session;

        public void Dispose() => Directory.Delete(dir, recursive: true);

        private string Write(string name, string yaml)
        {
            var path = Path.Combine(dir, name);
            File.WriteAllText(path, yaml);
            return path;
        }

        [Fact]
        public void Test_PrimewayPipeline_returns_a_result_per_file_with_codes_and_lines()
        {
            var good = Write("good.yaml", "pipeline_name: ok\nsteps:\n  - {id: a, docker_image: busybox, command: 'true'}\n  - {id: b, docker_image: busybox, inputs: [a], command: 'true'}\n");
            var loop = Write("loop.yaml", "pipeline_name: loop\nsteps:\n  - {id: a, docker_image: busybox, dependencies: [b]}\n  - {id: b, docker_image: busybox, dependencies: [a]}\n");
            var results = ps.Run("Test-PrimewayPipeline -LiteralPath " + PowerShellSession.Quote(good) + ", " + PowerShellSession.Quote(loop)).AssertNoErrors();
            Assert.Equal(2, results.Output.Count);
            Assert.Equal(true, results.Property(0, "IsValid"));
            Assert.Equal(false, results.Property(1, "IsValid"));
            var error = ps.Run("(Test-PrimewayPipeline -LiteralPath " + PowerShellSession.Quote(loop) + ").Errors | ForEach-Object { $_.Code; $_.File; $_.Line }").AssertNoErrors().Output;
            Assert.Equal("PW1052", error[0].ToString()); // a step cycle
            Assert.Equal(loop, error[1].ToString());
            Assert.True((int)error[2].BaseObject >= 3);

            var quiet = ps.Run("Test-PrimewayPipeline -Path " + PowerShellSession.Quote(Path.Combine(dir, "*.yaml")) + " -Quiet").AssertNoErrors();
            Assert.Equal(new object[] { true, false }, quiet.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void New_PrimewayPipeline_reads_steps_and_their_jobs()
        {
            var file = Write("flow.yaml", "pipeline_name: flow\nschedule: '0 2 * * *'\nsteps:\n  - {id: a, docker_image: busybox, command: 'true'}\n  - {id: b, docker_image: busybox, inputs: [a], command: 'true'}\n");
            var pipeline = ps.Run("New-PrimewayPipeline " + PowerShellSession.Quote(file)).AssertNoErrors().Output.Single();
            Assert.Contains("Primeway.PipelineSpec", pipeline.TypeNames);
            Assert.Equal(("flow", "0 2 * * *"), (pipeline.Properties["PipelineName"].Value, pipeline.Properties["Schedule"].Value));
            var steps = ps.Run("(New-PrimewayPipeline " + PowerShellSession.Quote(file) + ").Steps | ForEach-Object { $_.Id + ':' + ($_.Inputs -join ',') + ':' + $_.Job.JobName }").AssertNoErrors();
            Assert.Equal(new[] { "a::flow-a", "b:a:flow-b" }, steps.Output.Select(o => o.ToString()));
            var fromText = ps.Run("(New-PrimewayPipeline -Yaml \"pipeline_name: t`nsteps: []\").PipelineName").AssertNoErrors();
            Assert.Equal("t", fromText.Output.Single().ToString());
            var notOne = ps.Run("New-PrimewayPipeline -Yaml '- a list'");
            Assert.StartsWith("UnreadablePipeline,", Assert.Single(notOne.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void A_file_that_is_no_pipeline_is_an_UnreadablePipeline_error()
        {
            var bad = Write("bad.yaml", "- just\n- a list\n");
            var result = ps.Run("Test-PrimewayPipeline -LiteralPath " + PowerShellSession.Quote(bad) + " -Quiet");
            Assert.Equal(false, result.Output.Single().BaseObject);
            Assert.StartsWith("UnreadablePipeline,", Assert.Single(result.Errors).FullyQualifiedErrorId);
        }
    }
}
