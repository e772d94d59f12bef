namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteInstallationStateStore(SqliteDatabase database) : IInstallationStateStore
{
    public async Task SetRemovedAsync(long installationId, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO removed_installations (installation_id, reason, removed_at) VALUES (@id, @reason, @at)
            ON CONFLICT (installation_id) DO UPDATE SET reason = excluded.reason, removed_at = excluded.removed_at;
            """;
        command.Add("@id", installationId);
        command.Add("@reason", reason);
        command.Add("@at", at.ToUnixMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ClearRemovedAsync(long installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM removed_installations WHERE installation_id = @id;";
        command.Add("@id", installationId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsRemovedAsync(long installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM removed_installations WHERE installation_id = @id;";
        command.Add("@id", installationId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }
}
