using PolicyBot.Policies;
using PolicyBot.Processing;
using PolicyBot.Sandbox.State;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.BranchProtectionScenario;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// DESIGN section 2, "Fail closed": the last organisation file PolicyBot read and validated stays in force while the file
/// is broken or cannot be read; one `config` issue in the configuration repository says what is wrong, and no other
/// issue is closed, reopened, edited or commented on because of it.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class FailClosedTests
{
    /// <summary>One approval required: below the organisation's two, compliant with the built-in defaults' one.</summary>
    private const string Svc = """
          - name: svc
            protection:
              required_approving_review_count: 1
              dismiss_stale_reviews: true
        """;

    /// <summary>What organisations actually commit by mistake, each straight to the default branch.</summary>
    [Theory]
    [InlineData("version: 1\nbranch_protection:\n  action: [issue\n", 3, "")]
    [InlineData("version: 1\nbranch_protection:\n  action: issue\n  requird_approving_review_count: 2\n", 4, "did you mean 'required_approving_review_count'")]
    [InlineData("version: 1\nbranch_protection:\n  action: issue\nreviewers:\n  rules:\n    - name: security\n      from: { teams: [securty] }\n", 7, "there is no team 'securty'")]
    [InlineData("", 1, "the file is empty")]
    public async Task A_broken_file_pushed_to_the_default_branch_keeps_the_last_valid_baseline_and_opens_one_config_issue(string broken, int line, string problem)
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, Svc));
        await sandbox.InstallAsync();
        var svcIssue = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal("open", svcIssue.State);

        await sandbox.PushFileAsync("alice", ".github", "policybot.yml", broken);
        await sandbox.SettleAsync();

        // The baseline in force did not move: two approvals, action issue; the repository's issue is untouched.
        AssertUntouched(sandbox, svcIssue);
        Assert.Contains("approvals-below-baseline", await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection));
        var configIssue = Assert.Single(OrganizationFileIssues(sandbox));
        Assert.Equal("open", configIssue.State);
        Assert.Contains("policybot.yml", configIssue.Title, StringComparison.Ordinal);
        Assert.Contains($"line {line}", configIssue.Body, StringComparison.Ordinal);
        Assert.Contains(problem, configIssue.Body, StringComparison.Ordinal);
        Assert.Contains("last valid version", configIssue.Body, StringComparison.Ordinal);

        // Evaluating again (a reconcile) changes nothing: still one issue, no comment anywhere.
        await sandbox.Service<ReconcileService>().RunOnceAsync(default);
        await sandbox.SettleAsync();
        AssertUntouched(sandbox, svcIssue);
        Assert.Single(OrganizationFileIssues(sandbox));
        Assert.Empty(Comments(sandbox, ".github", configIssue.Number));

        // A valid file restores normal service: it may lower the baseline, and the config issue closes.
        await sandbox.PushFileAsync("alice", ".github", "policybot.yml", "version: 1\nbranch_protection:\n  action: log\n");
        await sandbox.SettleAsync();
        Assert.Equal("closed", Assert.Single(OrganizationFileIssues(sandbox)).State);
        Assert.Equal("closed", Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection)).State);
    }

    [Theory]
    [InlineData(403, "Resource not accessible by integration")]
    [InlineData(502, "Server Error")]
    public async Task An_error_reading_the_organisation_file_keeps_the_last_valid_baseline(int status, string message)
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, Svc));
        await sandbox.InstallAsync();
        var svcIssue = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));

        // Someone raises the baseline to three approvals, and GitHub fails every read of the new file.
        var fault = await PushWhileUnreadableAsync(sandbox, IssuePolicy.Replace("count: 2", "count: 3", StringComparison.Ordinal), status, message);

        AssertUntouched(sandbox, svcIssue);
        var configIssue = Assert.Single(OrganizationFileIssues(sandbox));
        Assert.Contains($"could not be read: GitHub answered {status}", configIssue.Body, StringComparison.Ordinal);
        Assert.Contains("last valid version", configIssue.Body, StringComparison.Ordinal);

        // GitHub answers again: the new file is read and valid, the config issue closes and the new baseline applies.
        sandbox.GitHub.Faults.Remove(fault);
        await sandbox.Service<ReconcileService>().RunOnceAsync(default);
        await sandbox.SettleAsync();
        Assert.Equal("closed", Assert.Single(OrganizationFileIssues(sandbox)).State);
        Assert.Equal("open", Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection)).State);
        Assert.Contains("requires 3 approving reviews", string.Join(" ", (await FindingsAsync(sandbox, "svc", PolicyIds.BranchProtection)).Select(f => f.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_valid_version_stored_an_unreadable_file_closes_nothing()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, Svc));
        await sandbox.InstallAsync();
        var svcIssue = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));

        // As after an upgrade from a PolicyBot that kept no valid version: nothing stored, and then the file cannot be read.
        await sandbox.Service<PolicyBot.Enforcement.PolicyFiles.IValidPolicyFileStore>().DeleteAsync("acme/.github", "policybot.yml", default);
        await PushWhileUnreadableAsync(sandbox, IssuePolicy + "\n", 403, "Resource not accessible by integration");

        // The built-in defaults (action log) stand in, but they were never read and validated: nothing is withdrawn.
        AssertUntouched(sandbox, svcIssue);
        Assert.Contains("no valid version", Assert.Single(OrganizationFileIssues(sandbox)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_repository_file_keeps_its_last_valid_version()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, Svc));
        await sandbox.InstallAsync();
        await sandbox.PushFileAsync("alice", "svc", ".github/policybot.yml", "version: 1\nbranch_protection:\n  required_approving_review_count: 3\n");
        await sandbox.SettleAsync();
        Assert.Contains("requires 3 approving reviews", string.Join(" ", (await FindingsAsync(sandbox, "svc", PolicyIds.BranchProtection)).Select(f => f.Message)), StringComparison.Ordinal);

        await sandbox.PushFileAsync("alice", "svc", ".github/policybot.yml", "version: 1\nbranch_protection:\n  required_approving_review_count: 3\n  colour: blue\n");
        await sandbox.SettleAsync();

        var evaluation = await EvaluationAsync(sandbox, "svc");
        var config = Assert.Single(evaluation.Results, r => r.Policy == PolicyIds.Config);
        var finding = Assert.Single(config.Findings);
        Assert.Equal(4, finding.Line);
        Assert.Contains("last valid version still applies", finding.Message, StringComparison.Ordinal);
        Assert.Contains("requires 3 approving reviews", string.Join(" ", (await FindingsAsync(sandbox, "svc", PolicyIds.BranchProtection)).Select(f => f.Message)), StringComparison.Ordinal);
    }

    /// <summary>Commits a new organisation file, after which every read of it gets <paramref name="status"/> until the fault is removed.</summary>
    private static async Task<Guid> PushWhileUnreadableAsync(PolicyBotSandbox sandbox, string content, int status, string message)
    {
        const string Path = "repos/acme/.github/contents/policybot.yml";
        var sha = (await sandbox.SendAsync("alice", HttpMethod.Get, Path))!["sha"]!.GetValue<string>();
        var fault = sandbox.GitHub.Faults.AddStatus("GET", "/" + Path, status, count: -1, message: message);
        await sandbox.SendAsync("alice", HttpMethod.Put, Path, new { message = "Change the baseline", content = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(content)), sha });
        await sandbox.SettleAsync();
        return fault;
    }

    private static IReadOnlyList<SimIssue> OrganizationFileIssues(PolicyBotSandbox sandbox) =>
        [.. sandbox.GitHub.Issues(Org, ".github").Where(i => i.Body?.Contains("policy=config subject=policybot.yml", StringComparison.Ordinal) == true)];

    /// <summary>The repository's issue is as it was: open, same body, no comment.</summary>
    private static void AssertUntouched(PolicyBotSandbox sandbox, SimIssue before)
    {
        var now = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal(before.Number, now.Number);
        Assert.Equal("open", now.State);
        Assert.Equal(before.Body, now.Body);
        Assert.Empty(Comments(sandbox, "svc", before.Number));
    }
}
