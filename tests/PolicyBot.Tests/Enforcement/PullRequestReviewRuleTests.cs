using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// The reviewer rules end to end: people open pull requests, push and review through the simulator, its
/// webhooks reach PolicyBot, and the `PolicyBot` check run on the head commit says whether the rules are met.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class PullRequestReviewRuleTests
{
    /// <summary>
    /// acme: platform (alice, bob) with its child team security (carol); dave and erin are in devs, no part of platform.
    /// <paramref name="orgConfig"/> is the organisation's policybot.yml; <paramref name="paymentsFiles"/> extra
    /// entries under the payments repository's files; <paramref name="paymentsSettings"/> more of its settings (pulls, protection).
    /// </summary>
    internal static string Scenario(string orgConfig, string paymentsFiles = "", string paymentsSettings = "") => $$"""
        org: acme
        installation_id: 1001
        teams:
          - { slug: platform, members: [alice, bob] }
          - { slug: security, members: [carol], parent: platform }
          - { slug: devs, members: [dave, erin] }
        members: [alice, bob, carol, dave, erin]
        admins: [alice]
        repos:
          - name: .github
            files:
              policybot.yml: |
        {{Indent(orgConfig, 8)}}
          - name: payments
            files:
              README.md: "# payments"
        {{Indent(paymentsFiles, 6)}}
        {{Indent(paymentsSettings, 4)}}
        """;

    internal static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(line => line.Length == 0 ? line : new string(' ', spaces) + line));

    /// <summary>One approval from anyone with write access, the rule most pull request tests start from.</summary>
    internal const string OneApproval = """
        version: 1
        reviewers:
          rules:
            - name: one approval
              approvals: 1
        """;

    /// <summary>One approval from a code owner of the changed files.</summary>
    internal const string CodeOwnersApproval = """
        version: 1
        reviewers:
          rules:
            - name: code owners
              approvals: 1
              from: { code_owners: true }
        """;

    private const string TwoApprovals = """
        version: 1
        reviewers:
          rules:
            - name: two approvals
              approvals: 2
        """;

    [Fact]
    public async Task With_no_rule_the_check_run_succeeds()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("version: 1\n"));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenPullRequestAsync("dave", "payments", "docs", new Dictionary<string, string> { ["docs/guide.md"] = "Hello" });

        var run = sandbox.CheckRun("payments", number);
        Assert.Equal("success", run.Conclusion);
        Assert.Equal("No reviewer rules apply", run.Title);
        Assert.Contains("No reviewer rules are configured", run.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_approvals_required_fail_with_one_and_succeed_with_the_second()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(TwoApprovals));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();
        Assert.Equal("failure", sandbox.CheckRun("payments", number).Conclusion);

        await sandbox.ReviewAsync("bob", "payments", number);
        var one = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", one.Conclusion);
        Assert.Equal("Reviewer rule unmet: two approvals", one.Title);
        Assert.Contains("| two approvals | ❌ unmet | 1/2 | @bob |", one.Summary, StringComparison.Ordinal);

        await sandbox.ReviewAsync("erin", "payments", number);
        var two = sandbox.CheckRun("payments", number);
        Assert.Equal("success", two.Conclusion);
        Assert.Contains("| two approvals | ✅ met | 2/2 | @bob, @erin |", two.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_authors_own_approval_does_not_count()
    {
        // GitHub refuses to let authors approve their own pull requests through the API, so the approval is seeded.
        const string Config = """
            version: 1
            reviewers:
              rules:
                - name: one approval
                  approvals: 1
            """;
        var scenario = Scenario(Config, paymentsSettings: """
            pulls:
              - number: 1
                author: dave
                head: self-approved
                files: { src/app.cs: "class App {}" }
                reviews:
                  - { user: dave, state: APPROVED }
            """);
        await using var sandbox = await PolicyBotSandbox.StartAsync(scenario);
        await sandbox.InstallAsync();

        var run = sandbox.CheckRun("payments", 1);
        Assert.Equal("failure", run.Conclusion);
        Assert.Contains("| one approval | ❌ unmet | 0/1 | — | @dave (self) |", run.Summary, StringComparison.Ordinal);

        await sandbox.ReviewAsync("erin", "payments", 1);
        Assert.Equal("success", sandbox.CheckRun("payments", 1).Conclusion);
    }

    [Fact]
    public async Task An_approval_of_an_earlier_commit_stops_counting_after_a_push_and_the_new_head_gets_its_own_run()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("""
            version: 1
            reviewers:
              rules:
                - name: one approval
                  approvals: 1
            """));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();
        await sandbox.ReviewAsync("bob", "payments", number);
        var firstHead = sandbox.HeadSha("payments", number);
        Assert.Equal("success", sandbox.CheckRun("payments", number).Conclusion);

        await sandbox.PushAsync("dave", "payments", number, "src/app.cs", "class App { int x; }");

        var secondHead = sandbox.HeadSha("payments", number);
        Assert.NotEqual(firstHead, secondHead);
        var run = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", run.Conclusion);
        Assert.Contains("@bob (stale)", run.Summary, StringComparison.Ordinal);
        var earlier = Assert.Single(sandbox.PolicyBotRuns("payments", firstHead));
        Assert.Equal("success", earlier.Conclusion);
        Assert.NotEqual(earlier.Id, run.Id);
    }

    [Fact]
    public async Task Changes_requested_after_an_approval_and_a_dismissed_approval_do_not_count()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("""
            version: 1
            reviewers:
              rules:
                - name: one approval
                  approvals: 1
            """));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();

        await sandbox.ReviewAsync("bob", "payments", number);
        Assert.Equal("success", sandbox.CheckRun("payments", number).Conclusion);
        await sandbox.ReviewAsync("bob", "payments", number, "REQUEST_CHANGES");
        var changesRequested = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", changesRequested.Conclusion);
        Assert.Contains("| one approval | ❌ unmet | 0/1 |", changesRequested.Summary, StringComparison.Ordinal);

        var approval = await sandbox.ReviewAsync("erin", "payments", number);
        Assert.Equal("success", sandbox.CheckRun("payments", number).Conclusion);
        await sandbox.DismissAsync("alice", "payments", number, approval);
        var dismissed = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", dismissed.Conclusion);
        Assert.Contains("@erin (dismissed)", dismissed.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_rule_applies_only_when_a_matching_file_changes()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("""
            version: 1
            reviewers:
              rules:
                - name: security review
                  paths: ["**/auth/**"]
                  approvals: 1
                  from: { teams: [security] }
            """));
        await sandbox.InstallAsync();

        var docs = await sandbox.OpenPullRequestAsync("dave", "payments", "docs", new Dictionary<string, string> { ["docs/guide.md"] = "Hello" });
        var docsRun = sandbox.CheckRun("payments", docs);
        Assert.Equal("success", docsRun.Conclusion);
        Assert.Contains("| security review | ➖ not applicable | — |", docsRun.Summary, StringComparison.Ordinal);

        var auth = await sandbox.OpenPullRequestAsync("dave", "payments", "auth", new Dictionary<string, string> { ["src/auth/login.cs"] = "class Login {}" });
        var authRun = sandbox.CheckRun("payments", auth);
        Assert.Equal("failure", authRun.Conclusion);
        Assert.Contains("| security review | ❌ unmet | 0/1 | — | — | security (team) |", authRun.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_team_rule_counts_members_and_members_of_child_teams_but_not_outsiders()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("""
            version: 1
            reviewers:
              request_reviews: false
              rules:
                - name: platform review
                  approvals: 2
                  from: { teams: [platform] }
            """));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();

        await sandbox.ReviewAsync("erin", "payments", number);
        var outsider = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", outsider.Conclusion);
        Assert.Contains("| platform review | ❌ unmet | 0/2 | — | @erin (not eligible) |", outsider.Summary, StringComparison.Ordinal);

        await sandbox.ReviewAsync("bob", "payments", number);
        Assert.Equal("failure", sandbox.CheckRun("payments", number).Conclusion);

        // carol is in security, a child team of platform: GitHub counts her as a member of platform.
        await sandbox.ReviewAsync("carol", "payments", number);
        var met = sandbox.CheckRun("payments", number);
        Assert.Equal("success", met.Conclusion);
        Assert.Contains("| platform review | ✅ met | 2/2 | @bob, @carol | @erin (not eligible) |", met.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_code_owners_rule_needs_the_owners_of_the_changed_files()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(
            CodeOwnersApproval,
            """
            CODEOWNERS: |
              *          @acme/platform
              /billing/  @erin
            """));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenPullRequestAsync("dave", "payments", "billing", new Dictionary<string, string> { ["billing/invoice.cs"] = "class Invoice {}" });

        await sandbox.ReviewAsync("bob", "payments", number);
        var notOwner = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", notOwner.Conclusion);
        Assert.Contains("@bob (not eligible)", notOwner.Summary, StringComparison.Ordinal);
        Assert.Contains("still needs code-owner approval for: `billing/invoice.cs`", notOwner.Summary, StringComparison.Ordinal);
        Assert.Contains("@erin", notOwner.Summary, StringComparison.Ordinal);

        await sandbox.ReviewAsync("erin", "payments", number);
        Assert.Equal("success", sandbox.CheckRun("payments", number).Conclusion);
    }

    [Fact]
    public async Task A_pull_request_that_loosens_its_own_rules_is_judged_by_the_base_branch_and_its_file_is_validated()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(
            "version: 1\n",
            """
            .github/policybot.yml: |
              version: 1
              reviewers:
                rules:
                  - name: repository review
                    approvals: 2
            """));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenPullRequestAsync("dave", "payments", "loosen", new Dictionary<string, string>
        {
            [".github/policybot.yml"] = "version: 1\nreviewers:\n  rules: []\n  bogus_setting: true\n",
        });

        var run = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", run.Conclusion);
        Assert.Contains("| repository review (repository) | ❌ unmet | 0/2 |", run.Summary, StringComparison.Ordinal);
        Assert.Contains("## Proposed policy files", run.Summary, StringComparison.Ordinal);
        Assert.Contains("bogus_setting", run.Summary, StringComparison.Ordinal);

        await sandbox.ReviewAsync("bob", "payments", number);
        Assert.Equal("failure", sandbox.CheckRun("payments", number).Conclusion);
        await sandbox.ReviewAsync("erin", "payments", number);

        // The base branch's rule is met now; the proposed file's error alone still fails the check.
        var met = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", met.Conclusion);
        Assert.Equal("proposed policy file: 1 problem", met.Title);
    }

    [Fact]
    public async Task A_rule_merged_into_the_base_branch_applies_to_open_pull_requests_at_once()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("version: 1\n"));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();
        Assert.Equal("success", sandbox.CheckRun("payments", number).Conclusion);

        await sandbox.PushFileAsync("alice", "payments", ".github/policybot.yml", "version: 1\nreviewers:\n  rules:\n    - name: one approval\n      approvals: 1\n", "main");
        await sandbox.SettleAsync();

        var run = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", run.Conclusion);
        Assert.Contains("| one approval (repository) | ❌ unmet | 0/1 |", run.Summary, StringComparison.Ordinal);
    }
}
