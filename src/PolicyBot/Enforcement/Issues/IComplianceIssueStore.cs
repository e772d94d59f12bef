namespace PolicyBot.Enforcement.Issues;

/// <summary>Our record of a compliance issue; <see cref="LastActivityAt"/> paces reminders.</summary>
public sealed record TrackedIssue(
    string Repository,
    string Policy,
    string Subject,
    string IssueRepository,
    int Number,
    bool Open,
    IReadOnlyList<string> FindingKeys,
    DateTimeOffset LastActivityAt);

public interface IComplianceIssueStore
{
    Task<TrackedIssue?> FindAsync(string repository, string policy, string subject, CancellationToken cancellationToken);

    Task<IReadOnlyList<TrackedIssue>> ListForRepositoryAsync(string repository, CancellationToken cancellationToken);

    /// <summary>Every open compliance issue, for the dashboard's links.</summary>
    Task<IReadOnlyList<TrackedIssue>> ListOpenAsync(CancellationToken cancellationToken);

    Task SaveAsync(TrackedIssue issue, CancellationToken cancellationToken);

    /// <summary>Moves a repository's issues to its new full name; issues filed in the repository itself move with it, as GitHub moves them.</summary>
    Task RenameAsync(string from, string to, CancellationToken cancellationToken);
}
