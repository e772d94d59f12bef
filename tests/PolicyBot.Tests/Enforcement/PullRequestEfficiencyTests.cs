using System.Globalization;
using System.Text;
using PolicyBot.Processing;
using PolicyBot.Sandbox.Faults;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;
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

    private static string Describe(RequestRecord call) => $"{call.Method} {call.RouteTemplate} {call.StatusCode}";

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
            "GET /repos/{owner}/{repo}/pulls/{pull_number:int} 200",                // the pull request
            "GET /repos/{owner}/{repo}/commits/{ref}/check-runs 200",                // its head commit's PolicyBot run, if any
            "POST /repos/{owner}/{repo}/check-runs 201",                             // none: started as in_progress at once
            "GET /repos/{owner}/{repo} 304",                                         // the organisation's .github repository
            "GET /repos/{owner}/{repo}/branches/{branch} 200",                       // its default branch's commit
            "GET /repos/{owner}/{repo}/contents/{**path} 200",                       // policybot.yml at that commit
            "GET /repos/{owner}/{repo}/branches/{branch} 200",                       // the base branch's commit
            "GET /repos/{owner}/{repo}/contents/{**path} 404",                       // no .github/policybot.yml there
            "GET /repos/{owner}/{repo}/pulls/{pull_number:int}/files 200",           // 100 files: one page
            "GET /repos/{owner}/{repo}/pulls/{pull_number:int}/reviews 200",         // 100 reviews: one page
            "GET /repos/{owner}/{repo}/pulls/{pull_number:int}/requested_reviewers 200",
            "GET /repos/{owner}/{repo}/contents/{**path} 404",                       // no .github/CODEOWNERS
            "GET /repos/{owner}/{repo}/contents/{**path} 200",                       // CODEOWNERS
            "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id:long} 200",        // the verdict
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
            "GET /repos/{owner}/{repo}/pulls/{pull_number:int} 304",
            "GET /repos/{owner}/{repo} 304",
            "GET /repos/{owner}/{repo}/branches/{branch} 304",
            "GET /repos/{owner}/{repo}/branches/{branch} 304",
            "GET /repos/{owner}/{repo}/pulls/{pull_number:int}/files 304",
            "GET /repos/{owner}/{repo}/pulls/{pull_number:int}/reviews 304",
            "GET /repos/{owner}/{repo}/pulls/{pull_number:int}/requested_reviewers 304",
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
        var number = await sandbox.OpenPullRequestAsync("dave", "payments", "feature", new Dictionary<string, string> { ["src/app.cs"] = "class App {}" });

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
