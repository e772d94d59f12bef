using PolicyBot.GitHub.Budget;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteRateLimitStore(SqliteDatabase database) : IRateLimitStore
{
    public async Task RecordAsync(long installationId, RateLimitWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // SQLite evaluates every SET expression against the row as it was, so each CASE compares with the stored window.
        command.CommandText = $"""
            INSERT INTO rate_limit_windows ({RateLimitWindowRows.Columns})
            VALUES (@installation, @resource, @limit, @remaining, @used, @reset, @used)
            ON CONFLICT (installation_id, resource) DO UPDATE SET
                spent = spent + CASE
                    WHEN excluded.reset_at > reset_at THEN excluded.used
                    WHEN excluded.reset_at = reset_at THEN MAX(excluded.used - used, 0)
                    ELSE 0 END,
                limit_points = CASE WHEN excluded.reset_at >= reset_at THEN excluded.limit_points ELSE limit_points END,
                remaining = CASE
                    WHEN excluded.reset_at > reset_at THEN excluded.remaining
                    WHEN excluded.reset_at = reset_at THEN MIN(remaining, excluded.remaining)
                    ELSE remaining END,
                used = CASE
                    WHEN excluded.reset_at > reset_at THEN excluded.used
                    WHEN excluded.reset_at = reset_at THEN MAX(used, excluded.used)
                    ELSE used END,
                reset_at = MAX(reset_at, excluded.reset_at);
            """;
        command.Add("@installation", installationId);
        command.Add("@resource", window.Resource);
        command.Add("@limit", window.Limit);
        command.Add("@remaining", window.Remaining);
        command.Add("@used", window.Used);
        command.Add("@reset", window.Reset.ToUnixTimeSeconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredRateLimitWindow>> ListAsync(long? installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {RateLimitWindowRows.Columns} FROM rate_limit_windows
            WHERE @installation IS NULL OR installation_id = @installation
            ORDER BY installation_id, resource;
            """;
        command.Add("@installation", installationId);
        return await command.ReadAllAsync(reader => RateLimitWindowRows.Read(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }
}
