using System.Text.Json;
using PolicyBot.Enforcement;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.GitHub;

/// <summary>
/// An install reads the organisation through GraphQL and concludes exactly what the same install concludes through
/// REST (GraphQL refused): the same findings, remediation bodies included, for classic-protection gaps and team-owned
/// repositories, without a REST call per repository for protection, rules or team access.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class OrganizationPassReadsTests
{
    private const int Repositories = 9;

    /// <summary>
    /// The benchmark's three shapes: unprotected and unregistered, weakly protected, protected and owned by a team. Public,
    /// so that no unprotected repository is read through REST to learn whether the plan protects private ones.
    /// </summary>
    private static readonly string Scenario = """
        org: acme
        installation_id: 1001
        members: [alice, bob]
        teams:
          - { slug: platform, members: [alice, bob], repos: { svc-2: admin, svc-5: pull } }
          - { slug: web, parent: platform, members: [bob], repos: { svc-8: pull } }
        repos:
          - name: .github
            visibility: public
            files:
              policybot.yml: |
                version: 1
                branch_protection: { action: log, required_approving_review_count: 1 }
                registration: { action: log, open_pull_request: false }
        """ + string.Concat(Enumerable.Range(0, Repositories).Select(i => (i % 3) switch
        {
            1 => $"\n  - name: svc-{i}\n    visibility: public\n    protection: {{ required_approving_review_count: 0, allow_force_pushes: true }}",
            2 => $"\n  - name: svc-{i}\n    visibility: public\n    protection: {{ required_approving_review_count: 1, dismiss_stale_reviews: true }}\n    files:\n      catalog-info.yaml: |\n        apiVersion: backstage.io/v1alpha1\n        kind: Component\n        metadata: {{ name: svc-{i}, description: A service }}\n        spec: {{ type: service, lifecycle: production, owner: group:{(i == 8 ? "web" : "platform")} }}",
            _ => $"\n  - name: svc-{i}\n    visibility: public",
        })) + "\n";

    [Fact]
    public async Task An_install_read_through_GraphQL_concludes_what_REST_concludes_without_per_repository_REST_reads()
    {
        var (viaGraphQL, graphQLRequests) = await InstallAsync(refuseGraphQL: false);
        var (viaRest, restRequests) = await InstallAsync(refuseGraphQL: true);

        Assert.Equal(Repositories + 1, viaGraphQL.Count);
        Assert.Equal(viaRest.Keys.Order(StringComparer.Ordinal), viaGraphQL.Keys.Order(StringComparer.Ordinal));
        foreach (var (repository, results) in viaRest)
        {
            Assert.Equal(results, viaGraphQL[repository]);
        }

        // The cases are there: a classic gap with its remediation body, and team access below what ownership needs.
        Assert.Contains("PUT /repos/acme/svc-1/branches/main/protection", viaGraphQL["acme/svc-1"], StringComparison.Ordinal);
        Assert.Contains("owner-team-access", viaGraphQL["acme/svc-5"], StringComparison.Ordinal);
        Assert.Contains("owner-team-access", viaGraphQL["acme/svc-8"], StringComparison.Ordinal);
        Assert.DoesNotContain("owner-team-access", viaGraphQL["acme/svc-2"], StringComparison.Ordinal);

        // GitHub's formula, with nothing nested below a repository's own lists in a page: the organisation's rulesets (1),
        // a page of up to 100 repositories (1 + 3 lists x 100 = 301 requests, 3 points), the review bypass allowances of the
        // six rules that require reviews (1), the teams (1).
        Assert.Equal([1, 3, 1, 1], graphQLRequests.Where(r => r.Resource == "graphql").Select(r => r.Cost));

        string[] perRepository = ["/repos/{owner}/{repo}/teams", "/repos/{owner}/{repo}/branches/{branch}/protection", "/repos/{owner}/{repo}/rules/branches/{branch}"];
        foreach (var route in perRepository)
        {
            Assert.True(restRequests.Count(r => r.RouteTemplate == route) >= 3, $"the REST install reads {route} per repository");
            Assert.True(graphQLRequests.Count(r => r.RouteTemplate == route) == 0, string.Join("\n", graphQLRequests.Select(r => $"{r.At:HH:mm:ss.fff} {r.Method} {r.Path} {r.StatusCode}")));
        }
    }

    private static async Task<(Dictionary<string, string> Results, List<Sandbox.Http.RequestRecord> Requests)> InstallAsync(bool refuseGraphQL)
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        if (refuseGraphQL)
        {
            sandbox.GitHub.Faults.AddStatus("POST", "/graphql", 502, count: -1);
        }

        await sandbox.GitHub.InstallAsync(sandbox.Org);
        await sandbox.SettleAsync(TimeSpan.FromSeconds(60));
        var evaluations = await sandbox.Service<IEvaluationStore>().ListAsync(1001, default);
        return (
            evaluations.ToDictionary(e => e.Repository, e => JsonSerializer.Serialize(e.Results)),
            [.. sandbox.GitHub.Requests.Where(r => r.InstallationId == 1001)]);
    }
}
