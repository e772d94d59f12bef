using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Processing;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.BranchProtectionScenario;

namespace PolicyBot.Tests.Processing;

/// <summary>
/// Each class of failure end to end through the simulator, answering as GitHub does: none ends as a dead letter that
/// would be retried forever.
/// </summary>
public sealed class FailureHandlingTests
{
    [Fact]
    public async Task A_deleted_compliance_issue_answers_410_and_is_replaced_by_a_new_one()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, "  - name: svc\n"));
        await sandbox.InstallAsync();
        var first = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection)).Number;

        using (var owner = sandbox.GitHub.CreateClient())
        {
            using var deleted = await owner.DeleteAsync($"_sandbox/repos/acme/svc/issues/{first}");
            Assert.True(deleted.IsSuccessStatusCode);
        }

        await sandbox.Service<ReconcileService>().RunOnceAsync(default);
        await sandbox.SettleAsync();

        var replacement = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.NotEqual(first, replacement.Number);
        Assert.Contains(sandbox.GitHub.Requests, r => r.Path == $"/repos/acme/svc/issues/{first}" && r.StatusCode == 410);
        Assert.Empty(await DeadLettersAsync(sandbox));
    }

    [Fact]
    public async Task On_the_free_plan_a_private_repository_gets_a_plan_finding_with_its_remedy_and_nothing_is_retried()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync("plan: free\n" + Build(IssuePolicy, "  - name: svc\n"));
        await sandbox.InstallAsync();

        var finding = Assert.Single(await FindingsAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal(BranchProtectionPolicy.ProtectionUnavailableOnPlan, finding.Code);
        Assert.Contains("Make acme/svc public, or upgrade", finding.Remediation, StringComparison.Ordinal);
        Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));

        // Refused once per evaluation, settled as a finding: no retry of the refused reads, no dead letter.
        Assert.Single(sandbox.GitHub.Requests, r => r.Path == "/repos/acme/svc/rules/branches/main" && r.StatusCode == 403);
        Assert.Single(sandbox.GitHub.Requests, r => r.Path == "/repos/acme/svc/branches/main/protection" && r.StatusCode == 403);
        Assert.Empty(await DeadLettersAsync(sandbox));
    }

    [Fact]
    public async Task Work_for_an_installation_GitHub_does_not_know_stops_at_once_and_is_recorded()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, "  - name: svc\n"));
        await sandbox.InstallAsync();
        var queue = sandbox.Service<IWorkQueue>();

        await queue.EnqueueAsync(new WorkItem(WorkItemKinds.EvaluateRepository, 9999, "ghost", "svc", null, "test", null), default);
        await sandbox.SettleAsync();

        var parked = Assert.Single(await DeadLettersAsync(sandbox));
        Assert.Equal("installation-unavailable", parked.FailureKind);
        Assert.Equal(1, parked.Attempts);
        Assert.True(await sandbox.Service<IInstallationStateStore>().IsRemovedAsync(9999, default));
        Assert.Single(sandbox.GitHub.Requests, r => r.Path == "/app/installations/9999/access_tokens");

        // A reconcile does not bring it back: GitHub does not list it.
        await sandbox.Service<ReconcileService>().RunOnceAsync(default);
        await sandbox.SettleAsync();
        Assert.Single(await DeadLettersAsync(sandbox));
        Assert.Single(sandbox.GitHub.Requests, r => r.Path == "/app/installations/9999/access_tokens");
    }

    [Fact]
    public async Task A_secondary_rate_limit_without_retry_after_is_retried_no_sooner_than_a_minute_later()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, "  - name: svc\n"));
        await sandbox.InstallAsync();
        sandbox.GitHub.Faults.AddSecondaryRateLimit("GET", "/repos/acme/svc", retryAfter: null);
        var failedAt = DateTimeOffset.UtcNow;

        await sandbox.Service<IWorkQueue>().EnqueueAsync(new WorkItem(WorkItemKinds.EvaluateRepository, 1001, "acme", "svc", null, "test", null), default);
        var store = sandbox.Service<IWorkQueueStore>();
        StoredWorkItem? waiting = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (waiting is null)
        {
            waiting = (await store.ListAsync(WorkItemStates.Pending, 10, timeout.Token)).SingleOrDefault(i => i.LastError is not null);
            await Task.Delay(20, timeout.Token);
        }

        Assert.Equal("rate-limited", waiting.FailureKind);
        Assert.True(waiting.NextAttemptAt - failedAt >= TimeSpan.FromSeconds(59), $"retried after {waiting.NextAttemptAt - failedAt}");
        Assert.Single(sandbox.GitHub.Requests, r => r.Path == "/repos/acme/svc" && r.StatusCode == 403);
    }

    [Fact]
    public async Task A_ruleset_refusing_the_registration_branch_leaves_the_issue_and_no_loop()
    {
        const string policy = """
            version: 1
            registration: { action: fix, open_pull_request: true }
            """;
        const string rulesets = """
            [ { name: no bot branches, enforcement: active, conditions: { ref_name: { include: ["refs/heads/policybot/**"], exclude: [] }, repository_name: { include: ["~ALL"], exclude: [] } }, rules: [ { type: creation } ] } ]
            """;
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(policy, "  - name: svc\n    files: { README.md: \"svc\\n\" }\n", rulesets));
        await sandbox.InstallAsync();

        Assert.Single(Issues(sandbox, "svc", PolicyIds.Registration));
        Assert.Empty(sandbox.GitHub.Read(s => s.FindRepo("acme", "svc")!.Pulls));
        Assert.Single(sandbox.GitHub.Requests, r => r.Method == "POST" && r.Path == "/repos/acme/svc/git/refs" && r.StatusCode == 422);
        Assert.DoesNotContain(sandbox.GitHub.Requests, r => r.Method == "PATCH" && r.Path.StartsWith("/repos/acme/svc/git/refs", StringComparison.Ordinal));
        Assert.Empty(await DeadLettersAsync(sandbox));
    }

    private static Task<IReadOnlyList<StoredWorkItem>> DeadLettersAsync(PolicyBotSandbox sandbox) =>
        sandbox.Service<IWorkQueueStore>().ListAsync(WorkItemStates.Dead, 10, default);
}
