using PolicyBot.Policies;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests;

public sealed class ConfigurationMergerTests
{
    private static readonly PolicyConfig Organization = PolicyConfigParser.Parse("""
        version: 1
        branch_protection:
          action: issue
          required_approving_review_count: 2
          enforce_admins: true
          required_status_checks: [PolicyBot]
        code_owners:
          required: true
        reviewers:
          rules:
            - name: security review
              paths: ["**/auth/**"]
              from: { teams: [security] }
        registration:
          grace_days: 7
        external_accounts:
          remind_days_before: 30
        issues:
          ping_after_days: 14
        """).Config!;

    [Fact]
    public void No_repository_file_leaves_the_organisation_baseline()
    {
        var result = RepositoryConfigMerger.Merge(Organization, (RepositoryFile?)null);

        Assert.Same(Organization, result.Config);
        Assert.Empty(result.Findings);
    }

    public static TheoryData<string, Func<PolicyConfig, object>, object> Tightening => new()
    {
        { "branch_protection:\n  required_approving_review_count: 3", c => c.BranchProtection.RequiredApprovingReviewCount, 3 },
        { "branch_protection:\n  required_approving_review_count: 2", c => c.BranchProtection.RequiredApprovingReviewCount, 2 },
        { "branch_protection:\n  action: fix", c => c.BranchProtection.Action, PolicyAction.Fix },
        { "branch_protection:\n  block_merge: true", c => c.BranchProtection.BlockMerge, true },
        { "branch_protection:\n  require_code_owner_reviews: true", c => c.BranchProtection.RequireCodeOwnerReviews, true },
        { "branch_protection:\n  require_last_push_approval: true", c => c.BranchProtection.RequireLastPushApproval, true },
        { "branch_protection:\n  allow_force_pushes: false", c => c.BranchProtection.AllowForcePushes, false },
        { "branch_protection:\n  branches: [release/*]", c => string.Join(",", c.BranchProtection.Branches), "default,release/*" },
        { "branch_protection:\n  required_status_checks: [ci/build]", c => string.Join(",", c.BranchProtection.RequiredStatusChecks), "PolicyBot,ci/build" },
        { "code_owners:\n  block_merge: true", c => c.CodeOwners.BlockMerge, true },
        { "external_accounts:\n  action: issue", c => c.ExternalAccounts.Action, PolicyAction.Issue },
        { "registration:\n  grace_days: 2", c => c.Registration.GraceDays, 2 },
        { "registration:\n  required: [system]", c => string.Join(",", c.Registration.Required), "owner,lifecycle,description,system" },
        { "registration:\n  open_pull_request: false", c => c.Registration.OpenPullRequest, false },
        { "external_accounts:\n  remind_days_before: 90", c => c.ExternalAccounts.FirstReminderDays, 90 },
        // A reminder step later than the organisation's adds a reminder; the organisation's first one still comes.
        { "external_accounts:\n  remind_days_before: 5", c => string.Join(",", c.ExternalAccounts.RemindDaysBefore), "30,5" },
        { "external_accounts:\n  remind_days_before: [14, 1]", c => string.Join(",", c.ExternalAccounts.RemindDaysBefore), "30,14,1" },
        { "registration:\n  owner_access: admin", c => c.Registration.OwnerAccess, RepositoryAccess.Admin },
        { "issues:\n  ping_after_days: 7", c => c.Issues.PingAfterDays, 7 },
        { "reviewers:\n  request_reviews: false", c => c.Reviewers.RequestReviews, false },
    };

    [Theory]
    [MemberData(nameof(Tightening))]
    public void A_tightening_value_is_applied_without_findings(string yaml, Func<PolicyConfig, object> read, object expected)
    {
        var result = RepositoryConfigMerger.Merge(Organization, "version: 1\n" + yaml + "\n");

        Assert.Empty(result.Findings);
        Assert.Equal(expected, read(result.Config));
    }

    [Fact]
    public void Repository_reviewer_rules_are_appended_and_marked_as_from_the_repository()
    {
        var result = RepositoryConfigMerger.Merge(Organization, "reviewers:\n  rules:\n    - name: db review\n      paths: [\"**/*.sql\"]\n      approvals: 2\n");

        Assert.Empty(result.Findings);
        Assert.Collection(
            result.Config.Reviewers.Rules,
            r => Assert.Equal(("security review", "organization"), (r.Name, r.Origin)),
            r => Assert.Equal(("db review", "repository", 2), (r.Name, r.Origin, r.Approvals)));
    }

