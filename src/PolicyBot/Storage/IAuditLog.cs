namespace PolicyBot.Storage;

/// <summary>One action PolicyBot took on GitHub: when, where, what, why.</summary>
public sealed record AuditEntry(
    DateTimeOffset At,
    long InstallationId,
    string? Repository,
    string Action,
    string Reason,
    string? Target = null,
    string? DeliveryId = null);

/// <summary>The append-only record of every action PolicyBot takes on GitHub.</summary>
public interface IAuditLog
{
    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Most recent first; all installations when <paramref name="installationId"/> is null.</summary>
    Task<IReadOnlyList<AuditEntry>> ListRecentAsync(long? installationId, int limit, CancellationToken cancellationToken);
}
