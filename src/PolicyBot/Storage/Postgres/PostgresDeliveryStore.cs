using Npgsql;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Postgres;

/// <summary>Durable intake on PostgreSQL: every replica's webhook endpoint writes here and any replica routes.</summary>
internal sealed class PostgresDeliveryStore(PostgresDatabase database, TimeProvider timeProvider) : IDeliveryStore
{
    public async Task<IReadOnlyList<bool>> AddBatchAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // In the order of their ids, so that two replicas storing batches that share an id (a redelivery) take its key's
        // lock in the same order and wait for each other rather than deadlock. The sort is stable: of equal ids the
        // first in the list is the one stored.
        var added = new bool[deliveries.Count];
        foreach (var i in Enumerable.Range(0, deliveries.Count).OrderBy(i => deliveries[i].DeliveryId, StringComparer.Ordinal))
        {
            var delivery = deliveries[i];

            // The delivery id is the key: GitHub's redeliveries of one delivery, to whichever replica, are stored once.
            added[i] = await connection.ExecuteAsync(
                transaction,
                """
                INSERT INTO deliveries (delivery_id, event, action, installation_id, repository, pull_request, payload, received_at, state, sender)
                VALUES (@id, @event, @action, @installation, @repository, @pull, @payload, @received, 'pending', @sender)
                ON CONFLICT (delivery_id) DO NOTHING;
                """,
                command =>
                {
                    command.Add("@id", delivery.DeliveryId);
                    command.Add("@event", delivery.Event);
                    command.Add("@action", delivery.Action);
                    command.Add("@installation", delivery.InstallationId);
                    command.Add("@repository", delivery.RepositoryFullName);
                    command.Add("@pull", delivery.PullRequestNumber);
                    command.Add("@payload", delivery.Payload);
                    command.Add("@received", delivery.ReceivedAt);
                    command.Add("@sender", delivery.Sender);
                },
                cancellationToken).ConfigureAwait(false) == 1;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    public async Task<IReadOnlyList<WebhookDelivery>> GetPendingAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {DeliveryRows.PendingColumns}
            FROM deliveries WHERE state = 'pending' ORDER BY received_at, delivery_id LIMIT @limit;
            """,
            connection);
        command.Add("@limit", limit);

        return await command.ReadAllAsync(reader => DeliveryRows.ReadPending(reader, StorageDialect.Postgres), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<IReadOnlyList<WorkItem>?>> CompleteBatchAsync(IReadOnlyList<RoutedDelivery> routed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(routed);
        var now = timeProvider.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // In the order given, which is GetPendingAsync's for every replica: replicas completing batches that overlap lock
        // the deliveries' rows in the same order and wait for each other rather than deadlock.
        var results = new IReadOnlyList<WorkItem>?[routed.Count];
        for (var i = 0; i < routed.Count; i++)
        {
            results[i] = await CompleteAsync(connection, transaction, routed[i], now, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    private static async Task<IReadOnlyList<WorkItem>?> CompleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RoutedDelivery routed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The row lock this update takes makes a second replica routing the same delivery wait, then find it processed.
        var marked = await connection.ExecuteAsync(
            transaction,
            "UPDATE deliveries SET state = 'processed', attempts = attempts + 1, work_items = @count, processed_at = @now, error = NULL WHERE delivery_id = @id AND state = 'pending';",
            command =>
            {
                command.Add("@id", routed.DeliveryId);
                command.Add("@count", routed.WorkItems.Count);
                command.Add("@now", now);
            },
            cancellationToken).ConfigureAwait(false);
        if (marked != 1)
        {
            return null;
        }

        var added = new List<WorkItem>();
        foreach (var item in routed.WorkItems)
        {
            if (await PostgresWorkQueueStore.InsertAsync(connection, transaction, item, now, cancellationToken).ConfigureAwait(false))
            {
                added.Add(item);
            }
        }

        return added;
    }

    public async Task FailAsync(string deliveryId, string error, int maxAttempts, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            """
            UPDATE deliveries
            SET attempts = attempts + 1, error = @error,
                state = CASE WHEN attempts + 1 >= @max THEN 'failed' ELSE state END,
                processed_at = CASE WHEN attempts + 1 >= @max THEN @now ELSE processed_at END
            WHERE delivery_id = @id AND state = 'pending';
            """,
            command =>
            {
                command.Add("@id", deliveryId);
                command.Add("@error", error);
                command.Add("@max", maxAttempts);
                command.Add("@now", timeProvider.GetUtcNow());
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<DeliverySummary?> GetAsync(string deliveryId, CancellationToken cancellationToken)
    {
        var found = await QueryAsync($"SELECT {DeliveryRows.SummaryColumns} FROM deliveries WHERE delivery_id = @id;", command => command.Add("@id", deliveryId), cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<DeliverySummary>> ListRecentAsync(int limit, string? excludingSender, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {DeliveryRows.SummaryColumns} FROM deliveries WHERE @sender IS NULL OR sender IS NULL OR sender <> @sender ORDER BY received_at DESC, delivery_id LIMIT @limit;",
            command =>
            {
                command.Add("@limit", limit);
                command.Add("@sender", excludingSender);
            },
            cancellationToken);

    public async Task<int> CountPendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM deliveries WHERE state = 'pending';", connection);
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(
            null,
            "DELETE FROM deliveries WHERE state IN ('processed', 'failed') AND received_at < @before;",
            command => command.Add("@before", before),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<DeliverySummary>> QueryAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        bind(command);

        return await command.ReadAllAsync(reader => DeliveryRows.ReadSummary(reader, StorageDialect.Postgres), cancellationToken).ConfigureAwait(false);
    }
}
