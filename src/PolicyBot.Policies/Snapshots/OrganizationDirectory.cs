namespace PolicyBot.Policies.Snapshots;

/// <summary>The organisation's members and teams, with nested teams, for owners and reviewer rules.</summary>
public sealed record OrganizationDirectory
{
    public required string Login { get; init; }
    public IReadOnlySet<string> Members { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    public IReadOnlyDictionary<string, TeamSnapshot> Teams { get; init; } =
        new Dictionary<string, TeamSnapshot>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Members of a team including those of its child teams, as GitHub counts them.</summary>
    public IReadOnlySet<string> MembersOf(string teamSlug)
    {
        var result = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        pending.Push(teamSlug);
        while (pending.TryPop(out var slug))
        {
            if (!seen.Add(slug) || !Teams.TryGetValue(slug, out var team))
            {
                continue;
            }

            result.UnionWith(team.Members);
            foreach (var child in Teams.Values.Where(t => string.Equals(t.ParentSlug, slug, StringComparison.OrdinalIgnoreCase)))
            {
                pending.Push(child.Slug);
            }
        }

        return result;
    }

    /// <summary>The teams a user belongs to directly.</summary>
    public IReadOnlyList<string> TeamsOf(string login) =>
        Teams.Values.Where(t => t.Members.Contains(login, StringComparer.OrdinalIgnoreCase)).Select(t => t.Slug).ToList();
}

/// <summary>A team and its direct members.</summary>
public sealed record TeamSnapshot(string Slug, string? ParentSlug, IReadOnlyList<string> Members);
