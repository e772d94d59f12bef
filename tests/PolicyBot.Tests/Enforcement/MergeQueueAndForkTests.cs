using PolicyBot.Sandbox.State;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.PullRequestReviewRuleTests;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// Issue 12 items 4 and 6 through the simulator: a merge queue's merge group gets a `PolicyBot` check run that concludes
/// as its queued pull requests do, and a re-run from a fork's pull request (whose check suite lists no pull request)
/// finds its pull request by head commit.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class MergeQueueAndForkTests
{
    /// <summary>main requires the app's `PolicyBot` check and a merge queue, as a repository using both would.</summary>
    private const string QueuedMain = """
        rulesets:
          - name: queue
            target: branch
            enforcement: active
            conditions:
              ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] }
            rules:
              - type: merge_queue
                parameters: { check_response_timeout_minutes: 60, grouping_strategy: ALLGREEN, max_entries_to_build: 5, max_entries_to_merge: 5, merge_method: MERGE, min_entries_to_merge: 1, min_entries_to_merge_wait_minutes: 0 }
              - type: required_status_checks
                parameters:
                  strict_required_status_checks_policy: false
                  required_status_checks: [{ context: PolicyBot, integration_id: app }]
        """;

    [Fact]
    public async Task A_merge_group_gets_a_PolicyBot_check_that_passes_when_its_pull_requests_do_so_the_queue_merges()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(OneApproval, paymentsSettings: QueuedMain.Replace("integration_id: app", $"integration_id: {SandboxAppId}", StringComparison.Ordinal)));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();
        await sandbox.ReviewAsync("erin", "payments", number);
        Assert.Equal("success", sandbox.CheckRun("payments", number).Conclusion);

        // main requires the merge queue, so GitHub refuses to merge it directly: it merges only if its group passes.
        var direct = await Assert.ThrowsAsync<HttpRequestException>(() => sandbox.SendAsync("dave", HttpMethod.Put, $"repos/acme/payments/pulls/{number}/merge", new { merge_method = "merge" }));
        Assert.Contains("Changes must be made through the merge queue", direct.Message, StringComparison.Ordinal);

        var group = await sandbox.SendAsync("dave", HttpMethod.Post, $"_sandbox/repos/acme/payments/merge-queue?pull_number={number}&login=dave");
        await sandbox.SettleAsync();
        var groupSha = (string)group!["head_sha"]!;
        Assert.StartsWith($"refs/heads/gh-readonly-queue/main/pr-{number}-", (string)group["head_ref"]!, StringComparison.Ordinal);
        Assert.Contains(sandbox.GitHub.Deliveries, d => d.Event == "merge_group");

        var run = Assert.Single(sandbox.PolicyBotRuns("payments", groupSha));
        Assert.Equal(("completed", "success"), (run.Status, run.Conclusion));
        Assert.Equal($"#{number} meets its rules", run.Title);
        Assert.Contains($"| #{number} Change feature | ✅ success | Reviewer rule met: one approval |", run.Summary, StringComparison.Ordinal);

        // The queue is not held: the group's required PolicyBot check passed, so it merges.
        await sandbox.SendAsync("dave", HttpMethod.Post, "_sandbox/repos/acme/payments/merge-queue/merge");
        Assert.True(sandbox.GitHub.PullRequest(sandbox.Org, "payments", number)!.Merged);
    }

    [Fact]
    public async Task A_merge_group_fails_when_a_queued_pull_request_no_longer_meets_its_rules_and_a_rerun_finds_the_group()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(OneApproval, paymentsSettings: QueuedMain.Replace("integration_id: app", $"integration_id: {SandboxAppId}", StringComparison.Ordinal)));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();
        var review = await sandbox.ReviewAsync("erin", "payments", number);
        var group = await sandbox.SendAsync("dave", HttpMethod.Post, $"_sandbox/repos/acme/payments/merge-queue?pull_number={number}&login=dave");
        await sandbox.SettleAsync();
        var groupSha = (string)group!["head_sha"]!;

        // The approval is dismissed while queued; re-running the group's checks (its suite names no pull request) re-judges it.
        await sandbox.DismissAsync("alice", "payments", number, review);
        await sandbox.SendAsync("alice", HttpMethod.Post, $"_sandbox/repos/acme/payments/check-suites/{groupSha}/rerequest?login=alice");
        await sandbox.SettleAsync();

        var run = Assert.Single(sandbox.PolicyBotRuns("payments", groupSha));
        Assert.Equal("failure", run.Conclusion);
        Assert.Equal($"#{number} does not meet its rules: Reviewer rule unmet: one approval", run.Title);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => sandbox.SendAsync("dave", HttpMethod.Post, "_sandbox/repos/acme/payments/merge-queue/merge"));
        Assert.Contains("PolicyBot", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rerun_of_a_pull_request_from_a_fork_finds_it_by_head_commit()
    {
        var scenario = Scenario(OneApproval, paymentsSettings: """
            pulls:
              - number: 1
                author: dave
                head: from-fork
                fork: true
                files: { src/app.cs: "class App {}" }
            """);
        await using var sandbox = await PolicyBotSandbox.StartAsync(scenario);
        await sandbox.InstallAsync();
        Assert.Equal("failure", sandbox.CheckRun("payments", 1).Conclusion);

        // An approval whose delivery was lost: only a re-run can tell PolicyBot.
        var head = sandbox.HeadSha("payments", 1);
        sandbox.GitHub.Read(s =>
        {
            var pull = s.FindRepo("acme", "payments")!.Pulls.Single(p => p.Number == 1);
            pull.Reviews.Add(new SimReview { Id = s.NextId(), UserLogin = "erin", State = "APPROVED", CommitId = head, SubmittedAt = DateTimeOffset.UtcNow });
            return 0;
        });

        var before = sandbox.GitHub.Deliveries.Count;
        await sandbox.SendAsync("dave", HttpMethod.Post, $"_sandbox/repos/acme/payments/check-suites/{head}/rerequest?login=dave");
        await sandbox.SettleAsync();

        var suite = Assert.Single(sandbox.GitHub.Deliveries.Skip(before), d => d.Event == "check_suite");
        Assert.Contains("\"pull_requests\":[]", suite.Payload, StringComparison.Ordinal);
        Assert.Equal("success", sandbox.CheckRun("payments", 1).Conclusion);
    }

    /// <summary>The simulator's app id (<see cref="PolicyBot.Sandbox.SimulatorOptions.AppId"/>'s default), to bind the required check to.</summary>
    private const long SandboxAppId = 4242;
}
