namespace PolicyBot.Enforcement.Checks;

/// <summary>
/// What each PolicyBot check run shows, as a hash of its content, kept in the database: it decides whether a write is
/// needed, so every replica must see the last write of any replica (an in-process memory would let a replica skip a
/// write because it wrote that content once, although another replica has written something else since).
/// </summary>
public interface ICheckRunLedger
{
    /// <summary>The hash of what the run was last completed with; null when unknown.</summary>
    Task<string?> GetShownAsync(long checkRunId, CancellationToken cancellationToken);

    Task RecordShownAsync(long checkRunId, string contentHash, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// The id of PolicyBot's run on commit <paramref name="headSha"/> of <paramref name="repository"/> (owner/name, any
    /// case), as PolicyBot created or found it; null when none is recorded. A run's id never changes, so it is never wrong.
    /// </summary>
    Task<long?> FindRunAsync(string repository, string headSha, CancellationToken cancellationToken);

    Task RecordRunAsync(string repository, string headSha, long checkRunId, CancellationToken cancellationToken);
}
