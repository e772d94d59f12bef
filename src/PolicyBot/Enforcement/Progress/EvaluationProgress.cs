using System.Collections.Concurrent;
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
/// spent on it (REST and GraphQL), and when it should finish at the pace so far. In memory: it describes this
/// process's work, and a restart begins a new pass anyway.
/// </summary>
public sealed class EvaluationProgress(RateLimitBudget budget, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<long, Pass> _passes = new();

    /// <summary>A pass over <paramref name="total"/> repositories begins.</summary>
    public void Begin(long installationId, int total, bool reconcile) =>
        _passes[installationId] = new Pass(total, reconcile, timeProvider.GetUtcNow(), PointsSpent(installationId));

    /// <summary>Repositories read and evaluated in the current pass.</summary>
    public void Evaluated(long installationId, int count = 1)
    {
        if (_passes.TryGetValue(installationId, out var pass))
        {
            Interlocked.Add(ref pass.Evaluated, count);
        }
    }

    public EvaluationPass? Get(long installationId)
    {
        if (!_passes.TryGetValue(installationId, out var pass))
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        var evaluated = Math.Min(pass.Total, Volatile.Read(ref pass.Evaluated));
        DateTimeOffset? finish = evaluated >= pass.Total ? null
            : evaluated == 0 ? null
            : now + ((now - pass.StartedAt) / evaluated * (pass.Total - evaluated));
        return new EvaluationPass(installationId, pass.Reconcile, pass.Total, evaluated, pass.StartedAt,
            PointsSpent(installationId) - pass.PointsAtStart, finish, budget.PausedUntil(installationId));
    }

    public IReadOnlyList<EvaluationPass> All() => [.. _passes.Keys.Order().Select(Get).OfType<EvaluationPass>()];

    private long PointsSpent(long installationId) => RateLimitBudget.PacedResources.Sum(r => budget.Spent(installationId, r));

    private sealed class Pass(int total, bool reconcile, DateTimeOffset startedAt, long pointsAtStart)
    {
        public int Evaluated;

        public int Total { get; } = total;

        public bool Reconcile { get; } = reconcile;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public long PointsAtStart { get; } = pointsAtStart;
    }
}
