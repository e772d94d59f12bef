using Npgsql;

namespace PolicyBot.Storage.Postgres;

internal sealed class PostgresAuditLog(PostgresDatabase database) : IAuditLog
{
    public async Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            """
            INSERT INTO audit_log (at, installation_id, repository, action, reason, target, delivery_id)
            VALUES (@at, @installation, @repository, @action, @reason, @target, @delivery);
            """,
            command =>
            {
                command.Add("@at", entry.At);
                command.Add("@installation", entry.InstallationId);
                command.Add("@repository", entry.Repository);
                command.Add("@action", entry.Action);
                command.Add("@reason", entry.Reason);
                command.Add("@target", entry.Target);
                command.Add("@delivery", entry.DeliveryId);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListRecentAsync(long? installationId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT at, installation_id, repository, action, reason, target, delivery_id FROM audit_log
            WHERE @installation IS NULL OR installation_id = @installation
            ORDER BY at DESC, id DESC LIMIT @limit;
            """,
            connection);
        command.Add("@installation", installationId);
        command.Add("@limit", limit);

        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new AuditEntry(
                reader.GetTime(0),
                reader.GetInt64(1),
                reader.GetNullableString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetNullableString(5),
                reader.GetNullableString(6)));
        }

        return entries;
    }
}
