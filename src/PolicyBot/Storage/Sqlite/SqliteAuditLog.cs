using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteAuditLog(SqliteDatabase database) : IAuditLog
{
    public async Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO audit_log ({AuditRows.Columns})
            VALUES (@at, @installation, @repository, @action, @reason, @target, @delivery, @before, @after);
            """;
        command.Add("@at", entry.At.ToUnixMilliseconds());
        command.Add("@installation", entry.InstallationId);
        command.Add("@repository", entry.Repository);
        command.Add("@action", entry.Action);
        command.Add("@reason", entry.Reason);
        command.Add("@target", entry.Target);
        command.Add("@delivery", entry.DeliveryId);
        command.Add("@before", entry.Before);
        command.Add("@after", entry.After);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<AuditEntry>> ListRecentAsync(long? installationId, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {AuditRows.Columns} FROM audit_log WHERE @installation IS NULL OR installation_id = @installation ORDER BY at DESC, id DESC LIMIT @limit;",
            command =>
            {
                command.Add("@installation", installationId);
                command.Add("@limit", limit);
            },
            cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ListForRepositoryAsync(string repository, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {AuditRows.Columns} FROM audit_log WHERE repository = @repository ORDER BY at DESC, id DESC LIMIT @limit;",
            command =>
            {
                command.Add("@repository", repository);
                command.Add("@limit", limit);
            },
            cancellationToken);

    private async Task<IReadOnlyList<AuditEntry>> QueryAsync(string sql, Action<Microsoft.Data.Sqlite.SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);

        return await command.ReadAllAsync(reader => AuditRows.Read(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }
}
