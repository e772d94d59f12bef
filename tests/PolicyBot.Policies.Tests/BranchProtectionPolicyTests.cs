using PolicyBot.Policies;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests;

public sealed class BranchProtectionPolicyTests
{
    private const long AppId = 4242;

    /// <summary>A demanding baseline so that every setting is checked.</summary>
    private static readonly BranchProtectionConfig Strict = new()
    {
        RequiredApprovingReviewCount = 2,
        DismissStaleReviews = true,
        RequireCodeOwnerReviews = true,
        RequireLastPushApproval = true,
        EnforceAdmins = true,
        AllowForcePushes = false,
        AllowDeletions = false,
        RequiredStatusChecks = ["PolicyBot", "ci/build"],
    };

    /// <summary>Classic protection meeting <see cref="Strict"/> exactly.</summary>
    private static readonly ClassicProtection Compliant = new()
    {
        RequiredApprovingReviewCount = 2,
        DismissStaleReviews = true,
        RequireCodeOwnerReviews = true,
        RequireLastPushApproval = true,
        EnforceAdmins = true,
        AllowForcePushes = false,
        AllowDeletions = false,
        RequiredStatusChecks = [new RequiredStatusCheck("PolicyBot", AppId), new RequiredStatusCheck("ci/build", null)],
    };

    private static RepositorySnapshot Repo(params BranchProtectionState[] branches) =>
        new() { Owner = "acme", Name = "payments", DefaultBranch = "main", Branches = branches };

    private static BranchProtectionState MainBranch(ClassicProtection? classic, params BranchRule[] rules) =>
        new() { Branch = "main", Classic = classic, Rules = rules };

    private static IReadOnlyList<Finding> Evaluate(BranchProtectionConfig baseline, params BranchProtectionState[] branches) =>
        BranchProtectionPolicy.Evaluate(baseline, Repo(branches), AppId);

    [Fact]
    public void Compliant_classic_protection_has_no_findings()
    {
        Assert.Empty(Evaluate(Strict, MainBranch(Compliant)));
    }

