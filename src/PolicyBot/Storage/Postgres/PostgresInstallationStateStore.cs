using Npgsql;

namespace PolicyBot.Storage.Postgres;

internal sealed class PostgresInstallationStateStore(PostgresDatabase database) : IInstallationStateStore
{
    public async Task SetRemovedAsync(long installationId, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            """
            INSERT INTO removed_installations (installation_id, reason, removed_at) VALUES (@id, @reason, @at)
            ON CONFLICT (installation_id) DO UPDATE SET reason = EXCLUDED.reason, removed_at = EXCLUDED.removed_at;
            """,
            command =>
            {
                command.Add("@id", installationId);
                command.Add("@reason", reason);
                command.Add("@at", at);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task ClearRemovedAsync(long installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(null, "DELETE FROM removed_installations WHERE installation_id = @id;", command => command.Add("@id", installationId), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsRemovedAsync(long installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM removed_installations WHERE installation_id = @id);", connection);
        command.Add("@id", installationId);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
