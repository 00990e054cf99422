using System;
using System.Collections.Generic;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Primeway.Server.Store
{
    /// <summary>
    /// The store in portable SQL, shared by SQLite and PostgreSQL: the same migrations, statements and tests run
    /// on both. A dialect supplies the connection, its few differences of syntax and how writers and migrations
    /// are kept apart. Times are fixed-width UTC text, so they sort and compare the same in both.
    /// </summary>
    public abstract class SqlStore : IStore
    {
        /// <summary>Schema versions, applied in order; a released entry is never edited, only followed by a new one.</summary>
        internal static readonly string[] Migrations =
        {
            // 1: tokens, jobs, runs.
            @"CREATE TABLE tokens (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, is_admin INTEGER NOT NULL,
                secret_hash {binary} NOT NULL UNIQUE, created_at TEXT NOT NULL);
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
            // 2: the server instance that supervises each run, until when (its lease), and the node the run landed on.
            @"ALTER TABLE runs ADD COLUMN supervisor TEXT;
              ALTER TABLE runs ADD COLUMN lease_expires_at TEXT;
              ALTER TABLE runs ADD COLUMN node TEXT;",
            // 3: pipelines: a pipeline run, and on each step's run its pipeline run, step id and the runs it reads artifacts of.
            @"CREATE TABLE pipeline_runs (
                id TEXT PRIMARY KEY, owner TEXT NOT NULL, pipeline_name TEXT NOT NULL, yaml TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
                created_at TEXT NOT NULL, ended_at TEXT, stop_requested INTEGER NOT NULL DEFAULT 0, supervisor TEXT);
              CREATE INDEX pipeline_runs_by_owner ON pipeline_runs (owner, created_at DESC);
              ALTER TABLE runs ADD COLUMN pipeline_run_id TEXT;
              ALTER TABLE runs ADD COLUMN step_id TEXT;
              ALTER TABLE runs ADD COLUMN inputs TEXT;
              CREATE INDEX runs_by_pipeline_run ON runs (pipeline_run_id) WHERE pipeline_run_id IS NOT NULL;
              CREATE TABLE instances (id TEXT PRIMARY KEY, heartbeat_at TEXT NOT NULL);",
            // 4: who started a run and a woken deploy run's cold start; schedule progress; deploy runs by job name for the gateway.
            @"ALTER TABLE runs ADD COLUMN started_by TEXT NOT NULL DEFAULT 'api';
              ALTER TABLE runs ADD COLUMN cold_start_seconds DOUBLE PRECISION;
              ALTER TABLE runs ADD COLUMN last_request_at TEXT;
              CREATE INDEX runs_by_job_name ON runs (job_name, created_at DESC);
              CREATE TABLE schedules (
                job_id TEXT PRIMARY KEY, owner TEXT NOT NULL, definition_at TEXT NOT NULL,
                last_start_at TEXT, last_end_at TEXT, next_start_at TEXT, next_end_at TEXT);",
        };

        private const string Unfinished = "status NOT IN ('completed', 'failed', 'stopped', 'terminated')";

        /// <summary>Whether several server instances may share this store (and so must hold leases on runs).</summary>
        public abstract bool IsShared { get; }

        protected abstract Task<DbConnection> OpenAsync(CancellationToken ct);

        /// <summary>Held around every write; a dialect with one writer at a time queues writers here.</summary>
        protected virtual ValueTask<IAsyncDisposable?> EnterWriteAsync(CancellationToken ct) => new ValueTask<IAsyncDisposable?>((IAsyncDisposable?)null);

        /// <summary>Column type of binary values.</summary>
        protected abstract string BinaryType { get; }

        /// <summary>What keeps two instances from claiming the same row: row locks skipped by the others, where there are any.</summary>
        protected virtual string SkipLockedRows => "";

        /// <summary>Runs once before the schema is read, outside the migration transaction.</summary>
        protected virtual Task PrepareDatabaseAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

        /// <summary>Inside the migration transaction: keeps two instances from migrating at once.</summary>
        protected virtual Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct) => Task.CompletedTask;

        public async Task MigrateAsync(CancellationToken ct)
        {
            await using var writing = await EnterWriteAsync(ct).ConfigureAwait(false);
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            await PrepareDatabaseAsync(connection, ct).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await LockMigrationsAsync(connection, transaction, ct).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", ct).ConfigureAwait(false);
            var current = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version", ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (current > Migrations.Length)
                throw new InvalidOperationException("the database is at schema version " + current + ", newer than this server (" + Migrations.Length + "): upgrade the server.");
            for (int version = current + 1; version <= Migrations.Length; version++)
            {
                await ExecuteAsync(connection, transaction, Migrations[version - 1].Replace("{binary}", BinaryType), ct).ConfigureAwait(false);
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

        private const string TokenColumns = "id, name, owner, is_admin, secret_hash, created_at";

        public async Task<int> CountTokensAsync(CancellationToken ct) =>
            Convert.ToInt32(await QueryScalarAsync("SELECT COUNT(*) FROM tokens", ct).ConfigureAwait(false), CultureInfo.InvariantCulture);

        public Task InsertTokenAsync(TokenRecord token, CancellationToken ct) =>
            WriteAsync("INSERT INTO tokens (" + TokenColumns + ") VALUES (@id, @name, @owner, @admin, @hash, @created)", ct,
                Text("@id", token.Id), Text("@name", token.Name), Text("@owner", token.Owner), Int("@admin", token.IsAdmin ? 1 : 0),
                Binary("@hash", token.SecretHash), Text("@created", Time(token.CreatedAt)));

        public Task<TokenRecord?> FindTokenByHashAsync(byte[] secretHash, CancellationToken ct) =>
            QueryOneAsync("SELECT " + TokenColumns + " FROM tokens WHERE secret_hash = @hash", ReadToken, ct, Binary("@hash", secretHash));

        public Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken ct) =>
            QueryAsync("SELECT " + TokenColumns + " FROM tokens ORDER BY created_at", ReadToken, ct);

        public async Task<bool> DeleteTokenAsync(string id, CancellationToken ct) =>
            await WriteAsync("DELETE FROM tokens WHERE id = @id", ct, Text("@id", id)).ConfigureAwait(false) > 0;

        private static TokenRecord ReadToken(DbDataReader r) =>
            new TokenRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3) != 0, (byte[])r.GetValue(4), ParseTime(r.GetString(5)));

        // Jobs

        private const string JobColumns = "id, owner, name, job_type, yaml, created_at, updated_at";

        /// <summary>
        /// One statement, so two instances saving the same job name at once both succeed: the second updates. A
        /// definition saved again unchanged is left as it was (its updated_at too), so re-submitting a job costs no
        /// write and does not restart its schedule.
        /// </summary>
        public async Task<(JobRecord Job, bool Created)> UpsertJobAsync(JobRecord job, CancellationToken ct)
        {
            JobRecord? stored;
            await using (var writing = await EnterWriteAsync(ct).ConfigureAwait(false))
            await using (var connection = await OpenAsync(ct).ConfigureAwait(false))
            {
                using var upsert = Command(connection,
                    "INSERT INTO jobs (" + JobColumns + ") VALUES (@id, @owner, @name, @type, @yaml, @created, @updated) " +
                    "ON CONFLICT (owner, name) DO UPDATE SET job_type = excluded.job_type, yaml = excluded.yaml, updated_at = excluded.updated_at " +
                    "WHERE jobs.yaml <> excluded.yaml OR jobs.job_type <> excluded.job_type RETURNING " + JobColumns,
                    Text("@id", job.Id), Text("@owner", job.Owner), Text("@name", job.Name), Text("@type", job.JobType), Text("@yaml", job.Yaml),
                    Text("@created", Time(job.CreatedAt)), Text("@updated", Time(job.UpdatedAt)));
                var rows = await ReadAllAsync(upsert, ReadJob, ct).ConfigureAwait(false);
                stored = rows.Count > 0 ? rows[0] : null;
            }
            stored ??= await GetJobAsync(job.Owner, job.Name, ct).ConfigureAwait(false) ?? throw new InvalidOperationException("job " + job.Name + " vanished while it was saved");
            return (stored, stored.Id == job.Id);
        }

        public Task<JobRecord?> GetJobAsync(string owner, string idOrName, CancellationToken ct) =>
            QueryOneAsync("SELECT " + JobColumns + " FROM jobs WHERE owner = @owner AND (id = @key OR name = @key)", ReadJob, ct,
                Text("@owner", owner), Text("@key", idOrName));

        public Task<IReadOnlyList<JobRecord>> ListJobsAsync(string owner, CancellationToken ct) =>
            QueryAsync("SELECT " + JobColumns + " FROM jobs WHERE owner = @owner ORDER BY updated_at DESC", ReadJob, ct, Text("@owner", owner));

        public async Task<bool> DeleteJobAsync(string owner, string id, CancellationToken ct) =>
            await WriteAsync("DELETE FROM jobs WHERE owner = @owner AND id = @id", ct, Text("@owner", owner), Text("@id", id)).ConfigureAwait(false) > 0;

        private static JobRecord ReadJob(DbDataReader r) =>
            new JobRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), ParseTime(r.GetString(5)), ParseTime(r.GetString(6)));

        // Runs

        private const string RunColumns = "id, job_id, job_name, job_type, job_yaml, owner, status, reason, exit_code, created_at, started_at, ended_at, health_status, url, stop_requested, supervisor, lease_expires_at, node, pipeline_run_id, step_id, inputs, started_by, cold_start_seconds, last_request_at";

        public Task InsertRunAsync(RunRecord run, CancellationToken ct) =>
            WriteAsync("INSERT INTO runs (" + RunColumns + ") VALUES (@id, @job_id, @job_name, @job_type, @job_yaml, @owner, @status, @reason, @exit_code, @created, @started, @ended, @health, @url, @stop, @supervisor, @lease, @node, @pipeline_run, @step, @inputs, @started_by, @cold_start, @last_request)",
                ct, RunParameters(run));

        /// <summary>Writes the run's state. A stop request is never cleared here: it may have come from another instance meanwhile.</summary>
        public Task UpdateRunAsync(RunRecord run, CancellationToken ct) =>
            WriteAsync("UPDATE runs SET status = @status, reason = @reason, exit_code = @exit_code, started_at = @started, ended_at = @ended, health_status = @health, url = @url, " +
                "stop_requested = CASE WHEN @stop = 1 THEN 1 ELSE stop_requested END, node = COALESCE(@node, node), cold_start_seconds = @cold_start WHERE id = @id", ct, RunParameters(run));

        private static DbArgument[] RunParameters(RunRecord run) => new[]
        {
            Text("@id", run.Id), Text("@job_id", run.JobId), Text("@job_name", run.JobName), Text("@job_type", run.JobType), Text("@job_yaml", run.JobYaml), Text("@owner", run.Owner),
            Text("@status", run.Status), Text("@reason", run.Reason), Int("@exit_code", run.ExitCode), Text("@created", Time(run.CreatedAt)),
            Text("@started", Time(run.StartedAt)), Text("@ended", Time(run.EndedAt)), Text("@health", run.HealthStatus), Text("@url", run.Url), Int("@stop", run.StopRequested ? 1 : 0),
            Text("@supervisor", run.Supervisor), Text("@lease", Time(run.LeaseExpiresAt)), Text("@node", run.Node),
            Text("@pipeline_run", run.PipelineRunId), Text("@step", run.StepId), Text("@inputs", run.Inputs),
            Text("@started_by", run.StartedBy), Real("@cold_start", run.ColdStartSeconds), Text("@last_request", Time(run.LastRequestAt)),
        };

        public Task<RunRecord?> GetRunAsync(string owner, string id, CancellationToken ct) =>
            QueryOneAsync("SELECT " + RunColumns + " FROM runs WHERE owner = @owner AND id = @id", ReadRun, ct, Text("@owner", owner), Text("@id", id));

        public Task<RunRecord?> GetAnyRunAsync(string id, CancellationToken ct = default) =>
            QueryOneAsync("SELECT " + RunColumns + " FROM runs WHERE id = @id", ReadRun, ct, Text("@id", id));

        public Task<IReadOnlyList<RunRecord>> ListRunsAsync(string owner, string? status, string? job, int limit, CancellationToken ct) =>
            QueryAsync("SELECT " + RunColumns + " FROM runs WHERE owner = @owner AND (@status IS NULL OR status = @status) AND (@job IS NULL OR job_id = @job OR job_name = @job) " +
                "ORDER BY created_at DESC, id DESC LIMIT @limit", ReadRun, ct,
                Text("@owner", owner), Text("@status", status), Text("@job", job), Int("@limit", limit));

        public async Task<bool> DeleteRunAsync(string owner, string id, CancellationToken ct) =>
            await WriteAsync("DELETE FROM runs WHERE owner = @owner AND id = @id", ct, Text("@owner", owner), Text("@id", id)).ConfigureAwait(false) > 0;

        public Task<IReadOnlyList<RunRecord>> ListUnfinishedRunsAsync(CancellationToken ct) =>
            QueryAsync("SELECT " + RunColumns + " FROM runs WHERE " + Unfinished + " ORDER BY created_at", ReadRun, ct);

        // Leases: which server instance supervises a run

        public async Task<IReadOnlyList<RunRecord>> ClaimRunsAsync(string instance, DateTimeOffset now, TimeSpan lease, bool ignoreLeases, CancellationToken ct)
        {
            await using var writing = await EnterWriteAsync(ct).ConfigureAwait(false);
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var claim = Command(connection,
                "UPDATE runs SET supervisor = @me, lease_expires_at = @until WHERE id IN (" +
                "SELECT id FROM runs WHERE " + Unfinished + " AND (@all = 1 OR supervisor IS NULL OR lease_expires_at IS NULL OR lease_expires_at < @now) " +
                "ORDER BY created_at LIMIT 100" + SkipLockedRows + ") RETURNING " + RunColumns,
                Text("@me", instance), Text("@until", Time(now + lease)), Text("@now", Time(now)), Int("@all", ignoreLeases ? 1 : 0));
            var claimed = await ReadAllAsync(claim, ReadRun, ct).ConfigureAwait(false);
            return claimed;
        }

        public async Task<IReadOnlyCollection<string>> RenewLeasesAsync(string instance, DateTimeOffset until, CancellationToken ct)
        {
            await using var writing = await EnterWriteAsync(ct).ConfigureAwait(false);
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var renew = Command(connection, "UPDATE runs SET lease_expires_at = @until WHERE supervisor = @me AND " + Unfinished + " RETURNING id",
                Text("@me", instance), Text("@until", Time(until)));
            return await ReadAllAsync(renew, r => r.GetString(0), ct).ConfigureAwait(false);
        }

        public Task ReleaseLeasesAsync(string instance, CancellationToken ct) =>
            WriteAsync("UPDATE runs SET lease_expires_at = NULL, supervisor = NULL WHERE supervisor = @me AND " + Unfinished, ct, Text("@me", instance));

        public Task<IReadOnlyList<RunRecord>> ListStopRequestsAsync(string instance, CancellationToken ct) =>
            QueryAsync("SELECT " + RunColumns + " FROM runs WHERE supervisor = @me AND stop_requested = 1 AND " + Unfinished, ReadRun, ct, Text("@me", instance));

        public async Task<bool> RequestStopAsync(string id, string reason, CancellationToken ct) =>
            await WriteAsync("UPDATE runs SET stop_requested = 1, reason = @reason WHERE id = @id AND " + Unfinished, ct, Text("@id", id), Text("@reason", reason)).ConfigureAwait(false) > 0;

        public Task<RunRecord?> StopIfPendingAsync(string id, DateTimeOffset now, CancellationToken ct) =>
            WriteOneAsync("UPDATE runs SET status = 'stopped', reason = 'user', ended_at = @now, stop_requested = 1 WHERE id = @id AND status = 'pending' RETURNING " + RunColumns,
                ReadRun, ct, Text("@id", id), Text("@now", Time(now)));

        private static RunRecord ReadRun(DbDataReader r) => new RunRecord(
            r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
            r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetInt32(8), ParseTime(r.GetString(9)),
            r.IsDBNull(10) ? null : ParseTime(r.GetString(10)), r.IsDBNull(11) ? null : ParseTime(r.GetString(11)),
            r.IsDBNull(12) ? null : r.GetString(12), r.IsDBNull(13) ? null : r.GetString(13), r.GetInt32(14) != 0)
        {
            Supervisor = r.IsDBNull(15) ? null : r.GetString(15),
            LeaseExpiresAt = r.IsDBNull(16) ? null : ParseTime(r.GetString(16)),
            Node = r.IsDBNull(17) ? null : r.GetString(17),
            PipelineRunId = r.IsDBNull(18) ? null : r.GetString(18),
            StepId = r.IsDBNull(19) ? null : r.GetString(19),
            Inputs = r.IsDBNull(20) ? null : r.GetString(20),
            StartedBy = r.GetString(21),
            ColdStartSeconds = r.IsDBNull(22) ? null : r.GetDouble(22),
            LastRequestAt = r.IsDBNull(23) ? null : ParseTime(r.GetString(23)),
        };

        /// <summary>Records that a deploy run served a request at <paramref name="at"/> (never moving the time back).</summary>
        public Task TouchRunAsync(string id, DateTimeOffset at, CancellationToken ct) =>
            WriteAsync("UPDATE runs SET last_request_at = @at WHERE id = @id AND (last_request_at IS NULL OR last_request_at < @at)", ct,
                Text("@id", id), Text("@at", Time(at)));

        public Task<RunRecord?> LatestDeployRunAsync(string jobName, CancellationToken ct) =>
            QueryOneAsync("SELECT " + RunColumns + " FROM runs WHERE job_name = @name AND job_type = 'deploy' ORDER BY created_at DESC, id DESC LIMIT 1", ReadRun, ct,
                Text("@name", jobName));

        // Schedules

        private const string ScheduleColumns = "job_id, owner, definition_at, last_start_at, last_end_at, next_start_at, next_end_at";

        public Task PutScheduleAsync(ScheduleRecord schedule, CancellationToken ct) =>
            WriteAsync("INSERT INTO schedules (" + ScheduleColumns + ") VALUES (@job, @owner, @definition, @last_start, @last_end, @next_start, @next_end) " +
                "ON CONFLICT (job_id) DO UPDATE SET owner = excluded.owner, definition_at = excluded.definition_at, last_start_at = excluded.last_start_at, " +
                "last_end_at = excluded.last_end_at, next_start_at = excluded.next_start_at, next_end_at = excluded.next_end_at", ct, ScheduleParameters(schedule));

        public async Task<bool> UpdateScheduleAsync(ScheduleRecord previous, ScheduleRecord progressed, CancellationToken ct) =>
            await WriteAsync("UPDATE schedules SET last_start_at = @last_start, last_end_at = @last_end, next_start_at = @next_start, next_end_at = @next_end " +
                "WHERE job_id = @job AND definition_at = @definition " +
                "AND (last_start_at = @was_start OR (last_start_at IS NULL AND @was_start IS NULL)) AND (last_end_at = @was_end OR (last_end_at IS NULL AND @was_end IS NULL))",
                ct, ScheduleParameters(progressed).Concat(new[] { Text("@was_start", Time(previous.LastStartAt)), Text("@was_end", Time(previous.LastEndAt)) }).ToArray())
                .ConfigureAwait(false) > 0;

        public Task<IReadOnlyList<ScheduleRecord>> ListSchedulesAsync(string? owner, CancellationToken ct) =>
            owner == null
                ? QueryAsync("SELECT " + ScheduleColumns + " FROM schedules ORDER BY job_id", ReadSchedule, ct)
                : QueryAsync("SELECT " + ScheduleColumns + " FROM schedules WHERE owner = @owner ORDER BY job_id", ReadSchedule, ct, Text("@owner", owner));

        public async Task<bool> HasScheduleAsync(string jobId, CancellationToken ct) =>
            (await QueryAsync("SELECT job_id FROM schedules WHERE job_id = @job", r => r.GetString(0), ct, Text("@job", jobId)).ConfigureAwait(false)).Count > 0;

        public Task DeleteScheduleAsync(string jobId, CancellationToken ct) =>
            WriteAsync("DELETE FROM schedules WHERE job_id = @job", ct, Text("@job", jobId));

        private static DbArgument[] ScheduleParameters(ScheduleRecord s) => new[]
        {
            Text("@job", s.JobId), Text("@owner", s.Owner), Text("@definition", Time(s.DefinitionAt)), Text("@last_start", Time(s.LastStartAt)),
            Text("@last_end", Time(s.LastEndAt)), Text("@next_start", Time(s.NextStartAt)), Text("@next_end", Time(s.NextEndAt)),
        };

        private static ScheduleRecord ReadSchedule(DbDataReader r) => new ScheduleRecord(r.GetString(0), r.GetString(1), ParseTime(r.GetString(2)),
            OptionalTime(r, 3), OptionalTime(r, 4), OptionalTime(r, 5), OptionalTime(r, 6));

        private static DateTimeOffset? OptionalTime(DbDataReader r, int i) => r.IsDBNull(i) ? null : ParseTime(r.GetString(i));

        // Pipelines

        private const string PipelineRunColumns = "id, owner, pipeline_name, yaml, status, reason, created_at, ended_at, stop_requested, supervisor";

        public Task InsertPipelineRunAsync(PipelineRunRecord run, CancellationToken ct) =>
            WriteAsync("INSERT INTO pipeline_runs (" + PipelineRunColumns + ") VALUES (@id, @owner, @name, @yaml, @status, @reason, @created, @ended, @stop, @supervisor)", ct,
                Text("@id", run.Id), Text("@owner", run.Owner), Text("@name", run.PipelineName), Text("@yaml", run.Yaml), Text("@status", run.Status), Text("@reason", run.Reason),
                Text("@created", Time(run.CreatedAt)), Text("@ended", Time(run.EndedAt)), Int("@stop", run.StopRequested ? 1 : 0), Text("@supervisor", run.Supervisor));

        /// <summary>Records how a pipeline run ended.</summary>
        public Task FinishPipelineRunAsync(string id, string status, string? reason, DateTimeOffset endedAt, CancellationToken ct) =>
            WriteAsync("UPDATE pipeline_runs SET status = @status, reason = @reason, ended_at = @ended WHERE id = @id", ct,
                Text("@id", id), Text("@status", status), Text("@reason", reason), Text("@ended", Time(endedAt)));

        public async Task<bool> RequestPipelineStopAsync(string id, CancellationToken ct) =>
            await WriteAsync("UPDATE pipeline_runs SET stop_requested = 1 WHERE id = @id AND status = 'running'", ct, Text("@id", id)).ConfigureAwait(false) > 0;

        public Task<PipelineRunRecord?> GetPipelineRunAsync(string owner, string id, CancellationToken ct) =>
            QueryOneAsync("SELECT " + PipelineRunColumns + " FROM pipeline_runs WHERE owner = @owner AND id = @id", ReadPipelineRun, ct, Text("@owner", owner), Text("@id", id));

        public Task<PipelineRunRecord?> GetAnyPipelineRunAsync(string id, CancellationToken ct) =>
            QueryOneAsync("SELECT " + PipelineRunColumns + " FROM pipeline_runs WHERE id = @id", ReadPipelineRun, ct, Text("@id", id));

        public Task<IReadOnlyList<PipelineRunRecord>> ListPipelineRunsAsync(string owner, string? status, int limit, CancellationToken ct) =>
            QueryAsync("SELECT " + PipelineRunColumns + " FROM pipeline_runs WHERE owner = @owner AND (@status IS NULL OR status = @status) ORDER BY created_at DESC, id DESC LIMIT @limit",
                ReadPipelineRun, ct, Text("@owner", owner), Text("@status", status), Int("@limit", limit));

        /// <summary>
        /// Takes over the unfinished pipeline runs of instances whose heartbeat is older than <paramref name="since"/>
        /// (every unfinished one with <paramref name="ignoreOthers"/>), and returns them.
        /// </summary>
        public async Task<IReadOnlyList<PipelineRunRecord>> ClaimPipelineRunsAsync(string instance, DateTimeOffset since, bool ignoreOthers, CancellationToken ct)
        {
            await using var writing = await EnterWriteAsync(ct).ConfigureAwait(false);
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var claim = Command(connection,
                "UPDATE pipeline_runs SET supervisor = @me WHERE id IN (SELECT id FROM pipeline_runs WHERE status = 'running' AND (@all = 1 OR supervisor IS NULL OR supervisor = @me OR " +
                "supervisor NOT IN (SELECT id FROM instances WHERE heartbeat_at >= @since)) ORDER BY created_at LIMIT 100" + SkipLockedRows + ") RETURNING " + PipelineRunColumns,
                Text("@me", instance), Text("@since", Time(since)), Int("@all", ignoreOthers ? 1 : 0));
            return await ReadAllAsync(claim, ReadPipelineRun, ct).ConfigureAwait(false);
        }

        /// <summary>Says this instance is alive, for the work that is not held by run leases (pipeline runs).</summary>
        public Task HeartbeatAsync(string instance, DateTimeOffset now, CancellationToken ct) =>
            WriteAsync("INSERT INTO instances (id, heartbeat_at) VALUES (@me, @now) ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at", ct,
                Text("@me", instance), Text("@now", Time(now)));

        public Task<IReadOnlyList<RunRecord>> ListStepRunsAsync(string pipelineRunId, CancellationToken ct) =>
            QueryAsync("SELECT " + RunColumns + " FROM runs WHERE pipeline_run_id = @id ORDER BY created_at", ReadRun, ct, Text("@id", pipelineRunId));

        private static PipelineRunRecord ReadPipelineRun(DbDataReader r) => new PipelineRunRecord(
            r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
            ParseTime(r.GetString(6)), r.IsDBNull(7) ? null : ParseTime(r.GetString(7)), r.GetInt32(8) != 0, r.IsDBNull(9) ? null : r.GetString(9));

        // Statements

        /// <summary>A parameter with its type given, so a null still has one (PostgreSQL needs it for "@p IS NULL").</summary>
        protected readonly struct DbArgument
        {
            public DbArgument(string name, object? value, DbType type)
            {
                Name = name;
                Value = value;
                Type = type;
            }

            public string Name { get; }
            public object? Value { get; }
            public DbType Type { get; }
        }

        protected static DbArgument Text(string name, string? value) => new DbArgument(name, value, DbType.String);
        protected static DbArgument Int(string name, int? value) => new DbArgument(name, value, DbType.Int32);
        protected static DbArgument Binary(string name, byte[] value) => new DbArgument(name, value, DbType.Binary);
        protected static DbArgument Real(string name, double? value) => new DbArgument(name, value, DbType.Double);

        protected static DbCommand Command(DbConnection connection, string sql, params DbArgument[] arguments)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var argument in arguments)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = argument.Name;
                parameter.DbType = argument.Type;
                parameter.Value = argument.Value ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }
            return command;
        }

        private async Task<int> WriteAsync(string sql, CancellationToken ct, params DbArgument[] arguments)
        {
            await using var writing = await EnterWriteAsync(ct).ConfigureAwait(false);
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, sql, arguments);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        private async Task<T?> WriteOneAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken ct, params DbArgument[] arguments) where T : class
        {
            await using var writing = await EnterWriteAsync(ct).ConfigureAwait(false);
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, sql, arguments);
            var rows = await ReadAllAsync(command, read, ct).ConfigureAwait(false);
            return rows.Count > 0 ? rows[0] : null;
        }

        private async Task<object?> QueryScalarAsync(string sql, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            return await ScalarAsync(connection, null, sql, ct).ConfigureAwait(false);
        }

        private async Task<T?> QueryOneAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken ct, params DbArgument[] arguments) where T : class
        {
            var rows = await QueryAsync(sql, read, ct, arguments).ConfigureAwait(false);
            return rows.Count > 0 ? rows[0] : null;
        }

        private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken ct, params DbArgument[] arguments)
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            using var command = Command(connection, sql, arguments);
            return await ReadAllAsync(command, read, ct).ConfigureAwait(false);
        }

        protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
        {
            using var command = Command(connection, sql);
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
        {
            using var command = Command(connection, sql);
            command.Transaction = transaction;
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        }

        private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken ct)
        {
            var items = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) items.Add(read(reader));
            return items;
        }

        private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

        private static string? Time(DateTimeOffset? time) => time?.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

        private static DateTimeOffset ParseTime(string text) =>
            DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }
}