    [Fact]
    public void An_unprotected_branch_is_one_no_protection_finding_that_lists_everything_to_set()
    {
        var finding = Assert.Single(Evaluate(Strict, MainBranch(null)));

        Assert.Equal((PolicyIds.BranchProtection, "no-protection", "main"), (finding.Policy, finding.Code, finding.Subject));
        Assert.Contains("2 approving reviews", finding.Message, StringComparison.Ordinal);
        Assert.Contains("`PUT /repos/acme/payments/branches/main/protection`", finding.Remediation, StringComparison.Ordinal);
        foreach (var field in new[]
        {
            // The whole body of the PUT, the four fields GitHub requires included (RemediationRequestTests validates it).
            "\"required_approving_review_count\":2", "\"dismiss_stale_reviews\":true", "\"require_code_owner_reviews\":true",
            "\"require_last_push_approval\":true", "\"enforce_admins\":true", "\"allow_force_pushes\":false", "\"allow_deletions\":false",
            "{\"context\":\"PolicyBot\",\"app_id\":4242}", "{\"context\":\"ci/build\"}", "\"restrictions\":null",
        })
        {
            Assert.Contains(field, finding.Remediation, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_default_baseline_flags_an_unprotected_default_branch()
    {
        var finding = Assert.Single(Evaluate(new BranchProtectionConfig(), MainBranch(null)));

        Assert.Equal("no-protection", finding.Code);
        Assert.Contains("1 approving review", finding.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, ClassicProtection, string, string> OneGap => new()
    {
        { "approvals-below-baseline", Compliant with { RequiredApprovingReviewCount = 1 }, "requires 1 approving review before merging; the baseline requires 2 approving reviews", "required_pull_request_reviews.required_approving_review_count: 2" },
        { "approvals-below-baseline", Compliant with { RequiredApprovingReviewCount = null }, "does not require approving reviews", "required_pull_request_reviews.required_approving_review_count: 2" },
        { "stale-reviews-not-dismissed", Compliant with { DismissStaleReviews = false }, "keeps approvals after new commits", "required_pull_request_reviews.dismiss_stale_reviews: true" },
        { "code-owner-review-not-required", Compliant with { RequireCodeOwnerReviews = false }, "code owners", "required_pull_request_reviews.require_code_owner_reviews: true" },
        { "last-push-approval-not-required", Compliant with { RequireLastPushApproval = false }, "most recent push", "required_pull_request_reviews.require_last_push_approval: true" },
        { "admins-not-enforced", Compliant with { EnforceAdmins = false }, "administrators bypass", "enforce_admins: true" },
        { "force-pushes-allowed", Compliant with { AllowForcePushes = true }, "allows force pushes", "allow_force_pushes: false" },
        { "deletions-allowed", Compliant with { AllowDeletions = true }, "can be deleted", "allow_deletions: false" },
    };

    [Theory]
    [MemberData(nameof(OneGap))]
    public void Each_unmet_setting_is_its_own_finding_with_the_ui_and_api_field(string code, ClassicProtection classic, string message, string apiField)
    {
        var finding = Assert.Single(Evaluate(Strict, MainBranch(classic)));

        Assert.Equal((code, "main"), (finding.Code, finding.Subject));
        Assert.StartsWith("`main` ", finding.Message, StringComparison.Ordinal);
        Assert.Contains(message, finding.Message, StringComparison.Ordinal);
        Assert.Contains("Settings → Branches", finding.Remediation, StringComparison.Ordinal);
        Assert.Contains("`PUT /repos/acme/payments/branches/main/protection` with the body `{", finding.Remediation, StringComparison.Ordinal);
        Assert.Contains($"what `main` has now, with `{apiField}`", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_gaps_give_one_finding_each_with_unique_keys()
    {
        var weak = Compliant with { RequiredApprovingReviewCount = 1, AllowForcePushes = true, EnforceAdmins = false, RequiredStatusChecks = [] };

        var findings = Evaluate(Strict, MainBranch(weak));

        Assert.Equal(
            ["approvals-below-baseline", "force-pushes-allowed", "status-check-not-required", "status-check-not-required", "admins-not-enforced"],
            findings.Select(f => f.Code));
        Assert.Equal(findings.Count, findings.Select(f => f.Key).Distinct().Count());
        Assert.Equal(["main:PolicyBot", "main:ci/build"], findings.Where(f => f.Code == "status-check-not-required").Select(f => f.Subject));
    }

    [Fact]
    public void A_higher_count_than_the_baseline_is_compliant()
    {
        Assert.Empty(Evaluate(Strict, MainBranch(Compliant with { RequiredApprovingReviewCount = 4 })));
    }

    [Fact]
    public void A_baseline_that_allows_force_pushes_and_deletions_does_not_require_them()
    {
        var lax = Strict with { AllowForcePushes = true, AllowDeletions = true };

        Assert.Empty(Evaluate(lax, MainBranch(Compliant)));
    }

    private static BypassActor[] AdminBypass(bool adminsCanBypass) =>
        adminsCanBypass ? [new BypassActor(BypassActor.RepositoryRole, BypassActor.AdminRoleId, "always")] : [];

    private static BranchRule PullRequestRule(int approvals, string source = "Repository", bool adminsCanBypass = false) => new()
    {
        Type = "pull_request",
        RulesetSourceType = source,
        RulesetSource = source == "Organization" ? "acme" : "acme/payments",
        RulesetId = 7,
        Bypass = AdminBypass(adminsCanBypass),
        PullRequest = new PullRequestRuleParameters(approvals, DismissStaleReviewsOnPush: true, RequireCodeOwnerReview: true, RequireLastPushApproval: true),
    };

    private static BranchRule[] FullRuleset(string source = "Repository", bool adminsCanBypass = false) =>
    [
        PullRequestRule(2, source, adminsCanBypass),
        new() { Type = "non_fast_forward", RulesetSourceType = source, Bypass = AdminBypass(adminsCanBypass) },
        new() { Type = "deletion", RulesetSourceType = source, Bypass = AdminBypass(adminsCanBypass) },
        new()
        {
            Type = "required_status_checks",
            RulesetSourceType = source,
            Bypass = AdminBypass(adminsCanBypass),
            RequiredStatusChecks = [new RequiredStatusCheck("PolicyBot", AppId), new RequiredStatusCheck("ci/build", null)],
        },
    ];

    [Fact]
    public void Rulesets_alone_can_meet_the_baseline()
    {
        Assert.Empty(Evaluate(Strict, MainBranch(null, FullRuleset())));
    }

    [Fact]
    public void An_organisation_ruleset_targeting_all_repositories_counts_as_a_rule_of_the_branch()
    {
        // GET /repos/{o}/{r}/rules/branches/{b} reports the org ruleset's rules (conditions ~ALL) for every branch it covers.
        Assert.Empty(Evaluate(Strict, MainBranch(null, FullRuleset("Organization"))));
    }

    [Fact]
    public void Classic_protection_and_rules_combine_taking_the_strongest_of_each_setting_for_administrators_too()
    {
        var classic = new ClassicProtection
        {
            RequiredApprovingReviewCount = 1,
            EnforceAdmins = false,
            AllowForcePushes = true,
            AllowDeletions = false,
            RequiredStatusChecks = [new RequiredStatusCheck("ci/build", null)],
        };
        BranchRule[] rules =
        [
            PullRequestRule(2, "Organization"),
            new() { Type = "non_fast_forward", RulesetSourceType = "Organization" },
            new() { Type = "required_status_checks", RequiredStatusChecks = [new RequiredStatusCheck("PolicyBot", AppId)] },
        ];

        // Everyone is bound to every setting; administrators only by the rulesets, which neither block deletion nor require
        // ci/build: those two they can bypass (classic protection does not enforce admins).
        var finding = Assert.Single(Evaluate(Strict, MainBranch(classic, rules)));
        Assert.Equal("admins-not-enforced", finding.Code);
        Assert.Contains("administrators bypass deletion blocked and the `ci/build` check", finding.Message, StringComparison.Ordinal);

        Assert.Empty(Evaluate(Strict, MainBranch(classic with { EnforceAdmins = true }, rules)));
    }

    [Fact]
    public void A_ruleset_admins_can_bypass_does_not_bind_admins()
    {
        var finding = Assert.Single(Evaluate(Strict, MainBranch(null, FullRuleset(adminsCanBypass: true))));

        Assert.Equal("admins-not-enforced", finding.Code);
        Assert.Contains("bypass list", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void Classic_enforce_admins_binds_admins_only_for_what_classic_protection_imposes()
    {
        // Classic protection binds admins but asks only for a pull request (0 approvals) and blocks force pushes and deletion;
        // the ruleset that requires the rest lets admins bypass it.
        var classic = new ClassicProtection { RequiredApprovingReviewCount = 0, EnforceAdmins = true };

        var finding = Assert.Single(Evaluate(Strict, MainBranch(classic, FullRuleset(adminsCanBypass: true))));

        Assert.Equal("admins-not-enforced", finding.Code);
        Assert.Contains("2 approving reviews", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("deletion", finding.Message, StringComparison.Ordinal);
        Assert.Contains("repository ruleset", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deletion_only_ruleset_binds_admins_for_deletion_not_for_approvals()
    {
        // The case: classic protection without enforce_admins, plus a ruleset with only "deletion" and no bypass.
        var baseline = new BranchProtectionConfig { EnforceAdmins = true };
        var classic = new ClassicProtection { RequiredApprovingReviewCount = 1, DismissStaleReviews = true, EnforceAdmins = false };

        var finding = Assert.Single(Evaluate(baseline, MainBranch(classic, new BranchRule { Type = "deletion", RulesetName = "no deletes" })));

        Assert.Equal("admins-not-enforced", finding.Code);
        Assert.Contains("bypass 1 approving review, stale approvals dismissed on push and force pushes blocked", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("deletion blocked", finding.Message, StringComparison.Ordinal);
        Assert.Contains("classic branch protection without 'Do not allow bypassing the above settings'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_unrelated_to_the_baseline_are_not_protection()
    {
        var finding = Assert.Single(Evaluate(Strict, MainBranch(null, new BranchRule { Type = "creation" })));

        Assert.Equal("no-protection", finding.Code);
    }

    [Theory]
    [InlineData(AppId, null)]
    [InlineData(null, "any source")]
    [InlineData(-1L, "any source")]
    [InlineData(99L, "the app with id 99")]
    public void The_PolicyBot_check_must_be_bound_to_this_app(long? boundTo, string? source)
    {
        var classic = Compliant with { RequiredStatusChecks = [new RequiredStatusCheck("PolicyBot", boundTo), new RequiredStatusCheck("ci/build", 12)] };

        var findings = Evaluate(Strict, MainBranch(classic));

        if (source is null)
        {
            Assert.Empty(findings);
            return;
        }

        var finding = Assert.Single(findings);
        Assert.Equal(("status-check-not-bound-to-app", "main:PolicyBot"), (finding.Code, finding.Subject));
        Assert.Contains($"from {source}", finding.Message, StringComparison.Ordinal);
        Assert.Contains("{\"context\": \"PolicyBot\", \"app_id\": 4242}", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_checks_match_by_name_whatever_their_source()
    {
        var classic = Compliant with { RequiredStatusChecks = [new RequiredStatusCheck("PolicyBot", AppId), new RequiredStatusCheck("ci/build", 12345)] };

        Assert.Empty(Evaluate(Strict, MainBranch(classic)));
    }

    [Fact]
    public void A_plan_without_protection_for_private_repositories_is_one_finding()
    {
        var state = new BranchProtectionState { Branch = "main", ProtectionAvailable = false };

        var finding = Assert.Single(Evaluate(Strict, state));

        Assert.Equal(("protection-unavailable-on-plan", "main"), (finding.Code, finding.Subject));
        Assert.Contains("private", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Make acme/payments public", finding.Remediation, StringComparison.Ordinal);
        Assert.Contains("rulesets", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_named_branches_that_exist_are_evaluated()
    {
        var baseline = Strict with { Branches = ["default", "release/*", "stable"] };
        var release = new BranchProtectionState { Branch = "release/1", Classic = Compliant with { AllowDeletions = true } };
        var feature = new BranchProtectionState { Branch = "feature/x" };

        var findings = Evaluate(baseline, MainBranch(Compliant), release, feature);

        var finding = Assert.Single(findings);
        Assert.Equal(("deletions-allowed", "release/1"), (finding.Code, finding.Subject));
        Assert.Contains("/branches/release/1/protection", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void Findings_name_their_branch_and_whether_fix_can_remedy_them()
    {
        var baseline = Strict with { Branches = ["default", "release/*"] };
        var release = new BranchProtectionState { Branch = "release/1", ProtectionAvailable = false };

        var findings = Evaluate(baseline, MainBranch(Compliant with { RequiredStatusChecks = [] }), release);

        Assert.Equal(
            [("main", true), ("main", true), ("release/1", false)],
            findings.Select(f => (BranchProtectionPolicy.BranchOf(f), BranchProtectionPolicy.CanFix(f))));
    }

    [Fact]
    public void Effective_protection_reports_the_combination()
    {
        var effective = EffectiveProtection.From(MainBranch(new ClassicProtection { RequiredApprovingReviewCount = 3, AllowForcePushes = true }, PullRequestRule(1, adminsCanBypass: true)));

        Assert.True(effective.Protected);
        Assert.Equal(3, effective.RequiredApprovingReviewCount);
        Assert.True(effective.DismissStaleReviews);
        Assert.False(effective.ForcePushesBlocked);
        Assert.True(effective.DeletionsBlocked);

        // For administrators: classic protection does not enforce admins, and the ruleset lets them bypass.
        var forAdmins = EffectiveProtection.For(
            MainBranch(new ClassicProtection { RequiredApprovingReviewCount = 3, AllowForcePushes = true }, PullRequestRule(1, adminsCanBypass: true)),
            new BranchBypass(Classic: true, ClassicReviews: false, Rule: r => r.AdminsCanBypass));
        Assert.True(forAdmins.Protected);
        Assert.Equal(0, forAdmins.RequiredApprovingReviewCount);
        Assert.False(forAdmins.DeletionsBlocked);
    }
}
