using Microsoft.Data.Sqlite;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteDeliveryStore(SqliteDatabase database, TimeProvider timeProvider) : IDeliveryStore
{
    public async Task<IReadOnlyList<bool>> AddBatchAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;

        // The delivery id is the key: GitHub's redeliveries of one delivery are stored (and processed) once.
        command.CommandText = """
            INSERT INTO deliveries (delivery_id, event, action, installation_id, repository, pull_request, payload, received_at, state, sender)
            VALUES (@id, @event, @action, @installation, @repository, @pull, @payload, @received, 'pending', @sender)
            ON CONFLICT (delivery_id) DO NOTHING;
            """;

        var added = new bool[deliveries.Count];
        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            command.Parameters.Clear();
            command.Add("@id", delivery.DeliveryId);
            command.Add("@event", delivery.Event);
            command.Add("@action", delivery.Action);
            command.Add("@installation", delivery.InstallationId);
            command.Add("@repository", delivery.RepositoryFullName);
            command.Add("@pull", delivery.PullRequestNumber);
            command.Add("@payload", delivery.Payload);
            command.Add("@received", delivery.ReceivedAt.ToUnixMilliseconds());
            command.Add("@sender", delivery.Sender);
            added[i] = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    public async Task<IReadOnlyList<WebhookDelivery>> GetPendingAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {DeliveryRows.PendingColumns}
            FROM deliveries WHERE state = 'pending' ORDER BY received_at, delivery_id LIMIT @limit;
            """;
        command.Add("@limit", limit);

        return await command.ReadAllAsync(reader => DeliveryRows.ReadPending(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<IReadOnlyList<WorkItem>?>> CompleteBatchAsync(IReadOnlyList<RoutedDelivery> routed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(routed);
        var now = timeProvider.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        var results = new IReadOnlyList<WorkItem>?[routed.Count];
        for (var i = 0; i < routed.Count; i++)
        {
            results[i] = await CompleteAsync(connection, transaction, routed[i], now, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    private static async Task<IReadOnlyList<WorkItem>?> CompleteAsync(SqliteConnection connection, SqliteTransaction transaction, RoutedDelivery routed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using (var mark = connection.CreateCommand())
        {
            mark.Transaction = transaction;
            mark.CommandText = "UPDATE deliveries SET state = 'processed', attempts = attempts + 1, work_items = @count, processed_at = @now, error = NULL WHERE delivery_id = @id AND state = 'pending';";
            mark.Add("@id", routed.DeliveryId);
            mark.Add("@count", routed.WorkItems.Count);
            mark.Add("@now", now.ToUnixMilliseconds());
            if (await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                // Processed already (by another worker or replica): enqueue nothing twice.
                return null;
            }
        }

        var added = new List<WorkItem>();
        foreach (var item in routed.WorkItems)
        {
            if (await SqliteWorkQueueStore.InsertAsync(connection, transaction, item, now, cancellationToken).ConfigureAwait(false))
            {
                added.Add(item);
            }
        }

        return added;
    }

    public async Task FailAsync(string deliveryId, string error, int maxAttempts, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE deliveries
            SET attempts = attempts + 1, error = @error,
                state = CASE WHEN attempts + 1 >= @max THEN 'failed' ELSE state END,
                processed_at = CASE WHEN attempts + 1 >= @max THEN @now ELSE processed_at END
            WHERE delivery_id = @id AND state = 'pending';
            """;
        command.Add("@id", deliveryId);
        command.Add("@error", error);
        command.Add("@max", maxAttempts);
        command.Add("@now", timeProvider.GetUtcNow().ToUnixMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<DeliverySummary?> GetAsync(string deliveryId, CancellationToken cancellationToken)
    {
        var found = await QueryAsync(
            $"SELECT {DeliveryRows.SummaryColumns} FROM deliveries WHERE delivery_id = @id;",
            command => command.Add("@id", deliveryId),
            cancellationToken).ConfigureAwait(false);
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
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM deliveries WHERE state = 'pending';";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM deliveries WHERE state IN ('processed', 'failed') AND received_at < @before;";
        command.Add("@before", before.ToUnixMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<DeliverySummary>> QueryAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);

        return await command.ReadAllAsync(reader => DeliveryRows.ReadSummary(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }
}
