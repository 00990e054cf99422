using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using static Primeway.Core.Tests.JobCheck;

namespace Primeway.Core.Tests
{
    /// <summary>Unknown keys, wrong types, syntax errors, aliases and several jobs in one file.</summary>
    public class FileShapeTests
    {
        [Theory]
        [InlineData("memmory: 4", "memory")]
        [InlineData("dockerimage: x", "docker_image")]
        [InlineData("gpu_type: []", "gpu_types")]
        [InlineData("enviroment: []", null)]
        public void Unknown_keys_are_errors_with_did_you_mean(string line, string? guess)
        {
            var d = Single(Minimal + line + "\n", DiagnosticCodes.UnknownField, "f.yaml");
            Assert.Equal(line.Split(':')[0], d.Field);
            Assert.Equal((4, 1), (d.Line, d.Column));
            if (guess != null) Assert.Contains("Did you mean '" + guess + "'?", d.Message);
            else Assert.Contains("Known fields:", d.Message);
        }

        [Fact]
        public void Unknown_keys_inside_items_are_errors_too()
        {
            var d = Single(Minimal + "gpu_types:\n  - {type: L4, cout: 1}\n", DiagnosticCodes.UnknownField);
            Assert.Equal("gpu_types[0].cout", d.Field);
            Assert.Contains("Did you mean 'count'?", d.Message);
        }

        [Theory]
        [InlineData("context", "project_dir")]
        [InlineData("job_timeout", "timeout")]
        [InlineData("autoscaler_timeout", "idle_timeout")]
        public void Aliases_map_onto_the_same_field(string alias, string field)
        {
            var viaAlias = JobYaml.Read(Minimal + alias + ": 42\n").Jobs[0];
            var viaField = JobYaml.Read(Minimal + field + ": 42\n").Jobs[0];
            Assert.Equal(viaField, viaAlias);
            Assert.Equal("42", JobFields.Get(field).Get(viaAlias)?.ToString());
        }

        [Theory]
        [InlineData("context", "project_dir")]
        [InlineData("job_timeout", "timeout")]
        [InlineData("autoscaler_timeout", "idle_timeout")]
        public void Giving_both_spellings_is_an_error_at_the_second(string alias, string field)
        {
            var d = Single(Minimal + field + ": 1\n" + alias + ": 2\n", DiagnosticCodes.AliasConflict);
            Assert.Equal(field, d.Field);
            Assert.Equal(5, d.Line);
            Assert.Contains("line 4", d.Message);
        }

        [Fact]
        public void A_key_given_twice_is_an_error()
        {
            var d = Single(Minimal + "memory: 1\nmemory: 2\n", DiagnosticCodes.DuplicateField);
            Assert.Equal(5, d.Line);
        }

        [Fact]
        public void The_newer_fields_are_read()
        {
            var job = JobYaml.Read(Minimal + "health_check_timeout: 30\ncreation_timeout: 600\nignore_patterns: ['*.ckpt', data/]\nartifacts_path: /out\nrequest_input_dir: /in\n").Jobs[0];
            Assert.Equal(30, job.HealthCheckTimeout);
            Assert.Equal(600, job.CreationTimeout);
            Assert.Equal(new[] { "*.ckpt", "data/" }, job.IgnorePatterns);
            Assert.Equal("/out", job.ArtifactsPath);
            Assert.Equal("/in", job.RequestInputDir);
        }

        [Fact]
        public void Command_and_args_take_a_string_or_a_list()
        {
            var text = JobYaml.Read(Minimal + "command: python -c 'print(1)'\n").Jobs[0];
            Assert.False(text.Command!.IsList);
            Assert.Equal(new[] { "python", "-c", "print(1)" }, text.Command.ToArguments());
            var list = JobYaml.Read(Minimal + "command: [python, -c, 'print(1)']\nargs: [--x, '1']\n").Jobs[0];
            Assert.True(list.Command!.IsList);
            Assert.Equal(new[] { "python", "-c", "print(1)" }, list.Command.Items);
            Assert.Equal(new[] { "--x", "1" }, list.Args!.Items);
        }

        [Fact]
        public void Wrong_shapes_are_errors_at_their_value()
        {
            var d = Single(Minimal + "env: hello\n", DiagnosticCodes.WrongType);
            Assert.Equal((4, 6), (d.Line, d.Column));
            Assert.Contains("a list of {name, value}", d.Message);
            var c = Single(Minimal + "command: {a: b}\n", DiagnosticCodes.WrongType);
            Assert.Contains("a string or a list of strings", c.Message);
            var g = Single(Minimal + "gpu_types: A40\n", DiagnosticCodes.WrongType);
            Assert.Contains("gpu_types: [{type: A40, count: 1}]", g.Message);
        }

        [Fact]
        public void A_field_of_the_wrong_type_is_not_also_reported_missing()
        {
            var all = All("job_name: [a]\njob_type: run\ndocker_image: x\n");
            Assert.Equal(new[] { DiagnosticCodes.WrongType }, all.Select(d => d.Code));
        }

