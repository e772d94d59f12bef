using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PolicyBot.GitHub.Budget;

/// <summary>One installation's budget of one resource as GitHub last reported it (<c>x-ratelimit-*</c> headers).</summary>
public sealed record RateLimitWindow(string Resource, int Limit, int Remaining, int Used, DateTimeOffset Reset);

/// <summary>
/// Each installation's rate-limit budgets (REST "core" and "graphql" apart), learnt from GitHub's answers and shared
/// through the database (<see cref="IRateLimitStore"/>) by every replica, since GitHub counts an installation's points
/// for all of them together. Work for an installation whose remaining points have fallen to the reserve waits for the
/// window to reset, so the budget is never spent to zero and nothing fails for lack of it.
/// </summary>
/// <remarks>
/// What this process saw last is also kept in memory, and an answer is written to the database only when it matters to
/// the others: a new window, a budget at or near its reserve, or <see cref="WriteInterval"/> since this process last
/// wrote that budget. That copy is per process and safe to lose: the decision to wait takes the lower of it and the
/// stored window, GitHub's next answer restates the budget anyway, and the points spent between two writes are not lost
/// (they are the growth of GitHub's own <c>used</c> counter, added when the next write lands).
/// </remarks>
public sealed class RateLimitBudget(IRateLimitStore store, IOptions<RateLimitBudgetOptions> options, TimeProvider timeProvider)
{
    /// <summary>The resources the reserve applies to; search has its own small per-minute limit that retries handle.</summary>
    public static readonly IReadOnlyList<string> PacedResources = ["core", "graphql"];

    /// <summary>How often at most one process writes an installation's budget that is far from its reserve.</summary>
    public static readonly TimeSpan WriteInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<(long Installation, string Resource), Seen> _seen = new();

    /// <summary>Records what an answer said about a budget: in this process at once, in the database when it matters to others.</summary>
    public async Task RecordAsync(long installationId, RateLimitWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        var now = timeProvider.GetUtcNow();
        var seen = _seen.GetOrAdd((installationId, window.Resource), _ => new Seen());
        bool write;
        lock (seen)
        {
            seen.Window = seen.Window is { } previous && previous.Reset == window.Reset && previous.Remaining < window.Remaining ? previous : window;
            write = seen.WrittenReset != window.Reset
                || window.Remaining <= ReserveOf(window) + Math.Max(1, window.Limit / 20)
                || now - seen.WrittenAt >= WriteInterval;
            if (write)
            {
                seen.WrittenReset = window.Reset;
                seen.WrittenAt = now;
            }
        }

        if (write)
        {
            await store.RecordAsync(installationId, window, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The budgets every replica recorded, with the points spent on each.</summary>
    public Task<IReadOnlyList<StoredRateLimitWindow>> ListAsync(long? installationId, CancellationToken cancellationToken) =>
        store.ListAsync(installationId, cancellationToken);

    /// <summary>The points of a budget held back: the reserve share of its limit.</summary>
    public int ReserveOf(RateLimitWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return (int)Math.Ceiling(window.Limit * Math.Clamp(options.Value.Reserve, 0, 1));
    }

    /// <summary>When an installation may go on: null now, else the reset of the budget that reached its reserve.</summary>
    public async Task<DateTimeOffset?> PausedUntilAsync(long installationId, CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(installationId, cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        DateTimeOffset? until = null;
        foreach (var resource in PacedResources)
        {
            var window = Lower(stored.FirstOrDefault(w => w.Window.Resource == resource)?.Window, Local(installationId, resource));
            if (window is not null && window.Reset > now && window.Limit > 0 && window.Remaining <= ReserveOf(window)
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
        while (await PausedUntilAsync(installationId, cancellationToken).ConfigureAwait(false) is { } until)
        {
            // A second past the reset: GitHub's reset time is whole seconds.
            var wait = until - timeProvider.GetUtcNow() + TimeSpan.FromSeconds(1);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private RateLimitWindow? Local(long installationId, string resource)
    {
        if (!_seen.TryGetValue((installationId, resource), out var seen))
        {
            return null;
        }

        lock (seen)
        {
            return seen.Window;
        }
    }

    /// <summary>Of two views of one budget, the later window, or within one window the one with fewer points left.</summary>
    private static RateLimitWindow? Lower(RateLimitWindow? a, RateLimitWindow? b) => (a, b) switch
    {
        (null, _) => b,
        (_, null) => a,
        _ when a.Reset != b.Reset => a.Reset > b.Reset ? a : b,
        _ => a.Remaining <= b.Remaining ? a : b,
    };

    private sealed class Seen
    {
        public RateLimitWindow? Window { get; set; }

        public DateTimeOffset? WrittenReset { get; set; }

        public DateTimeOffset WrittenAt { get; set; } = DateTimeOffset.MinValue;
    }
}
