using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PolicyBot.Policies;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.BranchProtectionScenario;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// The branch_protection and code_owners policies end to end: an organisation is installed on the simulator,
/// PolicyBot evaluates it from the webhooks, and the tests look at what it found and did on GitHub.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class BranchProtectionEnforcementTests
{
    public static TheoryData<string, string[]> ClassicProtection => new()
    {
        // No protection at all.
        { "", [BranchProtectionPolicy.NoProtection] },

        // One approval where the baseline wants two; everything else meets it.
        {
            """
                protection:
                  required_approving_review_count: 1
                  dismiss_stale_reviews: true
            """,
            [BranchProtectionPolicy.ApprovalsBelowBaseline]
        },

        // Force pushes allowed.
        {
            """
                protection:
                  required_approving_review_count: 2
                  dismiss_stale_reviews: true
                  allow_force_pushes: true
            """,
            [BranchProtectionPolicy.ForcePushesAllowed]
        },
    };

    [Theory]
    [MemberData(nameof(ClassicProtection))]
    public async Task Classic_protection_below_the_baseline_is_found_and_gets_one_issue_that_says_what_to_change(string protection, string[] codes)
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, $$"""
              - name: svc
            {{protection}}
            """));
        await sandbox.InstallAsync();

        Assert.Equal(codes, await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection));
        var issue = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal("open", issue.State);
        Assert.Equal("PolicyBot: Branch protection below baseline", issue.Title);
        Assert.Contains("policybot", issue.Labels);
        foreach (var finding in await FindingsAsync(sandbox, "svc", PolicyIds.BranchProtection))
        {
            Assert.Contains(finding.Message, issue.Body, StringComparison.Ordinal);
            Assert.Contains(finding.Remediation.Split('\n')[0].Trim(), issue.Body, StringComparison.Ordinal);
        }

        // The compliant configuration repository got none.
        Assert.Empty(Issues(sandbox, ".github", PolicyIds.BranchProtection));
        Assert.Empty(await CodesAsync(sandbox, ".github", PolicyIds.BranchProtection));
    }

    private const string PullRequestRule = """
                      - type: deletion
                      - type: non_fast_forward
                      - type: pull_request
                        parameters:
                          required_approving_review_count: 2
                          dismiss_stale_reviews_on_push: true
                          require_code_owner_review: false
                          require_last_push_approval: false
                          required_review_thread_resolution: false
        """;

    [Fact]
    public async Task A_repository_protected_only_by_an_active_repository_ruleset_complies()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, $$"""
              - name: svc
                rulesets:
                  - name: main
                    target: branch
                    enforcement: active
                    conditions:
                      ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] }
                    rules:
            {{PullRequestRule}}
            """));
        await sandbox.InstallAsync();

        Assert.Empty(await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Empty(Issues(sandbox, "svc", PolicyIds.BranchProtection));
    }

    [Theory]
    [InlineData("active", new string[0])]
    [InlineData("evaluate", new[] { BranchProtectionPolicy.NoProtection })]
    public async Task An_organisation_ruleset_on_every_repository_counts_only_when_active(string enforcement, string[] codes)
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(
            IssuePolicy,
            """
              - name: svc
            """,
            $$"""

              - name: baseline
                target: branch
                enforcement: {{enforcement}}
                conditions:
                  ref_name: { include: ["~ALL"], exclude: [] }
                  repository_name: { include: ["~ALL"], exclude: [] }
                rules:
            {{PullRequestRule}}
            """));
        await sandbox.InstallAsync();

        Assert.Equal(codes, await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal(codes.Length, Issues(sandbox, "svc", PolicyIds.BranchProtection).Count);
    }

    [Theory]
    [InlineData("read")]
    [InlineData("write")]
    public async Task An_organisation_rulesets_hidden_bypass_list_is_not_taken_for_an_empty_one(string organizationAdministration)
    {
        // GitHub returns an organisation ruleset's bypass_actors only to a caller with write access to it (REST description,
        // "Get an organization repository ruleset"); PolicyBot's manifest asks organization_administration: read.
        const string Policy = """
            version: 1
            branch_protection:
              action: log
              required_approving_review_count: 1
              enforce_admins: true
            """;
        var scenario = Build(Policy, """
              - name: svc
            """, $$"""

              - name: baseline
                target: branch
                enforcement: active
                bypass_actors: [{ actor_id: 4, actor_type: RepositoryRole, bypass_mode: always }]
                conditions:
                  ref_name: { include: ["~ALL"], exclude: [] }
                  repository_name: { include: ["~ALL"], exclude: [] }
                rules:
            {{PullRequestRule}}
            """).Replace("org: acme\n", $"org: acme\ninstallation_permissions: {{ organization_administration: {organizationAdministration} }}\n", StringComparison.Ordinal);
        await using var sandbox = await PolicyBotSandbox.StartAsync(scenario);
        await sandbox.InstallAsync();

        var codes = await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection);
        if (organizationAdministration == "read")
        {
            // Hidden: administrators are assumed able to bypass it (the weaker case), so enforce_admins is not met;
            // the write role it really lets bypass cannot be seen.
            Assert.Equal([BranchProtectionPolicy.AdminsNotEnforced], codes);
        }
        else
        {
            // Seen: the write role bypasses, which the baseline does not allow; administrators do not.
            Assert.Equal([BranchProtectionPolicy.BypassNotAllowed], codes);
        }
    }

    [Fact]
    public async Task A_repository_file_that_loosens_the_baseline_is_a_config_finding_and_the_baseline_still_applies()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, """
              - name: svc
                protection:
                  required_approving_review_count: 1
                  dismiss_stale_reviews: true
                files:
                  .github/policybot.yml: |
                    version: 1
                    branch_protection:
                      required_approving_review_count: 1
                      allow_force_pushes: true
                      action: log
            """));
        await sandbox.InstallAsync();

        var config = await FindingsAsync(sandbox, "svc", PolicyIds.Config);
        Assert.All(config, f => Assert.Equal("loosens-baseline", f.Code));
        Assert.Equal([3, 4, 5], config.Select(f => f.Line ?? 0).Order());
        Assert.Equal(
            ["branch_protection.action", "branch_protection.allow_force_pushes", "branch_protection.required_approving_review_count"],
            config.Select(f => f.Subject ?? "").Order(StringComparer.Ordinal));
        Assert.Equal([BranchProtectionPolicy.ApprovalsBelowBaseline], await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
    }

    [Fact]
    public async Task A_repository_file_that_does_not_parse_is_a_config_finding_with_its_line_and_the_baseline_still_applies()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, """
              - name: svc
                files:
                  .github/policybot.yml: |
                    version: 1
                    branch_protection:
                      required_approving_review_count: [3
            """));
        await sandbox.InstallAsync();

        var problem = Assert.Single(await FindingsAsync(sandbox, "svc", PolicyIds.Config));
        Assert.Equal("parse-error", problem.Code);
        Assert.NotNull(problem.Line);
        Assert.InRange(problem.Line!.Value, 3, 4);
        Assert.Equal([BranchProtectionPolicy.NoProtection], await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
    }

    [Fact]
    public async Task A_malformed_organisation_file_at_install_is_a_config_issue_with_its_line_and_nothing_is_enforced_from_the_defaults()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(
            """
            version: 1
            branch_protection:
              action: issue
              required_approving_review_count: lots
            """,
            """
              - name: svc
            """));
        await sandbox.InstallAsync();

        var problem = Assert.Single(await FindingsAsync(sandbox, ".github", PolicyIds.Config), f => f.Code == "organization-config-error");
        Assert.Equal(4, problem.Line);
        Assert.Contains("required_approving_review_count", problem.Remediation, StringComparison.Ordinal);
        Assert.Contains("line 4", Assert.Single(Issues(sandbox, ".github", PolicyIds.Config)).Body, StringComparison.Ordinal);

        // The file never validated: the built-in defaults are shown (log), and nothing is opened from a half-read file.
        Assert.Equal([BranchProtectionPolicy.NoProtection], await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Empty(Issues(sandbox, "svc", PolicyIds.BranchProtection));
    }

    [Fact]
    public async Task An_active_exemption_applies_and_an_expired_one_does_not_and_says_so()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(
            """
            version: 1
            branch_protection:
              action: issue
            exemptions:
              - repos: ["legacy-*"]
                policies: [branch_protection]
                reason: "frozen mirror"
                expires: {{today+30d}}
              - repos: ["old-*"]
                policies: [branch_protection]
                reason: "migration window"
                expires: {{today-1d}}
            """,
            """
              - name: legacy-mirror
              - name: old-service
            """));
        await sandbox.InstallAsync();

        var exempted = (await EvaluationAsync(sandbox, "legacy-mirror")).Results.Single(r => r.Policy == PolicyIds.BranchProtection);
        Assert.Contains("frozen mirror", exempted.ExemptionReason, StringComparison.Ordinal);
        Assert.Empty(Issues(sandbox, "legacy-mirror", PolicyIds.BranchProtection));

        var expired = (await EvaluationAsync(sandbox, "old-service")).Results.Single(r => r.Policy == PolicyIds.BranchProtection);
        Assert.Null(expired.ExemptionReason);
        Assert.Contains(expired.Notices, n => n.Contains("expired", StringComparison.OrdinalIgnoreCase));
        Assert.Equal([BranchProtectionPolicy.NoProtection], await CodesAsync(sandbox, "old-service", PolicyIds.BranchProtection));
        var notice = Assert.Single(expired.Notices);
        Assert.Contains(notice, Assert.Single(Issues(sandbox, "old-service", PolicyIds.BranchProtection)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archived_repositories_are_skipped()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, """
              - name: attic
                archived: true
            """));
        await sandbox.InstallAsync();

        var evaluation = await EvaluationAsync(sandbox, "attic");
        Assert.False(evaluation.Evaluated);
        Assert.All(evaluation.Results, r => Assert.Empty(r.Findings));
        Assert.Empty(sandbox.GitHub.Issues(Org, "attic"));
    }

    [Fact]
    public async Task Fix_raises_protection_to_the_baseline_and_keeps_restrictions_other_checks_and_higher_counts()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(
            """
            version: 1
            branch_protection:
              action: fix
              required_approving_review_count: 1
              dismiss_stale_reviews: true
              enforce_admins: true
              required_status_checks: [PolicyBot]
              allowed_bypass: ["team:platform"]
            """,
            """
              - name: svc
            """));

        // What a person set up before installing: three approvals, a CI check from another app, push restrictions, force pushes.
        await PutProtectionAsync(sandbox, "svc", new
        {
            required_status_checks = new { strict = true, contexts = Array.Empty<string>(), checks = new object[] { new { context = "ci/build", app_id = 15368 } } },
            enforce_admins = false,
            required_pull_request_reviews = new
            {
                required_approving_review_count = 3,
                dismiss_stale_reviews = false,
                dismissal_restrictions = new { users = new[] { "alice" }, teams = Array.Empty<string>() },
                bypass_pull_request_allowances = new { users = Array.Empty<string>(), teams = new[] { "platform" } },
            },
            restrictions = new { users = new[] { "alice" }, teams = new[] { "platform" }, apps = Array.Empty<string>() },
            allow_force_pushes = true,
            allow_deletions = false,
        });
        await sandbox.InstallAsync();

        var protection = sandbox.GitHub.Protection(Org, "svc", "main")!;
        Assert.Equal(3, protection.RequiredApprovingReviewCount);
        Assert.True(protection.DismissStaleReviews);
        Assert.True(protection.EnforceAdmins);
        Assert.False(protection.AllowForcePushes);
        Assert.True(protection.StrictStatusChecks);
        Assert.Contains(("ci/build", (long?)15368), protection.RequiredStatusChecks!);
        Assert.Contains(("PolicyBot", (long?)sandbox.GitHub.AppId), protection.RequiredStatusChecks!);
        var (users, teams, _) = protection.Restrictions!.Value;
        Assert.Equal(["alice"], users);
        Assert.Equal(["platform"], teams);
        // The PUT replaces the whole protection: who may dismiss reviews and who may bypass them survive the fix too.
        Assert.Equal(["alice"], protection.DismissalRestrictions!.Value.Users);
        Assert.Equal(["platform"], protection.BypassAllowances!.Value.Teams);

        // Fixed, so nothing left to report or file; the fix is in the audit log.
        Assert.Empty(await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Empty(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        using var client = sandbox.Operator();
        var log = await client.GetFromJsonAsync<JsonArray>("api/audit-log");
        var fixedEntry = Assert.Single(log!, e => (string?)e!["action"] == "branch_protection.fixed" && (string?)e["repository"] == "acme/svc" && (string?)e["target"] == "main")!;

        // The entry says what changed, and only that: before and after, a line per setting.
        Assert.Equal("stale reviews dismissed: no\nrequired status checks: ci/build\nadministrators included: no\nforce pushes allowed: yes", (string?)fixedEntry["before"]);
        Assert.Equal("stale reviews dismissed: yes\nrequired status checks: ci/build, PolicyBot\nadministrators included: yes\nforce pushes allowed: no", (string?)fixedEntry["after"]);
        Assert.Contains("stale reviews dismissed no → yes", (string?)fixedEntry["reason"], StringComparison.Ordinal);
        Assert.DoesNotContain("required approving reviews", (string?)fixedEntry["reason"], StringComparison.Ordinal);

        // The repository's page shows the fix in its history, before and after.
        var page = await client.GetStringAsync("installations/1001/repositories/svc");
        var history = page[page.IndexOf("<h2>History</h2>", StringComparison.Ordinal)..];
        Assert.Contains("<code>branch_protection.fixed</code>", history, StringComparison.Ordinal);
        Assert.Contains("<pre>stale reviews dismissed: no", history, StringComparison.Ordinal);
        Assert.Contains("<pre>stale reviews dismissed: yes", history, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_automatic_fix_closes_the_issue_with_a_comment_showing_the_protection_before_and_after()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, """
              - name: svc
                protection:
                  required_approving_review_count: 1
                  dismiss_stale_reviews: true
                  allow_force_pushes: true
            """));
        await sandbox.InstallAsync();
        var issue = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal("open", issue.State);

        // The organisation lets PolicyBot fix it: the next evaluation raises the protection and closes the issue.
        await sandbox.PushFileAsync("alice", ".github", "policybot.yml", IssuePolicy.Replace("action: issue", "action: fix", StringComparison.Ordinal));
        await sandbox.SettleAsync();

        Assert.Equal(2, sandbox.GitHub.Protection(Org, "svc", "main")!.RequiredApprovingReviewCount);
        Assert.Equal(("closed", "completed"), (issue.State, issue.StateReason));
        var comment = Comments(sandbox, "svc", issue.Number)[^1].Body;
        Assert.Equal(
            """
            PolicyBot raised the protection of `main` to the baseline (the organisation's `branch_protection.action` is `fix`); nothing else was loosened or removed:

            | Setting | Before | After |
            |---|---|---|
            | required approving reviews | 1 | 2 |
            | force pushes allowed | yes | no |


            """ + PolicyBot.Enforcement.Issues.ComplianceIssueContent.CompliantComment,
            comment.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_fix_that_leaves_findings_says_what_it_changed_before_and_after_in_the_findings_changed_comment()
    {
        const string Policy = """
            version: 1
            branch_protection:
              action: issue
              branches: [default, release]
              required_approving_review_count: 2
            """;
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(Policy, """
              - name: svc
                protection:
                  required_approving_review_count: 1
            """));
        var main = await sandbox.SendAsync("alice", HttpMethod.Get, "repos/acme/svc/git/ref/heads/main");
        await sandbox.SendAsync("alice", HttpMethod.Post, "repos/acme/svc/git/refs", new { @ref = "refs/heads/release", sha = (string)main!["object"]!["sha"]! });
        await sandbox.InstallAsync();
        var issue = Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Empty(Comments(sandbox, "svc", issue.Number));

        // Fix is switched on; GitHub refuses the release branch's protection, so main is raised and release stays below.
        sandbox.GitHub.Faults.AddStatus("PUT", "/repos/acme/svc/branches/release/protection", 403, count: -1, message: "Resource not accessible by integration");
        await sandbox.PushFileAsync("alice", ".github", "policybot.yml", Policy.Replace("action: issue", "action: fix", StringComparison.Ordinal));
        await sandbox.SettleAsync();

        Assert.Equal(2, sandbox.GitHub.Protection(Org, "svc", "main")!.RequiredApprovingReviewCount);
        Assert.Equal("open", issue.State);
        var comment = Assert.Single(Comments(sandbox, "svc", issue.Number)).Body.ReplaceLineEndings("\n");
        var table = comment[..comment.IndexOf("The findings changed", StringComparison.Ordinal)];
        Assert.StartsWith("PolicyBot raised the protection of `main` to the baseline (the organisation's `branch_protection.action` is `fix`)", table, StringComparison.Ordinal);
        Assert.Contains("| Setting | Before | After |\n|---|---|---|\n| required approving reviews | 1 | 2 |\n", table, StringComparison.Ordinal);
        Assert.DoesNotContain("release", table, StringComparison.Ordinal);
        Assert.Contains("\n\nThe findings changed; the description above is up to date.\n\nResolved: ", comment, StringComparison.Ordinal);
        Assert.DoesNotContain("New:", comment, StringComparison.Ordinal);
        Assert.Equal([BranchProtectionPolicy.NoProtection], await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection));
    }

    [Fact]
    public async Task What_fix_cannot_fix_falls_back_to_an_issue()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(
            """
            version: 1
            branch_protection:
              action: fix
            """,
            """
              - name: svc
            """));
        sandbox.GitHub.Faults.AddStatus("PUT", "/repos/acme/svc/branches/main/protection", 403, count: -1, message: "Resource not accessible by integration");
        await sandbox.InstallAsync();

        Assert.Null(sandbox.GitHub.Protection(Org, "svc", "main"));
        Assert.Equal([BranchProtectionPolicy.NoProtection], await CodesAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal("open", Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection)).State);
        using var client = sandbox.Operator();
        var log = await client.GetFromJsonAsync<JsonArray>("api/audit-log");
        Assert.Contains(log!, e => (string?)e!["action"] == "branch_protection.fix_failed" && (string?)e["repository"] == "acme/svc");
    }

    [Fact]
    public async Task Code_owners_missing_where_required_and_errors_github_reports_are_findings()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(
            """
            version: 1
            code_owners:
              action: issue
              required: true
            """,
            """
              - name: no-owners
              - name: broken-owners
                files:
                  CODEOWNERS: |
                    * @acme/platform
                    /docs/ @acme/no-such-team
            """));
        await sandbox.InstallAsync();

        Assert.Equal(["missing"], await CodesAsync(sandbox, "no-owners", PolicyIds.CodeOwners));
        var error = Assert.Single(await FindingsAsync(sandbox, "broken-owners", PolicyIds.CodeOwners));
        Assert.Equal("error", error.Code);
        Assert.Equal(2, error.Line);
        Assert.Single(Issues(sandbox, "no-owners", PolicyIds.CodeOwners));
        Assert.Contains("no-such-team", Assert.Single(Issues(sandbox, "broken-owners", PolicyIds.CodeOwners)).Body, StringComparison.Ordinal);
        Assert.Empty(await CodesAsync(sandbox, ".github", PolicyIds.CodeOwners));
    }

    [Fact]
    public async Task Installing_on_an_organisation_evaluates_every_repository()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, """
              - name: one
              - name: two
              - name: three
            """));
        await sandbox.InstallAsync();

        var evaluated = (await sandbox.Service<PolicyBot.Enforcement.IEvaluationStore>().ListAsync(1001, default)).Select(e => e.Repository).Order(StringComparer.Ordinal);
        Assert.Equal(["acme/.github", "acme/one", "acme/three", "acme/two"], evaluated);
        foreach (var repo in new[] { "one", "two", "three" })
        {
            Assert.Single(Issues(sandbox, repo, PolicyIds.BranchProtection));
        }
    }

    [Fact]
    public async Task A_push_of_the_organisation_file_re_evaluates_every_repository()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(null, """
              - name: one
              - name: two
            """));
        await sandbox.InstallAsync();

        // No organisation file: everything is logged, nothing filed.
        Assert.Equal([BranchProtectionPolicy.NoProtection], await CodesAsync(sandbox, "one", PolicyIds.BranchProtection));
        Assert.Empty(sandbox.GitHub.Issues(Org, "one"));
        Assert.Empty(sandbox.GitHub.Issues(Org, "two"));

        await sandbox.PushFileAsync("alice", ".github", "policybot.yml", IssuePolicy);
        await sandbox.SettleAsync();

        Assert.Single(Issues(sandbox, "one", PolicyIds.BranchProtection));
        Assert.Single(Issues(sandbox, "two", PolicyIds.BranchProtection));
    }

    [Fact]
    public async Task Logged_findings_appear_in_the_metrics_per_policy()
    {
        // No organisation file: every action is `log`, so the metrics are where an operator sees the gaps.
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(null, """
              - name: protected
                protection:
                  required_approving_review_count: 1
                  dismiss_stale_reviews: true
              - name: open-one
              - name: open-two
                protection:
                  required_approving_review_count: 1
                  dismiss_stale_reviews: true
                  allow_deletions: true
                  allow_force_pushes: true
            """));
        await sandbox.InstallAsync();

        using var client = new HttpClient { BaseAddress = sandbox.Address };
        var metrics = await client.GetStringAsync("metrics");

        Assert.Contains("# TYPE policybot_repositories gauge", metrics, StringComparison.Ordinal);
        Assert.Equal(2, PrometheusText.Value(metrics, "policybot_repositories", ("policy", "branch_protection"), ("state", "compliant")));
        Assert.Equal(2, PrometheusText.Value(metrics, "policybot_repositories", ("policy", "branch_protection"), ("state", "below")));
        Assert.Equal(3, PrometheusText.Value(metrics, "policybot_findings", ("policy", "branch_protection"), ("action", "log")));
        Assert.Empty(sandbox.GitHub.Issues(Org, "open-one"));
    }

    [Theory]
    [InlineData("[ci/build]", BranchProtectionPolicy.StatusCheckNotRequired)]
    [InlineData("[PolicyBot]", BranchProtectionPolicy.StatusCheckNotBoundToApp)]
    public async Task The_required_PolicyBot_check_must_be_required_and_bound_to_this_app(string checks, string code)
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(
            """
            version: 1
            branch_protection:
              action: issue
              required_status_checks: [PolicyBot]
            """,
            $$"""
              - name: svc
                protection:
                  required_approving_review_count: 1
                  dismiss_stale_reviews: true
                  required_status_checks: {{checks}}
            """));
        await sandbox.InstallAsync();

        var finding = Assert.Single(await FindingsAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal(code, finding.Code);
        Assert.Contains(PolicyBotCheck, finding.Message, StringComparison.Ordinal);

        // Bound to this app's id, as the fix would do, it complies.
        await PutProtectionAsync(sandbox, "svc", new
        {
            required_status_checks = new { strict = false, contexts = Array.Empty<string>(), checks = new object[] { new { context = PolicyBotCheck, app_id = sandbox.GitHub.AppId } } },
            enforce_admins = false,
            required_pull_request_reviews = new { required_approving_review_count = 1, dismiss_stale_reviews = true },
            restrictions = (object?)null,
        });
        await sandbox.SettleAsync();
        Assert.Empty(await FindingsAsync(sandbox, "svc", PolicyIds.BranchProtection));
    }

    private const string PolicyBotCheck = BranchProtectionPolicy.PolicyBotCheck;

    [Fact]
    public async Task GitHub_reporting_that_the_plan_lacks_protection_is_a_finding_that_says_so()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, """
              - name: svc
            """));
        sandbox.GitHub.Faults.AddStatus("GET", "/repos/acme/svc/branches/main/protection", 403, count: -1, message: "Upgrade to GitHub Pro or make this repository public to enable this feature.");
        await sandbox.InstallAsync();

        var finding = Assert.Single(await FindingsAsync(sandbox, "svc", PolicyIds.BranchProtection));
        Assert.Equal(BranchProtectionPolicy.ProtectionUnavailableOnPlan, finding.Code);
    }
}
