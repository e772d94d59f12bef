using PolicyBot.Enforcement.PolicyFiles;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteValidPolicyFileStore(SqliteDatabase database) : IValidPolicyFileStore
{
    public async Task<ValidPolicyFile?> GetAsync(string repository, string path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT content, sha, validated_at FROM valid_policy_files WHERE repository = @repository AND path = @path;";
        command.Add("@repository", repository);
        command.Add("@path", path);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new ValidPolicyFile(repository, path, reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)))
            : null;
    }

    public async Task SaveAsync(ValidPolicyFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO valid_policy_files (repository, path, content, sha, validated_at) VALUES (@repository, @path, @content, @sha, @at)
            ON CONFLICT (repository, path) DO UPDATE SET content = excluded.content, sha = excluded.sha, validated_at = excluded.validated_at
            WHERE valid_policy_files.content <> excluded.content;
            """;
        command.Add("@repository", file.Repository);
        command.Add("@path", file.Path);
        command.Add("@content", file.Content);
        command.Add("@sha", file.Sha);
        command.Add("@at", file.ValidatedAt.ToUnixMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string repository, string path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM valid_policy_files WHERE repository = @repository AND path = @path;";
        command.Add("@repository", repository);
        command.Add("@path", path);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
