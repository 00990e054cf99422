using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace Primeway.Server.Store
{
    /// <summary>The default store: one SQLite file in the data directory, in WAL mode.</summary>
    public sealed class SqliteStore : IStore
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

        /// <summary>Schema versions, applied in order; a released entry is never edited, only followed by a new one.</summary>
        internal static readonly string[] Migrations =
        {
            // 1: tokens, jobs, runs.
            @"CREATE TABLE tokens (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, is_admin INTEGER NOT NULL,
                secret_hash BLOB NOT NULL UNIQUE, created_at TEXT NOT NULL);
              CREATE TABLE jobs (
                id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, job_type TEXT NOT NULL, yaml TEXT NOT NULL,
                created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (owner, name));
              CREATE TABLE runs (
                id TEXT PRIMARY KEY, job_id TEXT NOT NULL, job_name TEXT NOT NULL, job_type TEXT NOT NULL, job_yaml TEXT NOT NULL,
                owner TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, exit_code INTEGER,
                created_at TEXT NOT NULL, started_at TEXT, ended_at TEXT, health_status TEXT, url TEXT,
                stop_requested INTEGER NOT NULL DEFAULT 0);
              CREATE INDEX runs_by_owner ON runs (owner, created_at DESC);
              CREATE INDEX runs_unfinished ON runs (status) WHERE status NOT IN ('completed', 'failed', 'stopped', 'terminated');",
            // 2: who started a run and a woken deploy run's cold start; schedule progress; deploy runs by job name for the gateway.
            @"ALTER TABLE runs ADD COLUMN started_by TEXT NOT NULL DEFAULT 'api';
              ALTER TABLE runs ADD COLUMN cold_start_seconds DOUBLE PRECISION;
              CREATE INDEX runs_by_job_name ON runs (job_name, created_at DESC);
              CREATE TABLE schedules (
                job_id TEXT PRIMARY KEY, owner TEXT NOT NULL, definition_at TEXT NOT NULL,
                last_start_at TEXT, last_end_at TEXT, next_start_at TEXT, next_end_at TEXT);",
            // 3: pipeline runs; a run may be a step of one.
            @"CREATE TABLE pipeline_runs (
                id TEXT PRIMARY KEY, pipeline_name TEXT NOT NULL, owner TEXT NOT NULL, yaml TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
                created_at TEXT NOT NULL, ended_at TEXT, stop_requested INTEGER NOT NULL DEFAULT 0);
              CREATE INDEX pipeline_runs_by_owner ON pipeline_runs (owner, created_at DESC);
              ALTER TABLE runs ADD COLUMN pipeline_run_id TEXT;
              ALTER TABLE runs ADD COLUMN step_id TEXT;
              CREATE INDEX runs_by_pipeline_run ON runs (pipeline_run_id);",
        };

        /// <summary>A connection for a write, held with the write lock until it is disposed.</summary>
        private async Task<WriteConnection> OpenWriteAsync(CancellationToken ct)
        {
            await writeLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return new WriteConnection(await OpenAsync(ct).ConfigureAwait(false), writeLock);
            }
            catch
            {
                writeLock.Release();
                throw;
            }
        }

        private sealed class WriteConnection : IAsyncDisposable
        {
            private readonly SemaphoreSlim writeLock;

            public WriteConnection(SqliteConnection connection, SemaphoreSlim writeLock)
            {
                Connection = connection;
                this.writeLock = writeLock;
            }

            public SqliteConnection Connection { get; }

            public async ValueTask DisposeAsync()
            {
                try { await Connection.DisposeAsync().ConfigureAwait(false); }
                finally { writeLock.Release(); }
            }
        }

        private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
        {
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";
            await pragma.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return connection;
        }

        public async Task MigrateAsync(CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            var connection = write.Connection;
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", ct).ConfigureAwait(false);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var current = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version", ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (current > Migrations.Length)
                throw new InvalidOperationException("the database is at schema version " + current + ", newer than this server (" + Migrations.Length + "): upgrade the server.");
            for (int version = current + 1; version <= Migrations.Length; version++)
            {
                await ExecuteAsync(connection, transaction, Migrations[version - 1], ct).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, "INSERT INTO schema_version (version) VALUES (" + version + ")", ct).ConfigureAwait(false);
            }
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }

        public async Task<int> SchemaVersionAsync(CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            return Convert.ToInt32(await ScalarAsync(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_version", ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        // Tokens

        public async Task<int> CountTokensAsync(CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            return Convert.ToInt32(await ScalarAsync(connection, null, "SELECT COUNT(*) FROM tokens", ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        public async Task InsertTokenAsync(TokenRecord token, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            var connection = write.Connection;
            using var command = Command(connection, "INSERT INTO tokens (id, name, owner, is_admin, secret_hash, created_at) VALUES ($id, $name, $owner, $admin, $hash, $created)",
                ("$id", token.Id), ("$name", token.Name), ("$owner", token.Owner), ("$admin", token.IsAdmin ? 1 : 0), ("$hash", token.SecretHash), ("$created", Time(token.CreatedAt)));
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        public async Task<TokenRecord?> FindTokenByHashAsync(byte[] secretHash, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT id, name, owner, is_admin, secret_hash, created_at FROM tokens WHERE secret_hash = $hash", ("$hash", secretHash));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadToken(reader) : null;
        }

        public async Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT id, name, owner, is_admin, secret_hash, created_at FROM tokens ORDER BY created_at");
            return await ReadAllAsync(command, ReadToken, ct).ConfigureAwait(false);
        }

        public async Task<bool> DeleteTokenAsync(string id, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            var connection = write.Connection;
            using var command = Command(connection, "DELETE FROM tokens WHERE id = $id", ("$id", id));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }

        private static TokenRecord ReadToken(SqliteDataReader r) =>
            new TokenRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3) != 0, (byte[])r.GetValue(4), ParseTime(r.GetString(5)));

        // Jobs

        public async Task<(JobRecord Job, bool Created)> UpsertJobAsync(JobRecord job, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            var connection = write.Connection;
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            using var find = Command(connection, "SELECT id, owner, name, job_type, yaml, created_at, updated_at FROM jobs WHERE owner = $owner AND name = $name",
                ("$owner", job.Owner), ("$name", job.Name));
            find.Transaction = transaction;
            JobRecord? existing;
            await using (var reader = await find.ExecuteReaderAsync(ct).ConfigureAwait(false))
                existing = await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadJob(reader) : null;

            JobRecord stored;
            if (existing == null)
            {
                stored = job;
                using var insert = Command(connection, "INSERT INTO jobs (id, owner, name, job_type, yaml, created_at, updated_at) VALUES ($id, $owner, $name, $type, $yaml, $created, $updated)",
                    ("$id", job.Id), ("$owner", job.Owner), ("$name", job.Name), ("$type", job.JobType), ("$yaml", job.Yaml), ("$created", Time(job.CreatedAt)), ("$updated", Time(job.UpdatedAt)));
                insert.Transaction = transaction;
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            else
            {
                stored = existing with { JobType = job.JobType, Yaml = job.Yaml, UpdatedAt = job.UpdatedAt };
                using var update = Command(connection, "UPDATE jobs SET job_type = $type, yaml = $yaml, updated_at = $updated WHERE id = $id",
                    ("$id", existing.Id), ("$type", job.JobType), ("$yaml", job.Yaml), ("$updated", Time(job.UpdatedAt)));
                update.Transaction = transaction;
                await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return (stored, existing == null);
        }

        public async Task<JobRecord?> GetJobAsync(string owner, string idOrName, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT id, owner, name, job_type, yaml, created_at, updated_at FROM jobs WHERE owner = $owner AND (id = $key OR name = $key)",
                ("$owner", owner), ("$key", idOrName));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadJob(reader) : null;
        }

        public async Task<IReadOnlyList<JobRecord>> ListJobsAsync(string owner, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT id, owner, name, job_type, yaml, created_at, updated_at FROM jobs WHERE owner = $owner ORDER BY updated_at DESC", ("$owner", owner));
            return await ReadAllAsync(command, ReadJob, ct).ConfigureAwait(false);
        }

        public async Task<bool> DeleteJobAsync(string owner, string id, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            var connection = write.Connection;
            using var command = Command(connection, "DELETE FROM jobs WHERE owner = $owner AND id = $id", ("$owner", owner), ("$id", id));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }

        private static JobRecord ReadJob(SqliteDataReader r) =>
            new JobRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), ParseTime(r.GetString(5)), ParseTime(r.GetString(6)));

        // Runs

        private const string RunColumns = "id, job_id, job_name, job_type, job_yaml, owner, status, reason, exit_code, created_at, started_at, ended_at, health_status, url, stop_requested, started_by, cold_start_seconds, pipeline_run_id, step_id";

        public async Task InsertRunAsync(RunRecord run, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            var connection = write.Connection;
            using var command = Command(connection, "INSERT INTO runs (" + RunColumns + ") VALUES ($id, $job_id, $job_name, $job_type, $job_yaml, $owner, $status, $reason, $exit_code, $created, $started, $ended, $health, $url, $stop, $started_by, $cold_start, $pipeline_run, $step)",
                RunParameters(run));
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        public async Task UpdateRunAsync(RunRecord run, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            var connection = write.Connection;
            using var command = Command(connection,
                "UPDATE runs SET status = $status, reason = $reason, exit_code = $exit_code, started_at = $started, ended_at = $ended, health_status = $health, url = $url, stop_requested = $stop, cold_start_seconds = $cold_start WHERE id = $id",
                RunParameters(run));
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        private static (string, object?)[] RunParameters(RunRecord run) => new (string, object?)[]
        {
            ("$id", run.Id), ("$job_id", run.JobId), ("$job_name", run.JobName), ("$job_type", run.JobType), ("$job_yaml", run.JobYaml), ("$owner", run.Owner),
            ("$status", run.Status), ("$reason", run.Reason), ("$exit_code", run.ExitCode), ("$created", Time(run.CreatedAt)),
            ("$started", Time(run.StartedAt)), ("$ended", Time(run.EndedAt)), ("$health", run.HealthStatus), ("$url", run.Url), ("$stop", run.StopRequested ? 1 : 0),
            ("$started_by", run.StartedBy), ("$cold_start", run.ColdStartSeconds), ("$pipeline_run", run.PipelineRunId), ("$step", run.StepId),
        };

        public async Task<RunRecord?> GetRunAsync(string owner, string id, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT " + RunColumns + " FROM runs WHERE owner = $owner AND id = $id", ("$owner", owner), ("$id", id));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadRun(reader) : null;
        }

        public async Task<RunRecord?> GetAnyRunAsync(string id, CancellationToken ct = default)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT " + RunColumns + " FROM runs WHERE id = $id", ("$id", id));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadRun(reader) : null;
        }

        public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(string owner, string? status, string? job, int limit, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection,
                "SELECT " + RunColumns + " FROM runs WHERE owner = $owner AND ($status IS NULL OR status = $status) AND ($job IS NULL OR job_id = $job OR job_name = $job) " +
                "ORDER BY created_at DESC, id DESC LIMIT $limit",
                ("$owner", owner), ("$status", status), ("$job", job), ("$limit", limit));
            return await ReadAllAsync(command, ReadRun, ct).ConfigureAwait(false);
        }

        public async Task<bool> DeleteRunAsync(string owner, string id, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            var connection = write.Connection;
            using var command = Command(connection, "DELETE FROM runs WHERE owner = $owner AND id = $id", ("$owner", owner), ("$id", id));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }

        public async Task<IReadOnlyList<RunRecord>> ListUnfinishedRunsAsync(CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT " + RunColumns + " FROM runs WHERE status NOT IN ('completed', 'failed', 'stopped', 'terminated') ORDER BY created_at");
            return await ReadAllAsync(command, ReadRun, ct).ConfigureAwait(false);
        }

        private static RunRecord ReadRun(SqliteDataReader r) => new RunRecord(
            r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
            r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetInt32(8), ParseTime(r.GetString(9)),
            r.IsDBNull(10) ? null : ParseTime(r.GetString(10)), r.IsDBNull(11) ? null : ParseTime(r.GetString(11)),
            r.IsDBNull(12) ? null : r.GetString(12), r.IsDBNull(13) ? null : r.GetString(13), r.GetInt32(14) != 0)
        {
            StartedBy = r.GetString(15),
            ColdStartSeconds = r.IsDBNull(16) ? null : r.GetDouble(16),
            PipelineRunId = r.IsDBNull(17) ? null : r.GetString(17),
            StepId = r.IsDBNull(18) ? null : r.GetString(18),
        };

        // Pipeline runs

        private const string PipelineRunColumns = "id, pipeline_name, owner, yaml, status, reason, created_at, ended_at, stop_requested";

        public async Task InsertPipelineRunAsync(PipelineRunRecord run, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            using var command = Command(write.Connection,
                "INSERT INTO pipeline_runs (" + PipelineRunColumns + ") VALUES (@id, @name, @owner, @yaml, @status, @reason, @created, @ended, @stop)",
                PipelineRunParameters(run));
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        public async Task UpdatePipelineRunAsync(PipelineRunRecord run, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            using var command = Command(write.Connection,
                "UPDATE pipeline_runs SET status = @status, reason = @reason, ended_at = @ended, stop_requested = @stop WHERE id = @id",
                PipelineRunParameters(run));
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        public async Task<PipelineRunRecord?> GetPipelineRunAsync(string owner, string id, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT " + PipelineRunColumns + " FROM pipeline_runs WHERE owner = @owner AND id = @id", ("@owner", owner), ("@id", id));
            var found = await ReadAllAsync(command, ReadPipelineRun, ct).ConfigureAwait(false);
            return found.Count == 0 ? null : found[0];
        }

        public async Task<PipelineRunRecord?> GetAnyPipelineRunAsync(string id, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT " + PipelineRunColumns + " FROM pipeline_runs WHERE id = @id", ("@id", id));
            var found = await ReadAllAsync(command, ReadPipelineRun, ct).ConfigureAwait(false);
            return found.Count == 0 ? null : found[0];
        }

        public async Task<IReadOnlyList<PipelineRunRecord>> ListUnfinishedPipelineRunsAsync(CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT " + PipelineRunColumns + " FROM pipeline_runs WHERE status = 'running' ORDER BY created_at");
            return await ReadAllAsync(command, ReadPipelineRun, ct).ConfigureAwait(false);
        }

        public async Task<IReadOnlyList<RunRecord>> ListStepRunsAsync(string pipelineRunId, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT " + RunColumns + " FROM runs WHERE pipeline_run_id = @pipeline_run ORDER BY created_at, id", ("@pipeline_run", pipelineRunId));
            return await ReadAllAsync(command, ReadRun, ct).ConfigureAwait(false);
        }

        private static (string, object?)[] PipelineRunParameters(PipelineRunRecord run) => new (string, object?)[]
        {
            ("@id", run.Id), ("@name", run.PipelineName), ("@owner", run.Owner), ("@yaml", run.Yaml), ("@status", run.Status), ("@reason", run.Reason),
            ("@created", Time(run.CreatedAt)), ("@ended", Time(run.EndedAt)), ("@stop", run.StopRequested ? 1 : 0),
        };

        private static PipelineRunRecord ReadPipelineRun(SqliteDataReader r) => new PipelineRunRecord(
            r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
            ParseTime(r.GetString(6)), OptionalTime(r, 7), r.GetInt32(8) != 0);

        public async Task<RunRecord?> LatestDeployRunAsync(string jobName, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, "SELECT " + RunColumns + " FROM runs WHERE job_name = @name AND job_type = 'deploy' ORDER BY created_at DESC, id DESC LIMIT 1",
                ("@name", jobName));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadRun(reader) : null;
        }

        // Schedules

        private const string ScheduleColumns = "job_id, owner, definition_at, last_start_at, last_end_at, next_start_at, next_end_at";

        public async Task PutScheduleAsync(ScheduleRecord schedule, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            using var command = Command(write.Connection,
                "INSERT INTO schedules (" + ScheduleColumns + ") VALUES (@job, @owner, @definition, @last_start, @last_end, @next_start, @next_end) " +
                "ON CONFLICT (job_id) DO UPDATE SET owner = @owner, definition_at = @definition, last_start_at = @last_start, last_end_at = @last_end, " +
                "next_start_at = @next_start, next_end_at = @next_end",
                ScheduleParameters(schedule));
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        public async Task UpdateScheduleAsync(ScheduleRecord schedule, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            using var command = Command(write.Connection,
                "UPDATE schedules SET last_start_at = @last_start, last_end_at = @last_end, next_start_at = @next_start, next_end_at = @next_end " +
                "WHERE job_id = @job AND definition_at = @definition",
                ScheduleParameters(schedule));
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        public async Task<IReadOnlyList<ScheduleRecord>> ListSchedulesAsync(string? owner, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            // Two statements rather than "@owner IS NULL OR ...": PostgreSQL cannot type a parameter that is only ever NULL.
            using var command = owner == null
                ? Command(connection, "SELECT " + ScheduleColumns + " FROM schedules ORDER BY job_id")
                : Command(connection, "SELECT " + ScheduleColumns + " FROM schedules WHERE owner = @owner ORDER BY job_id", ("@owner", owner));
            return await ReadAllAsync(command, r => new ScheduleRecord(r.GetString(0), r.GetString(1), ParseTime(r.GetString(2)),
                OptionalTime(r, 3), OptionalTime(r, 4), OptionalTime(r, 5), OptionalTime(r, 6)), ct).ConfigureAwait(false);
        }

        public async Task DeleteScheduleAsync(string jobId, CancellationToken ct)
        {
            await using var write = await OpenWriteAsync(ct).ConfigureAwait(false);
            using var command = Command(write.Connection, "DELETE FROM schedules WHERE job_id = @job", ("@job", jobId));
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        private static (string, object?)[] ScheduleParameters(ScheduleRecord s) => new (string, object?)[]
        {
            ("@job", s.JobId), ("@owner", s.Owner), ("@definition", Time(s.DefinitionAt)), ("@last_start", Time(s.LastStartAt)), ("@last_end", Time(s.LastEndAt)),
            ("@next_start", Time(s.NextStartAt)), ("@next_end", Time(s.NextEndAt)),
        };

        private static DateTimeOffset? OptionalTime(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : ParseTime(r.GetString(i));

        // Helpers

        private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            return command;
        }

        private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken ct)
        {
            using var command = Command(connection, sql);
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken ct)
        {
            using var command = Command(connection, sql);
            command.Transaction = transaction;
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        }

        private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(SqliteCommand command, Func<SqliteDataReader, T> read, CancellationToken ct)
        {
            var items = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) items.Add(read(reader));
            return items;
        }

        // Sortable text timestamps: fixed width, UTC.
        private static string? Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

        private static DateTimeOffset ParseTime(string text) =>
            DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }
}
