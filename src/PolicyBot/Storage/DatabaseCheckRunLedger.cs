using PolicyBot.Enforcement.Checks;

namespace PolicyBot.Storage;

/// <summary>What each check run shows, on either provider: its SQL is the same on both.</summary>
internal sealed class DatabaseCheckRunLedger(IStorageDatabase database) : ICheckRunLedger
{
    public async Task<string?> GetShownAsync(long checkRunId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT content_hash FROM check_run_content WHERE check_run_id = @id;";
        database.Dialect.Add(command, "@id", checkRunId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task RecordShownAsync(long checkRunId, string contentHash, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO check_run_content (check_run_id, content_hash, written_at) VALUES (@id, @hash, @at)
            ON CONFLICT (check_run_id) DO UPDATE SET content_hash = excluded.content_hash, written_at = excluded.written_at;
            """;
        database.Dialect.Add(command, "@id", checkRunId);
        database.Dialect.Add(command, "@hash", contentHash);
        database.Dialect.Add(command, "@at", at);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
