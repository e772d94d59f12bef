using System.Net.Http.Json;
using PolicyBot.Audit;
using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// Tiers end to end through the simulator: a repository's custom properties (read with the organisation scan,
/// re-read on `custom_property_values`) and the lifecycle of its catalog-info.yaml (re-read on push) decide
/// which tiers it takes, and so the baseline it is held to; the sources of each value are stored for the
/// dashboard and printed by `audit --format json`.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class TierEnforcementTests
{
    private static readonly string Scenario = AcmeScenario.With(
        """
        branch_protection:
          action: log
          required_approving_review_count: 1
          dismiss_stale_reviews: false
        registration: { action: off }
        tiers:
          - name: production
            match: { lifecycle: [production] }
            branch_protection: { required_approving_review_count: 2 }
          - name: critical
            match: { properties: { tier: [critical] } }
            branch_protection: { enforce_admins: true }
        """,
        AcmeScenario.CatalogRepository("svc", owner: "platform", lifecycle: "experimental", settings: "protection: { required_approving_review_count: 1 }"),
        organization: """
            custom_properties:
              - { name: tier, value_type: single_select, allowed_values: [critical, standard] }
            """);

    private const string ProductionCatalog = """
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: { name: svc, description: A service }
        spec: { type: service, lifecycle: production, owner: group:platform }
        """;

    [Fact]
    public async Task A_property_change_and_a_lifecycle_push_move_a_repository_between_tiers_and_their_baselines()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        await sandbox.InstallAsync();
        var store = sandbox.Service<IEvaluationStore>();

        var before = (await store.GetAsync("acme/svc", CancellationToken.None))!;
        Assert.Empty(before.Baseline.Tiers);
        Assert.Empty(BranchProtectionCodes(before));
        Assert.Contains(before.Baseline.Values, v => v.Key == "branch_protection.enforce_admins" && v.Value == "false" && v.Sources.SequenceEqual(["organization"]));

        // An owner marks it critical: GitHub sends custom_property_values, and the critical tier now applies.
        await sandbox.SendAsync("alice", HttpMethod.Patch, "repos/acme/svc/properties/values", new { properties = new[] { new { property_name = "tier", value = "critical" } } });
        await sandbox.SettleAsync();
        var critical = (await store.GetAsync("acme/svc", CancellationToken.None))!;
        Assert.Equal(["critical"], critical.Baseline.Tiers);
        Assert.Equal([BranchProtectionPolicy.AdminsNotEnforced], BranchProtectionCodes(critical));
        Assert.Contains(critical.Baseline.Values, v => v.Key == "branch_protection.enforce_admins" && v.Value == "true" && v.Sources.SequenceEqual(["tier:critical"]));

        // Its catalog-info.yaml says production now: at the push it takes the production tier too.
        await sandbox.PushFileAsync("alice", "svc", "catalog-info.yaml", ProductionCatalog);
        await sandbox.SettleAsync();
        var production = (await store.GetAsync("acme/svc", CancellationToken.None))!;
        Assert.Equal(["production", "critical"], production.Baseline.Tiers);
        Assert.Equal([BranchProtectionPolicy.AdminsNotEnforced, BranchProtectionPolicy.ApprovalsBelowBaseline], BranchProtectionCodes(production));

        // The dashboard's API gives each value with its source; the audit prints repos[].tiers.
        using var api = sandbox.Operator();
        var baseline = await api.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("api/repositories/acme/svc/baseline");
        Assert.Equal("""["production","critical"]""", baseline!["tiers"]!.ToJsonString());
        var count = baseline["values"]!.AsArray().Single(v => v!["key"]!.GetValue<string>() == "branch_protection.required_approving_review_count")!;
        Assert.Equal("2", count["value"]!.GetValue<string>());
        Assert.Equal("tier", count["sources"]![0]!["kind"]!.GetValue<string>());
        Assert.Equal("production", count["sources"]![0]!["tier"]!.GetValue<string>());

        // The repository's dashboard page shows the same values with their sources.
        var page = await api.GetStringAsync("installations/1001/repositories/svc");
        Assert.Contains("Tiers: <strong>production</strong>, <strong>critical</strong>.", page, StringComparison.Ordinal);
        Assert.Contains("<tr><td><code>branch_protection.required_approving_review_count</code></td><td>2</td><td>tier production</td></tr>", page, StringComparison.Ordinal);
        Assert.Contains("<tr><td><code>branch_protection.enforce_admins</code></td><td>true</td><td>tier critical</td></tr>", page, StringComparison.Ordinal);

        var auditor = new OrganizationAuditor(sandbox.Service<PolicyBot.GitHub.IGitHubClientFactory>(), sandbox.Service<RepositoryAssessor>(), sandbox.Service<PullRequestEnforcer>());
        var report = await auditor.AuditAsync("acme", CancellationToken.None);
        var json = System.Text.Json.Nodes.JsonNode.Parse(AuditFormatter.Format(report, "json"))!;
        var svc = json["repos"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "svc")!;
        Assert.Equal(
            """[{"name":"production","values":{"branch_protection.required_approving_review_count":"2"}},{"name":"critical","values":{"branch_protection.enforce_admins":"true"}}]""",
            svc["tiers"]!.ToJsonString());
    }

    private static List<string> BranchProtectionCodes(StoredRepositoryEvaluation evaluation) =>
        [.. evaluation.Results.Single(r => r.Policy == PolicyIds.BranchProtection).Findings.Select(f => f.Code).Order(StringComparer.Ordinal)];
}
