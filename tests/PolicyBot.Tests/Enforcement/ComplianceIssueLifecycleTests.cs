using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PolicyBot.Policies;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Processing;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.BranchProtectionScenario;

namespace PolicyBot.Tests.Enforcement;

/// <summary>The compliance issue's whole life (DESIGN section 4), driven by people acting on the simulator.</summary>
[Collection(HostCollection.Name)]
public sealed class ComplianceIssueLifecycleTests
{
    private const string OneRepository = """
          - name: svc
        """;

    [Fact]
    public async Task Deliveries_racing_about_one_repository_make_one_issue()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, OneRepository));
        await sandbox.GitHub.InstallAsync(Org);
        await sandbox.GitHub.WaitForWebhooksAsync();

        // While the installation's work is queued or running: GitHub redelivers it, people push, and the reconcile runs.
        var installation = sandbox.GitHub.Deliveries.First(d => d.Event == "installation");
        await Task.WhenAll(
            Task.Run(() => sandbox.GitHub.Redeliver(installation.Id)),
            sandbox.PushFileAsync("alice", "svc", "CODEOWNERS", "* @acme/platform"),
            sandbox.PushFileAsync("bob", "svc", "catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\n"),
            sandbox.PushFileAsync("alice", "svc", ".github/policybot.yml", "version: 1\n"),
            sandbox.Service<ReconcileService>().RunOnceAsync(default));
        await sandbox.SettleAsync();

        var issue = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Empty(Comments(sandbox, "svc", issue.Number));
        Assert.Single(sandbox.GitHub.Requests, r => r.Method == "POST" && r.Path == "/repos/acme/svc/issues" && r.StatusCode == 201);
    }

    [Fact]
    public async Task The_issue_closes_with_a_comment_when_a_person_fixes_it_and_reopens_on_regression()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, OneRepository));
        await sandbox.InstallAsync();
        var number = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection)).Number;

        await PutProtectionAsync(sandbox, "svc", CompliantProtection());
        await sandbox.SettleAsync();

        var closed = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal(number, closed.Number);
        Assert.Equal("closed", closed.State);
        Assert.Equal("completed", closed.StateReason);
        Assert.Contains("now meets the baseline", Assert.Single(Comments(sandbox, "svc", number)).Body, StringComparison.Ordinal);

        // Someone removes the protection again: the same issue reopens, saying why.
        await sandbox.SendAsync("alice", HttpMethod.Delete, "repos/acme/svc/branches/main/protection");
        await sandbox.SettleAsync();

        var reopened = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal(number, reopened.Number);
        Assert.Equal("open", reopened.State);
        var comments = Comments(sandbox, "svc", number);
        Assert.Equal(2, comments.Count);
        Assert.Contains("fell below the baseline again", comments[1].Body, StringComparison.Ordinal);

        using var client = sandbox.Operator();
        var actions = (await client.GetFromJsonAsync<JsonArray>("api/audit-log"))!
            .Where(e => (string?)e!["repository"] == "acme/svc" && (string?)e["target"] == $"acme/svc#{number}")
            .Select(e => (string?)e!["action"])
            .Reverse();
        Assert.Equal(["issue.created", "issue.closed", "issue.reopened"], actions);
    }

    [Fact]
    public async Task Findings_changing_edit_the_body_and_add_exactly_one_comment()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, OneRepository));
        await sandbox.InstallAsync();
        var before = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Contains("branch_protection/no-protection", before.Body, StringComparison.Ordinal);

        // Protected now, but with one approval where two are required.
        await PutProtectionAsync(sandbox, "svc", CompliantProtection(approvals: 1));
        await sandbox.SettleAsync();

        var after = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal("open", after.State);
        Assert.DoesNotContain("branch_protection/no-protection", after.Body, StringComparison.Ordinal);
        Assert.Contains("branch_protection/approvals-below-baseline", after.Body, StringComparison.Ordinal);
        var comment = Assert.Single(Comments(sandbox, "svc", after.Number));
        Assert.Contains("findings changed", comment.Body, StringComparison.Ordinal);

        // The same findings again (a redelivery, a reconcile) change nothing.
        await sandbox.Service<ReconcileService>().RunOnceAsync(default);
        await sandbox.SettleAsync();
        Assert.Single(Comments(sandbox, "svc", after.Number));
        Assert.Equal(after.Body, Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection)).Body);
    }

    [Fact]
    public async Task A_still_failing_issue_gets_a_reminder_only_after_ping_after_days()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build("""
            version: 1
            branch_protection:
              action: issue
            issues:
              ping_after_days: 14
            """, OneRepository), time: clock);
        await sandbox.InstallAsync();
        var number = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection)).Number;

        clock.Advance(TimeSpan.FromDays(13));
        await ReconcileAsync(sandbox);
        Assert.Empty(Comments(sandbox, "svc", number));

        clock.Advance(TimeSpan.FromDays(1.5));
        await ReconcileAsync(sandbox);
        Assert.Contains("Reminder", Assert.Single(Comments(sandbox, "svc", number)).Body, StringComparison.Ordinal);

        // At most one per period: the next evaluations, even days later, add nothing until 14 more days pass.
        await ReconcileAsync(sandbox);
        clock.Advance(TimeSpan.FromDays(10));
        await ReconcileAsync(sandbox);
        Assert.Single(Comments(sandbox, "svc", number));

        clock.Advance(TimeSpan.FromDays(4.5));
        await ReconcileAsync(sandbox);
        Assert.Equal(2, Comments(sandbox, "svc", number).Count);
    }

    [Theory]
    [InlineData("action: log", "set this policy's action to `log`")]
    [InlineData("action: off", "set this policy's action to `off`")]
    [InlineData("action: issue\nexemptions:\n  - repos: [svc]\n    policies: [branch_protection]\n    reason: being retired", "exempted from this policy (")]
    public async Task A_policy_switched_to_log_or_off_or_exempted_closes_its_issue_saying_why(string change, string reason)
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, OneRepository));
        await sandbox.InstallAsync();
        var number = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection)).Number;

        var policy = "version: 1\nbranch_protection:\n  " + change;
        await sandbox.PushFileAsync("alice", ".github", "policybot.yml", policy);
        await sandbox.SettleAsync();

        var issue = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal("closed", issue.State);
        Assert.Equal("not_planned", issue.StateReason);
        Assert.Contains(reason, Assert.Single(Comments(sandbox, "svc", number)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repository_with_issues_disabled_gets_no_issue_and_the_finding_stays_in_the_api()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, """
              - name: quiet
                has_issues: false
            """));
        await sandbox.InstallAsync();

        Assert.Empty(sandbox.GitHub.Issues(Org, "quiet"));
        Assert.DoesNotContain(sandbox.GitHub.Requests, r => r.Method == "POST" && r.Path == "/repos/acme/quiet/issues");
        using var client = sandbox.Operator();
        var repositories = await client.GetFromJsonAsync<JsonArray>("api/repositories");
        var quiet = repositories!.Single(r => (string?)r!["repository"] == "acme/quiet")!;
        Assert.Contains(
            quiet["results"]!.AsArray().SelectMany(r => r!["findings"]!.AsArray()),
            f => (string?)f!["code"] == BranchProtectionPolicy.NoProtection);
    }

    [Fact]
    public async Task Issues_repository_sends_every_issue_to_one_repository()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(
            """
            version: 1
            branch_protection:
              action: issue
            issues:
              repository: compliance
            """,
            """
              - name: compliance
                protection:
                  required_approving_review_count: 1
                  dismiss_stale_reviews: true
              - name: svc-a
              - name: svc-b
                has_issues: false
            """));
        await sandbox.InstallAsync();

        Assert.Empty(sandbox.GitHub.Issues(Org, "svc-a"));
        foreach (var repo in new[] { "svc-a", "svc-b" })
        {
            var issue = Assert.Single(Issues(sandbox, repo, PolicyIds.BranchProtection, filedIn: "compliance"));
            Assert.Equal($"PolicyBot: Branch protection below baseline in acme/{repo}", issue.Title);
        }

        Assert.Equal(2, sandbox.GitHub.Issues(Org, "compliance").Count);
    }

    [Fact]
    public async Task After_issues_repository_changes_an_open_issue_is_closed_where_it_is_and_a_regression_goes_to_the_new_place()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, """
              - name: svc
              - name: compliance
                protection:
                  required_approving_review_count: 2
                  dismiss_stale_reviews: true
            """));
        await sandbox.InstallAsync();
        var first = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));

        await sandbox.PushFileAsync("alice", ".github", "policybot.yml", IssuePolicy + "\nissues:\n  repository: compliance\n");
        await sandbox.SettleAsync();

        // Still one open issue: the one already filed, not a second one in the new place.
        Assert.Equal("open", Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection)).State);
        Assert.Empty(Issues(sandbox, "svc", PolicyIds.BranchProtection, filedIn: "compliance"));

        await PutProtectionAsync(sandbox, "svc", CompliantProtection());
        await sandbox.SettleAsync();
        Assert.Equal("closed", Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection)).State);
        Assert.Single(Comments(sandbox, "svc", first.Number));

        await sandbox.SendAsync("alice", HttpMethod.Delete, "repos/acme/svc/branches/main/protection");
        await sandbox.SettleAsync();
        Assert.Equal("closed", Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection)).State);
        Assert.Equal("open", Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection, filedIn: "compliance")).State);
        Assert.Empty(await sandbox.Service<PolicyBot.Storage.IWorkQueueStore>().ListAsync(PolicyBot.Storage.WorkItemStates.Dead, 10, default));
    }

    [Fact]
    public async Task An_issues_repository_that_does_not_exist_leaves_the_findings_on_the_dashboard_without_failing_the_work()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy + "\nissues:\n  repository: no-such-repo\n", OneRepository));
        await sandbox.InstallAsync();

        Assert.Empty(sandbox.GitHub.Issues(Org, "svc"));
        Assert.Equal([BranchProtectionPolicy.NoProtection], await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Empty(await sandbox.Service<PolicyBot.Storage.IWorkQueueStore>().ListAsync(PolicyBot.Storage.WorkItemStates.Dead, 10, default));
    }

    [Fact]
    public async Task Content_creating_requests_are_paced_per_installation_and_every_action_is_in_the_audit_log()
    {
        var interval = TimeSpan.FromMilliseconds(250);
        await using var sandbox = await PolicyBotSandbox.StartAsync(
            Build(IssuePolicy, """
                  - name: one
                  - name: two
                  - name: three
                """),
            new Dictionary<string, string?> { ["GitHub:ContentCreationInterval"] = "00:00:00.250", ["Processing:Workers"] = "4" });
        await sandbox.InstallAsync();

        var created = sandbox.GitHub.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/issues", StringComparison.Ordinal)).OrderBy(r => r.At).ToList();
        Assert.Equal(3, created.Count);
        for (var i = 1; i < created.Count; i++)
        {
            // Stamped on arrival: allow for transit jitter. Four workers unpaced would send them within milliseconds.
            Assert.True(created[i].At - created[i - 1].At >= interval - TimeSpan.FromMilliseconds(80), $"{created[i].At - created[i - 1].At}");
        }

        using var client = sandbox.Operator();
        var log = (await client.GetFromJsonAsync<JsonArray>("api/audit-log"))!;
        foreach (var repo in new[] { "one", "two", "three" })
        {
            var number = Assert.Single(Issues(sandbox, repo, PolicyIds.BranchProtection)).Number;
            var entry = Assert.Single(log, e => (string?)e!["action"] == "issue.created" && (string?)e["repository"] == $"acme/{repo}");
            Assert.Equal($"acme/{repo}#{number}", (string?)entry!["target"]);
            Assert.StartsWith("branch_protection", (string?)entry["reason"], StringComparison.Ordinal);
            Assert.NotNull((string?)entry["deliveryId"]);
        }
    }

    private static async Task ReconcileAsync(PolicyBotSandbox sandbox)
    {
        await sandbox.Service<ReconcileService>().RunOnceAsync(default);
        await sandbox.SettleAsync();
    }
}
