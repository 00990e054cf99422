using System;
using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace Primeway.Server.Store
{
    /// <summary>The default store: one SQLite file in the data directory, in WAL mode, for one server instance.</summary>
    public sealed class SqliteStore : SqlStore
    {
        private readonly string connectionString;

        // SQLite has one writer at a time. Queueing writers here, rather than letting them meet SQLITE_BUSY and
        // retry with sleeps inside the driver, keeps write latency flat under load.
        private readonly SemaphoreSlim writeLock = new SemaphoreSlim(1, 1);

        public SqliteStore(string databasePath)
        {
            connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = databasePath,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Cache = SqliteCacheMode.Private,
                Pooling = true,
                DefaultTimeout = 30,
            }.ToString();
        }

        public override bool IsShared => false;

        protected override string BinaryType => "BLOB";

        protected override async Task<DbConnection> OpenAsync(CancellationToken ct)
        {
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";
            await pragma.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return connection;
        }

        protected override Task PrepareDatabaseAsync(DbConnection connection, CancellationToken ct) =>
            ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL", ct);

        protected override async ValueTask<IAsyncDisposable?> EnterWriteAsync(CancellationToken ct)
        {
            await writeLock.WaitAsync(ct).ConfigureAwait(false);
            return new Release(writeLock);
        }

        private sealed class Release : IAsyncDisposable
        {
            private SemaphoreSlim? held;

            public Release(SemaphoreSlim held) => this.held = held;

            public ValueTask DisposeAsync()
            {
                Interlocked.Exchange(ref held, null)?.Release();
                return default;
            }
        }
    }
}
