using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PolicyBot.Processing;
using PolicyBot.Sandbox.Faults;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// What one evaluation of a pull request costs in GitHub calls. The numbers are fixed on purpose: a change
/// that adds a call per file or per review, or that stops revalidating with ETags, fails here.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class PullRequestEfficiencyTests(ITestOutputHelper output)
{
    private static readonly string[] Reviewers = ["alice", "bob", "carol", "erin"];

    /// <summary>Pull request #1 of payments changes 100 files and has 100 reviews (the last four approvals).</summary>
    private static string LargePullRequest()
    {
        var pull = new StringBuilder();
        pull.Append("pulls:\n  - number: 1\n    author: dave\n    head: big\n    files:\n");
        for (var i = 0; i < 100; i++)
        {
            pull.Append(CultureInfo.InvariantCulture, $"      src/module{i:D3}/file.cs: \"class C{i} {{}}\"\n");
        }

        pull.Append("    reviews:\n");
        for (var i = 0; i < 100; i++)
        {
            var state = i >= 96 ? "APPROVED" : "COMMENTED";
            pull.Append(CultureInfo.InvariantCulture, $"      - {{ user: {Reviewers[i % Reviewers.Length]}, state: {state}, body: \"note {i}\", submitted_at: \"2026-01-01T00:{i / 60:D2}:{i % 60:D2}Z\" }}\n");
        }

        return PullRequestReviewRuleTests.Scenario(
            """
            version: 1
            reviewers:
              rules:
                - name: platform review
                  approvals: 2
                  from: { teams: [platform] }
                - name: code owners
                  approvals: 1
                  from: { code_owners: true }
            """,
            "CODEOWNERS: \"* @acme/platform\"\n",
            pull.ToString());
    }

    private static List<RequestRecord> InstallationCalls(PolicyBotSandbox sandbox) =>
        sandbox.GitHub.Requests.Where(r => r.TokenKind == TokenKind.Installation).ToList();

    private void Print(IEnumerable<RequestRecord> calls)
    {
        foreach (var call in calls)
        {
            output.WriteLine($"{call.Method} {call.Path}{call.Query} {call.StatusCode}");
        }
    }

    /// <summary>The call as method, path and query (commits as {sha}, check runs as {id}) and status.</summary>
    private static string Describe(RequestRecord call)
    {
        var target = Regex.Replace(call.Path + call.Query, "[0-9a-f]{40}", "{sha}", RegexOptions.None, TimeSpan.FromSeconds(1));
        target = Regex.Replace(target, "check-runs/[0-9]+", "check-runs/{id}", RegexOptions.None, TimeSpan.FromSeconds(1));
        return $"{call.Method} {target} {call.StatusCode}";
    }

    [Fact]
    public async Task One_evaluation_of_a_pull_request_with_100_files_and_100_reviews_makes_a_fixed_number_of_calls_and_a_repeat_costs_nothing()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(LargePullRequest());

        // Closed while the app is installed, so that reopening it leads to its first evaluation, on its own.
        sandbox.GitHub.Read(s => s.FindRepo("acme", "payments")!.Pulls[0].State = "closed");
        await sandbox.InstallAsync();
        Assert.Empty(sandbox.PolicyBotRuns("payments", sandbox.HeadSha("payments", 1)));

        sandbox.GitHub.ClearRequests();
        await sandbox.SendAsync("dave", HttpMethod.Patch, "repos/acme/payments/pulls/1", new { state = "open" });
        await sandbox.SettleAsync();

        var run = sandbox.CheckRun("payments", 1);
        Assert.Equal("success", run.Conclusion);
        Assert.Contains("| platform review | ✅ met | 3/2 | @alice, @bob, @carol |", run.Summary, StringComparison.Ordinal);
        var first = InstallationCalls(sandbox);
        Print(first);

        // The organisation's teams and the repository's own evaluation were read when the app was installed.
        // For the pull request itself, whatever its size:
        string[] expected =
        [
            "GET /repos/acme/payments/pulls/1 200",                                            // the pull request
            "GET /repos/acme/.github 304",                                                     // the organisation's baseline repository
            "GET /repos/acme/.github/branches/main 304",                                       // the commit of its default branch:
                                                                                               // unmoved, so the baseline the repository
                                                                                               // evaluations read there is reused
            "GET /repos/acme/payments/branches/main 200",                                      // the commit of the base branch
            "GET /repos/acme/payments/contents/.github/policybot.yml?ref={sha} 404",           // no repository rules there
            "GET /repos/acme/payments/pulls/1/files?per_page=100 200",                         // 100 files: one page
            "GET /repos/acme/payments/pulls/1/reviews?per_page=100 200",                       // 100 reviews: one page
            "GET /repos/acme/payments/pulls/1/requested_reviewers 200",                        // who is asked already
            "GET /repos/acme/payments/pulls/1/commits?per_page=100 200",                       // who committed (their approvals do not count)
            "GET /repos/acme/payments/contents/.github/CODEOWNERS?ref={sha} 404",              // CODEOWNERS is not here,
            "GET /repos/acme/payments/contents/CODEOWNERS?ref={sha} 200",                      // but here
            "GET /repos/acme/payments/commits/{sha}/check-runs?check_name=PolicyBot 200",      // its head commit's run, if any
            "POST /repos/acme/payments/check-runs 201",                                        // none: created with the verdict, one write
        ];
        Assert.Equal(expected, first.Select(Describe));

        // The same evaluation again, nothing changed: only revalidations GitHub answers 304, which cost no rate limit,
        // and no write, since the check run already says the same.
        sandbox.GitHub.ClearRequests();
        await sandbox.Service<IWorkQueue>().EnqueueAsync(new WorkItem(WorkItemKinds.EvaluatePullRequest, 1001, "acme", "payments", 1, "test", null), CancellationToken.None);
        await sandbox.SettleAsync();
        var second = InstallationCalls(sandbox);
        Print(second);
        Assert.Equal(
        [
            "GET /repos/acme/payments/pulls/1 304",
            "GET /repos/acme/.github 304",
            "GET /repos/acme/.github/branches/main 304",
            "GET /repos/acme/payments/branches/main 304",
            "GET /repos/acme/payments/pulls/1/files?per_page=100 304",
            "GET /repos/acme/payments/pulls/1/reviews?per_page=100 304",
            "GET /repos/acme/payments/pulls/1/requested_reviewers 304",
            "GET /repos/acme/payments/pulls/1/commits?per_page=100 304",
        ], second.Select(Describe));
        Assert.All(second, call => Assert.True(call.NotModified));
        Assert.Equal(run.CompletedAt, sandbox.CheckRun("payments", 1).CompletedAt);
    }

    [Fact]
    public async Task Reviews_arriving_while_a_pull_request_is_evaluated_coalesce_into_one_more_evaluation()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario("""
            version: 1
            reviewers:
              request_reviews: false
              rules:
                - name: one approval
                  approvals: 1
            """));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();

        // Reading the pull request is slow, so the reviews arrive while the first of their evaluations runs.
        sandbox.GitHub.Faults.Add(new FaultRule { Method = "GET", PathPattern = $"/repos/acme/payments/pulls/{number}", Latency = TimeSpan.FromMilliseconds(300), Count = 0 });
        sandbox.GitHub.ClearRequests();
        foreach (var reviewer in (string[])["alice", "bob", "carol", "erin"])
        {
            await sandbox.SendAsync(reviewer, HttpMethod.Post, $"repos/acme/payments/pulls/{number}/reviews", new { @event = "COMMENT", body = "A thought." });
        }

        await sandbox.SendAsync("bob", HttpMethod.Post, $"repos/acme/payments/pulls/{number}/reviews", new { @event = "APPROVE" });
        await sandbox.SettleAsync();

        Assert.Equal(5, sandbox.GitHub.Deliveries.Count(d => d.Event == "pull_request_review"));
        var evaluations = sandbox.GitHub.Requests.Count(r => r.TokenKind == TokenKind.Installation && r.Method == "GET" && r.Path == $"/repos/acme/payments/pulls/{number}");
        Assert.InRange(evaluations, 1, 2);
        Assert.Equal("success", sandbox.CheckRun("payments", number).Conclusion);
    }
}
