using PolicyBot.Enforcement.Issues;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteComplianceIssueStore(SqliteDatabase database) : IComplianceIssueStore
{
    public async Task<TrackedIssue?> FindAsync(string repository, string policy, string subject, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {TrackedIssueRows.Columns} FROM compliance_issues WHERE repository = @repository AND policy = @policy AND subject = @subject;";
        command.Add("@repository", repository);
        command.Add("@policy", policy);
        command.Add("@subject", subject);
        return await command.ReadFirstOrDefaultAsync(reader => TrackedIssueRows.Read(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<TrackedIssue>> ListForRepositoryAsync(string repository, CancellationToken cancellationToken) =>
        ListAsync("WHERE repository = @repository", "@repository", repository, cancellationToken);

    public Task<IReadOnlyList<TrackedIssue>> ListOpenAsync(CancellationToken cancellationToken) =>
        ListAsync("WHERE open = @open", "@open", 1, cancellationToken);

    public async Task SaveAsync(TrackedIssue issue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issue);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO compliance_issues ({TrackedIssueRows.Columns})
            VALUES (@repository, @policy, @subject, @issue_repository, @number, @open, @keys, @at)
            ON CONFLICT (repository, policy, subject) DO UPDATE SET
                issue_repository = excluded.issue_repository, number = excluded.number, open = excluded.open,
                finding_keys = excluded.finding_keys, last_activity_at = excluded.last_activity_at;
            """;
        command.Add("@repository", issue.Repository);
        command.Add("@policy", issue.Policy);
        command.Add("@subject", issue.Subject);
        command.Add("@issue_repository", issue.IssueRepository);
        command.Add("@number", issue.Number);
        command.Add("@open", issue.Open ? 1 : 0);
        command.Add("@keys", TrackedIssueRows.SerializeFindingKeys(issue));
        command.Add("@at", issue.LastActivityAt.ToUnixMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE compliance_issues
            SET repository = @to, issue_repository = CASE WHEN issue_repository = @from COLLATE NOCASE THEN @to ELSE issue_repository END
            WHERE repository = @from COLLATE NOCASE;
            """;
        command.Add("@from", from);
        command.Add("@to", to);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<TrackedIssue>> ListAsync(string where, string parameter, object value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {TrackedIssueRows.Columns} FROM compliance_issues {where} ORDER BY repository, policy, subject;";
        command.Add(parameter, value);
        return await command.ReadAllAsync(reader => TrackedIssueRows.Read(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }
}
