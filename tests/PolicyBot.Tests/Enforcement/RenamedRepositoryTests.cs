using PolicyBot.Enforcement;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.BranchProtectionScenario;

namespace PolicyBot.Tests.Enforcement;

/// <summary>A renamed repository is the same repository: its issue is not opened twice, and it closes under the new name.</summary>
[Collection(HostCollection.Name)]
public sealed class RenamedRepositoryTests
{
    [Fact]
    public async Task After_a_rename_the_tracked_issue_carries_on_and_no_second_issue_is_opened()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, "  - name: svc"));
        await sandbox.InstallAsync();
        var original = Assert.Single(sandbox.GitHub.Issues(Org, "svc"));

        await sandbox.SendAsync("alice", HttpMethod.Patch, "repos/acme/svc", new { name = "svc-renamed" });
        await sandbox.SettleAsync();

        // Still exactly one issue (GitHub moves issues with the repository), and PolicyBot's records follow the new name.
        var issue = Assert.Single(sandbox.GitHub.Issues(Org, "svc-renamed"));
        Assert.Equal(original.Number, issue.Number);
        Assert.Equal("open", issue.State);
        var evaluations = sandbox.Service<IEvaluationStore>();
        Assert.Null(await evaluations.GetAsync("acme/svc", default));
        Assert.NotNull(await evaluations.GetAsync("acme/svc-renamed", default));

        // Fixed under its new name: the same issue closes.
        await PutProtectionAsync(sandbox, "svc-renamed", CompliantProtection());
        await sandbox.SettleAsync();
        issue = Assert.Single(sandbox.GitHub.Issues(Org, "svc-renamed"));
        Assert.Equal("closed", issue.State);
    }
}
