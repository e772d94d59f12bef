using PolicyBot.Policies.BranchProtection;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests;

/// <summary>
/// <c>branch_protection.allowed_bypass</c> (issue 12): every bypass of the rules that make up the baseline is judged,
/// per setting, and any bypass the baseline does not allow is a finding naming who and how to remove it.
/// </summary>
public sealed class BypassTests
{
    private const long AppId = 4242;

    private static readonly BranchProtectionConfig Baseline = new() { RequiredApprovingReviewCount = 1 };

    private static BranchRule[] Ruleset(string name, params BypassActor[] bypass) =>
    [
        new() { Type = "pull_request", RulesetId = 12, RulesetName = name, RulesetSource = "acme/payments", Bypass = bypass, PullRequest = new PullRequestRuleParameters(1, true, false, false) },
        new() { Type = "non_fast_forward", RulesetId = 12, RulesetName = name, RulesetSource = "acme/payments", Bypass = bypass },
        new() { Type = "deletion", RulesetId = 12, RulesetName = name, RulesetSource = "acme/payments", Bypass = bypass },
    ];

    private static IReadOnlyList<Finding> Evaluate(BranchProtectionConfig baseline, ClassicProtection? classic, params BranchRule[] rules) =>
        BranchProtectionPolicy.Evaluate(baseline, new RepositorySnapshot
        {
            Owner = "acme",
            Name = "payments",
            DefaultBranch = "main",
            Branches = [new BranchProtectionState { Branch = "main", Classic = classic, Rules = rules }],
        }, AppId);

    [Fact]
    public void Everyone_with_write_access_bypassing_always_is_a_finding_naming_who_how_and_where()
    {
        var writers = new BypassActor(BypassActor.RepositoryRole, BypassActor.WriteRoleId, "always");

        var finding = Assert.Single(Evaluate(Baseline, null, Ruleset("main rules", writers)));

        Assert.Equal((BranchProtectionPolicy.BypassNotAllowed, "main:bypass:role:write"), (finding.Code, finding.Subject));
        Assert.Equal(
            "`main` can be bypassed by everyone with the write role (always, including direct pushes), skipping 1 approving review, stale approvals dismissed on push, force pushes blocked and deletion blocked (repository ruleset 'main rules'); the baseline does not allow everyone with the write role to bypass it.",
            finding.Message);
        Assert.Contains("Remove everyone with the write role from the bypass list of the repository ruleset 'main rules'", finding.Remediation, StringComparison.Ordinal);
        Assert.Contains("`PUT /repos/acme/payments/rulesets/12` with the body `{\"bypass_actors\":[]}`", finding.Remediation, StringComparison.Ordinal);
        Assert.Contains("add `role:write` to `branch_protection.allowed_bypass`", finding.Remediation, StringComparison.Ordinal);
        Assert.False(BranchProtectionPolicy.CanFix(finding)); // raising classic protection cannot edit a bypass list
    }

    public static TheoryData<BypassActor, string, string> Actors => new()
    {
        { new BypassActor(BypassActor.Team, 31, "pull_request", "release-managers"), "team:release-managers", "team release-managers (when merging pull requests)" },
        { new BypassActor(BypassActor.Integration, 29110, "always", "dependabot"), "app:dependabot", "the GitHub App dependabot (always, including direct pushes)" },
        { new BypassActor(BypassActor.Integration, 777, "always"), "app:777", "the GitHub App with id 777" },
        { new BypassActor(BypassActor.DeployKey, null, "always"), "DeployKey", "deploy keys" },
        { new BypassActor(BypassActor.RepositoryRole, BypassActor.MaintainRoleId, "exempt"), "role:maintain", "everyone with the maintain role (always, without being asked (exempt))" },
    };

