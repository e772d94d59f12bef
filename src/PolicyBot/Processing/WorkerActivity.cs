using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PolicyBot.Processing;

/// <summary>
/// Work item runs that overran their time limit and were left behind still running (work that never looks at its
/// cancellation token, such as a costly match). They hold a thread until they end, so health reports them.
/// </summary>
public sealed class WorkerActivity
{
    private readonly ConcurrentDictionary<Task, string> _abandoned = new();

    /// <summary>Kinds of the abandoned runs that have not ended yet.</summary>
    public IReadOnlyList<string> StillRunning => [.. _abandoned.Values];

    internal void Abandoned(string kind, Task run)
    {
        _abandoned[run] = kind;
        _ = run.ContinueWith(t => _abandoned.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}

/// <summary>Degraded while a work item that overran its time limit is still running: a worker is stuck.</summary>
internal sealed class WorkerHealthCheck(WorkerActivity activity) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stuck = activity.StillRunning;
        return Task.FromResult(stuck.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"{stuck.Count} work item(s) overran their time limit and are still running ({string.Join(", ", stuck.Distinct(StringComparer.Ordinal))}); they were cancelled and will be retried."));
    }
}
