using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PolicyBot.Enforcement;
using PolicyBot.Processing;
using PolicyBot.Sandbox.State;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;
using PolicyBot.Webhooks;

namespace PolicyBot.Tests.Enforcement;

/// <summary>The `PolicyBot` check run itself: one per head commit, updated in place, re-run on request, within GitHub's limits.</summary>
[Collection(HostCollection.Name)]
public sealed class CheckRunTests
{
    private const string OneApproval = """
        version: 1
        reviewers:
          request_reviews: false
          rules:
            - name: one approval
              approvals: 1
        """;

    private static int CheckRunWrites(PolicyBotSandbox sandbox, string method) =>
        sandbox.GitHub.Requests.Count(r => r.TokenKind == TokenKind.Installation && r.Method == method && r.RouteTemplate?.StartsWith("/repos/{owner}/{repo}/check-runs", StringComparison.Ordinal) == true);

    [Fact]
    public async Task The_run_of_a_head_commit_is_created_once_and_updated_in_place()
    {
        var settings = new Dictionary<string, string?> { ["Enforcement:PublicUrl"] = "https://policybot.example.com/" };
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario(OneApproval), settings);
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();
        var created = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", created.Conclusion);
        Assert.Equal("https://policybot.example.com/installations/1001", created.DetailsUrl);

        await sandbox.ReviewAsync("erin", "payments", number, "COMMENT");
        await sandbox.ReviewAsync("bob", "payments", number, "REQUEST_CHANGES");
        await sandbox.ReviewAsync("bob", "payments", number);

        var run = sandbox.CheckRun("payments", number);
        Assert.Equal(created.Id, run.Id);
        Assert.Equal("success", run.Conclusion);
        Assert.Equal(1, CheckRunWrites(sandbox, "POST"));

