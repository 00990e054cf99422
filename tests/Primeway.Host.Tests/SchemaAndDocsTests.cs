using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Primeway.Host.Commands;

namespace Primeway.Host.Tests
{
    /// <summary>The JSON Schema and the job-config reference agree with the C# model.</summary>
    public class SchemaAndDocsTests
    {
        private static readonly string SchemaPath = Path.Combine(RepoRoot.Path, "docs", "schema", "primeway-job.schema.json");
        private static readonly string DocsPath = Path.Combine(RepoRoot.Path, "docs", "job-config.md");

        [Fact]
        public void The_committed_schema_is_what_primeway_schema_prints()
        {
            Assert.True(File.ReadAllText(SchemaPath) == JobSchema.Generate(),
                "docs/schema/primeway-job.schema.json is out of date: run `dotnet run --project src/Primeway.Host -- schema > docs/schema/primeway-job.schema.json`.");
        }

        [Fact]
        public void The_schema_has_exactly_the_models_keys_with_matching_types()
        {
            using var schema = JsonDocument.Parse(File.ReadAllText(SchemaPath));
            var properties = schema.RootElement.GetProperty("properties");
            var keys = properties.EnumerateObject().Select(p => p.Name).OrderBy(k => k).ToList();
            Assert.Equal(JobFields.AllKeys.OrderBy(k => k).ToList(), keys);
            foreach (var field in JobFields.All)
            {
                var property = properties.GetProperty(field.Key);
                switch (field.Kind)
                {
                    case JobFieldKind.Integer: Assert.Equal("integer", property.GetProperty("type").GetString()); break;
                    case JobFieldKind.Text: Assert.Equal("string", property.GetProperty("type").GetString()); break;
                    case JobFieldKind.GpuList: Assert.Equal("array", property.GetProperty("type").GetString()); break;
                    default: Assert.True(property.TryGetProperty("$ref", out _) || property.TryGetProperty("enum", out _), field.Key); break;
                }
            }
            Assert.False(schema.RootElement.GetProperty("additionalProperties").GetBoolean());
        }

        [Fact]
        public void The_schema_lists_every_gpu_model()
        {
            var text = File.ReadAllText(SchemaPath);
            Assert.All(GpuCatalog.Models, m => Assert.Contains("\"" + m.Name + "\"", text));
        }

        [Fact]
        public void The_reference_documents_every_field_alias_and_code()
        {
            var docs = File.ReadAllText(DocsPath);
            foreach (var key in JobFields.AllKeys) Assert.Matches(new Regex("`" + key + "`"), docs);
            foreach (var code in typeof(DiagnosticCodes).GetFields().Select(f => (string)f.GetValue(null)!))
                Assert.True(docs.Contains(code), "docs/job-config.md does not document " + code);
        }
    }
}
