using PolicyBot.Enforcement;
using PolicyBot.Enforcement.Issues;
using PolicyBot.Policies;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.RegistrationSteps;

namespace PolicyBot.Tests.Enforcement;

/// <summary>What PolicyBot does when people close what it opened.</summary>
[Collection(HostCollection.Name)]
public sealed class PeopleOverrideTests
{
    [Fact]
    public async Task An_issue_a_person_closes_while_the_repository_is_still_below_the_baseline_is_reopened_saying_how_to_stop_tracking_it()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(AcmeScenario.With("branch_protection: { action: issue }", "  - name: svc"));
        await sandbox.InstallAsync();
        var issue = Assert.Single(await IssuesAsync(sandbox, "svc"));
        Assert.Equal("open", State(issue));

        await sandbox.SendAsync("bob", HttpMethod.Patch, $"repos/acme/svc/issues/{Number(issue)}", new { state = "closed" });
        await ReconcileAsync(sandbox, "svc");
        await sandbox.SettleAsync();

        issue = Assert.Single(await IssuesAsync(sandbox, "svc"));
        Assert.Equal("open", State(issue));
        Assert.Equal(ComplianceIssueContent.StillBelowComment, Assert.Single(await CommentsAsync(sandbox, "svc", Number(issue))));

        // Nothing changed since: the next evaluation leaves the issue alone.
        await ReconcileAsync(sandbox, "svc");
        await sandbox.SettleAsync();
        Assert.Single(await CommentsAsync(sandbox, "svc", Number(issue)));
    }

    [Fact]
    public async Task A_registration_pull_request_a_person_closes_without_merging_is_not_opened_again_and_the_issue_stays_open()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(AcmeScenario.With(
            "registration: { action: fix, open_pull_request: true }",
            "  - name: svc\n    files: { README.md: hello }"));
        await sandbox.InstallAsync();
        var pull = Assert.Single(await PullRequestsAsync(sandbox, "svc"));
        Assert.Equal(RegistrationPullRequests.BranchName, pull["head"]!["ref"]!.GetValue<string>());

        await sandbox.SendAsync("bob", HttpMethod.Patch, $"repos/acme/svc/pulls/{Number(pull)}", new { state = "closed" });
        await ReconcileAsync(sandbox, "svc");
        await sandbox.SettleAsync();
        await ReconcileAsync(sandbox, "svc");
        await sandbox.SettleAsync();

        Assert.Equal("closed", State(Assert.Single(await PullRequestsAsync(sandbox, "svc"))));
        var stored = await sandbox.Service<IEvaluationStore>().GetAsync("acme/svc", default);
        Assert.Contains(stored!.Results.Single(r => r.Policy == PolicyIds.Registration).Findings, f => f.Code == RegistrationPullRequests.MissingFindingCode);
        var issue = Assert.Single(await IssuesAsync(sandbox, "svc"));
        Assert.Equal("open", State(issue));
    }
}
