using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Primeway.Server.Store;

namespace Primeway.Server.Tests
{
    /// <summary>What every store must do, run against SQLite and PostgreSQL alike.</summary>
    public abstract class StoreContract : IAsyncLifetime
    {
        protected SqlStore Store { get; private set; } = null!;

        /// <summary>A store over the same database as <see cref="Store"/>: what a second server instance would open.</summary>
        protected abstract SqlStore OpenAnother();

        protected abstract Task<SqlStore> CreateAsync();

        public virtual async Task InitializeAsync()
        {
            Store = await CreateAsync();
            await Store.MigrateAsync(default);
        }

        public virtual Task DisposeAsync() => Task.CompletedTask;

        private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

        private static RunRecord Run(string id, string owner = "alice", string job = "train", string status = RunStatus.Pending, int minute = 0) =>
            new RunRecord(id, "job_" + job, job, "run", "job_name: " + job + "\n", owner, status, null, null, T0.AddMinutes(minute), null, null, null, null, false);

        [Fact]
        public async Task Migrations_are_versioned_and_idempotent()
        {
            await Store.MigrateAsync(default);
            await OpenAnother().MigrateAsync(default);
            Assert.Equal(SqlStore.Migrations.Length, await Store.SchemaVersionAsync(default));
        }

        [Fact]
        public async Task Tokens_are_found_by_hash_and_deleted()
        {
            var hash = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
            await Store.InsertTokenAsync(new TokenRecord("tok_1", "ci", "alice", false, hash, T0), default);
            var found = await Store.FindTokenByHashAsync(hash, default);
            Assert.Equal(("tok_1", "ci", "alice", false), (found!.Id, found.Name, found.Owner, found.IsAdmin));
            Assert.Equal(hash, found.SecretHash);
            Assert.Equal(T0, found.CreatedAt);
            Assert.Equal(1, await Store.CountTokensAsync(default));
            Assert.True(await Store.DeleteTokenAsync("tok_1", default));
            Assert.Null(await Store.FindTokenByHashAsync(hash, default));
        }

        [Fact]
        public async Task A_job_saved_twice_under_one_name_is_one_job_updated()
        {
            var (first, created) = await Store.UpsertJobAsync(new JobRecord("job_a", "alice", "train", "run", "v1", T0, T0), default);
            Assert.True(created);
            var (second, createdAgain) = await Store.UpsertJobAsync(new JobRecord("job_b", "alice", "train", "deploy", "v2", T0.AddMinutes(1), T0.AddMinutes(1)), default);
            Assert.False(createdAgain);
            Assert.Equal(("job_a", "deploy", "v2", T0, T0.AddMinutes(1)), (second.Id, second.JobType, second.Yaml, second.CreatedAt, second.UpdatedAt));
            Assert.Equal("job_a", (await Store.GetJobAsync("alice", "train", default))!.Id);
            Assert.Null(await Store.GetJobAsync("bob", "train", default));
            Assert.Single(await Store.ListJobsAsync("alice", default));

            var (same, createdThird) = await Store.UpsertJobAsync(new JobRecord("job_c", "alice", "train", "deploy", "v2", T0.AddMinutes(2), T0.AddMinutes(2)), default);
            Assert.False(createdThird);
            Assert.Equal(("job_a", T0.AddMinutes(1)), (same.Id, same.UpdatedAt));
        }

        [Fact]
        public async Task Two_instances_saving_one_job_name_at_once_both_succeed()
        {
            var other = OpenAnother();
            var saves = Enumerable.Range(0, 20).Select(i =>
                (i % 2 == 0 ? Store : other).UpsertJobAsync(new JobRecord("job_" + i, "alice", "same", "run", "v" + i, T0, T0.AddSeconds(i)), default));
            var results = await Task.WhenAll(saves);
            Assert.Single(results, r => r.Created);
            Assert.Single(await Store.ListJobsAsync("alice", default));
        }

        [Fact]
        public async Task Runs_are_listed_by_owner_status_and_job_latest_first()
        {
            await Store.InsertRunAsync(Run("run_1", minute: 1), default);
            await Store.InsertRunAsync(Run("run_2", status: RunStatus.Completed, minute: 2), default);
            await Store.InsertRunAsync(Run("run_3", job: "serve", minute: 3), default);
            await Store.InsertRunAsync(Run("run_4", owner: "bob", minute: 4), default);

            Assert.Equal(new[] { "run_3", "run_2", "run_1" }, (await Store.ListRunsAsync("alice", null, null, 50, default)).Select(r => r.Id));
            Assert.Equal(new[] { "run_3", "run_1" }, (await Store.ListRunsAsync("alice", RunStatus.Pending, null, 50, default)).Select(r => r.Id));
            Assert.Equal(new[] { "run_2", "run_1" }, (await Store.ListRunsAsync("alice", null, "train", 50, default)).Select(r => r.Id));
            Assert.Equal(new[] { "run_3" }, (await Store.ListRunsAsync("alice", null, null, 1, default)).Select(r => r.Id));
            Assert.Null(await Store.GetRunAsync("bob", "run_1", default));
            Assert.Equal(new[] { "run_1", "run_3", "run_4" }, (await Store.ListUnfinishedRunsAsync(default)).Select(r => r.Id));
            Assert.False(await Store.DeleteRunAsync("bob", "run_1", default));
            Assert.True(await Store.DeleteRunAsync("alice", "run_1", default));
        }

