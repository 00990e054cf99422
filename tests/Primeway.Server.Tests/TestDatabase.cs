using System;
using System.Threading.Tasks;
using Npgsql;

namespace Primeway.Server.Tests
{
    /// <summary>
    /// A fresh PostgreSQL database on the test server (scripts/test-services.sh starts it; PRIMEWAY_TEST_POSTGRES
    /// points elsewhere), dropped afterwards.
    /// </summary>
    public sealed class TestDatabase : IAsyncDisposable
    {
        public const string DefaultServer = "Host=127.0.0.1;Username=primeway;Password=primeway;Database=primeway_test;Timeout=5";

        private TestDatabase(string name, string connectionString)
        {
            Name = name;
            ConnectionString = connectionString;
        }

        public string Name { get; }
        public string ConnectionString { get; }

        public static string Server => Environment.GetEnvironmentVariable("PRIMEWAY_TEST_POSTGRES") ?? DefaultServer;

        public static async Task<TestDatabase> CreateAsync()
        {
            var name = "primeway_t_" + Guid.NewGuid().ToString("N").Substring(0, 12);
            await using (var admin = new NpgsqlConnection(Server))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand("CREATE DATABASE " + name, admin);
                await create.ExecuteNonQueryAsync();
            }
            var builder = new NpgsqlConnectionStringBuilder(Server) { Database = name };
            return new TestDatabase(name, builder.ConnectionString);
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(Server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand("DROP DATABASE IF EXISTS " + Name + " WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        /// <summary>Whether the test server answers; under CI=true a test runs (and fails) either way.</summary>
        public static readonly Lazy<string?> Missing = new Lazy<string?>(() =>
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) return null;
            try
            {
                using var connection = new NpgsqlConnection(Server);
                connection.Open();
                return null;
            }
            catch (Exception e)
            {
                return "no PostgreSQL server answers (" + e.Message + "; run scripts/test-services.sh); under CI=true this test fails instead";
            }
        });
    }

    /// <summary>A test that needs the PostgreSQL test server: skipped without one, except under CI=true, where it fails.</summary>
    public sealed class PostgresFactAttribute : FactAttribute
    {
        public PostgresFactAttribute()
        {
            if (TestDatabase.Missing.Value != null) Skip = TestDatabase.Missing.Value;
        }
    }
}
