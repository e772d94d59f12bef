using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Policies;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.PullRequestReviewRuleTests;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// Issue 12 through the simulator: contributors' approvals, reviewer exemptions, renamed files and GitHub's
/// 3,000-file cap on a pull request's files, and bypass of the rules that make up the baseline.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class PullRequestRuleCasesTests
{
    private const string SecurityReview = """
        version: 1
        reviewers:
          rules:
            - name: security review
              paths: ["src/auth/**"]
              from: { teams: [security] }
        """;

    [Fact]
    public async Task Someone_who_pushed_to_the_pull_request_cannot_approve_it()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(OneApproval));
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();

        // bob pushes a commit to dave's branch, then approves: only the author used to be set apart.
        await sandbox.PushAsync("bob", "payments", number, "src/app.cs", "class App { int fixedByBob; }");
        await sandbox.ReviewAsync("bob", "payments", number);

        var run = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", run.Conclusion);
        Assert.Contains("| one approval | ❌ unmet | 0/1 | — | @bob (contributor) |", run.Summary, StringComparison.Ordinal);
        Assert.Contains("- @bob: authored or committed commits of this pull request", run.Summary, StringComparison.Ordinal);

        await sandbox.ReviewAsync("erin", "payments", number);
        Assert.Equal("success", sandbox.CheckRun("payments", number).Conclusion);
    }

    [Fact]
    public async Task An_exempt_repository_passes_naming_the_exemption_and_an_expired_one_says_it_expired()
    {
        var config = OneApproval + """

            exemptions:
              - repos: [payments]
                policies: [reviewers]
                reason: frozen while it is migrated
                expires: "{{today+20d}}"
              - repos: [ledger]
                policies: [reviewers]
                reason: was frozen
                expires: "{{today-3d}}"
            """;
        var scenario = Scenario(config) + """

              - name: ledger
                files:
                  README.md: "# ledger"
            """;
        await using var sandbox = await PolicyBotSandbox.StartAsync(scenario);
        await sandbox.InstallAsync();
        var expires = DateTime.UtcNow.Date.AddDays(20).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var exempt = await sandbox.OpenFeaturePullRequestAsync();
        var run = sandbox.CheckRun("payments", exempt);
        Assert.Equal("success", run.Conclusion);
        Assert.Equal("Exempt from reviewer rules", run.Title);
        Assert.Contains($"(exemption for payments) until {expires}: frozen while it is migrated", run.Summary, StringComparison.Ordinal);

        var expired = await sandbox.OpenPullRequestAsync("dave", "ledger", "feature", new Dictionary<string, string> { ["src/app.cs"] = "class App {}" });
        var expiredRun = sandbox.CheckRun("ledger", expired);
        Assert.Equal("failure", expiredRun.Conclusion);
        Assert.Contains("exemption for ledger (reviewers) expired on", expiredRun.Summary, StringComparison.Ordinal);

        // audit says so too.
        using var scope = sandbox.App.Services.CreateScope();
        var auditor = ActivatorUtilities.CreateInstance<PolicyBot.Audit.OrganizationAuditor>(scope.ServiceProvider);
        var audit = await auditor.AuditAsync("acme", CancellationToken.None);
        var ledgerPull = Assert.Single(audit.Pulls, p => p.Repo == "ledger");
        Assert.Contains(ledgerPull.Notices ?? [], n => n.Contains("expired on", StringComparison.Ordinal));
        Assert.Contains("frozen while it is migrated", Assert.Single(audit.Pulls, p => p.Repo == "payments").Exemption, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Moving_a_file_out_of_a_protected_path_needs_the_rule_for_its_old_path()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(SecurityReview, paymentsFiles: "src/auth/login.cs: \"class Login {}\""));
        await sandbox.InstallAsync();
        using var dave = sandbox.GitHub.As("dave", sandbox.Org);
        var main = await dave.SendAsync(HttpMethod.Get, "repos/acme/payments/git/ref/heads/main");
        await dave.SendAsync(HttpMethod.Post, "repos/acme/payments/git/refs", new { @ref = "refs/heads/move", sha = (string)main!["object"]!["sha"]! });
        await dave.PushFileAsync("payments", "src/legacy/login.cs", "class Login {}", "move");
        await dave.DeleteFileAsync("payments", "src/auth/login.cs", "move");
        var pull = await dave.SendAsync(HttpMethod.Post, "repos/acme/payments/pulls", new { title = "Move login", head = "move", @base = "main" });
        var number = (int)pull!["number"]!;
        await sandbox.SettleAsync();

        // GitHub lists the move once, as renamed, with its previous path.
        var files = await dave.SendAsync(HttpMethod.Get, $"repos/acme/payments/pulls/{number}/files");
        var file = Assert.Single(files!.AsArray());
        Assert.Equal(("src/legacy/login.cs", "renamed", "src/auth/login.cs"), ((string)file!["filename"]!, (string)file["status"]!, (string)file["previous_filename"]!));

        var run = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", run.Conclusion);
        Assert.Equal("Reviewer rule unmet: security review", run.Title);
        Assert.Contains("- security review: changes `src/auth/login.cs`", run.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_files_list_cut_at_3000_makes_every_path_scoped_rule_apply()
    {
        var files = new StringBuilder("files:\n");
        for (var i = 0; i <= 3000; i++)
        {
            files.Append(System.Globalization.CultureInfo.InvariantCulture, $"  docs/page-{i:D4}.md: \"page\"\n");
        }

        var pulls = "pulls:\n  - number: 1\n    author: dave\n    head: big\n" + Indent(files.ToString().TrimEnd('\n'), 4);
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(SecurityReview, paymentsSettings: pulls));
        await sandbox.InstallAsync();

        var run = sandbox.CheckRun("payments", 1);
        Assert.Equal("failure", run.Conclusion);
        Assert.Equal("Reviewer rule unmet: security review", run.Title);
        Assert.Contains("changes more files than GitHub lists (3,000)", run.Summary, StringComparison.Ordinal);

        // The simulator caps the list as GitHub does, while changed_files counts them all.
        using var dave = sandbox.GitHub.As("dave", sandbox.Org);
        Assert.Equal(100, (await dave.SendAsync(HttpMethod.Get, "repos/acme/payments/pulls/1/files?per_page=100&page=30"))!.AsArray().Count);
        Assert.Empty((await dave.SendAsync(HttpMethod.Get, "repos/acme/payments/pulls/1/files?per_page=100&page=31"))!.AsArray());
        Assert.Equal(3001, (int)(await dave.SendAsync(HttpMethod.Get, "repos/acme/payments/pulls/1"))!["changed_files"]!);
    }

    [Fact]
    public async Task Every_bypass_of_the_baseline_is_a_finding_until_allowed()
    {
        const string Policy = """
            version: 1
            branch_protection:
              action: issue
            """;
        await using var sandbox = await PolicyBotSandbox.StartAsync(BranchProtectionScenario.Build(Policy, """
              - name: svc
            """));
        await sandbox.InstallAsync();
        var platform = sandbox.GitHub.Read(s => s.FindOrg("acme")!.FindTeam("platform")!.Id);

        await sandbox.SendAsync("alice", HttpMethod.Post, "repos/acme/svc/rulesets", new
        {
            name = "main rules",
            target = "branch",
            enforcement = "active",
            bypass_actors = new object[]
            {
                new { actor_id = 4, actor_type = "RepositoryRole", bypass_mode = "always" },
                new { actor_id = platform, actor_type = "Team", bypass_mode = "pull_request" },
                new { actor_id = 29110, actor_type = "Integration", bypass_mode = "always" },
            },
            conditions = new { ref_name = new { include = new[] { "~DEFAULT_BRANCH" }, exclude = Array.Empty<string>() } },
            rules = new object[]
            {
                new { type = "deletion" },
                new { type = "non_fast_forward" },
                new { type = "pull_request", parameters = new { required_approving_review_count = 1, dismiss_stale_reviews_on_push = true, require_code_owner_review = false, require_last_push_approval = false, required_review_thread_resolution = false } },
            },
        });
        await sandbox.SettleAsync();

        var findings = await BranchProtectionScenario.FindingsAsync(sandbox, "svc", PolicyIds.BranchProtection);
        Assert.All(findings, f => Assert.Equal(BranchProtectionPolicy.BypassNotAllowed, f.Code));
        Assert.Equal(["main:bypass:app:29110", "main:bypass:role:write", "main:bypass:team:platform"], findings.Select(f => f.Subject).Order(StringComparer.Ordinal));
        Assert.Contains(findings, f => f.Message.StartsWith("`main` can be bypassed by team platform (when merging pull requests)", StringComparison.Ordinal));
        var issue = Assert.Single(BranchProtectionScenario.Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Contains("everyone with the write role", issue.Body, StringComparison.Ordinal);

        // Allowing the team and Dependabot (by its slug) leaves the write role.
        await sandbox.PushFileAsync("alice", ".github", "policybot.yml", Policy + "\n  allowed_bypass: [\"team:platform\", \"app:dependabot\"]\n");
        await sandbox.SettleAsync();
        var left = Assert.Single(await BranchProtectionScenario.FindingsAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal("main:bypass:role:write", left.Subject);
    }
}
