using PolicyBot.Sandbox.State;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary>`request_reviews`: who PolicyBot asks, and that it asks once.</summary>
[Collection(HostCollection.Name)]
public sealed class PullRequestReviewRequestTests
{
    private static List<string> ReviewRequestCalls(PolicyBotSandbox sandbox) =>
        sandbox.GitHub.Requests
            .Where(r => r.TokenKind == TokenKind.Installation && r.Method == "POST" && r.Path.EndsWith("/requested_reviewers", StringComparison.Ordinal))
            .Select(r => r.Path)
            .ToList();

    [Fact]
    public async Task Reviewers_who_can_satisfy_an_unmet_rule_are_asked_once_never_the_author()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario("""
            version: 1
            reviewers:
              rules:
                - name: security review
                  approvals: 2
                  from: { teams: [security], users: [dave, erin] }
            """));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenFeaturePullRequestAsync();

        var pull = sandbox.GitHub.PullRequest("acme", "payments", number)!;
        Assert.Equal(["security"], sandbox.GitHub.Read(_ => pull.RequestedTeams.ToList()));
        Assert.Equal(["erin"], sandbox.GitHub.Read(_ => pull.RequestedReviewers.ToList()));
        Assert.Single(ReviewRequestCalls(sandbox));

        // Evaluations that leave the rule unmet: erin comments (GitHub then drops her request), dave pushes,
        // someone re-runs the check. None of them asks anyone again, erin included.
        await sandbox.ReviewAsync("erin", "payments", number, "COMMENT");
        await sandbox.PushAsync("dave", "payments", number, "src/app.cs", "class App { }");
        using (var person = sandbox.As("bob"))
        {
            (await person.PostAsync(new Uri(sandbox.GitHub.BaseUrl, $"_sandbox/repos/acme/payments/check-suites/{sandbox.HeadSha("payments", number)}/rerequest?login=bob"), null)).EnsureSuccessStatusCode();
        }

        await sandbox.SettleAsync();
        Assert.Equal("failure", sandbox.CheckRun("payments", number).Conclusion);
        Assert.Single(ReviewRequestCalls(sandbox));
        Assert.Empty(sandbox.GitHub.Read(_ => pull.RequestedReviewers.ToList()));
        Assert.DoesNotContain(sandbox.GitHub.Deliveries, d => d.Payload.Contains("\"requested_reviewer\":{\"login\":\"dave\"", StringComparison.Ordinal));

        var log = await sandbox.Service<IAuditLog>().ListRecentAsync(1001, 500, CancellationToken.None);
        var requested = Assert.Single(log, e => e.Action == "review.requested");
        Assert.Equal("team:security, erin", requested.Target);
    }

    [Fact]
    public async Task Nobody_is_asked_when_the_rules_are_met_or_request_reviews_is_off()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario("""
            version: 1
            reviewers:
              request_reviews: false
              rules:
                - name: security review
                  approvals: 1
                  from: { teams: [security] }
            """));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenFeaturePullRequestAsync();

        Assert.Equal("failure", sandbox.CheckRun("payments", number).Conclusion);
        Assert.Empty(ReviewRequestCalls(sandbox));
    }

    [Fact]
    public async Task A_reviewer_GitHub_will_not_accept_is_asked_once_and_does_not_fail_the_evaluation()
    {
        // The CODEOWNERS file names someone outside the organisation: GitHub refuses review requests for them.
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario(
            PullRequestReviewRuleTests.CodeOwnersApproval,
            "CODEOWNERS: \"* @former-contractor\"\n"));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenFeaturePullRequestAsync();
        await sandbox.ReviewAsync("bob", "payments", number, "COMMENT");

        var run = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", run.Conclusion);
        Assert.Contains("@former-contractor", run.Summary, StringComparison.Ordinal);
        var refused = Assert.Single(sandbox.GitHub.Requests, r => r.Method == "POST" && r.Path.EndsWith("/requested_reviewers", StringComparison.Ordinal));
        Assert.Equal(422, refused.StatusCode);
        Assert.Empty(await sandbox.Service<IWorkQueueStore>().ListAsync(WorkItemStates.Dead, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_reviewer_GitHub_refuses_does_not_keep_the_others_from_being_asked()
    {
        // Two code owners: a team GitHub accepts and someone outside the organisation, whom it refuses.
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario(
            PullRequestReviewRuleTests.CodeOwnersApproval,
            "CODEOWNERS: \"* @acme/security @former-contractor\"\n"));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenFeaturePullRequestAsync();

        var pull = sandbox.GitHub.Read(s => s.FindRepo("acme", "payments")!.Pulls.Single(p => p.Number == number));
        Assert.Equal(["security"], pull.RequestedTeams);
        Assert.Empty(pull.RequestedReviewers);
        Assert.Empty(await sandbox.Service<IWorkQueueStore>().ListAsync(WorkItemStates.Dead, 10, CancellationToken.None));

        // Both are in the ledger: a later evaluation asks nobody again.
        sandbox.GitHub.ClearRequests();
        await sandbox.ReviewAsync("bob", "payments", number, "COMMENT");
        Assert.DoesNotContain(sandbox.GitHub.Requests, r => r.Method == "POST" && r.Path.EndsWith("/requested_reviewers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_draft_asks_for_reviews_only_once_it_is_ready()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario("""
            version: 1
            reviewers:
              rules:
                - name: security review
                  approvals: 1
                  from: { teams: [security] }
            """));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenPullRequestAsync("dave", "payments", "feature", new Dictionary<string, string> { ["src/app.cs"] = "class App {}" }, draft: true);
        Assert.Equal("failure", sandbox.CheckRun("payments", number).Conclusion);
        Assert.Empty(ReviewRequestCalls(sandbox));

        using (var author = sandbox.As("dave"))
        {
            (await author.PostAsync(new Uri(sandbox.GitHub.BaseUrl, $"_sandbox/repos/acme/payments/pulls/{number}/ready_for_review?login=dave"), null)).EnsureSuccessStatusCode();
        }

        await sandbox.SettleAsync();
        Assert.Single(ReviewRequestCalls(sandbox));
        Assert.Equal(["security"], sandbox.GitHub.Read(s => s.FindRepo("acme", "payments")!.Pulls.Single(p => p.Number == number).RequestedTeams.ToList()));
    }
}
