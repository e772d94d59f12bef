namespace PolicyBot.Enforcement.Progress;

/// <summary>An installation's latest whole pass as stored: its size, how far it got, and the points spent when it began.</summary>
public sealed record StoredEvaluationPass(long InstallationId, bool Reconcile, int Total, int Evaluated, DateTimeOffset StartedAt, long PointsAtStart);

/// <summary>
/// The latest install or reconcile pass of each installation, in the database: the replica that fans a pass out is
/// rarely the only one evaluating its repositories, so each counts its own into the shared row.
/// </summary>
public interface IEvaluationPassStore
{
    /// <summary>Starts a pass, replacing the installation's previous one.</summary>
    Task BeginAsync(StoredEvaluationPass pass, CancellationToken cancellationToken);

    /// <summary>Counts repositories evaluated in the installation's current pass (never past its total).</summary>
    Task EvaluatedAsync(long installationId, int count, CancellationToken cancellationToken);

    /// <summary>The latest pass of one installation, or of every installation when <paramref name="installationId"/> is null.</summary>
    Task<IReadOnlyList<StoredEvaluationPass>> ListAsync(long? installationId, CancellationToken cancellationToken);
}
