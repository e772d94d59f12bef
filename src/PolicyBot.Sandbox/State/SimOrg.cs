namespace PolicyBot.Sandbox.State;

public sealed class SimOrg
{
    public required long Id { get; init; }
    public required string Login { get; init; }
    public string? Description { get; set; }
    /// <summary>Organisation members: login → role ("member" or "admin").</summary>
    public Dictionary<string, string> Members { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Members who made their membership public; GitHub keeps a new member's membership private (concealed).</summary>
    public HashSet<string> PublicMembers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<SimTeam> Teams { get; } = [];
    public List<SimRepo> Repos { get; } = [];
    public List<SimRuleset> Rulesets { get; } = [];
    /// <summary>The organisation's custom property schema.</summary>
    public List<SimCustomProperty> CustomProperties { get; } = [];
    /// <summary>Old repository names → repository id, so the old name redirects as on GitHub.</summary>
    public Dictionary<string, long> RenamedRepos { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>GitHub plan: "free", "team" or "enterprise". On free, private repositories have no branch protection nor rulesets.</summary>
    public string Plan { get; set; } = "enterprise";

    /// <summary>GitHub Free offers protected branches and rulesets only for public repositories.</summary>
    public bool PlanRefusesProtection(SimRepo repo) => Plan == "free" && repo.Visibility != "public";

    /// <summary>
    /// The installation's <c>organization_administration</c> permission: "read", as PolicyBot's manifest asks, or "write".
    /// Only "write" is write access to the organisation's rulesets, which decides whether GitHub shows their bypass actors.
    /// </summary>
    public string OrganizationAdministration { get; set; } = "read";

    /// <summary>The installation id the scenario names; the installation exists once installed.</summary>
    public long InstallationId { get; set; }

    public SimRepo? FindRepo(string name) =>
        Repos.Find(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    public SimCustomProperty? FindCustomProperty(string name) =>
        CustomProperties.Find(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public SimTeam? FindTeam(string slug) =>
        Teams.Find(t => string.Equals(t.Slug, slug, StringComparison.OrdinalIgnoreCase));

    /// <summary>Members of a team including those of its child teams (GitHub: a parent's members include its children's).</summary>
    public IEnumerable<string> TeamMembersWithChildren(SimTeam team)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var stack = new Stack<SimTeam>();
        stack.Push(team);
        var visited = new HashSet<long>();
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (!visited.Add(current.Id))
            {
                continue;
            }

            foreach (var member in current.Members.Keys)
            {
                if (seen.Add(member))
                {
                    yield return member;
                }
            }

            foreach (var child in Teams.Where(t => string.Equals(t.ParentSlug, current.Slug, StringComparison.OrdinalIgnoreCase)))
            {
                stack.Push(child);
            }
        }
    }
}
