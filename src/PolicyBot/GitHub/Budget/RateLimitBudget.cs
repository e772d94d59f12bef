using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PolicyBot.GitHub.Budget;

/// <summary>One installation's budget of one resource as GitHub last reported it (<c>x-ratelimit-*</c> headers).</summary>
public sealed record RateLimitWindow(string Resource, int Limit, int Remaining, int Used, DateTimeOffset Reset);

/// <summary>
/// Each installation's rate-limit budgets (REST "core" and "graphql" apart), learnt from GitHub's answers, and the
/// points spent since the process started. Work for an installation whose remaining points have fallen to the reserve
/// waits for the window to reset, so the budget is never spent to zero and nothing fails for lack of it.
/// </summary>
public sealed class RateLimitBudget(IOptions<RateLimitBudgetOptions> options, TimeProvider timeProvider)
{
    /// <summary>The resources the reserve applies to; search has its own small per-minute limit that retries handle.</summary>
    public static readonly IReadOnlyList<string> PacedResources = ["core", "graphql"];

    private readonly ConcurrentDictionary<(long Installation, string Resource), RateLimitWindow> _windows = new();
    private readonly ConcurrentDictionary<(long Installation, string Resource), long> _spent = new();

    /// <summary>Records what an answer said about a budget, and counts the points spent since the last answer.</summary>
    public void Record(long installationId, RateLimitWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var key = (installationId, window.Resource);
        _windows.AddOrUpdate(key, window, (_, previous) =>
        {
            // A new window starts its count afresh; within one, points spent are the growth of "used".
            var spent = previous.Reset == window.Reset ? window.Used - previous.Used : window.Used;
            if (spent > 0)
            {
                _spent.AddOrUpdate(key, spent, (_, total) => total + spent);
            }

            return previous.Reset == window.Reset && window.Used < previous.Used ? previous : window;
        });
        if (!_spent.ContainsKey(key))
        {
            _spent.TryAdd(key, window.Used);
        }
    }

    public RateLimitWindow? Window(long installationId, string resource) =>
        _windows.TryGetValue((installationId, resource), out var window) ? window : null;

    /// <summary>Points of a resource spent by this process for an installation (as GitHub counted them).</summary>
    public long Spent(long installationId, string resource) => _spent.GetValueOrDefault((installationId, resource));

    public IReadOnlyList<(long InstallationId, RateLimitWindow Window)> Windows() =>
        [.. _windows.Select(w => (w.Key.Installation, w.Value)).OrderBy(w => w.Installation).ThenBy(w => w.Value.Resource, StringComparer.Ordinal)];

    /// <summary>The points of a budget held back: the reserve share of its limit.</summary>
    public int ReserveOf(RateLimitWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return (int)Math.Ceiling(window.Limit * Math.Clamp(options.Value.Reserve, 0, 1));
    }

    /// <summary>When an installation may go on: null now, else the reset of the budget that reached its reserve.</summary>
    public DateTimeOffset? PausedUntil(long installationId)
    {
        var now = timeProvider.GetUtcNow();
        DateTimeOffset? until = null;
        foreach (var resource in PacedResources)
        {
            if (Window(installationId, resource) is { } window && window.Reset > now && window.Remaining <= ReserveOf(window) && window.Limit > 0
                && (until is null || window.Reset > until))
            {
                until = window.Reset;
            }
        }

        return until;
    }

    /// <summary>Waits while the installation's budget is down to its reserve; returns at once otherwise.</summary>
    public async Task WaitForBudgetAsync(long installationId, CancellationToken cancellationToken)
    {
        while (PausedUntil(installationId) is { } until)
        {
            // A second past the reset: GitHub's reset time is whole seconds.
            var wait = until - timeProvider.GetUtcNow() + TimeSpan.FromSeconds(1);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