        // Only evaluations that changed what the run says wrote to it: created failing (its verdict in the one POST), then passing.
        Assert.Equal(1, CheckRunWrites(sandbox, "PATCH"));
    }

    [Fact]
    public async Task A_closed_pull_request_is_left_alone()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario("""
            version: 1
            reviewers:
              rules:
                - name: platform review
                  approvals: 1
                  from: { teams: [platform] }
            """));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();
        await sandbox.ReviewAsync("erin", "payments", number);
        var before = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", before.Conclusion);
        await sandbox.SendAsync("dave", HttpMethod.Patch, $"repos/acme/payments/pulls/{number}", new { state = "closed" });
        await sandbox.SettleAsync();
        sandbox.GitHub.ClearRequests();

        // erin joins platform: the pull request, which waited for a platform approval, is looked at again, and left as it is.
        await sandbox.SendAsync("alice", HttpMethod.Put, "orgs/acme/teams/platform/memberships/erin", new { role = "member" });
        await sandbox.SettleAsync();

        Assert.Contains(sandbox.GitHub.Requests, r => r.TokenKind == TokenKind.Installation && r.Path == $"/repos/acme/payments/pulls/{number}");
        var after = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", after.Conclusion);
        Assert.Equal(before.CompletedAt, after.CompletedAt);
        Assert.Equal(0, CheckRunWrites(sandbox, "POST") + CheckRunWrites(sandbox, "PATCH"));
        Assert.DoesNotContain(sandbox.GitHub.Requests, r => r.Method == "POST" && r.Path.EndsWith("/requested_reviewers", StringComparison.Ordinal));

        // Its stored verdict says it is closed, so the dashboard no longer lists it as failing.
        var stored = await sandbox.Service<IEvaluationStore>().ListPullRequestsAsync(1001, CancellationToken.None);
        var verdict = Assert.Single(stored, p => p.Repository == "acme/payments" && p.Number == number);
        Assert.Equal("closed", verdict.Conclusion);
        Assert.Empty(verdict.UnmetRules);
    }

    [Fact]
    public async Task A_blocking_repository_finding_fails_the_check_and_is_listed_first()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario("""
            version: 1
            branch_protection:
              action: log
              block_merge: true
            registration:
              action: log
            """));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenFeaturePullRequestAsync();

        var run = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", run.Conclusion);
        Assert.Equal("blocked by Branch protection", run.Title);
        var blocking = run.Summary!.IndexOf("Branch protection (blocks merging)", StringComparison.Ordinal);
        var registration = run.Summary.IndexOf("### ⚠️ Repository registration", StringComparison.Ordinal);
        Assert.True(blocking > 0, run.Summary);
        Assert.True(registration > blocking, run.Summary);
    }

    [Fact]
    public async Task Re_running_the_check_run_or_its_suite_evaluates_again_and_rewrites_the_run()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario(OneApproval));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();
        await sandbox.ReviewAsync("bob", "payments", number);
        var run = sandbox.CheckRun("payments", number);
        Assert.Equal("success", run.Conclusion);
        var sha = sandbox.HeadSha("payments", number);

        foreach (var rerun in (string[])[$"check-runs/{run.Id}", $"check-suites/{sha}"])
        {
            // What the run shows is lost (as after a failed update); re-running it from GitHub puts it right.
            sandbox.GitHub.Read(s =>
            {
                var shown = s.FindRepo("acme", "payments")!.CheckRuns.Single(c => c.Id == run.Id);
                shown.Status = "queued";
                shown.Conclusion = null;
                shown.Summary = "lost";
                return shown;
            });
            using var person = sandbox.As("bob");
            (await person.PostAsync(new Uri(sandbox.GitHub.BaseUrl, $"_sandbox/repos/acme/payments/{rerun}/rerequest?login=bob"), null)).EnsureSuccessStatusCode();
            await sandbox.SettleAsync();

            var rewritten = sandbox.CheckRun("payments", number);
            Assert.Equal(run.Id, rewritten.Id);
            Assert.Equal("success", rewritten.Conclusion);
            Assert.Equal(run.Summary, rewritten.Summary);
        }

        Assert.Contains(sandbox.GitHub.Deliveries, d => d.Event == "check_run" && d.Action == "rerequested");
        Assert.Contains(sandbox.GitHub.Deliveries, d => d.Event == "check_suite" && d.Action == "rerequested");
    }

    [Fact]
    public async Task The_check_suite_GitHub_requests_on_a_push_leads_to_an_evaluation_of_its_pull_request()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario(OneApproval));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();
        await sandbox.PushAsync("dave", "payments", number, "src/app.cs", "class App { }");

        // The push sent pull_request.synchronize and check_suite.requested; the latter, routed on its own, is enough.
        var requested = sandbox.GitHub.Deliveries.Last(d => d.Event == "check_suite" && d.Action == "requested");
        using var payload = JsonDocument.Parse(requested.Payload);
        var router = new WebhookRouter(sandbox.Service<IOptions<WebhookRoutingOptions>>());
        var work = router.Route(new WebhookDelivery(
            requested.Id.ToString(), "check_suite", "requested", 1001, "acme/payments", null, requested.Payload, DateTimeOffset.UtcNow));
        var item = Assert.Single(work);
        Assert.Equal(WorkItemKinds.EvaluatePullRequest, item.Kind);
        Assert.Equal(number, item.PullRequestNumber);
        Assert.Equal(sandbox.HeadSha("payments", number), payload.RootElement.GetProperty("check_suite").GetProperty("head_sha").GetString());

        Assert.Equal("failure", sandbox.CheckRun("payments", number).Conclusion);
    }

    [Fact]
    public async Task A_summary_with_thousands_of_findings_is_cut_to_GitHubs_limit_with_a_pointer()
    {
        // Multibyte names: GitHub's limit is 65535 UTF-8 bytes, which the simulator enforces as GitHub does (422
        // "summary exceeds a maximum bytesize of 65535"); a cut counted in characters would be refused.
        var policy = new StringBuilder(".github/policybot.yml: |\n  version: 1\n");
        for (var i = 0; i < 4000; i++)
        {
            policy.Append("  unknown_setting_number_").Append(i).Append("_réglé_über_ñandú: true\n");
        }

        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario("version: 1\n", policy.ToString()));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenFeaturePullRequestAsync();

        var run = sandbox.CheckRun("payments", number);
        Assert.Equal("success", run.Conclusion);
        Assert.InRange(Encoding.UTF8.GetByteCount(run.Summary!), 30_000, 65_535);
        Assert.True(Encoding.UTF8.GetByteCount(run.Summary!) - run.Summary!.Length > 1000, "the summary is mostly multibyte names");
        Assert.Contains("unknown_setting_number_0_réglé", run.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown_setting_number_3999_", run.Summary, StringComparison.Ordinal);
        Assert.Matches(@"… \d+ more findings not shown: see the PolicyBot dashboard", run.Summary);
    }
}
