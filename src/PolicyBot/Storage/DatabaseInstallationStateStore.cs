using System.Globalization;

namespace PolicyBot.Storage;

/// <summary>Removed installations on either provider: their SQL is the same on both.</summary>
internal sealed class DatabaseInstallationStateStore(IStorageDatabase database) : IInstallationStateStore
{
    public async Task SetRemovedAsync(long installationId, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO removed_installations (installation_id, reason, removed_at) VALUES (@id, @reason, @at)
            ON CONFLICT (installation_id) DO UPDATE SET reason = excluded.reason, removed_at = excluded.removed_at;
            """;
        database.Dialect.Add(command, "@id", installationId);
        database.Dialect.Add(command, "@reason", reason);
        database.Dialect.Add(command, "@at", at);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ClearRemovedAsync(long installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM removed_installations WHERE installation_id = @id;";
        database.Dialect.Add(command, "@id", installationId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsRemovedAsync(long installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM removed_installations WHERE installation_id = @id;";
        database.Dialect.Add(command, "@id", installationId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
    }
}
