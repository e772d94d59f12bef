using System.Text.RegularExpressions;
using PolicyBot.Processing;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// A pull request is evaluated from what its delivery carries when that is its latest state: the pull request is not
/// read again, and the check run of a head commit the delivery says is new is created without listing the commit's runs.
/// GitHub makes a second run when one with the same name is created again ("Create a check run": "If you create a check
/// run with the same name as an existing one, GitHub creates a new check run"), so a run PolicyBot knows of is never
/// created twice, whatever the delivery says.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class PullRequestDeliveryTests(ITestOutputHelper output)
{
    private const string NoRules = "version: 1\n";

    private List<string> Calls(PolicyBotSandbox sandbox)
    {
        var calls = sandbox.GitHub.Requests.Where(r => r.TokenKind == TokenKind.Installation).Select(Describe).ToList();
        calls.ForEach(output.WriteLine);
        return calls;
    }

    private static string Describe(RequestRecord call)
    {
        var target = Regex.Replace(call.Path + call.Query, "[0-9a-f]{40}", "{sha}", RegexOptions.None, TimeSpan.FromSeconds(1));
        target = Regex.Replace(target, "check-runs/[0-9]+", "check-runs/{id}", RegexOptions.None, TimeSpan.FromSeconds(1));
        return $"{call.Method} {target} {call.StatusCode}";
    }

    [Fact]
    public async Task A_cold_opened_pull_request_is_neither_read_again_nor_its_runs_listed_and_a_repeat_writes_nothing()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario(NoRules));
        await sandbox.InstallAsync();
        var baseSha = (string)(await sandbox.SendAsync("dave", HttpMethod.Get, "repos/acme/payments/git/ref/heads/main"))!["object"]!["sha"]!;
        await sandbox.SendAsync("dave", HttpMethod.Post, "repos/acme/payments/git/refs", new { @ref = "refs/heads/feature", sha = baseSha });
        await sandbox.PushFileAsync("dave", "payments", "src/app.cs", "class App {}", "feature");
        await sandbox.SettleAsync();

        sandbox.GitHub.ClearRequests();
        var number = (int)(await sandbox.SendAsync("dave", HttpMethod.Post, "repos/acme/payments/pulls", new { title = "App", head = "feature", @base = "main" }))!["number"]!;
        await sandbox.SettleAsync();

        Assert.Equal("success", sandbox.CheckRun("payments", number).Conclusion);
        Assert.Equal(
        [
            "GET /repos/acme/.github 304",                                                 // the organisation's baseline repository
            "GET /repos/acme/.github/branches/main 304",                                   // and its unmoved default branch
            "GET /repos/acme/payments/branches/main 200",                                  // the base branch as it is now
            "GET /repos/acme/payments/contents/.github/policybot.yml?ref={sha} 404",       // no repository rules there
            $"GET /repos/acme/payments/pulls/{number}/files?per_page=100 200",             // what it changes
            "POST /repos/acme/payments/check-runs 201",                                    // a new head: created, no list first
        ], Calls(sandbox));

        // The same evaluation again with nothing changed, from no delivery: the pull request is read (the delivery
        // carried it the first time), the run is found in the database, and nothing is written.
        sandbox.GitHub.ClearRequests();
        await sandbox.Service<IWorkQueue>().EnqueueAsync(new WorkItem(WorkItemKinds.EvaluatePullRequest, 1001, "acme", "payments", number, "test", null), CancellationToken.None);
        await sandbox.SettleAsync();
        Assert.Equal(
        [
            $"GET /repos/acme/payments/pulls/{number} 200",
            "GET /repos/acme/.github 304",
            "GET /repos/acme/.github/branches/main 304",
            "GET /repos/acme/payments/branches/main 304",
            $"GET /repos/acme/payments/pulls/{number}/files?per_page=100 304",
        ], Calls(sandbox));

        // And again: every call a 304, which costs no rate limit.
        sandbox.GitHub.ClearRequests();
        await sandbox.Service<IWorkQueue>().EnqueueAsync(new WorkItem(WorkItemKinds.EvaluatePullRequest, 1001, "acme", "payments", number, "test", null), CancellationToken.None);
        await sandbox.SettleAsync();
        Assert.All(sandbox.GitHub.Requests.Where(r => r.TokenKind == TokenKind.Installation), call => Assert.True(call.NotModified));
        Assert.Single(sandbox.PolicyBotRuns("payments", sandbox.HeadSha("payments", number)));
    }

    [Fact]
    public async Task A_head_pushed_back_to_a_commit_that_has_a_run_gets_no_second_run()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario(NoRules));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenPullRequestAsync("dave", "payments", "feature", new Dictionary<string, string> { ["src/app.cs"] = "class App {}" });
        var first = sandbox.HeadSha("payments", number);
        await sandbox.PushAsync("dave", "payments", number, "src/app.cs", "class App { }");
        var second = sandbox.HeadSha("payments", number);

        // A force-push back to the first commit: a `synchronize` delivery, with a head PolicyBot has a run on already.
        await sandbox.SendAsync("dave", HttpMethod.Patch, "repos/acme/payments/git/refs/heads/feature", new { sha = first, force = true });
        await sandbox.SettleAsync();

        Assert.Contains(sandbox.GitHub.Deliveries, d => d.Event == "pull_request" && d.Action == "synchronize" && d.Payload.Contains(first, StringComparison.Ordinal));
        Assert.Equal(first, sandbox.HeadSha("payments", number));
        Assert.Single(sandbox.PolicyBotRuns("payments", first));
        Assert.Single(sandbox.PolicyBotRuns("payments", second));
    }

    [Fact]
    public async Task An_item_that_coalesced_several_deliveries_or_is_retried_reads_the_pull_request_from_GitHub()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PullRequestReviewRuleTests.Scenario(NoRules));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenPullRequestAsync("dave", "payments", "feature", new Dictionary<string, string> { ["src/app.cs"] = "class App {}" });
        var opened = sandbox.GitHub.Deliveries.Single(d => d.Event == "pull_request" && d.Action == "opened").Id.ToString();
        var queue = sandbox.Service<IWorkQueue>();
        var readPull = $"GET /repos/acme/payments/pulls/{number} ";

        // The opening's delivery on its own: still the latest word, so the pull request is not read.
        sandbox.GitHub.ClearRequests();
        await queue.EnqueueAsync(new WorkItem(WorkItemKinds.EvaluatePullRequest, 1001, "acme", "payments", number, "pull_request.opened", opened), CancellationToken.None);
        await sandbox.SettleAsync();
        Assert.DoesNotContain(Calls(sandbox), call => call.StartsWith(readPull, StringComparison.Ordinal));

        foreach (var flag in (WorkTriggers[])[WorkTriggers.Coalesced, WorkTriggers.Retried])
        {
            sandbox.GitHub.ClearRequests();
            await queue.EnqueueAsync(new WorkItem(WorkItemKinds.EvaluatePullRequest, 1001, "acme", "payments", number, "pull_request.opened", opened, flag), CancellationToken.None);
            await sandbox.SettleAsync();
            Assert.Contains(Calls(sandbox), call => call.StartsWith(readPull, StringComparison.Ordinal));
        }

        Assert.Single(sandbox.PolicyBotRuns("payments", sandbox.HeadSha("payments", number)));
    }
}
