using System.Collections.Concurrent;

namespace PolicyBot.GitHub.Budget;

/// <summary>
/// For a one-shot process that shares nothing and has no database (<c>policybot audit</c>): the budget is learnt afresh
/// from GitHub's answers as it goes, which is all a single pass needs.
/// </summary>
public sealed class OneShotRateLimitStore : IRateLimitStore
{
    private readonly ConcurrentDictionary<(long Installation, string Resource), StoredRateLimitWindow> _windows = new();

    public Task RecordAsync(long installationId, RateLimitWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        _windows.AddOrUpdate(
            (installationId, window.Resource),
            new StoredRateLimitWindow(installationId, window, window.Used),
            (_, stored) => Merge(stored, window));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredRateLimitWindow>> ListAsync(long? installationId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredRateLimitWindow>>(
            [.. _windows.Values.Where(w => installationId is null || w.InstallationId == installationId).OrderBy(w => w.InstallationId).ThenBy(w => w.Window.Resource, StringComparer.Ordinal)]);

    /// <summary>The merge the database stores do in SQL (see <see cref="IRateLimitStore.RecordAsync"/>).</summary>
    private static StoredRateLimitWindow Merge(StoredRateLimitWindow stored, RateLimitWindow seen)
    {
        var old = stored.Window;
        if (seen.Reset > old.Reset)
        {
            return stored with { Window = seen, Spent = stored.Spent + seen.Used };
        }

        if (seen.Reset < old.Reset)
        {
            return stored;
        }

        return stored with
        {
            Window = old with { Limit = seen.Limit, Remaining = Math.Min(old.Remaining, seen.Remaining), Used = Math.Max(old.Used, seen.Used) },
            Spent = stored.Spent + Math.Max(0, seen.Used - old.Used),
        };
    }
}
