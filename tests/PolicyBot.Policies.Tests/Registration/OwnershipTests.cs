using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Registration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests.Registration;

/// <summary>Ownership that holds: an owner team has members and at least `registration.owner_access` on the repository.</summary>
public sealed class OwnershipTests
{
    private static readonly OrganizationDirectory Org = new()
    {
        Login = "acme",
        Members = new HashSet<string>(["alice", "bob", "carol"], StringComparer.OrdinalIgnoreCase),
        Teams = new Dictionary<string, TeamSnapshot>(StringComparer.OrdinalIgnoreCase)
        {
            ["platform"] = new("platform", null, ["bob", "carol"]),
            ["security"] = new("security", "platform", ["carol"]),
            ["ghosts"] = new("ghosts", null, []),
        },
    };

    private static IReadOnlyList<Finding> Evaluate(string owner, Dictionary<string, RepositoryAccess>? teamAccess, RepositoryAccess required = RepositoryAccess.Write) =>
        RegistrationPolicy.Evaluate(
            new RegistrationConfig { OwnerAccess = required },
            new RepositorySnapshot
            {
                Owner = "acme",
                Name = "svc",
                DefaultBranch = "main",
                CatalogInfo = new RepositoryFile(CatalogConventions.FileName, $"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  description: A service\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"),
                TeamAccess = teamAccess,
            },
            Org);

    private static Dictionary<string, RepositoryAccess> Access(params (string Team, RepositoryAccess Access)[] grants) =>
        grants.ToDictionary(g => g.Team, g => g.Access, StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void A_team_with_members_and_write_access_holds()
    {
        Assert.Empty(Evaluate("group:platform", Access(("platform", RepositoryAccess.Write))));
        Assert.Empty(Evaluate("platform", Access(("platform", RepositoryAccess.Admin))));
    }

    [Fact]
    public void A_team_with_no_members_is_a_finding_saying_to_add_members()
    {
        var finding = Assert.Single(Evaluate("group:ghosts", Access(("ghosts", RepositoryAccess.Admin))));

        Assert.Equal("owner-team-empty", finding.Code);
        Assert.Equal(9, finding.Line);
        Assert.Contains("no members", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Add at least one member to the team acme/ghosts", finding.Remediation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "no access to acme/svc")]
    [InlineData(RepositoryAccess.Read, "only read access to acme/svc")]
    [InlineData(RepositoryAccess.Triage, "only triage access to acme/svc")]
    public void A_team_without_the_required_access_is_a_finding_with_the_command_that_grants_it(RepositoryAccess? granted, string message)
    {
        var access = granted is { } g ? Access(("platform", g)) : Access();

        var finding = Assert.Single(Evaluate("group:platform", access));

        Assert.Equal("owner-team-access", finding.Code);
        Assert.Contains(message, finding.Message, StringComparison.Ordinal);
        Assert.Contains("at least write access", finding.Message, StringComparison.Ordinal);
        Assert.Contains("gh api -X PUT orgs/acme/teams/platform/repos/acme/svc -f permission=push", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void The_required_access_is_the_organisations_owner_access()
    {
        Assert.Empty(Evaluate("group:platform", Access(("platform", RepositoryAccess.Read)), RepositoryAccess.Read));
        var finding = Assert.Single(Evaluate("group:platform", Access(("platform", RepositoryAccess.Write)), RepositoryAccess.Maintain));
        Assert.Contains("permission=maintain", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_child_team_holds_through_the_access_it_inherits_from_its_parent()
    {
        Assert.Empty(Evaluate("group:security", Access(("platform", RepositoryAccess.Write))));
    }

    [Fact]
    public void Access_is_not_judged_when_the_repository_teams_were_not_read()
    {
        Assert.Empty(Evaluate("group:platform", teamAccess: null));
    }

    [Fact]
    public void A_user_owner_must_be_a_member()
    {
        Assert.Empty(Evaluate("user:alice", Access()));
        Assert.Equal("owner-unknown", Assert.Single(Evaluate("user:mallory", Access())).Code);
    }
}
