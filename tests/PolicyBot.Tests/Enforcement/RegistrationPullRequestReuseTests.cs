using PolicyBot.Enforcement;
using PolicyBot.Sandbox.Faults;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.RegistrationSteps;

namespace PolicyBot.Tests.Enforcement;

/// <summary>The registration pull request's branch outlives its pull request; a later one starts it afresh.</summary>
[Collection(HostCollection.Name)]
public sealed class RegistrationPullRequestReuseTests
{
    private static readonly string Scenario = AcmeScenario.With(
        "registration: { action: issue, open_pull_request: true }",
        """
          - name: svc
            files:
              README.md: "# svc"
        """);

    private static async Task<List<System.Text.Json.Nodes.JsonObject>> RegistrationIssuesAsync(PolicyBotSandbox sandbox) =>
        (await IssuesAsync(sandbox, "svc")).Where(i => i["title"]!.GetValue<string>().Contains("registration", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task After_a_merged_registration_pull_request_and_the_file_deleted_a_new_pull_request_is_opened_from_the_default_branch()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        await sandbox.InstallAsync();
        var first = Number(Assert.Single(await PullRequestsAsync(sandbox, "svc")));
        await sandbox.SendAsync("alice", HttpMethod.Put, $"repos/acme/svc/pulls/{first}/merge", new { merge_method = "squash" });
        await sandbox.SettleAsync();

        // GitHub's default merge (a merge commit) leaves the branch's commit in the default branch's history; the
        // simulator squashes, so the branch is moved to where such a merge leaves it: nothing of its own left.
        var main = await sandbox.SendAsync("alice", HttpMethod.Get, "repos/acme/svc/branches/main");
        await sandbox.SendAsync("alice", HttpMethod.Patch, $"repos/acme/svc/git/refs/heads/{RegistrationPullRequests.BranchName}",
            new { sha = main!["commit"]!["sha"]!.GetValue<string>(), force = true });

        // Someone deletes the file again; the merged pull request's branch is still there.
        var file = await sandbox.SendAsync("alice", HttpMethod.Get, "repos/acme/svc/contents/catalog-info.yaml");
        await sandbox.SendAsync("alice", HttpMethod.Delete, "repos/acme/svc/contents/catalog-info.yaml",
            new { message = "Remove catalog-info.yaml", sha = file!["sha"]!.GetValue<string>() });
        await sandbox.SettleAsync();

        Assert.Empty(await sandbox.Service<IWorkQueueStore>().ListAsync(WorkItemStates.Dead, 10, CancellationToken.None));
        var pulls = await PullRequestsAsync(sandbox, "svc");
        var second = Assert.Single(pulls, p => p["state"]!.GetValue<string>() == "open");
        Assert.NotEqual(first, Number(second));
        Assert.Equal(RegistrationPullRequests.BranchName, second["head"]!["ref"]!.GetValue<string>());
        Assert.Contains("kind: Component", await FileAsync(sandbox, "svc", "catalog-info.yaml", RegistrationPullRequests.BranchName), StringComparison.Ordinal);
        var issue = Assert.Single(await RegistrationIssuesAsync(sandbox));
        Assert.Equal("open", issue["state"]!.GetValue<string>());
        Assert.Contains($"#{Number(second)}", Body(issue), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GitHub_refusing_the_registration_pull_request_does_not_fail_the_evaluation()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        sandbox.GitHub.Faults.Add(new FaultRule { Method = "POST", PathPattern = "/repos/acme/svc/pulls", StatusCode = 422, Message = "Validation Failed" });
        await sandbox.InstallAsync();

        Assert.Empty(await sandbox.Service<IWorkQueueStore>().ListAsync(WorkItemStates.Dead, 10, CancellationToken.None));
        Assert.Empty(await PullRequestsAsync(sandbox, "svc"));
        var issue = Assert.Single(await RegistrationIssuesAsync(sandbox));
        Assert.Equal("open", issue["state"]!.GetValue<string>());
        Assert.NotNull(await sandbox.Service<IEvaluationStore>().GetAsync("acme/svc", CancellationToken.None));
    }
}