        [Fact]
        public async Task A_run_keeps_every_field_through_the_store()
        {
            var run = Run("run_full") with
            {
                Status = RunStatus.Failed, Reason = "oom", ExitCode = 137, StartedAt = T0.AddSeconds(1), EndedAt = T0.AddSeconds(2.5),
                HealthStatus = "stopped", Url = "http://127.0.0.1:8080/", StopRequested = true, Node = "worker-1",
            };
            await Store.InsertRunAsync(run, default);
            var read = await Store.GetAnyRunAsync("run_full");
            Assert.Equal(run, read);
        }

        [Fact]
        public async Task Writing_a_run_never_clears_a_stop_request_made_meanwhile()
        {
            var run = Run("run_s");
            await Store.InsertRunAsync(run, default);
            Assert.True(await OpenAnother().RequestStopAsync("run_s", "user", default));
            await Store.UpdateRunAsync(run with { Status = RunStatus.Building }, default);
            var read = await Store.GetAnyRunAsync("run_s");
            Assert.Equal((RunStatus.Building, true), (read!.Status, read.StopRequested));
        }

        [Fact]
        public async Task Only_a_pending_run_is_stopped_in_one_step()
        {
            await Store.InsertRunAsync(Run("run_p"), default);
            await Store.InsertRunAsync(Run("run_r", status: RunStatus.Running), default);
            var stopped = await Store.StopIfPendingAsync("run_p", T0, default);
            Assert.Equal((RunStatus.Stopped, "user", T0), (stopped!.Status, stopped.Reason, stopped.EndedAt));
            Assert.Null(await Store.StopIfPendingAsync("run_r", T0, default));
            Assert.Null(await Store.StopIfPendingAsync("run_p", T0, default));
            Assert.False(await Store.RequestStopAsync("run_p", "user", default));
        }

        [Fact]
        public async Task A_lease_keeps_a_run_with_one_instance_until_it_lapses_or_is_released()
        {
            await Store.InsertRunAsync(Run("run_l") with { Supervisor = "a", LeaseExpiresAt = T0.AddSeconds(10) }, default);
            var other = OpenAnother();

            Assert.Empty(await other.ClaimRunsAsync("b", T0.AddSeconds(5), TimeSpan.FromSeconds(10), false, default));
            Assert.Equal(new[] { "run_l" }, await Store.RenewLeasesAsync("a", T0.AddSeconds(20), default));
            Assert.Empty(await other.ClaimRunsAsync("b", T0.AddSeconds(15), TimeSpan.FromSeconds(10), false, default));

            var taken = await other.ClaimRunsAsync("b", T0.AddSeconds(21), TimeSpan.FromSeconds(10), false, default);
            Assert.Equal(("run_l", "b", T0.AddSeconds(31)), (taken.Single().Id, taken.Single().Supervisor, taken.Single().LeaseExpiresAt));
            Assert.Empty(await Store.RenewLeasesAsync("a", T0.AddSeconds(22), default));

            await other.ReleaseLeasesAsync("b", default);
            Assert.Single(await Store.ClaimRunsAsync("a", T0.AddSeconds(23), TimeSpan.FromSeconds(10), false, default));
            Assert.Single(await Store.ClaimRunsAsync("c", T0.AddSeconds(24), TimeSpan.FromSeconds(10), ignoreLeases: true, default));
        }

        [Fact]
        public async Task Finished_runs_are_never_claimed_and_stop_requests_reach_the_supervising_instance()
        {
            await Store.InsertRunAsync(Run("run_done", status: RunStatus.Completed), default);
            await Store.InsertRunAsync(Run("run_live", status: RunStatus.Running) with { Supervisor = "a", LeaseExpiresAt = T0.AddSeconds(10) }, default);
            Assert.Empty(await Store.ClaimRunsAsync("b", T0, TimeSpan.FromSeconds(10), false, default));
            Assert.Empty(await Store.ListStopRequestsAsync("a", default));
            await OpenAnother().RequestStopAsync("run_live", "idle", default);
            var requested = Assert.Single(await Store.ListStopRequestsAsync("a", default));
            Assert.Equal(("run_live", "idle"), (requested.Id, requested.Reason));
            Assert.Empty(await Store.ListStopRequestsAsync("b", default));
        }

