using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Primeway.Host.Commands
{
    /// <summary>
    /// The JSON Schema of a job file, made from the same field table the reader uses, so it cannot drift from
    /// the model. docs/schema/primeway-job.schema.json is its output; a test keeps the two equal.
    /// </summary>
    internal static class JobSchema
    {
        public const string Id = "https://primeway.dev/schema/primeway-job.schema.json";

        public static Command CreateCommand(TextWriter stdout)
        {
            var command = new Command("schema", "Print the JSON Schema of a job file, for editors (yaml-language-server, VS Code).");
            command.SetAction(_ =>
            {
                stdout.Write(Generate());
                return ExitCodes.Success;
            });
            return command;
        }

        public static string Generate()
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                w.WriteString("$schema", "http://json-schema.org/draft-07/schema#");
                w.WriteString("$id", Id);
                w.WriteString("title", "Primeway job");
                w.WriteString("description", "A Primeway job file: a run job executes once, a deploy job is a long-lived HTTP service. See docs/job-config.md.");
                w.WriteString("type", "object");
                w.WriteStartArray("required");
                foreach (var key in new[] { "job_name", "job_type", "docker_image" }) w.WriteStringValue(key);
                w.WriteEndArray();
                w.WriteBoolean("additionalProperties", false);

                w.WriteStartObject("properties");
                foreach (var field in JobFields.All)
                {
                    w.WritePropertyName(field.Key);
                    WriteField(w, field, field.Description);
                    foreach (var alias in field.Aliases)
                    {
                        w.WritePropertyName(alias);
                        WriteField(w, field, "Another spelling of " + field.Key + ": " + field.Description);
                    }
                }
                w.WriteEndObject();

                // Rule 3: deploy jobs need port and health_endpoint.
                w.WriteStartObject("if");
                w.WriteStartObject("properties");
                w.WriteStartObject("job_type");
                w.WriteString("const", "deploy");
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartArray("required");
                w.WriteStringValue("job_type");
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteStartObject("then");
                w.WriteStartArray("required");
                w.WriteStringValue("port");
                w.WriteStringValue("health_endpoint");
                w.WriteEndArray();
                w.WriteEndObject();

                WriteDefinitions(w);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
        }

        private static void WriteField(Utf8JsonWriter w, JobField field, string description)
        {
            w.WriteStartObject();
            w.WriteString("description", description);
            switch (field.Kind)
            {
                case JobFieldKind.Text:
                    w.WriteString("type", "string");
                    if (field.Key == "job_name")
                    {
                        w.WriteString("pattern", "^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$");
                    }
                    if (field.Key == "health_endpoint") w.WriteString("pattern", "^/");
                    if (field.Key == "gateway_auth")
                    {
                        w.WriteStartArray("enum");
                        foreach (var mode in JobValidator.GatewayAuthModes) w.WriteStringValue(mode);
                        w.WriteEndArray();
                    }
                    break;
                case JobFieldKind.Integer:
                    w.WriteString("type", "integer");
                    w.WriteNumber("minimum", 1);
                    if (field.Key == "port") w.WriteNumber("maximum", 65535);
                    break;
                case JobFieldKind.JobType:
                    w.WriteStartArray("enum");
                    w.WriteStringValue("run");
                    w.WriteStringValue("deploy");
                    w.WriteEndArray();
                    break;
                case JobFieldKind.CommandLine:
                case JobFieldKind.TextList:
                    w.WriteString("$ref", "#/definitions/stringOrList");
                    break;
                case JobFieldKind.GpuList:
                    w.WriteString("type", "array");
                    w.WriteStartObject("items");
                    w.WriteString("$ref", "#/definitions/gpu");
                    w.WriteEndObject();
                    break;
                case JobFieldKind.EnvList:
                    w.WriteString("$ref", "#/definitions/env");
                    break;
                case JobFieldKind.Schedule:
                    w.WriteString("$ref", "#/definitions/schedule");
                    break;
            }
            w.WriteEndObject();
        }

        private static void WriteDefinitions(Utf8JsonWriter w)
        {
            w.WriteStartObject("definitions");
            w.WriteRaw("stringOrList", "{\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"array\", \"items\": {\"type\": \"string\"}}]}");

            w.WriteStartObject("gpuType");
            w.WriteString("description", "A GPU model: the canonical name or any spelling that names one model without doubt (NVIDIA A40, A100-SXM4-80GB).");
            w.WriteStartArray("anyOf");
            w.WriteStartObject();
            w.WriteStartArray("enum");
            foreach (var model in GpuCatalog.Models) w.WriteStringValue(model.Name);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("type", "string");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteRaw("gpu",
                "{\"oneOf\": [{\"$ref\": \"#/definitions/gpuType\"}, {\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"type\"], " +
                "\"properties\": {\"type\": {\"$ref\": \"#/definitions/gpuType\"}, \"count\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": " + JobValidator.MaxGpusPerType + ", \"default\": 1}}}]}");
            w.WriteRaw("env",
                "{\"oneOf\": [" +
                "{\"type\": \"array\", \"items\": {\"oneOf\": [" +
                "{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"name\", \"value\"], \"properties\": {\"name\": {\"type\": \"string\", \"pattern\": \"^[A-Za-z_][A-Za-z0-9_]*$\"}, \"value\": {\"type\": [\"string\", \"number\", \"boolean\"]}}}, " +
                "{\"type\": \"string\", \"pattern\": \"^[A-Za-z_][A-Za-z0-9_]*=\"}]}}, " +
                "{\"type\": \"object\", \"propertyNames\": {\"pattern\": \"^[A-Za-z_][A-Za-z0-9_]*$\"}, \"additionalProperties\": {\"type\": [\"string\", \"number\", \"boolean\"]}}]}");
            w.WriteRaw("time", "{\"type\": \"string\", \"pattern\": \"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$|^24:00(:00)?$\"}");
            w.WriteRaw("windows",
                "{\"type\": \"array\", \"items\": {\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"start\", \"end\"], " +
                "\"properties\": {\"start\": {\"$ref\": \"#/definitions/time\"}, \"end\": {\"$ref\": \"#/definitions/time\"}}}}");
            w.WriteRaw("schedule",
                "{\"type\": \"object\", \"additionalProperties\": false, \"properties\": {" +
                "\"timezone\": {\"type\": \"string\", \"description\": \"IANA time zone, default UTC.\"}, " +
                "\"workdays\": {\"$ref\": \"#/definitions/windows\"}, \"weekends\": {\"$ref\": \"#/definitions/windows\"}, " +
                "\"specific_days\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"additionalProperties\": false, \"properties\": {" +
                "\"day\": {\"enum\": [\"monday\", \"tuesday\", \"wednesday\", \"thursday\", \"friday\", \"saturday\", \"sunday\"]}, " +
                "\"date\": {\"type\": \"string\", \"pattern\": \"^[0-9]{4}-[0-9]{2}-[0-9]{2}$\"}, \"windows\": {\"$ref\": \"#/definitions/windows\"}}}}}}");
            w.WriteEndObject();
        }

        private static void WriteRaw(this Utf8JsonWriter w, string name, string json)
        {
            w.WritePropertyName(name);
            using var document = JsonDocument.Parse(json);
            document.RootElement.WriteTo(w);
        }
    }
}