        [Fact]
        public void Several_jobs_share_a_file_as_documents_each_with_its_own_position()
        {
            var yaml = "job_name: one\njob_type: run\ndocker_image: a\n---\n# second\njob_name: two\njob_type: run\ndocker_image: b\nmemory: x\n---\n";
            var read = JobYaml.Read(yaml, "multi.yaml");
            Assert.Equal(new[] { "one", "two" }, read.Jobs.Select(j => j.JobName));
            Assert.Equal(new[] { 0, 1 }, read.Jobs.Select(j => j.DocumentIndex));
            Assert.Equal(6, read.Jobs[1].SourceLine);
            var d = Single(yaml, DiagnosticCodes.WrongType, "multi.yaml");
            Assert.Equal(9, d.Line);
        }

        [Theory]
        [InlineData("job_name: a\n  job_type: run\n", 2)]
        [InlineData("job_name: a\ncommand: [a, b\n", 3)]
        [InlineData("job_name: 'unterminated\n", 1)]
        [InlineData("job_name: a: b\n", 1)]
        [InlineData("job_name: [unclosed\njob_type: run\n", 1)]
        public void Yaml_syntax_errors_are_reported_at_their_position_not_thrown(string yaml, int line)
        {
            var read = JobYaml.Read(yaml, "broken.yaml");
            var d = Assert.Single(read.Diagnostics);
            Assert.Equal(DiagnosticCodes.YamlSyntax, d.Code);
            Assert.Equal(line, d.Line);
            Assert.Equal("broken.yaml", d.File);
            Assert.StartsWith("YAML syntax error: ", d.Message);
            Assert.DoesNotContain("(Line:", d.Message);
            Assert.DoesNotContain("   at ", d.Message);
        }

        [Fact]
        public void Jobs_before_a_syntax_error_are_kept()
        {
            var read = JobYaml.Read(Minimal + "---\njob_name: [\n");
            Assert.Single(read.Jobs);
            Assert.Equal(DiagnosticCodes.YamlSyntax, Assert.Single(read.Diagnostics).Code);
        }

        [Fact]
        public void A_document_that_is_not_a_mapping_is_an_error()
        {
            var d = Assert.Single(JobYaml.Read("- a\n- b\n").Diagnostics);
            Assert.Equal(DiagnosticCodes.NotAMapping, d.Code);
            Assert.Equal(1, d.Line);
        }

        [Fact]
        public void An_empty_file_warns_that_it_holds_no_job()
        {
            var read = JobYaml.Read("# nothing here\n");
            Assert.Empty(read.Jobs);
            Assert.Equal(DiagnosticCodes.EmptyDocument, Assert.Single(read.Diagnostics).Code);
        }

        [Fact]
        public void A_missing_file_is_a_diagnostic_not_an_exception()
        {
            var read = JobYaml.ReadFile("/nonexistent/job.yaml");
            var d = Assert.Single(read.Diagnostics);
            Assert.Equal(DiagnosticCodes.FileNotReadable, d.Code);
            Assert.Contains("does not exist", d.Message);
        }

        [Fact]
        public void Anchors_and_aliases_are_followed()
        {
            var job = JobYaml.Read("x-env: &common\n  - {name: A, value: '1'}\n").Jobs[0];
            Assert.NotNull(job); // x-env is unknown, reported; aliases below must resolve.
            var read = JobYaml.Read("job_name: a\njob_type: run\ndocker_image: &img busybox\nentry_script: *img\n");
            Assert.Equal("busybox", read.Jobs[0].EntryScript);
        }

        [Fact]
        public void Json_is_read_too()
        {
            var job = JobYaml.Read("{\"job_name\": \"j\", \"job_type\": \"run\", \"docker_image\": \"busybox\", \"memory\": 2, \"env\": [{\"name\": \"A\", \"value\": \"b\"}]}").Jobs[0];
            Assert.Equal(2, job.Memory);
            Assert.Equal("b", job.Env[0].Value);
        }

        [Fact]
        public void A_dictionary_is_read_with_the_same_rules()
        {
            var definition = new Hashtable
            {
                ["job_name"] = "from-hash",
                ["job_type"] = "deploy",
                ["docker_image"] = "nginx",
                ["port"] = 8080,
                ["health_endpoint"] = "/",
                ["env"] = new Hashtable { ["A"] = "1" },
                ["gpu_types"] = new object[] { new Hashtable { ["type"] = "L4", ["count"] = 2 } },
                ["memmory"] = 3,
            };
            var job = JobYaml.FromDictionary(definition);
            Assert.Equal(8080, job.Port);
            Assert.Equal(new EnvVar("A", "1"), job.Env.Single());
            Assert.Equal(new GpuRequest("L4", 2), job.GpuTypes.Single());
            var result = JobValidator.Validate(job);
            var d = Assert.Single(result.Errors);
            Assert.Equal(DiagnosticCodes.UnknownField, d.Code);
            Assert.Contains("Did you mean 'memory'?", d.Message);
        }

        [Fact]
        public void Every_code_is_unique_and_errors_and_warnings_are_numbered_apart()
        {
            var codes = typeof(DiagnosticCodes).GetFields().Select(f => (string)f.GetValue(null)!).ToList();
            Assert.Equal(codes.Count, codes.Distinct().Count());
            Assert.All(codes, c => Assert.Matches("^PW[12][0-9]{3}$", c));
        }
    }
}
