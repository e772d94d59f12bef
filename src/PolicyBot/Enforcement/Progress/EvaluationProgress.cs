using PolicyBot.GitHub.Budget;

namespace PolicyBot.Enforcement.Progress;

/// <summary>Where an installation's latest whole pass (install or reconcile) stands.</summary>
public sealed record EvaluationPass(
    long InstallationId,
    bool Reconcile,
    int Total,
    int Evaluated,
    DateTimeOffset StartedAt,
    long PointsSpent,
    DateTimeOffset? EstimatedFinish,
    DateTimeOffset? PausedUntil)
{
    public bool Finished => Evaluated >= Total;
}

/// <summary>
/// Progress of whole-organisation passes: how many repositories of how many are evaluated, the rate-limit points
/// spent on it (REST and GraphQL), and when it should finish at the pace so far. Stored (<see cref="IEvaluationPassStore"/>),
/// so that every replica counts into it and shows the same.
/// </summary>
public sealed class EvaluationProgress(IEvaluationPassStore passes, RateLimitBudget budget, TimeProvider timeProvider)
{
    /// <summary>A pass over <paramref name="total"/> repositories begins.</summary>
    public async Task BeginAsync(long installationId, int total, bool reconcile, CancellationToken cancellationToken)
    {
        var points = await PointsSpentAsync(installationId, cancellationToken).ConfigureAwait(false);
        await passes.BeginAsync(new StoredEvaluationPass(installationId, reconcile, total, 0, timeProvider.GetUtcNow(), points), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A repository of the current pass was read and evaluated.</summary>
    public Task EvaluatedAsync(long installationId, CancellationToken cancellationToken) =>
        passes.EvaluatedAsync(installationId, 1, cancellationToken);

    public async Task<EvaluationPass?> GetAsync(long installationId, CancellationToken cancellationToken) =>
        (await AllAsync(installationId, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public async Task<IReadOnlyList<EvaluationPass>> AllAsync(long? installationId, CancellationToken cancellationToken)
    {
        var stored = await passes.ListAsync(installationId, cancellationToken).ConfigureAwait(false);
        var result = new List<EvaluationPass>(stored.Count);
        foreach (var pass in stored)
        {
            var now = timeProvider.GetUtcNow();
            var evaluated = Math.Min(pass.Total, pass.Evaluated);
            DateTimeOffset? finish = evaluated >= pass.Total || evaluated == 0
                ? null
                : now + ((now - pass.StartedAt) / evaluated * (pass.Total - evaluated));
            var points = await PointsSpentAsync(pass.InstallationId, cancellationToken).ConfigureAwait(false) - pass.PointsAtStart;
            result.Add(new EvaluationPass(pass.InstallationId, pass.Reconcile, pass.Total, evaluated, pass.StartedAt, Math.Max(0, points), finish,
                await budget.PausedUntilAsync(pass.InstallationId, cancellationToken).ConfigureAwait(false)));
        }

        return result;
    }

    private async Task<long> PointsSpentAsync(long installationId, CancellationToken cancellationToken) =>
        (await budget.ListAsync(installationId, cancellationToken).ConfigureAwait(false))
            .Where(w => RateLimitBudget.PacedResources.Contains(w.Window.Resource))
            .Sum(w => w.Spent);
}
