using Microsoft.Extensions.Caching.Memory;
using PolicyBot.Policies.Reviewers;

namespace PolicyBot.Enforcement.Reviews;

/// <summary>
/// Whom PolicyBot has already asked to review each pull request, so that it asks each team or person once:
/// someone who was asked and then removed the request, or reviewed without approving, is not asked again
/// at every evaluation. Kept in memory; after a restart a reviewer may be asked once more at most.
/// </summary>
public sealed class ReviewRequestLedger : IDisposable
{
    private const int MaxPullRequests = 10_000;
    private readonly MemoryCache _requested = new(new MemoryCacheOptions { SizeLimit = MaxPullRequests });
    private readonly Lock _sync = new();

    /// <summary>The part of <paramref name="plan"/> not asked for before on this pull request.</summary>
    public ReviewRequestPlan NotYetRequested(string repository, int number, ReviewRequestPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        lock (_sync)
        {
            if (!_requested.TryGetValue(Key(repository, number), out HashSet<string>? asked) || asked is null)
            {
                return plan;
            }

            var teams = plan.Teams.Where(t => !asked.Contains(TeamKey(t))).ToList();
            var users = plan.Users.Where(u => !asked.Contains(UserKey(u))).ToList();
            return plan with { Teams = teams, Users = users };
        }
    }

    /// <summary>Records that the plan's teams and users were asked (or could not be, which is not worth retrying).</summary>
    public void Record(string repository, int number, ReviewRequestPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        lock (_sync)
        {
            var key = Key(repository, number);
            if (!_requested.TryGetValue(key, out HashSet<string>? asked) || asked is null)
            {
                asked = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                _requested.Set(key, asked, new MemoryCacheEntryOptions { Size = 1 });
            }

            asked.UnionWith(plan.Teams.Select(TeamKey));
            asked.UnionWith(plan.Users.Select(UserKey));
        }
    }

    public void Dispose() => _requested.Dispose();

    private static string Key(string repository, int number) => $"{repository}#{number}".ToUpperInvariant();

    private static string TeamKey(string slug) => "team:" + slug;

    private static string UserKey(string login) => "user:" + login;
}
