using Microsoft.Data.Sqlite;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteWorkQueueStore(SqliteDatabase database, TimeProvider timeProvider) : IWorkQueueStore
{
    public async Task<bool> EnqueueAsync(WorkItem item, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var added = await InsertAsync(connection, transaction, item, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <summary>
    /// Inserts unless an equal item is pending (the partial unique index), in which case the item's triggers are merged
    /// into the pending one; shared with the delivery store's transaction. One transaction, so SQLite's single writer
    /// sees no equal item appear between the merge and the insert.
    /// </summary>
    internal static async Task<bool> InsertAsync(SqliteConnection connection, SqliteTransaction transaction, WorkItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using (var merge = connection.CreateCommand())
        {
            merge.Transaction = transaction;
            merge.CommandText = """
                UPDATE work_items SET triggers = triggers | @triggers, created_by = COALESCE(created_by, @created_by)
                WHERE coalescing_key = @coalescing AND state = 'pending';
                """;
            merge.Add("@triggers", (int)item.Triggers);
            merge.Add("@created_by", item.CreatedBy);
            merge.Add("@coalescing", item.CoalescingKey);
            if (await merge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return false;
            }
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO work_items
                (kind, installation_id, owner, repository, pull_request, reason, delivery_id, triggers, created_by, head_sha, coalescing_key, concurrency_key, state, attempts, next_attempt_at, created_at, updated_at)
            VALUES (@kind, @installation, @owner, @repository, @pull, @reason, @delivery, @triggers, @created_by, @head, @coalescing, @concurrency, 'pending', 0, @now, @now, @now);
            """;
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
        command.Add("@now", now.ToUnixMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<StoredWorkItem?> ClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();

        // One statement, so two workers can never claim the same item; an expired lease is a dead worker's.
        command.CommandText = $"""
            UPDATE work_items
            SET state = 'running', lease_owner = @owner, lease_until = @until, attempts = attempts + 1, updated_at = @now
            WHERE id = (
                SELECT w.id FROM work_items w
                WHERE ((w.state = 'pending' AND w.next_attempt_at <= @now) OR (w.state = 'running' AND w.lease_until < @now))
                  AND NOT EXISTS (
                      SELECT 1 FROM work_items r
                      WHERE r.state = 'running' AND r.lease_until >= @now AND r.concurrency_key = w.concurrency_key)
                ORDER BY w.next_attempt_at, w.id
                LIMIT 1)
            RETURNING {WorkItemRows.Columns};
            """;
        command.Add("@owner", owner);
        command.Add("@until", (now + lease).ToUnixMilliseconds());
        command.Add("@now", now.ToUnixMilliseconds());

        return await command.ReadFirstOrDefaultAsync(reader => WorkItemRows.Read(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RenewAsync(long id, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return await ExecuteAsync(
            "UPDATE work_items SET lease_until = @until, updated_at = @now WHERE id = @id AND state = 'running' AND lease_owner = @owner;",
            command =>
            {
                command.Add("@id", id);
                command.Add("@owner", owner);
                command.Add("@until", (now + lease).ToUnixMilliseconds());
                command.Add("@now", now.ToUnixMilliseconds());
            },
            cancellationToken).ConfigureAwait(false) == 1;
    }

    public Task CompleteAsync(long id, string owner, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE work_items SET state = 'done', lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = @now WHERE id = @id AND state = 'running' AND lease_owner = @owner;",
            command =>
            {
                command.Add("@id", id);
                command.Add("@owner", owner);
                command.Add("@now", timeProvider.GetUtcNow().ToUnixMilliseconds());
            },
            cancellationToken);

    public async Task FailAsync(long id, string owner, WorkFailure failure, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (retryAt is null)
        {
            await ExecuteAsync(
                "UPDATE work_items SET state = 'dead', lease_owner = NULL, lease_until = NULL, last_error = @error, failure_kind = @kind, updated_at = @now WHERE id = @id AND state = 'running' AND lease_owner = @owner;",
                command =>
                {
                    command.Add("@id", id);
                    command.Add("@owner", owner);
                    command.Add("@error", failure.Reason);
                    command.Add("@kind", failure.KindName);
                    command.Add("@now", timeProvider.GetUtcNow().ToUnixMilliseconds());
                },
                cancellationToken).ConfigureAwait(false);
            return;
        }

        await BackToPendingAsync(id, owner, retryAt.Value, failure, countAttempt: true, cancellationToken).ConfigureAwait(false);
    }

    public Task ReleaseAsync(long id, string owner, CancellationToken cancellationToken) =>
        BackToPendingAsync(id, owner, timeProvider.GetUtcNow(), failure: null, countAttempt: false, cancellationToken);

    public async Task<int> RecoverAbandonedAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().ToUnixMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The interrupted attempt is not counted: the process stopped, the work did not fail.
        var recovered = await ExecuteAsync(
            connection,
            transaction,
            "UPDATE OR IGNORE work_items SET state = 'pending', attempts = MAX(attempts - 1, 0), next_attempt_at = @now, lease_owner = NULL, lease_until = NULL, updated_at = @now WHERE state = 'running';",
            command => command.Add("@now", now),
            cancellationToken).ConfigureAwait(false);
        await SupersedeAsync(connection, transaction, "state = 'running'", bind: null, now, cancellationToken).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return recovered;
    }

    public async Task<int> RequeueDeadLettersAsync(int maxRequeues, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().ToUnixMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Only what may succeed next time: permanent failures stay parked, and each dead letter comes back a bounded number of times.
        var eligible = WorkFailure.RequeueableSql(maxRequeues);
        var requeued = await ExecuteAsync(
            connection,
            transaction,
            $"UPDATE OR IGNORE work_items SET state = 'pending', attempts = 0, requeues = requeues + 1, next_attempt_at = @now, updated_at = @now WHERE {eligible};",
            command => command.Add("@now", now),
            cancellationToken).ConfigureAwait(false);
        await SupersedeAsync(connection, transaction, eligible, bind: null, now, cancellationToken).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return requeued;
    }

    public async Task<IReadOnlyList<StoredWorkItem>> ListAsync(string state, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {WorkItemRows.Columns} FROM work_items WHERE state = @state ORDER BY updated_at DESC, id DESC LIMIT @limit;";
        command.Add("@state", state);
        command.Add("@limit", limit);

        return await command.ReadAllAsync(reader => WorkItemRows.Read(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }

    public async Task<WorkQueueCounts> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, COUNT(*) FROM work_items GROUP BY state;";

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        return new WorkQueueCounts(
            counts.GetValueOrDefault(WorkItemStates.Pending),
            counts.GetValueOrDefault(WorkItemStates.Running),
            counts.GetValueOrDefault(WorkItemStates.Done),
            counts.GetValueOrDefault(WorkItemStates.Dead));
    }

    public Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "DELETE FROM work_items WHERE state IN ('done', 'superseded') AND updated_at < @before;",
            command => command.Add("@before", before.ToUnixMilliseconds()),
            cancellationToken);

    private async Task BackToPendingAsync(long id, string owner, DateTimeOffset at, WorkFailure? failure, bool countAttempt, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().ToUnixMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        var sql = countAttempt
            ? "UPDATE OR IGNORE work_items SET state = 'pending', next_attempt_at = @at, last_error = @error, failure_kind = @kind, lease_owner = NULL, lease_until = NULL, updated_at = @now WHERE id = @id AND state = 'running' AND lease_owner = @owner;"
            : "UPDATE OR IGNORE work_items SET state = 'pending', attempts = MAX(attempts - 1, 0), next_attempt_at = @at, lease_owner = NULL, lease_until = NULL, updated_at = @now WHERE id = @id AND state = 'running' AND lease_owner = @owner;";
        void Bind(SqliteCommand command)
        {
            command.Add("@id", id);
            command.Add("@owner", owner);
            command.Add("@at", at.ToUnixMilliseconds());
            command.Add("@now", now);
            command.Add("@error", failure?.Reason);
            command.Add("@kind", failure?.KindName);
        }

        await ExecuteAsync(connection, transaction, sql, Bind, cancellationToken).ConfigureAwait(false);

        // An equal item became pending meanwhile: it will do this work (with this one's triggers), so this one steps aside.
        await SupersedeAsync(connection, transaction, "id = @id AND state = 'running' AND lease_owner = @owner", Bind, now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The items matching <paramref name="filter"/> step aside for the equal pending item, which takes their triggers.</summary>
    private static async Task SupersedeAsync(SqliteConnection connection, SqliteTransaction transaction, string filter, Action<SqliteCommand>? bind, long now, CancellationToken cancellationToken)
    {
        void Bind(SqliteCommand command)
        {
            bind?.Invoke(command);
            if (!command.Parameters.Contains("@now"))
            {
                command.Add("@now", now);
            }
        }

        await ExecuteAsync(connection, transaction, WorkTriggerSql.MergeIntoPending(filter), Bind, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            transaction,
            $"UPDATE work_items SET state = 'superseded', lease_owner = NULL, lease_until = NULL, updated_at = @now WHERE {filter};",
            Bind,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> ExecuteAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null, sql, bind, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        bind(command);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
