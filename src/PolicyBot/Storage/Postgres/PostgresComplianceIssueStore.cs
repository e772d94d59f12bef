using Npgsql;
using PolicyBot.Enforcement.Issues;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Postgres;

/// <summary>The compliance issues PolicyBot keeps, shared by every replica: one issue per finding, whichever replica opened it.</summary>
internal sealed class PostgresComplianceIssueStore(PostgresDatabase database) : IComplianceIssueStore
{
    public async Task<TrackedIssue?> FindAsync(string repository, string policy, string subject, CancellationToken cancellationToken)
    {
        var found = await ListAsync(
            "WHERE repository = @repository AND policy = @policy AND subject = @subject",
            command =>
            {
                command.Add("@repository", repository);
                command.Add("@policy", policy);
                command.Add("@subject", subject);
            },
            cancellationToken).ConfigureAwait(false);
        return found.Count > 0 ? found[0] : null;
    }

    public Task<IReadOnlyList<TrackedIssue>> ListForRepositoryAsync(string repository, CancellationToken cancellationToken) =>
        ListAsync("WHERE repository = @repository", command => command.Add("@repository", repository), cancellationToken);

    public Task<IReadOnlyList<TrackedIssue>> ListOpenAsync(CancellationToken cancellationToken) =>
        ListAsync("WHERE open", bind: null, cancellationToken);

    public async Task SaveAsync(TrackedIssue issue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issue);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            $"""
            INSERT INTO compliance_issues ({TrackedIssueRows.Columns})
            VALUES (@repository, @policy, @subject, @issue_repository, @number, @open, @keys, @at)
            ON CONFLICT (repository, policy, subject) DO UPDATE SET
                issue_repository = EXCLUDED.issue_repository, number = EXCLUDED.number, open = EXCLUDED.open,
                finding_keys = EXCLUDED.finding_keys, last_activity_at = EXCLUDED.last_activity_at;
            """,
            command =>
            {
                command.Add("@repository", issue.Repository);
                command.Add("@policy", issue.Policy);
                command.Add("@subject", issue.Subject);
                command.Add("@issue_repository", issue.IssueRepository);
                command.Add("@number", issue.Number);
                command.Add("@open", issue.Open);
                command.Add("@keys", TrackedIssueRows.SerializeFindingKeys(issue));
                command.Add("@at", issue.LastActivityAt);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            """
            UPDATE compliance_issues
            SET repository = @to, issue_repository = CASE WHEN lower(issue_repository) = lower(@from) THEN @to ELSE issue_repository END
            WHERE lower(repository) = lower(@from);
            """,
            command =>
            {
                command.Add("@from", from);
                command.Add("@to", to);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<TrackedIssue>> ListAsync(string where, Action<NpgsqlCommand>? bind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT {TrackedIssueRows.Columns} FROM compliance_issues {where} ORDER BY repository, policy, subject;", connection);
        bind?.Invoke(command);
        return await command.ReadAllAsync(reader => TrackedIssueRows.Read(reader, StorageDialect.Postgres), cancellationToken).ConfigureAwait(false);
    }
}
