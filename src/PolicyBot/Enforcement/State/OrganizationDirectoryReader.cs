using System.Collections.Concurrent;
using Octokit;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Enforcement.State;

/// <summary>
/// Teams and members of an organisation, cached per organisation because every reviewer rule and
/// every owner check needs them and they change rarely. `membership` and `team` events invalidate
/// the cache (refresh-membership work items); entries also expire after <see cref="MaxAge"/>.
/// The cache is per process, but whether it is current is not: an invalidation bumps the organisation's
/// version in the database (<see cref="IOrganizationDirectoryVersions"/>), and every replica compares its
/// entry's version with it before use, so a membership change handled on one replica reaches them all.
/// </summary>
public sealed class OrganizationDirectoryCache(IOrganizationDirectoryVersions versions, TimeProvider timeProvider)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, (OrganizationDirectory Directory, DateTimeOffset ReadAt, long Version)> _entries = new(StringComparer.OrdinalIgnoreCase);

    public async Task<OrganizationDirectory> GetAsync(IGitHubClient client, string org, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var version = await versions.GetAsync(org, cancellationToken).ConfigureAwait(false);
        if (_entries.TryGetValue(org, out var entry) && entry.Version == version && timeProvider.GetUtcNow() - entry.ReadAt < MaxAge)
        {
            return entry.Directory;
        }

        // Kept with the version read before it: a change announced while the read was under way makes it stale at once.
        var directory = await ReadAsync(client.Connection, org, cancellationToken).ConfigureAwait(false);
        _entries[org] = (directory, timeProvider.GetUtcNow(), version);
        return directory;
    }

    /// <summary>Forgets the organisation's directory on every replica; the next reader fetches it again (unchanged pages cost nothing: ETags).</summary>
    public async Task InvalidateAsync(string org, CancellationToken cancellationToken)
    {
        await versions.BumpAsync(org, cancellationToken).ConfigureAwait(false);
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