    [Theory]
    [MemberData(nameof(Actors))]
    public void Each_actor_type_is_a_finding_until_allowed(BypassActor actor, string allowance, string described)
    {
        var finding = Assert.Single(Evaluate(Baseline, null, Ruleset("r", actor)));
        Assert.Contains(described, finding.Message, StringComparison.Ordinal);
        Assert.Contains($"`{allowance}`", finding.Remediation, StringComparison.Ordinal);

        Assert.Empty(Evaluate(Baseline with { AllowedBypass = [allowance] }, null, Ruleset("r", actor)));
        Assert.Single(Evaluate(Baseline with { AllowedBypass = ["team:someone-else"] }, null, Ruleset("r", actor)));
    }

    [Fact]
    public void A_bypass_that_skips_nothing_the_baseline_asks_is_no_finding()
    {
        // Classic protection imposes the whole baseline on everyone (ruleset bypass does not reach it).
        var classic = new ClassicProtection { RequiredApprovingReviewCount = 1, DismissStaleReviews = true, EnforceAdmins = false };
        var team = new BypassActor(BypassActor.Team, 31, "always", "release-managers");

        Assert.Empty(Evaluate(Baseline, classic, Ruleset("r", team)));
    }

    [Fact]
    public void Administrators_are_judged_by_enforce_admins_not_by_allowed_bypass()
    {
        var owners = new BypassActor(BypassActor.OrganizationAdmin, 1, "always");

        Assert.Empty(Evaluate(Baseline, null, Ruleset("r", owners))); // enforce_admins: false tolerates administrators
        Assert.Equal("admins-not-enforced", Assert.Single(Evaluate(Baseline with { EnforceAdmins = true }, null, Ruleset("r", owners))).Code);
        Assert.Empty(Evaluate(Baseline with { EnforceAdmins = true, AllowedBypass = ["OrganizationAdmin"] }, null, Ruleset("r", owners)));
    }

    [Fact]
    public void Classic_protections_review_allowances_are_bypass_of_the_review_settings()
    {
        var classic = new ClassicProtection
        {
            RequiredApprovingReviewCount = 1,
            DismissStaleReviews = true,
            ReviewBypass = [new BypassActor(BypassActor.User, 9, "pull_request", "dave")],
        };

        var finding = Assert.Single(Evaluate(Baseline, classic));

        Assert.Contains("`main` can be bypassed by @dave (when merging pull requests), skipping 1 approving review and stale approvals dismissed on push", finding.Message, StringComparison.Ordinal);
        Assert.Contains("'Allow specified actors to bypass required pull requests'", finding.Remediation, StringComparison.Ordinal);
        Assert.Empty(Evaluate(Baseline with { AllowedBypass = ["user:dave"] }, classic));
    }

    [Theory]
    [InlineData("OrganizationAdmin", true)]
    [InlineData("team:release-managers", true)]
    [InlineData("app:dependabot", true)]
    [InlineData("role:write", true)]
    [InlineData("user:dave", true)]
    [InlineData("DeployKey", true)]
    [InlineData("admins", false)]
    [InlineData("team:", false)]
    public void Allowances_are_validated(string entry, bool valid)
    {
        Assert.Equal(valid, BypassAllowance.Validate(entry) is null);
        var result = PolicyConfigParser.Parse($"version: 1\nbranch_protection:\n  allowed_bypass: [\"{entry}\"]\n");
        Assert.Equal(valid, result.Problems.Count == 0);
    }

    [Fact]
    public void A_repository_may_only_narrow_the_allowed_bypass()
    {
        var organization = new PolicyConfig { BranchProtection = new BranchProtectionConfig { AllowedBypass = ["team:release-managers", "app:dependabot"] } };

        var narrower = RepositoryConfigMerger.Merge(organization, "version: 1\nbranch_protection:\n  allowed_bypass: [app:dependabot]\n");
        Assert.Equal(["app:dependabot"], narrower.Config.BranchProtection.AllowedBypass);
        Assert.Empty(narrower.Findings);

        var wider = RepositoryConfigMerger.Merge(organization, "version: 1\nbranch_protection:\n  allowed_bypass: [app:dependabot, role:write]\n");
        Assert.Equal(organization.BranchProtection.AllowedBypass, wider.Config.BranchProtection.AllowedBypass);
        Assert.Equal(RepositoryConfigMerger.LoosensBaselineCode, Assert.Single(wider.Findings).Code);
    }
}
