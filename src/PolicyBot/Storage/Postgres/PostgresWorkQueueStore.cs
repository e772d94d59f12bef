using Npgsql;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Postgres;

/// <summary>
/// The work queue that several replicas share. A claim takes the next due row with <c>FOR UPDATE SKIP LOCKED</c>
/// (two claimers never wait for, or take, the same row), and the unique index on running concurrency keys
/// guarantees one running item per repository across every replica; a replica that dies keeps its claims only
/// until their lease lapses, and then the next claim takes them over.
/// </summary>
internal sealed class PostgresWorkQueueStore(PostgresDatabase database, TimeProvider timeProvider) : IWorkQueueStore
{
    public async Task<bool> EnqueueAsync(WorkItem item, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await InsertAsync(connection, null, item, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Inserts, or merges the item's triggers into the equal pending item; true when inserted (<c>xmax = 0</c> marks a
    /// row this statement created). One statement, so a concurrent equal insert on another replica merges too.
    /// </summary>
    internal static async Task<bool> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, WorkItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO work_items
                (kind, installation_id, owner, repository, pull_request, reason, delivery_id, triggers, created_by, head_sha, coalescing_key, concurrency_key, state, attempts, next_attempt_at, created_at, updated_at)
            VALUES (@kind, @installation, @owner, @repository, @pull, @reason, @delivery, @triggers, @created_by, @head, @coalescing, @concurrency, 'pending', 0, @now, @now, @now)
            ON CONFLICT (coalescing_key) WHERE state = 'pending' DO UPDATE SET
                triggers = work_items.triggers | EXCLUDED.triggers,
                created_by = COALESCE(work_items.created_by, EXCLUDED.created_by)
            RETURNING (xmax = 0);
            """,
            connection,
            transaction);
        command.Add("@kind", item.Kind);
        command.Add("@installation", item.InstallationId);
        command.Add("@owner", item.Owner);
        command.Add("@repository", item.Repository);
        command.Add("@pull", item.PullRequestNumber);
        command.Add("@reason", item.Reason);
        command.Add("@delivery", item.DeliveryId);
        command.Add("@triggers", (int)item.Triggers);
        command.Add("@created_by", item.CreatedBy);
        command.Add("@head", item.HeadSha);
        command.Add("@coalescing", item.CoalescingKey);
        command.Add("@concurrency", item.ConcurrencyKey);
        command.Add("@now", now);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public Task<StoredWorkItem?> ClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        PostgresDatabase.RetryOnConflictAsync(async () =>
        {
            var now = timeProvider.GetUtcNow();
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);

            // A repository with an item running (even on a lapsed lease) offers only that item: it is taken over
            // first. Should another replica claim the same repository meanwhile, the running-key index refuses the
            // second claim and it is tried again.
            await using var command = new NpgsqlCommand(
                $"""
                WITH next AS (
                    SELECT w.id FROM work_items w
                    WHERE ((w.state = 'pending' AND w.next_attempt_at <= @now) OR (w.state = 'running' AND w.lease_until < @now))
                      AND NOT EXISTS (
                          SELECT 1 FROM work_items r
                          WHERE r.state = 'running' AND r.concurrency_key = w.concurrency_key AND r.id <> w.id)
                    ORDER BY w.next_attempt_at, w.id
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED)
                UPDATE work_items
                SET state = 'running', lease_owner = @owner, lease_until = @until, attempts = attempts + 1, updated_at = @now
                FROM next WHERE work_items.id = next.id
                RETURNING {WorkItemRows.QualifiedColumns("work_items")};
                """,
                connection);
            command.Add("@owner", owner);
            command.Add("@until", now + lease);
            command.Add("@now", now);
            return await command.ReadFirstOrDefaultAsync(reader => WorkItemRows.Read(reader, StorageDialect.Postgres), cancellationToken).ConfigureAwait(false);
        });

    public async Task<bool> RenewAsync(long id, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(
            null,
            "UPDATE work_items SET lease_until = @until, updated_at = @now WHERE id = @id AND state = 'running' AND lease_owner = @owner;",
            command =>
            {
                command.Add("@id", id);
                command.Add("@owner", owner);
                command.Add("@until", now + lease);
                command.Add("@now", now);
            },
            cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task CompleteAsync(long id, string owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            "UPDATE work_items SET state = 'done', lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = @now WHERE id = @id AND state = 'running' AND lease_owner = @owner;",
            command =>
            {
                command.Add("@id", id);
                command.Add("@owner", owner);
                command.Add("@now", timeProvider.GetUtcNow());
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task FailAsync(long id, string owner, WorkFailure failure, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (retryAt is null)
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(
                null,
                "UPDATE work_items SET state = 'dead', lease_owner = NULL, lease_until = NULL, last_error = @error, failure_kind = @kind, updated_at = @now WHERE id = @id AND state = 'running' AND lease_owner = @owner;",
                command =>
                {
                    command.Add("@id", id);
                    command.Add("@owner", owner);
                    command.Add("@error", failure.Reason);
                    command.Add("@kind", failure.KindName);
                    command.Add("@now", timeProvider.GetUtcNow());
                },
                cancellationToken).ConfigureAwait(false);
            return;
        }

        await BackToPendingAsync(id, owner, retryAt.Value, failure, countAttempt: true, cancellationToken).ConfigureAwait(false);
    }

    public Task ReleaseAsync(long id, string owner, CancellationToken cancellationToken) =>
        BackToPendingAsync(id, owner, timeProvider.GetUtcNow(), failure: null, countAttempt: false, cancellationToken);

    /// <summary>
    /// Nothing: other replicas share this database, so a running claim may be alive. A stopped process's claims are
    /// taken over when their lease lapses (<see cref="ClaimAsync"/>), which is what a dead replica's need too.
    /// </summary>
    public Task<int> RecoverAbandonedAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    public Task<int> RequeueDeadLettersAsync(int maxRequeues, CancellationToken cancellationToken) =>
        PostgresDatabase.RetryOnConflictAsync(async () =>
        {
            var now = timeProvider.GetUtcNow();
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

            // Only what may succeed next time: permanent failures stay parked, and each dead letter comes back a bounded
            // number of times. Of equal ones only the oldest comes back, and none when an equal item is pending; the rest
            // step aside. (The filter's unqualified columns name the innermost table: w outside, d in the subquery.)
            var eligible = WorkFailure.RequeueableSql(maxRequeues);
            var requeued = await connection.ExecuteAsync(
                transaction,
                $"""
                UPDATE work_items w SET state = 'pending', attempts = 0, requeues = requeues + 1, next_attempt_at = @now, updated_at = @now
                WHERE {eligible}
                  AND w.id = (SELECT MIN(d.id) FROM work_items d WHERE d.coalescing_key = w.coalescing_key AND {eligible})
                  AND NOT EXISTS (SELECT 1 FROM work_items p WHERE p.coalescing_key = w.coalescing_key AND p.state = 'pending');
                """,
                command => command.Add("@now", now),
                cancellationToken).ConfigureAwait(false);
            await SupersedeAsync(connection, transaction, eligible, command => command.Add("@now", now), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return requeued;
        });

    public async Task<IReadOnlyList<StoredWorkItem>> ListAsync(string state, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT {WorkItemRows.Columns} FROM work_items WHERE state = @state ORDER BY updated_at DESC, id DESC LIMIT @limit;", connection);
        command.Add("@state", state);
        command.Add("@limit", limit);

        return await command.ReadAllAsync(reader => WorkItemRows.Read(reader, StorageDialect.Postgres), cancellationToken).ConfigureAwait(false);
    }

    public async Task<WorkQueueCounts> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT state, COUNT(*) FROM work_items GROUP BY state;", connection);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[reader.GetString(0)] = (int)reader.GetInt64(1);
        }

        return new WorkQueueCounts(
            counts.GetValueOrDefault(WorkItemStates.Pending),
            counts.GetValueOrDefault(WorkItemStates.Running),
            counts.GetValueOrDefault(WorkItemStates.Done),
            counts.GetValueOrDefault(WorkItemStates.Dead));
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(
            null,
            "DELETE FROM work_items WHERE state IN ('done', 'superseded') AND updated_at < @before;",
            command => command.Add("@before", before),
            cancellationToken).ConfigureAwait(false);
    }

    private Task BackToPendingAsync(long id, string owner, DateTimeOffset at, WorkFailure? failure, bool countAttempt, CancellationToken cancellationToken) =>
        PostgresDatabase.RetryOnConflictAsync(async () =>
        {
            var now = timeProvider.GetUtcNow();
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            void Bind(NpgsqlCommand command)
            {
                command.Add("@id", id);
                command.Add("@owner", owner);
                command.Add("@at", at);
                command.Add("@now", now);
                command.Add("@error", failure?.Reason);
                command.Add("@kind", failure?.KindName);
            }

            var set = countAttempt
                ? "state = 'pending', next_attempt_at = @at, last_error = @error, failure_kind = @kind, lease_owner = NULL, lease_until = NULL, updated_at = @now"
                : "state = 'pending', attempts = GREATEST(attempts - 1, 0), next_attempt_at = @at, lease_owner = NULL, lease_until = NULL, updated_at = @now";
            await connection.ExecuteAsync(
                transaction,
                $"""
                UPDATE work_items w SET {set}
                WHERE w.id = @id AND w.state = 'running' AND w.lease_owner = @owner
                  AND NOT EXISTS (SELECT 1 FROM work_items p WHERE p.coalescing_key = w.coalescing_key AND p.state = 'pending');
                """,
                Bind,
                cancellationToken).ConfigureAwait(false);

            // An equal item became pending meanwhile: it will do this work (with this one's triggers), so this one steps aside.
            await SupersedeAsync(connection, transaction, "id = @id AND state = 'running' AND lease_owner = @owner", Bind, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });

    private static async Task SupersedeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string filter, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(transaction, WorkTriggerSql.MergeIntoPending(filter), bind, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            transaction,
            $"UPDATE work_items SET state = 'superseded', lease_owner = NULL, lease_until = NULL, updated_at = @now WHERE {filter};",
            bind,
            cancellationToken).ConfigureAwait(false);
    }
}
