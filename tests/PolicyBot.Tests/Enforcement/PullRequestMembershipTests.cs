using PolicyBot.Processing;
using PolicyBot.Sandbox.State;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary>Team membership is cached, and a `membership` event refreshes it and re-evaluates the pull requests waiting for reviewers.</summary>
[Collection(HostCollection.Name)]
public sealed class PullRequestMembershipTests
{
    [Fact]
    public async Task Joining_a_child_team_makes_an_earlier_approval_count()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario("""
            version: 1
            reviewers:
              request_reviews: false
              rules:
                - name: platform review
                  approvals: 1
                  from: { teams: [platform] }
            """));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();
        await sandbox.ReviewAsync("erin", "payments", number);
        Assert.Equal("failure", sandbox.CheckRun("payments", number).Conclusion);

        // Further evaluations read the teams from the cache, not from GitHub.
        sandbox.GitHub.ClearRequests();
        await sandbox.ReviewAsync("bob", "payments", number, "COMMENT");
        Assert.DoesNotContain(sandbox.GitHub.Requests, r => r.TokenKind == TokenKind.Installation && r.Path.StartsWith("/orgs/acme/teams", StringComparison.Ordinal));

        // An owner adds erin to security, a child team of platform: GitHub sends `membership`.
        await sandbox.SendAsync("alice", HttpMethod.Put, "orgs/acme/teams/security/memberships/erin", new { role = "member" });
        await sandbox.SettleAsync();

        Assert.Contains(sandbox.GitHub.Deliveries, d => d.Event == "membership" && d.Action == "added");
        var done = await sandbox.Service<IWorkQueueStore>().ListAsync(WorkItemStates.Done, 500, CancellationToken.None);
        Assert.Contains(done, w => w.Item.Kind == WorkItemKinds.RefreshMembership && w.Item.Owner == "acme");
        Assert.Contains(done, w => w.Item.Kind == WorkItemKinds.EvaluatePullRequest && w.Item.PullRequestNumber == number && w.Item.Reason.StartsWith("team membership changed", StringComparison.Ordinal));
        Assert.Contains(sandbox.GitHub.Requests, r => r.TokenKind == TokenKind.Installation && r.Path == "/orgs/acme/teams/security/members");
        var run = sandbox.CheckRun("payments", number);
        Assert.Equal("success", run.Conclusion);
        Assert.Contains("| platform review | ✅ met | 1/1 | @erin |", run.Summary, StringComparison.Ordinal);
    }
}
