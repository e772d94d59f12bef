namespace PolicyBot.GitHub.Budget;

/// <summary>An installation's budget of one resource as the replicas together last saw it, and the points spent on it.</summary>
/// <param name="Spent">Points spent for the installation since the database was created, as GitHub counted them (growth of <c>used</c>).</param>
public sealed record StoredRateLimitWindow(long InstallationId, RateLimitWindow Window, long Spent);

/// <summary>
/// The rate-limit budgets every replica on one database shares (DESIGN section 9): GitHub counts an installation's
/// points for all of them together, so a replica that reached the reserve pauses the others too.
/// </summary>
public interface IRateLimitStore
{
    /// <summary>
    /// Merges what one answer said into the stored window: a later reset replaces it; within one window the lowest
    /// remaining and the highest used win (answers arrive out of order), and the growth of used adds to the points spent.
    /// </summary>
    Task RecordAsync(long installationId, RateLimitWindow window, CancellationToken cancellationToken);

    /// <summary>The stored windows of one installation, or of every installation when <paramref name="installationId"/> is null.</summary>
    Task<IReadOnlyList<StoredRateLimitWindow>> ListAsync(long? installationId, CancellationToken cancellationToken);
}
