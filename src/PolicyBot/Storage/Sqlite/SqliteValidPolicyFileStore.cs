using PolicyBot.Enforcement.PolicyFiles;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteValidPolicyFileStore(SqliteDatabase database) : IValidPolicyFileStore
{
    public async Task<ValidPolicyFile?> GetAsync(string repository, string path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ValidPolicyFileRows.Columns} FROM valid_policy_files WHERE repository = @repository AND path = @path;";
        command.Add("@repository", repository);
        command.Add("@path", path);
        return await command.ReadFirstOrDefaultAsync(reader => ValidPolicyFileRows.Read(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveAsync(ValidPolicyFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO valid_policy_files ({ValidPolicyFileRows.Columns}) VALUES (@repository, @path, @content, @sha, @at)
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