    [Theory]
    [InlineData("branch_protection:\n  required_approving_review_count: 1\n", "branch_protection.required_approving_review_count", "2", "1", "at least 2")]
    [InlineData("branch_protection:\n  action: log\n", "branch_protection.action", "issue", "log", "one of issue, fix")]
    [InlineData("branch_protection:\n  enforce_admins: false\n", "branch_protection.enforce_admins", "true", "false", "set it to true")]
    [InlineData("branch_protection:\n  allow_force_pushes: true\n", "branch_protection.allow_force_pushes", "false", "true", "set it to false")]
    [InlineData("branch_protection:\n  dismiss_stale_reviews: false\n", "branch_protection.dismiss_stale_reviews", "true", "false", "set it to true")]
    [InlineData("code_owners:\n  required: false\n", "code_owners.required", "true", "false", "set it to true")]
    [InlineData("reviewers:\n  enabled: false\n", "reviewers.enabled", "true", "false", "set it to true")]
    [InlineData("reviewers:\n  ignore_self_approval: false\n", "reviewers.ignore_self_approval", "true", "false", "set it to true")]
    [InlineData("registration:\n  grace_days: 30\n", "registration.grace_days", "7", "30", "at most 7")]
    [InlineData("issues:\n  ping_after_days: 0\n", "issues.ping_after_days", "14", "0", "from 1 to 14")]
    [InlineData("issues:\n  ping_after_days: 30\n", "issues.ping_after_days", "14", "30", "from 1 to 14")]
    [InlineData("registration:\n  owner_access: read\n", "registration.owner_access", "write", "read", "one of write, maintain, admin")]
    public void A_looser_value_is_ignored_and_reported_with_its_line(string yaml, string key, string organizationValue, string repositoryValue, string allowed)
    {
        var result = RepositoryConfigMerger.Merge(Organization, "version: 1\n" + yaml);

        Assert.Equal(Organization, result.Config);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(PolicyIds.Config, finding.Policy);
        Assert.Equal("loosens-baseline", finding.Code);
        Assert.Equal(key, finding.Subject);
        Assert.Equal(3, finding.Line);
        Assert.Contains($"`{key}: {repositoryValue}`", finding.Message, StringComparison.Ordinal);
        Assert.Contains($"`{key}: {organizationValue}`", finding.Message, StringComparison.Ordinal);
        Assert.Contains(".github/policybot.yml line 3", finding.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, finding.Remediation, StringComparison.Ordinal);
        Assert.StartsWith($"Remove `{key}`", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void Loosening_keys_are_ignored_while_tightening_siblings_apply()
    {
        var result = RepositoryConfigMerger.Merge(Organization, "branch_protection:\n  required_approving_review_count: 0\n  require_code_owner_reviews: true\n");

        Assert.Equal(2, result.Config.BranchProtection.RequiredApprovingReviewCount);
        Assert.True(result.Config.BranchProtection.RequireCodeOwnerReviews);
        Assert.Equal(2, Assert.Single(result.Findings).Line);
    }

    [Fact]
    public void An_organisation_that_never_pings_accepts_any_interval()
    {
        var quiet = Organization with { Issues = Organization.Issues with { PingAfterDays = 0 } };

        var result = RepositoryConfigMerger.Merge(quiet, "issues:\n  ping_after_days: 30\n");

        Assert.Empty(result.Findings);
        Assert.Equal(30, result.Config.Issues.PingAfterDays);
    }

    [Theory]
    [InlineData("scope:\n  include_archived: true\n", "scope.include_archived", 2)]
    [InlineData("scope:\n  exclude: [\"*\"]\n", "scope.exclude", 2)]
    [InlineData("exemptions:\n  - repos: [\"*\"]\n    policies: [branch_protection]\n    reason: no\n", "exemptions", 1)]
    [InlineData("issues:\n  repository: elsewhere\n", "issues.repository", 2)]
    [InlineData("issues:\n  label: mine\n", "issues.label", 2)]
    public void Organisation_only_keys_are_ignored_and_reported(string yaml, string key, int line)
    {
        var result = RepositoryConfigMerger.Merge(Organization, yaml);

        Assert.Equal(Organization, result.Config);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(("config", "not-allowed-in-repository", key, (int?)line), (finding.Policy, finding.Code, finding.Subject, finding.Line));
        Assert.Contains($"Remove `{key}`", finding.Remediation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("branch_protection:\n  action: [fix\n", 2)]
    [InlineData("version: 3\n", 1)]
    [InlineData("a: &x 1\nb: *x\n", 2)]
    public void A_file_that_does_not_parse_is_a_parse_error_and_the_baseline_applies_in_full(string yaml, int line)
    {
        var result = RepositoryConfigMerger.Merge(Organization, new RepositoryFile(".github/policybot.yml", yaml));

        Assert.Same(Organization, result.Config);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(("config", "parse-error", (int?)line), (finding.Policy, finding.Code, finding.Line));
        Assert.Contains($".github/policybot.yml line {line} cannot be used", finding.Message, StringComparison.Ordinal);
        Assert.Contains("organisation baseline applies in full", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_values_and_unknown_keys_are_reported_and_ignored()
    {
        var result = RepositoryConfigMerger.Merge(Organization, "branch_protection:\n  required_approving_review_count: -4\n  require_admins: true\n");

        Assert.Equal(Organization, result.Config);
        Assert.Collection(
            result.Findings,
            f => Assert.Equal(("invalid-value", "branch_protection.required_approving_review_count", (int?)2), (f.Code, f.Subject, f.Line)),
            f => Assert.Equal(("unknown-key", "branch_protection.require_admins", (int?)3), (f.Code, f.Subject, f.Line)));
    }

    [Fact]
    public void Findings_have_unique_keys()
    {
        var result = RepositoryConfigMerger.Merge(Organization, "scope:\n  include_forks: true\n  include_archived: true\nbranch_protection:\n  enforce_admins: false\n  allow_deletions: true\n");

        Assert.Equal(4, result.Findings.Count);
        Assert.Equal(result.Findings.Count, result.Findings.Select(f => f.Key).Distinct().Count());
    }
}
