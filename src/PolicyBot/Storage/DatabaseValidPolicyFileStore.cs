using System.Data.Common;
using PolicyBot.Enforcement.PolicyFiles;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage;

/// <summary>The last valid policy files on either provider: their SQL is the same on both.</summary>
internal sealed class DatabaseValidPolicyFileStore(IStorageDatabase database) : IValidPolicyFileStore
{
    public async Task<ValidPolicyFile?> GetAsync(string repository, string path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"SELECT {ValidPolicyFileRows.Columns} FROM valid_policy_files WHERE repository = @repository AND path = @path;", repository, path);
        return await command.ReadFirstOrDefaultAsync(reader => ValidPolicyFileRows.Read(reader, database.Dialect), cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveAsync(ValidPolicyFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            $"""
            INSERT INTO valid_policy_files ({ValidPolicyFileRows.Columns}) VALUES (@repository, @path, @content, @sha, @at)
            ON CONFLICT (repository, path) DO UPDATE SET content = excluded.content, sha = excluded.sha, validated_at = excluded.validated_at
            WHERE valid_policy_files.content <> excluded.content;
            """,
            file.Repository,
            file.Path);
        database.Dialect.Add(command, "@content", file.Content);
        database.Dialect.Add(command, "@sha", file.Sha);
        database.Dialect.Add(command, "@at", file.ValidatedAt);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string repository, string path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "DELETE FROM valid_policy_files WHERE repository = @repository AND path = @path;", repository, path);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A command on one file's row: every statement here names it by repository and path.</summary>
    private DbCommand Command(DbConnection connection, string sql, string repository, string path)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        database.Dialect.Add(command, "@repository", repository);
        database.Dialect.Add(command, "@path", path);
        return command;
    }
}