        [Fact]
        public async Task Pipeline_runs_pass_to_another_instance_when_their_instance_stops_beating()
        {
            var pipeline = new PipelineRunRecord("pipe_1", "alice", "nightly", "pipeline_name: nightly\n", PipelineStatus.Running, null, T0, null, false, "a");
            await Store.InsertPipelineRunAsync(pipeline, default);
            await Store.InsertPipelineRunAsync(pipeline with { Id = "pipe_done", Status = PipelineStatus.Completed }, default);
            await Store.HeartbeatAsync("a", T0.AddSeconds(10), default);
            var other = OpenAnother();

            Assert.Empty(await other.ClaimPipelineRunsAsync("b", T0.AddSeconds(5), false, default));
            Assert.Equal(new[] { "pipe_1" }, (await Store.ClaimPipelineRunsAsync("a", T0.AddSeconds(5), false, default)).Select(p => p.Id));
            var taken = await other.ClaimPipelineRunsAsync("b", T0.AddSeconds(11), false, default);
            Assert.Equal(("pipe_1", "b"), (taken.Single().Id, taken.Single().Supervisor));

            await Store.FinishPipelineRunAsync("pipe_1", PipelineStatus.Completed, null, T0.AddSeconds(12), default);
            var finished = await Store.GetPipelineRunAsync("alice", "pipe_1", default);
            Assert.Equal((PipelineStatus.Completed, T0.AddSeconds(12)), (finished!.Status, finished.EndedAt));
            Assert.False(await Store.RequestPipelineStopAsync("pipe_1", default));
            Assert.Empty(await Store.ClaimPipelineRunsAsync("c", T0, ignoreOthers: true, default));
            Assert.Null(await Store.GetPipelineRunAsync("bob", "pipe_1", default));
        }

        [Fact]
        public async Task Of_instances_advancing_one_schedule_at_once_exactly_one_does()
        {
            var record = new ScheduleRecord("job_s", "alice", T0, T0, T0, T0.AddMinutes(1), null);
            await Store.PutScheduleAsync(record, default);
            var progressed = record with { LastStartAt = T0.AddMinutes(1), NextStartAt = T0.AddMinutes(2) };
            var stores = new[] { Store, OpenAnother(), OpenAnother(), OpenAnother() };
            var won = await Task.WhenAll(stores.Select(store => Task.Run(() => store.UpdateScheduleAsync(record, progressed, default))));
            Assert.Single(won, w => w);
            Assert.Equal(progressed, (await Store.ListSchedulesAsync("alice", default)).Single());
            Assert.False(await Store.UpdateScheduleAsync(record with { DefinitionAt = T0.AddDays(1) }, progressed, default));

            var fresh = new ScheduleRecord("job_n", "alice", T0, null, null, T0, null);
            await Store.PutScheduleAsync(fresh, default);
            Assert.True(await Store.UpdateScheduleAsync(fresh, fresh with { LastStartAt = T0 }, default));
            Assert.False(await Store.UpdateScheduleAsync(fresh, fresh with { LastStartAt = T0 }, default));
        }

        [Fact]
        public async Task Instances_claiming_at_once_never_take_the_same_run()
        {
            for (int i = 0; i < 60; i++) await Store.InsertRunAsync(Run("run_" + i.ToString("D2"), minute: i), default);
            var stores = new[] { Store, OpenAnother(), OpenAnother(), OpenAnother() };
            var claims = await Task.WhenAll(stores.Select((store, n) => Task.Run(async () =>
            {
                var mine = new List<string>();
                for (int round = 0; round < 10; round++)
                    mine.AddRange((await store.ClaimRunsAsync("i" + n, T0, TimeSpan.FromMinutes(1), false, default)).Select(r => r.Id));
                return mine;
            })));
            var all = claims.SelectMany(c => c).ToList();
            Assert.Equal(60, all.Count);
            Assert.Equal(60, all.Distinct().Count());
        }
    }

    public sealed class SqliteStoreContract : StoreContract
    {
        private readonly string path = Path.Combine(Path.GetTempPath(), "primeway-store-" + Guid.NewGuid().ToString("N") + ".db");

        protected override Task<SqlStore> CreateAsync() => Task.FromResult<SqlStore>(new SqliteStore(path));

        protected override SqlStore OpenAnother() => new SqliteStore(path);
    }

    public sealed class PostgresStoreContract : StoreContract
    {
        private TestDatabase? database;
        private readonly List<PostgresStore> opened = new List<PostgresStore>();

        protected override async Task<SqlStore> CreateAsync()
        {
            database = await TestDatabase.CreateAsync();
            return OpenAnother();
        }

        protected override SqlStore OpenAnother()
        {
            var store = new PostgresStore(database!.ConnectionString);
            opened.Add(store);
            return store;
        }

        public override async Task DisposeAsync()
        {
            foreach (var store in opened) await store.DisposeAsync();
            if (database != null) await database.DisposeAsync();
        }
    }
}
