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

    /// <summary>
    /// The most specific teams a user belongs to: each team that has the user as a member and none of
    /// whose child teams does. GitHub lists a child team's members among its parent's too, so without
    /// this someone in one nested team would appear to be in two.
    /// </summary>
    public IReadOnlyList<string> TeamsOf(string login)
    {
        var containing = Teams.Values.Where(t => MembersOf(t.Slug).Contains(login)).Select(t => t.Slug).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Teams.Values
            .Where(t => containing.Contains(t.Slug)
                && !Teams.Values.Any(child => string.Equals(child.ParentSlug, t.Slug, StringComparison.OrdinalIgnoreCase) && containing.Contains(child.Slug)))
            .Select(t => t.Slug)
            .ToList();
    }
}

/// <summary>A team and its members, as GitHub lists them (which includes the members of its child teams).</summary>
public sealed record TeamSnapshot(string Slug, string? ParentSlug, IReadOnlyList<string> Members);
