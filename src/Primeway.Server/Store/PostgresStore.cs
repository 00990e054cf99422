using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Primeway.Server.Store
{
    /// <summary>
    /// The store for several server instances: one PostgreSQL database shared by all. Rows claimed by one
    /// instance are skipped by the others (FOR UPDATE SKIP LOCKED); migrations wait on an advisory lock.
    /// </summary>
    public sealed class PostgresStore : SqlStore, System.IAsyncDisposable
    {
        // Any fixed number: the key of the advisory lock that migrations hold.
        private const long MigrationLockKey = 0x7072696d65776179;

        private readonly NpgsqlDataSource dataSource;

        public PostgresStore(string connectionString)
        {
            dataSource = NpgsqlDataSource.Create(connectionString);
        }

        public override bool IsShared => true;

        protected override string BinaryType => "BYTEA";

        protected override string SkipLockedRows => " FOR UPDATE SKIP LOCKED";

        protected override async Task<DbConnection> OpenAsync(CancellationToken ct) =>
            await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);

        protected override Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct) =>
            ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(" + MigrationLockKey + ")", ct);

        public ValueTask DisposeAsync() => dataSource.DisposeAsync();
    }
}
