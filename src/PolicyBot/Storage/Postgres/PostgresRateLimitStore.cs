using Npgsql;
using PolicyBot.GitHub.Budget;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Postgres;

internal sealed class PostgresRateLimitStore(PostgresDatabase database) : IRateLimitStore
{
    public async Task RecordAsync(long installationId, RateLimitWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // The conflicting row is locked for the update, so replicas recording at once add their spending in turn.
        await connection.ExecuteAsync(
            null,
            $"""
            INSERT INTO rate_limit_windows AS w ({RateLimitWindowRows.Columns})
            VALUES (@installation, @resource, @limit, @remaining, @used, @reset, @used)
            ON CONFLICT (installation_id, resource) DO UPDATE SET
                spent = w.spent + CASE
                    WHEN excluded.reset_at > w.reset_at THEN excluded.used
                    WHEN excluded.reset_at = w.reset_at THEN GREATEST(excluded.used - w.used, 0)
                    ELSE 0 END,
                limit_points = CASE WHEN excluded.reset_at >= w.reset_at THEN excluded.limit_points ELSE w.limit_points END,
                remaining = CASE
                    WHEN excluded.reset_at > w.reset_at THEN excluded.remaining
                    WHEN excluded.reset_at = w.reset_at THEN LEAST(w.remaining, excluded.remaining)
                    ELSE w.remaining END,
                used = CASE
                    WHEN excluded.reset_at > w.reset_at THEN excluded.used
                    WHEN excluded.reset_at = w.reset_at THEN GREATEST(w.used, excluded.used)
                    ELSE w.used END,
                reset_at = GREATEST(w.reset_at, excluded.reset_at);
            """,
            command =>
            {
                command.Add("@installation", installationId);
                command.Add("@resource", window.Resource);
                command.Add("@limit", window.Limit);
                command.Add("@remaining", window.Remaining);
                command.Add("@used", window.Used);
                command.Add("@reset", window.Reset);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredRateLimitWindow>> ListAsync(long? installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {RateLimitWindowRows.Columns} FROM rate_limit_windows
            WHERE @installation::bigint IS NULL OR installation_id = @installation
            ORDER BY installation_id, resource;
            """,
            connection);
        command.Add("@installation", installationId);
        return await command.ReadAllAsync(reader => RateLimitWindowRows.Read(reader, StorageDialect.Postgres), cancellationToken).ConfigureAwait(false);
    }
}
