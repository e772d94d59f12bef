using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage;

/// <summary>The audit log on either provider: its SQL is the same on both.</summary>
internal sealed class DatabaseAuditLog(IStorageDatabase database) : IAuditLog
{
    public async Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var dialect = database.Dialect;
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO audit_log ({AuditRows.Columns})
            VALUES (@at, @installation, @repository, @action, @reason, @target, @delivery, @before, @after);
            """;
        dialect.Add(command, "@at", entry.At);
        dialect.Add(command, "@installation", entry.InstallationId);
        dialect.Add(command, "@repository", entry.Repository);
        dialect.Add(command, "@action", entry.Action);
        dialect.Add(command, "@reason", entry.Reason);
        dialect.Add(command, "@target", entry.Target);
        dialect.Add(command, "@delivery", entry.DeliveryId);
        dialect.Add(command, "@before", entry.Before);
        dialect.Add(command, "@after", entry.After);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<AuditEntry>> ListRecentAsync(long? installationId, int limit, CancellationToken cancellationToken) =>
        QueryAsync("@installation IS NULL OR installation_id = @installation", "@installation", installationId, limit, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ListForRepositoryAsync(string repository, int limit, CancellationToken cancellationToken) =>
        QueryAsync("repository = @repository", "@repository", repository, limit, cancellationToken);

    private async Task<IReadOnlyList<AuditEntry>> QueryAsync<T>(string where, string parameter, T value, int limit, CancellationToken cancellationToken)
    {
        var dialect = database.Dialect;
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {AuditRows.Columns} FROM audit_log WHERE {where} ORDER BY at DESC, id DESC LIMIT @limit;";
        dialect.Add(command, parameter, value);
        dialect.Add(command, "@limit", limit);
        return await command.ReadAllAsync(reader => AuditRows.Read(reader, dialect), cancellationToken).ConfigureAwait(false);
    }
}
