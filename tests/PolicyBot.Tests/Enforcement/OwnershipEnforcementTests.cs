using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.RegistrationSteps;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// Ownership that holds, through the simulator: an owner team with no members, or without the access
/// `registration.owner_access` asks on the repository, is a registration finding with its remedy; granting the
/// access (GitHub sends team.added_to_repository) clears it.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class OwnershipEnforcementTests
{
    private static readonly string Scenario = AcmeScenario.With(
        "branch_protection: { action: off }\nregistration: { action: issue, owner_access: write }",
        AcmeScenario.CatalogRepository("svc", owner: "readers")
            + AcmeScenario.CatalogRepository("haunted", owner: "ghosts", description: "Nobody home")
            + AcmeScenario.CatalogRepository("fine", owner: "platform", description: "Owned"),
        teams: """
              - { slug: readers, members: [bob], repos: { svc: pull } }
              - { slug: ghosts }
            """);

    [Fact]
    public async Task An_owner_team_without_members_or_access_is_a_registration_finding_until_it_holds()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        await sandbox.InstallAsync();
        var store = sandbox.Service<IEvaluationStore>();

        Assert.Equal(["owner-team-access"], await RegistrationCodesAsync(store, "svc"));
        Assert.Equal(["owner-team-empty"], await RegistrationCodesAsync(store, "haunted"));
        Assert.Empty(await RegistrationCodesAsync(store, "fine"));
        var issue = Assert.Single(await IssuesAsync(sandbox, "svc"));
        Assert.Contains("only read access to acme/svc", Body(issue), StringComparison.Ordinal);
        Assert.Contains("gh api -X PUT orgs/acme/teams/readers/repos/acme/svc -f permission=push", Body(issue), StringComparison.Ordinal);

        await sandbox.SendAsync("alice", HttpMethod.Put, "orgs/acme/teams/readers/repos/acme/svc", new { permission = "push" });
        await sandbox.SettleAsync();

        Assert.Empty(await RegistrationCodesAsync(store, "svc"));
        Assert.Equal("closed", State(Assert.Single(await IssuesAsync(sandbox, "svc"))));
    }

    private static async Task<List<string>> RegistrationCodesAsync(IEvaluationStore store, string repo) =>
        [.. (await store.GetAsync($"acme/{repo}", CancellationToken.None))!.Results.Single(r => r.Policy == PolicyIds.Registration).Findings.Select(f => f.Code)];
}
