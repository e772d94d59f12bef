using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PolicyBot.Enforcement;
using PolicyBot.Processing;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary>What is gone from GitHub is gone from the dashboard too.</summary>
[Collection(HostCollection.Name)]
public sealed class GoneRepositoryTests
{
    private static readonly string Scenario = AcmeScenario.With(
        "",
        """
          - name: svc
            files:
              catalog-info.yaml: |
                apiVersion: backstage.io/v1alpha1
                kind: Component
                metadata: { name: svc }
                spec: { type: service, lifecycle: production, owner: group:platform }
          - name: web
            files:
              catalog-info.yaml: |
                apiVersion: backstage.io/v1alpha1
                kind: Component
                metadata: { name: web }
                spec: { type: service, lifecycle: production, owner: group:platform }
        """);

    private static async Task<List<string>> RepositoriesAsync(HttpClient client, string path) =>
        (await client.GetFromJsonAsync<JsonArray>(path))!.Select(e => (string)e!["repository"]!).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task A_repository_deleted_on_GitHub_disappears_from_the_repositories_and_the_inventory()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        await sandbox.InstallAsync();
        using var client = sandbox.Operator();
        Assert.Contains("acme/svc", await RepositoriesAsync(client, "api/repositories"));
        Assert.Contains("acme/svc", await RepositoriesAsync(client, "api/inventory"));

        await sandbox.SendAsync("alice", HttpMethod.Delete, "repos/acme/svc");
        await sandbox.SettleAsync();

        Assert.DoesNotContain("acme/svc", await RepositoriesAsync(client, "api/repositories"));
        Assert.DoesNotContain("acme/svc", await RepositoriesAsync(client, "api/inventory"));
        Assert.Contains("acme/web", await RepositoriesAsync(client, "api/inventory"));
        Assert.Null(await sandbox.Service<IEvaluationStore>().GetAsync("acme/svc", CancellationToken.None));
    }

    [Fact]
    public async Task A_closed_pull_request_is_left_out_of_the_installations_pull_requests()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        await sandbox.InstallAsync();
        var open = await sandbox.OpenPullRequestAsync("bob", "web", "stays", new Dictionary<string, string> { ["a.txt"] = "a" });
        var closed = await sandbox.OpenPullRequestAsync("bob", "web", "goes", new Dictionary<string, string> { ["b.txt"] = "b" });
        await sandbox.SendAsync("bob", HttpMethod.Patch, $"repos/acme/web/pulls/{closed}", new { state = "closed" });

        // Evaluated again once closed (as after a membership change), it is stored as closed.
        await sandbox.Service<IWorkQueue>().EnqueueAsync(new WorkItem(WorkItemKinds.EvaluatePullRequest, 1001, "acme", "web", closed, "test", null), CancellationToken.None);
        await sandbox.SettleAsync();
        var stored = await sandbox.Service<IEvaluationStore>().ListPullRequestsAsync(1001, CancellationToken.None);
        Assert.Equal(PullRequestEnforcer.ClosedConclusion, stored.Single(p => p.Number == closed).Conclusion);

        using var client = sandbox.Operator();
        var overview = (await client.GetFromJsonAsync<JsonObject>("api/installations/1001"))!;
        var listed = overview["pullRequests"]!.AsArray().Select(p => (int)p!["number"]!).ToList();
        Assert.Equal([open], listed);
    }
}
