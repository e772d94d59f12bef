using PolicyBot.Enforcement.Checks;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteCheckRunLedger(SqliteDatabase database) : ICheckRunLedger
{
    public async Task<string?> GetShownAsync(long checkRunId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT content_hash FROM check_run_content WHERE check_run_id = @id;";
        command.Add("@id", checkRunId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task RecordShownAsync(long checkRunId, string contentHash, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO check_run_content (check_run_id, content_hash, written_at) VALUES (@id, @hash, @at)
            ON CONFLICT (check_run_id) DO UPDATE SET content_hash = excluded.content_hash, written_at = excluded.written_at;
            """;
        command.Add("@id", checkRunId);
        command.Add("@hash", contentHash);
        command.Add("@at", at.ToUnixMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<long?> FindRunAsync(string repository, string headSha, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT check_run_id FROM check_runs_by_commit WHERE repository = @repository AND head_sha = @sha;";
        command.Add("@repository", repository.ToLowerInvariant());
        command.Add("@sha", headSha);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long id ? id : null;
    }

    public async Task RecordRunAsync(string repository, string headSha, long checkRunId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO check_runs_by_commit (repository, head_sha, check_run_id) VALUES (@repository, @sha, @id)
            ON CONFLICT (repository, head_sha) DO UPDATE SET check_run_id = excluded.check_run_id;
            """;
        command.Add("@repository", repository.ToLowerInvariant());
        command.Add("@sha", headSha);
        command.Add("@id", checkRunId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
