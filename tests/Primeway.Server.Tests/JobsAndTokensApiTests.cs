using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Primeway.Server.Store;

namespace Primeway.Server.Tests
{
    /// <summary>The jobs and tokens routes over real HTTP on loopback, with a real SQLite file.</summary>
    public sealed class JobsAndTokensApiTests : IAsyncLifetime
    {
        private RunningServer server = null!;

        private const string Hello = "job_name: hello\njob_type: run\ndocker_image: busybox\ncommand: echo hi\nenv:\n  - {name: SECRET, value: s3cr3t}\n";

        public async Task InitializeAsync() => server = await RunningServer.StartAsync();

        public async Task DisposeAsync() => await server.DisposeAsync();

        private static async Task<JsonElement> Json(HttpResponseMessage response) =>
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        [Fact]
        public async Task Healthz_is_open()
        {
            var response = await server.Client(null).GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("pw_wrong")]
        public async Task V1_routes_refuse_missing_or_wrong_tokens_with_a_problem(string? token)
        {
            var response = await server.Client(token).GetAsync("/v1/jobs");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
            var problem = await Json(response);
            Assert.Equal(401, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        }

        [Fact]
        public async Task The_admin_token_file_is_readable_by_its_owner_only()
        {
            var mode = File.GetUnixFileMode(Path.Combine(server.DataDirectory, "admin-token"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
            Assert.StartsWith("pw_", server.AdminToken);
        }

        [Fact]
        public async Task A_job_is_submitted_listed_fetched_by_id_and_name_and_deleted()
        {
            var client = server.Client(server.AdminToken);
            var created = await client.PostAsync("/v1/jobs", RunningServer.Yaml(Hello));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var job = await Json(created);
            var id = job.GetProperty("id").GetString()!;
            Assert.Equal("hello", job.GetProperty("name").GetString());
            Assert.Equal("run", job.GetProperty("job_type").GetString());
            Assert.Equal("/v1/jobs/" + id, created.Headers.Location!.OriginalString);

            var list = await Json(await client.GetAsync("/v1/jobs"));
            Assert.Equal(id, list.EnumerateArray().Single().GetProperty("id").GetString());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/jobs/" + id)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/jobs/hello")).StatusCode);

            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v1/jobs/" + id)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/jobs/" + id)).StatusCode);
        }

        [Fact]
        public async Task Submitting_the_same_name_again_replaces_the_definition()
        {
            var client = server.Client(server.AdminToken);
            var first = await Json(await client.PostAsync("/v1/jobs", RunningServer.Yaml(Hello)));
            var again = await client.PostAsync("/v1/jobs", RunningServer.Yaml(Hello.Replace("echo hi", "echo bye")));
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            var second = await Json(again);
            Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
            Assert.Contains("echo bye", second.GetProperty("definition").GetString());
        }

        [Fact]
        public async Task Json_job_files_are_accepted()
        {
            var body = new StringContent("{\"job_name\": \"j\", \"job_type\": \"run\", \"docker_image\": \"busybox\"}", Encoding.UTF8, "application/json");
            var response = await server.Client(server.AdminToken).PostAsync("/v1/jobs", body);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        [Fact]
        public async Task An_invalid_job_is_refused_with_422_and_the_validate_diagnostics()
        {
            var response = await server.Client(server.AdminToken).PostAsync("/v1/jobs",
                RunningServer.Yaml("job_name: api\njob_type: deploy\ndocker_image: nginx\nport: 80\nmemmory: 2\n"));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            var errors = (await Json(response)).GetProperty("errors").EnumerateArray().ToList();
            var unknown = errors.Single(e => e.GetProperty("code").GetString() == "PW1012");
            Assert.Equal("memmory", unknown.GetProperty("field").GetString());
            Assert.Equal(5, unknown.GetProperty("line").GetInt32());
            Assert.Equal(1, unknown.GetProperty("column").GetInt32());
            Assert.Contains(errors, e => e.GetProperty("code").GetString() == "PW1003");
        }

        [Fact]
        public async Task A_yaml_syntax_error_is_a_422_with_its_position()
        {
            var response = await server.Client(server.AdminToken).PostAsync("/v1/jobs", RunningServer.Yaml("job_name: [a\n"));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var error = (await Json(response)).GetProperty("errors").EnumerateArray().Single();
            Assert.Equal("PW1010", error.GetProperty("code").GetString());
        }

        [Fact]
        public async Task A_project_dir_is_not_looked_for_on_the_server()
        {
            var response = await server.Client(server.AdminToken).PostAsync("/v1/jobs",
                RunningServer.Yaml("job_name: p\njob_type: run\ndocker_image: python\nproject_dir: ./nowhere\nentry_script: main.py\n"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        [Fact]
        public async Task The_api_token_in_a_job_file_is_never_stored_or_echoed()
        {
            var response = await server.Client(server.AdminToken).PostAsync("/v1/jobs", RunningServer.Yaml(Hello + "primeway_api_token: pw_leaked_value\n"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.DoesNotContain("pw_leaked_value", text);
            Assert.Contains("PW2004", text);
            var db = await File.ReadAllBytesAsync(Path.Combine(server.DataDirectory, "primeway.db"));
            var wal = Path.Combine(server.DataDirectory, "primeway.db-wal");
            var everything = Encoding.UTF8.GetString(db) + (File.Exists(wal) ? Encoding.UTF8.GetString(await File.ReadAllBytesAsync(wal)) : "");
            Assert.DoesNotContain("pw_leaked_value", everything);
        }

        [Fact]
        public async Task Another_owner_gets_404_for_my_job_and_sees_an_empty_list()
        {
            var admin = server.Client(server.AdminToken);
            var job = await Json(await admin.PostAsync("/v1/jobs", RunningServer.Yaml(Hello)));
            var created = await Json(await admin.PostAsJsonAsync("/v1/tokens", new { name = "alice" }));
            var alice = server.Client(created.GetProperty("token").GetString());

            var response = await alice.GetAsync("/v1/jobs/" + job.GetProperty("id").GetString());
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Empty((await Json(await alice.GetAsync("/v1/jobs"))).EnumerateArray());
            Assert.Equal(HttpStatusCode.NotFound, (await alice.DeleteAsync("/v1/jobs/" + job.GetProperty("id").GetString())).StatusCode);
        }

        [Fact]
        public async Task Tokens_are_made_shown_once_listed_without_secrets_and_revoked()
        {
            var admin = server.Client(server.AdminToken);
            var response = await admin.PostAsJsonAsync("/v1/tokens", new { name = "ci" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var token = await Json(response);
            var secret = token.GetProperty("token").GetString()!;
            Assert.Equal("ci", token.GetProperty("owner").GetString());

            var listText = await (await admin.GetAsync("/v1/tokens")).Content.ReadAsStringAsync();
            Assert.Contains("\"ci\"", listText);
            Assert.DoesNotContain(secret, listText);

            var ci = server.Client(secret);
            Assert.Equal(HttpStatusCode.OK, (await ci.GetAsync("/v1/jobs")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await ci.GetAsync("/v1/tokens")).StatusCode);

            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/v1/tokens/" + token.GetProperty("id").GetString())).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await ci.GetAsync("/v1/jobs")).StatusCode);
        }

        [Fact]
        public async Task Only_hashes_of_tokens_are_stored()
        {
            var store = new SqliteStore(Path.Combine(server.DataDirectory, "primeway.db"));
            var tokens = await store.ListTokensAsync(default);
            var admin = tokens.Single();
            Assert.Equal(32, admin.SecretHash.Length);
            Assert.Equal(Auth.Tokens.Hash(server.AdminToken), admin.SecretHash);
            var db = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(Path.Combine(server.DataDirectory, "primeway.db-wal")));
            Assert.DoesNotContain(server.AdminToken, db);
        }

        [Fact]
        public async Task Unknown_routes_are_problems_too()
        {
            var response = await server.Client(server.AdminToken).GetAsync("/v1/nothing-here");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }

        [Fact]
        public async Task The_openapi_document_lists_the_routes()
        {
            var text = await (await server.Client(null).GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();
            Assert.Contains("\"/v1/jobs\"", text);
            Assert.Contains("\"/v1/tokens\"", text);
        }
    }

    public sealed class ServerStartTests
    {
        [Fact]
        public async Task PRIMEWAY_API_TOKEN_becomes_the_admin_token_on_a_first_start_only()
        {
            var data = Path.Combine(Path.GetTempPath(), "primeway-server-" + Guid.NewGuid().ToString("N"));
            await using (var first = await RunningServer.StartAsync(data, adminToken: "pw_from_environment"))
            {
                Assert.False(File.Exists(Path.Combine(data, "admin-token")));
                Assert.Equal(HttpStatusCode.OK, (await first.Client("pw_from_environment").GetAsync("/v1/jobs")).StatusCode);
            }
            await using var second = await RunningServer.StartAsync(data, adminToken: "pw_other");
            Assert.Equal(HttpStatusCode.Unauthorized, (await second.Client("pw_other").GetAsync("/v1/jobs")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await second.Client("pw_from_environment").GetAsync("/v1/jobs")).StatusCode);
        }

        [Fact]
        public async Task Migrations_are_versioned_and_idempotent()
        {
            var path = Path.Combine(Path.GetTempPath(), "primeway-" + Guid.NewGuid().ToString("N") + ".db");
            var store = new SqliteStore(path);
            await store.MigrateAsync(default);
            await store.MigrateAsync(default);
            Assert.Equal(SqlStore.Migrations.Length, await store.SchemaVersionAsync(default));
        }

        [Fact]
        public async Task Data_survives_a_restart()
        {
            var data = Path.Combine(Path.GetTempPath(), "primeway-server-" + Guid.NewGuid().ToString("N"));
            string token;
            await using (var first = await RunningServer.StartAsync(data))
            {
                token = first.AdminToken;
                await first.Client(token).PostAsync("/v1/jobs", RunningServer.Yaml("job_name: keep\njob_type: run\ndocker_image: busybox\n"));
            }
            await using var second = await RunningServer.StartAsync(data);
            var list = await (await second.Client(token).GetAsync("/v1/jobs")).Content.ReadAsStringAsync();
            Assert.Contains("\"keep\"", list);
        }
    }
}
