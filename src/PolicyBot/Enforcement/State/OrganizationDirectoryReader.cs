using System.Collections.Concurrent;
using Octokit;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Enforcement.State;

/// <summary>
/// Teams and members of an organisation, cached per organisation because every reviewer rule and
/// every owner check needs them and they change rarely. `membership` and `team` events invalidate
/// the cache (refresh-membership work items); entries also expire after <see cref="MaxAge"/>.
/// </summary>
public sealed class OrganizationDirectoryCache(TimeProvider timeProvider)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, (OrganizationDirectory Directory, DateTimeOffset ReadAt)> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.OrdinalIgnoreCase);

    public async Task<OrganizationDirectory> GetAsync(IGitHubClient client, string org, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (_entries.TryGetValue(org, out var entry) && timeProvider.GetUtcNow() - entry.ReadAt < MaxAge)
        {
            return entry.Directory;
        }

        var generation = _generations.GetValueOrDefault(org);
        var directory = await ReadAsync(client.Connection, org, cancellationToken).ConfigureAwait(false);

        // A change announced while this read was under way may be missing from it: use it this once, keep it not.
        if (_generations.GetValueOrDefault(org) == generation)
        {
            _entries[org] = (directory, timeProvider.GetUtcNow());
        }

        return directory;
    }

    /// <summary>Forgets the organisation's directory; the next reader fetches it again (unchanged pages cost nothing: ETags).</summary>
    public void Invalidate(string org)
    {
        _generations.AddOrUpdate(org, 1, (_, generation) => generation + 1);
        _entries.TryRemove(org, out _);
    }

    private static async Task<OrganizationDirectory> ReadAsync(IConnection connection, string org, CancellationToken cancellationToken)
    {
        var members = (await connection.GetAllAsync($"orgs/{org}/members", cancellationToken).ConfigureAwait(false))
            .Select(m => m.String("login") ?? "")
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var teams = new Dictionary<string, TeamSnapshot>(StringComparer.OrdinalIgnoreCase);
        foreach (var team in await connection.GetAllAsync($"orgs/{org}/teams", cancellationToken).ConfigureAwait(false))
        {
            var slug = team.String("slug") ?? "";
            var teamMembers = (await connection.GetAllAsync($"orgs/{org}/teams/{slug}/members", cancellationToken).ConfigureAwait(false))
                .Select(m => m.String("login") ?? "")
                .ToList();
            teams[slug] = new TeamSnapshot(slug, team.Object("parent")?.String("slug"), teamMembers);
        }

        return new OrganizationDirectory { Login = org, Members = members, Teams = teams };
    }
}
