using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Primeway.Host.Tests
{
    public sealed class ValidateCommandTests : IDisposable
    {
        private readonly string dir = Path.Combine(Path.GetTempPath(), "primeway-validate-" + Guid.NewGuid().ToString("N"));

        public ValidateCommandTests() => Directory.CreateDirectory(dir);

        public void Dispose() => Directory.Delete(dir, true);

        private string Write(string name, string yaml)
        {
            var path = Path.Combine(dir, name);
            File.WriteAllText(path, yaml);
            return path;
        }

        private static (int Exit, string Out, string Err) Primeway(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = Cli.Run(args, stdout, stderr);
            return (exit, stdout.ToString(), stderr.ToString());
        }

        private const string Valid = "job_name: ok\njob_type: run\ndocker_image: busybox\ncommand: 'true'\n";

        [Fact]
        public void Valid_files_exit_0_with_a_summary()
        {
            var (exit, output, _) = Primeway("validate", Write("ok.yaml", Valid));
            Assert.Equal(ExitCodes.Success, exit);
            Assert.Contains("Checked 1 file: all valid (0 errors, 0 warnings).", output);
        }

        [Fact]
        public void Pipeline_files_are_checked_with_their_steps()
        {
            var good = Write("pipeline.yaml", "pipeline_name: p\nsteps:\n  - id: a\n    docker_image: busybox\n  - id: b\n    dependencies: [a]\n    docker_image: busybox\n");
            Assert.Equal(ExitCodes.Success, Primeway("validate", good).Exit);
            var bad = Write("cycle.yaml", "pipeline_name: p\nsteps:\n  - id: a\n    dependencies: [b]\n    docker_image: busybox\n  - id: b\n    dependencies: [a]\n    docker_image: busybox\n    memory: lots\n");
            var (exit, output, _) = Primeway("validate", bad);
            Assert.Equal(ExitCodes.Invalid, exit);
            Assert.Contains(bad + ":4:5: error PW1052: the steps wait for each other in a circle: a → b → a.", output);
            Assert.Contains(bad + ":9:13: error PW1013:", output);
            Assert.Contains("2 of 2 jobs invalid", output);
        }

        [Fact]
        public void Invalid_files_exit_1_with_compiler_style_lines()
        {
            var bad = Write("bad.yaml", "job_name: api\njob_type: deploy\ndocker_image: nginx\nport: 80\n");
            var (exit, output, _) = Primeway("validate", bad);
            Assert.Equal(ExitCodes.Invalid, exit);
            Assert.Contains(bad + ":2:1: error PW1003: a deploy job needs health_endpoint", output);
        }

        [Fact]
        public void Warnings_alone_exit_0_and_are_printed()
        {
            var (exit, output, _) = Primeway("validate", Write("warn.yaml", Valid + "requirements: [numpy]\n"));
            Assert.Equal(ExitCodes.Success, exit);
            Assert.Contains(":5:1: warning PW2002: ", output);
        }

        [Fact]
        public void A_folder_checks_its_yaml_and_yml_files_only()
        {
            Write("a.yaml", Valid);
            Write("b.yml", Valid.Replace("ok", "other"));
            Write("notes.txt", "not a job");
            var (exit, output, _) = Primeway("validate", dir);
            Assert.Equal(ExitCodes.Success, exit);
            Assert.Contains("Checked 2 files", output);
        }

        [Fact]
        public void Json_output_has_the_documented_shape()
        {
            var good = Write("good.yaml", Valid);
            var bad = Write("bad.yaml", "job_name: x\njob_type: walk\ndocker_image: b\nrequirements: [a]\n");
            var (exit, output, _) = Primeway("validate", good, bad, "--output", "json");
            Assert.Equal(ExitCodes.Invalid, exit);
            using var json = JsonDocument.Parse(output);
            var files = json.RootElement.EnumerateArray().ToList();
            Assert.Equal(2, files.Count);
            Assert.Equal(good, files[0].GetProperty("file").GetString());
            Assert.True(files[0].GetProperty("valid").GetBoolean());
            Assert.False(files[1].GetProperty("valid").GetBoolean());
            var error = files[1].GetProperty("errors").EnumerateArray().Single();
            Assert.Equal("PW1001", error.GetProperty("code").GetString());
            Assert.Equal("job_type", error.GetProperty("field").GetString());
            Assert.Equal(2, error.GetProperty("line").GetInt32());
            Assert.Equal(11, error.GetProperty("column").GetInt32());
            Assert.Contains("'run' or 'deploy'", error.GetProperty("message").GetString());
            var warning = files[1].GetProperty("warnings").EnumerateArray().Single();
            Assert.Equal("PW2002", warning.GetProperty("code").GetString());
        }

        [Fact]
        public void A_syntax_error_is_a_diagnostic_not_a_crash()
        {
            var (exit, output, err) = Primeway("validate", Write("syntax.yaml", "job_name: [a\n"));
            Assert.Equal(ExitCodes.Invalid, exit);
            Assert.Contains("error PW1010: YAML syntax error", output);
            Assert.DoesNotContain("Exception", output + err);
        }

        [Theory]
        [InlineData("validate")]
        [InlineData("validate", "--output", "xml", "x.yaml")]
        [InlineData("frobnicate")]
        public void Usage_errors_exit_2(params string[] args)
        {
            var (exit, _, err) = Primeway(args);
            Assert.Equal(ExitCodes.UsageOrIo, exit);
            Assert.Contains("primeway", err);
        }

        [Fact]
        public void A_missing_path_exits_2()
        {
            var (exit, _, err) = Primeway("validate", Path.Combine(dir, "missing.yaml"));
            Assert.Equal(ExitCodes.UsageOrIo, exit);
            Assert.Contains("no such file or folder", err);
        }

        [Fact]
        public void A_folder_without_job_files_exits_2()
        {
            var (exit, _, err) = Primeway("validate", dir);
            Assert.Equal(ExitCodes.UsageOrIo, exit);
            Assert.Contains("no *.yaml or *.yml files", err);
        }

        [Fact]
        public void The_examples_shipped_with_the_project_are_valid()
        {
            var examples = Path.Combine(RepoRoot.Path, "examples");
            var (exit, output, err) = Primeway("validate", examples);
            Assert.True(exit == ExitCodes.Success, output + err);
        }

        [Fact]
        public void The_real_executable_returns_the_same_exit_codes()
        {
            var primeway = Path.Combine(AppContext.BaseDirectory, "primeway.dll");
            var bad = Write("bad.yaml", "job_name: x\n");
            foreach (var (args, expected) in new[] { (Write("ok.yaml", Valid), 0), (bad, 1), ("--nope", 2) })
            {
                var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
                start.ArgumentList.Add(primeway);
                start.ArgumentList.Add("validate");
                start.ArgumentList.Add(args);
                using var process = Process.Start(start)!;
                var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(expected == process.ExitCode, "primeway validate " + args + " exited " + process.ExitCode + ": " + output);
            }
        }
    }

    internal static class RepoRoot
    {
        public static string Path { get; } = Find();

        private static string Find()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Primeway.PowerShell.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
        }
    }
}
