using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.GitHub;

/// <summary>
/// An install reads unprotected default branches in GraphQL pages, which cannot tell "not protected" from "not on this
/// plan" (GitHub Free answers REST's protection endpoints for private repositories with 403 "Upgrade to GitHub Pro").
/// One REST read of one private repository tells the organisation's plan for the rest of the pass; public repositories
/// are protected on every plan and need none.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class PrivateBranchProtectionPlanTests
{
    private static string Scenario(string plan) => $$"""
        org: acme
        installation_id: 1001
        plan: {{plan}}
        members: [alice]
        repos:
          - name: .github
            visibility: public
            files:
              policybot.yml: "version: 1\nbranch_protection: { action: log, required_approving_review_count: 1 }\n"
          - { name: one, visibility: private }
          - { name: two, visibility: private }
          - { name: three, visibility: private }
          - { name: open, visibility: public }
        """;

    [Theory]
    [InlineData("team", 1)]
    [InlineData("free", 3)]
    public async Task One_REST_read_of_a_private_branch_tells_the_plan_for_the_pass(string plan, int restReads)
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(plan), new Dictionary<string, string?> { ["Processing:Workers"] = "1" });
        await sandbox.InstallAsync();

        var protectionReads = sandbox.GitHub.Requests.Count(r => r.Method == "GET" && r.RouteTemplate == "/repos/{owner}/{repo}/branches/{branch}/protection");
        Assert.Equal(restReads, protectionReads);

        // The findings are those REST alone would give: unprotected on a paid plan, a plan limitation on GitHub Free.
        var evaluations = await sandbox.Service<IEvaluationStore>().ListAsync(1001, default);
        foreach (var name in new[] { "one", "two", "three", "open" })
        {
            var result = evaluations.Single(e => e.Repository == $"acme/{name}").Results.Single(r => r.Policy == PolicyIds.BranchProtection);
            var limited = plan == "free" && name != "open";
            Assert.Equal(limited, result.Findings.Any(f => f.Code == Policies.BranchProtection.BranchProtectionPolicy.ProtectionUnavailableOnPlan));
            Assert.False(result.Compliant);
        }
    }
}
