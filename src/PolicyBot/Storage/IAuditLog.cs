namespace PolicyBot.Storage;

/// <summary>
/// One action PolicyBot took on GitHub: when, where, what, why. A change of settings (a fix) also says what
/// they were <paramref name="Before"/> and <paramref name="After"/>, as lines people read.
/// </summary>
public sealed record AuditEntry(
    DateTimeOffset At,
    long InstallationId,
    string? Repository,
    string Action,
    string Reason,
    string? Target = null,
    string? DeliveryId = null,
    string? Before = null,
    string? After = null);

/// <summary>The append-only record of every action PolicyBot takes on GitHub.</summary>
public interface IAuditLog
{
    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Most recent first; all installations when <paramref name="installationId"/> is null.</summary>
    Task<IReadOnlyList<AuditEntry>> ListRecentAsync(long? installationId, int limit, CancellationToken cancellationToken);

    /// <summary>One repository's entries (owner/name), most recent first: its history on the dashboard.</summary>
    Task<IReadOnlyList<AuditEntry>> ListForRepositoryAsync(string repository, int limit, CancellationToken cancellationToken);
}
