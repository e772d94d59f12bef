using System.Globalization;

namespace PolicyBot.Policies.Snapshots;

/// <summary>
/// Someone who may bypass rules protecting a branch: a ruleset's <c>bypass_actors</c> entry (GitHub's
/// <c>actor_type</c>, <c>actor_id</c> and <c>bypass_mode</c>), or one of classic protection's
/// <c>bypass_pull_request_allowances</c>. <paramref name="Name"/> is the team slug, app slug or user login when known.
/// </summary>
/// <param name="ActorType">OrganizationAdmin, RepositoryRole, Team, Integration, DeployKey (rulesets); User (classic allowances).</param>
/// <param name="Mode">always, pull_request or exempt (rulesets); pull_request for classic allowances, which bypass only required reviews.</param>
public sealed record BypassActor(string ActorType, long? ActorId, string Mode, string? Name = null)
{
    public const string OrganizationAdmin = "OrganizationAdmin";
    public const string RepositoryRole = "RepositoryRole";
    public const string Team = "Team";
    public const string Integration = "Integration";
    public const string DeployKey = "DeployKey";
    public const string User = "User";

    /// <summary>GitHub's ids of the built-in repository roles that may be given bypass.</summary>
    public const long MaintainRoleId = 2;
    public const long WriteRoleId = 4;
    public const long AdminRoleId = 5;

    /// <summary>Organisation owners and the repository admin role: whom <c>enforce_admins</c> speaks of.</summary>
    public bool IsAdministrator =>
        ActorType == OrganizationAdmin || (ActorType == RepositoryRole && ActorId == AdminRoleId);

    /// <summary>The built-in role name of a <see cref="RepositoryRole"/> actor; null for a custom role.</summary>
    public string? RoleName => ActorType != RepositoryRole ? null : ActorId switch
    {
        AdminRoleId => "admin",
        MaintainRoleId => "maintain",
        WriteRoleId => "write",
        _ => Name,
    };

    /// <summary>Who this is, for people: "organisation owners", "everyone with the write role", "team release-managers".</summary>
    public string Describe()
    {
        var id = ActorId?.ToString(CultureInfo.InvariantCulture) ?? "?";
        return ActorType switch
        {
            OrganizationAdmin => "organisation owners",
            RepositoryRole => ActorId switch
            {
                AdminRoleId => "repository administrators",
                MaintainRoleId => "everyone with the maintain role",
                WriteRoleId => "everyone with the write role",
                _ => Name is null ? $"the custom repository role with id {id}" : $"the custom repository role {Name}",
            },
            Team => Name is null ? $"the team with id {id}" : $"team {Name}",
            Integration => Name is null ? $"the GitHub App with id {id}" : $"the GitHub App {Name}",
            DeployKey => "deploy keys",
            User => $"@{Name ?? id}",
            _ => $"{ActorType} {id}",
        };
    }

    /// <summary>How the actor may bypass, for people.</summary>
    public string DescribeMode() => Mode switch
    {
        "always" => "always, including direct pushes",
        "pull_request" => "when merging pull requests",
        "exempt" => "always, without being asked (exempt)",
        _ => Mode,
    };
}
