using System.Text;
using PolicyBot.Policies;
using PolicyBot.Policies.Configuration;

namespace PolicyBot.Policies.Tests;

public sealed class ConfigurationParserTests
{
    /// <summary>The full example of DESIGN section 2, lines marked example included.</summary>
    private const string DesignExample = """
        version: 1
        scope:
          exclude: ["sandbox-*"]
          include_archived: false
          include_forks: false
        branch_protection:
          action: log
          block_merge: false
          branches: [default]
          required_approving_review_count: 1
          dismiss_stale_reviews: true
          require_code_owner_reviews: false
          require_last_push_approval: false
          enforce_admins: false
          allow_force_pushes: false
          allow_deletions: false
          required_status_checks: []
        code_owners:
          action: log
          block_merge: false
          required: false
        reviewers:
          enabled: true
          ignore_self_approval: true
          invalidate_on_push: true
          request_reviews: true
          rules:
            - name: security review
              paths: ["**/auth/**", "**/*.sql"]
              branches: [default]
              approvals: 1
              from: { teams: [security], users: [] }
        registration:
          action: log
          block_merge: false
          grace_days: 7
          required: [owner, lifecycle, description]
          open_pull_request: true
        external_accounts:
          action: log
          remind_days_before: 30
        issues:
          label: policybot
          ping_after_days: 14
          repository: ""
        exemptions:
          - repos: ["legacy-*"]
            policies: [branch_protection]
            reason: "frozen, read-only mirror"
            expires: 2027-06-30
        """;

    [Fact]
    public void No_file_gives_the_built_in_defaults_with_every_action_log()
    {
        var result = PolicyConfigParser.Parse(null);

        Assert.Empty(result.Problems);
        var config = Assert.IsType<PolicyConfig>(result.Config);
        Assert.Equal(PolicyConfig.Default, config);
        Assert.All(
            new[] { config.BranchProtection.Action, config.CodeOwners.Action, config.Registration.Action, config.ExternalAccounts.Action },
            a => Assert.Equal(PolicyAction.Log, a));
        Assert.Equal(["default"], config.BranchProtection.Branches);
        Assert.Equal(1, config.BranchProtection.RequiredApprovingReviewCount);
        Assert.True(config.BranchProtection.DismissStaleReviews);
        Assert.Equal(["owner", "lifecycle", "description"], config.Registration.Required);
        Assert.Equal(14, config.Issues.PingAfterDays);
        Assert.Empty(config.Exemptions);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("~\n")]
    public void An_empty_file_is_an_error_on_line_1(string content)
    {
        var result = PolicyConfigParser.Parse(content);

        Assert.Null(result.Config);
        var problem = Assert.Single(result.Problems);
        Assert.True(problem.IsError);
        Assert.Equal(1, problem.Line);
        Assert.Contains("the file is empty", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_design_example_parses_without_problems()
    {
        var result = PolicyConfigParser.Parse(DesignExample);

        Assert.Empty(result.Problems);
        var config = result.Config!;
        Assert.Equal(["sandbox-*"], config.Scope.Exclude);
        var rule = Assert.Single(config.Reviewers.Rules);
        Assert.Equal("security review", rule.Name);
        Assert.Equal(["**/auth/**", "**/*.sql"], rule.Paths);
        Assert.Equal(["security"], rule.From!.Teams);
        Assert.Empty(rule.From.Users);
        Assert.Equal("organization", rule.Origin);
        var exemption = Assert.Single(config.Exemptions);
        Assert.Equal(["legacy-*"], exemption.Repos);
        Assert.Equal([PolicyIds.BranchProtection], exemption.Policies);
        Assert.Equal("frozen, read-only mirror", exemption.Reason);
        Assert.Equal(new DateOnly(2027, 6, 30), exemption.Expires);
    }

    public static TheoryData<string, Func<PolicyConfig, object>, object> EachKey => new()
    {
        { "scope:\n  exclude: [a-*, b]", c => string.Join(",", c.Scope.Exclude), "a-*,b" },
        { "scope:\n  include_archived: true", c => c.Scope.IncludeArchived, true },
        { "scope:\n  include_forks: true", c => c.Scope.IncludeForks, true },
        { "branch_protection:\n  action: fix", c => c.BranchProtection.Action, PolicyAction.Fix },
        { "branch_protection:\n  action: off", c => c.BranchProtection.Action, PolicyAction.Off },
        { "branch_protection:\n  block_merge: true", c => c.BranchProtection.BlockMerge, true },
        { "branch_protection:\n  branches: [default, release/*]", c => string.Join(",", c.BranchProtection.Branches), "default,release/*" },
        { "branch_protection:\n  required_approving_review_count: 3", c => c.BranchProtection.RequiredApprovingReviewCount, 3 },
        { "branch_protection:\n  dismiss_stale_reviews: false", c => c.BranchProtection.DismissStaleReviews, false },
        { "branch_protection:\n  require_code_owner_reviews: true", c => c.BranchProtection.RequireCodeOwnerReviews, true },
        { "branch_protection:\n  require_last_push_approval: true", c => c.BranchProtection.RequireLastPushApproval, true },
        { "branch_protection:\n  enforce_admins: true", c => c.BranchProtection.EnforceAdmins, true },
        { "branch_protection:\n  allow_force_pushes: true", c => c.BranchProtection.AllowForcePushes, true },
        { "branch_protection:\n  allow_deletions: true", c => c.BranchProtection.AllowDeletions, true },
        { "branch_protection:\n  required_status_checks: [PolicyBot, ci/build]", c => string.Join(",", c.BranchProtection.RequiredStatusChecks), "PolicyBot,ci/build" },
        { "code_owners:\n  action: issue", c => c.CodeOwners.Action, PolicyAction.Issue },
        { "code_owners:\n  block_merge: true", c => c.CodeOwners.BlockMerge, true },
        { "code_owners:\n  required: true", c => c.CodeOwners.Required, true },
        { "reviewers:\n  enabled: false", c => c.Reviewers.Enabled, false },
        { "reviewers:\n  ignore_self_approval: false", c => c.Reviewers.IgnoreSelfApproval, false },
        { "reviewers:\n  invalidate_on_push: false", c => c.Reviewers.InvalidateOnPush, false },
        { "reviewers:\n  request_reviews: false", c => c.Reviewers.RequestReviews, false },
        { "reviewers:\n  rules:\n    - name: two\n      approvals: 2", c => c.Reviewers.Rules[0].Approvals, 2 },
        { "reviewers:\n  rules:\n    - name: owners\n      from: { code_owners: true }", c => c.Reviewers.Rules[0].From!.CodeOwners, true },
        { "reviewers:\n  rules:\n    - name: people\n      from: { users: [alice] }", c => c.Reviewers.Rules[0].From!.Users[0], "alice" },
        { "reviewers:\n  rules:\n    - name: anyone", c => c.Reviewers.Rules[0].From is null && c.Reviewers.Rules[0].Paths.Count == 0, true },
        { "registration:\n  action: issue", c => c.Registration.Action, PolicyAction.Issue },
        { "registration:\n  block_merge: true", c => c.Registration.BlockMerge, true },
        { "registration:\n  grace_days: 3", c => c.Registration.GraceDays, 3 },
        { "registration:\n  required: [owner]", c => string.Join(",", c.Registration.Required), "owner" },
        { "registration:\n  open_pull_request: false", c => c.Registration.OpenPullRequest, false },
        { "external_accounts:\n  action: issue", c => c.ExternalAccounts.Action, PolicyAction.Issue },
        { "external_accounts:\n  remind_days_before: 60", c => c.ExternalAccounts.FirstReminderDays, 60 },
        { "issues:\n  label: compliance", c => c.Issues.Label, "compliance" },
        { "issues:\n  ping_after_days: 0", c => c.Issues.PingAfterDays, 0 },
        { "issues:\n  repository: compliance", c => c.Issues.Repository, "compliance" },
        { "exemptions:\n  - repos: [x]\n    policies: [code_owners]\n    reason: why", c => c.Exemptions[0].Expires is null && c.Exemptions[0].Reason == "why", true },
    };

    [Theory]
    [MemberData(nameof(EachKey))]
    public void Each_key_is_parsed(string yaml, Func<PolicyConfig, object> read, object expected)
    {
        var result = PolicyConfigParser.Parse("version: 1\n" + yaml + "\n");

        Assert.Empty(result.Problems);
        Assert.Equal(expected, read(result.Config!));
    }

    [Fact]
    public void A_missing_key_keeps_its_default_while_its_siblings_apply()
    {
        var config = PolicyConfigParser.Parse("branch_protection:\n  required_approving_review_count: 2\n").Config!;

        Assert.Equal(2, config.BranchProtection.RequiredApprovingReviewCount);
        Assert.True(config.BranchProtection.DismissStaleReviews);
        Assert.Equal(PolicyAction.Log, config.BranchProtection.Action);
        Assert.Equal(PolicyConfig.Default.CodeOwners, config.CodeOwners);
    }

    [Theory]
    [InlineData("version: 1\nbranch_protection:\n  requird_approving_review_count: 2\n", 3, "branch_protection.requird_approving_review_count", "did you mean 'required_approving_review_count'")]
    [InlineData("version: 1\nbranchprotection: {}\n", 2, "branchprotection", "did you mean 'branch_protection'")]
    [InlineData("reviewers:\n  rules:\n    - name: a\n      from: { teams: [x], groups: [y] }\n", 4, "reviewers.rules[0].from.groups", "unknown key 'groups'")]
    [InlineData("exemptions:\n  - repos: [a]\n    policies: [code_owners]\n    reason: r\n    until: 2027-01-01\n", 5, "exemptions[0].until", "unknown key 'until'")]
    public void An_unknown_key_at_any_level_is_an_error_with_its_line_and_the_file_is_not_applied(string yaml, int line, string path, string message)
    {
        var result = PolicyConfigParser.Parse(yaml);

        var problem = Assert.Single(result.Problems);
        Assert.True(problem.IsError);
        Assert.Equal(ConfigProblemKind.UnknownKey, problem.Kind);
        Assert.Equal(line, problem.Line);
        Assert.Equal(path, problem.Path);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.Null(result.Config);
        Assert.True(result.HasErrors);
    }

    [Theory]
    [InlineData("branch_protection:\n  action: enforce\n", 2, "branch_protection.action", "off, log, issue, fix")]
    [InlineData("branch_protection:\n  required_approving_review_count: -1\n", 2, "branch_protection.required_approving_review_count", "must not be negative")]
    [InlineData("branch_protection:\n  required_approving_review_count: 7\n", 2, "branch_protection.required_approving_review_count", "at most 6")]
    [InlineData("branch_protection:\n  required_approving_review_count: two\n", 2, "branch_protection.required_approving_review_count", "whole number")]
    [InlineData("branch_protection:\n  required_approving_review_count: \"2\"\n", 2, "branch_protection.required_approving_review_count", "whole number")]
    [InlineData("branch_protection:\n  enforce_admins: yes please\n", 2, "branch_protection.enforce_admins", "true or false")]
    [InlineData("branch_protection:\n  branches: main\n", 2, "branch_protection.branches", "must be a list")]
    [InlineData("branch_protection:\n  branches: []\n", 2, "branch_protection.branches", "at least one")]
    [InlineData("branch_protection:\n  branches:\n    - main\n    - \"release/[0-9\"\n", 4, "branch_protection.branches[1]", "never closed")]
    [InlineData("scope:\n  exclude: [\"sandbox-[z-a]\"]\n", 2, "scope.exclude[0]", "reversed")]
    [InlineData("scope: [a]\n", 1, "scope", "must be a mapping")]
    [InlineData("registration:\n  grace_days: -3\n", 2, "registration.grace_days", "must not be negative")]
    [InlineData("registration:\n  required: [owner, colour]\n", 2, "registration.required[1]", "not a catalog-info.yaml field")]
    [InlineData("external_accounts:\n  remind_days_before: -1\n", 2, "external_accounts.remind_days_before", "must not be negative")]
    [InlineData("issues:\n  ping_after_days: -14\n", 2, "issues.ping_after_days", "must not be negative")]
    [InlineData("issues:\n  repository: \"not a repo\"\n", 2, "issues.repository", "repository name")]
    [InlineData("issues:\n  repository: \"..\"\n", 2, "issues.repository", "repository name")]
    [InlineData("issues:\n  repository: \".\"\n", 2, "issues.repository", "repository name")]
    [InlineData("reviewers:\n  rules:\n    - name: r\n      approvals: 0\n", 4, "reviewers.rules[0].approvals", "at least 1")]
    [InlineData("reviewers:\n  rules:\n    - paths: [\"**\"]\n", 3, "reviewers.rules[0].name", "needs a name")]
    [InlineData("reviewers:\n  rules:\n    - name: r\n      from: {}\n", 4, "reviewers.rules[0].from", "nobody could approve")]
    [InlineData("reviewers:\n  rules:\n    - name: r\n    - name: R\n", 4, "reviewers.rules[1].name", "already named")]
    public void An_invalid_value_is_an_error_with_its_line_and_path(string yaml, int line, string path, string message)
    {
        var result = PolicyConfigParser.Parse(yaml);

        var problem = Assert.Single(result.Problems);
        Assert.True(problem.IsError);
        Assert.Equal(line, problem.Line);
        Assert.Equal(path, problem.Path);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.True(result.HasErrors);
    }

    [Fact]
    public void A_file_with_one_invalid_value_is_not_half_applied()
    {
        var result = PolicyConfigParser.Parse("branch_protection:\n  action: issue\n  required_approving_review_count: -2\n  enforce_admins: true\n");

        Assert.Single(result.Problems);
        Assert.Null(result.Config);
    }

    [Theory]
    [InlineData("exemptions:\n  - repos: [a]\n    policies: [branch_protection]\n    reason: r\n    expires: 2027-02-30\n", 5, "exemptions[0].expires", "YYYY-MM-DD")]
    [InlineData("exemptions:\n  - repos: [a]\n    policies: [branch_protection]\n    reason: r\n    expires: next year\n", 5, "exemptions[0].expires", "YYYY-MM-DD")]
    [InlineData("exemptions:\n  - repos: [a]\n    policies: [branch_protecton]\n    reason: r\n", 3, "exemptions[0].policies[0]", "is not a policy")]
    [InlineData("exemptions:\n  - repos: [a]\n    policies: [branch_protection]\n", 2, "exemptions[0].reason", "needs 'reason'")]
    public void An_invalid_exemption_is_an_error_with_its_line(string yaml, int line, string path, string message)
    {
        var result = PolicyConfigParser.Parse(yaml);

        Assert.Contains(result.Problems, p => p.IsError && p.Line == line && p.Path == path && p.Message.Contains(message, StringComparison.Ordinal));
        Assert.Null(result.Config);
    }

    [Theory]
    [InlineData("version: 1\n")]
    [InlineData("version: \"1\"\n")]
    [InlineData("version:\n")]
    public void Version_1_quoted_or_not_or_left_empty_is_accepted(string yaml)
    {
        var result = PolicyConfigParser.Parse(yaml);

        Assert.Empty(result.Problems);
        Assert.Equal(PolicyConfig.Default, result.Config);
    }

    [Fact]
    public void A_quoted_date_is_accepted_for_expires()
    {
        var result = PolicyConfigParser.Parse("exemptions:\n  - repos: [a]\n    policies: [reviewers]\n    reason: r\n    expires: \"2026-12-31\"\n");

        Assert.Empty(result.Problems);
        Assert.Equal(new DateOnly(2026, 12, 31), result.Config!.Exemptions[0].Expires);
    }

    [Theory]
    [InlineData("version: 2\n", 1, "version 2 is not supported")]
    [InlineData("version: one\n", 1, "whole number")]
    public void An_unsupported_version_makes_the_file_unusable(string yaml, int line, string message)
    {
        var result = PolicyConfigParser.Parse(yaml + "branch_protection:\n  action: fix\n");

        Assert.Null(result.Config);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(line, problem.Line);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version: 1\nbranch_protection:\n  action: [log\n", 3)]
    [InlineData("version: 1\nbranch_protection:\n  action: log\n   block_merge: true\n", 4)]
    [InlineData("version: 1\nscope:\n  include_forks: true\nscope:\n  include_forks: false\n", 4)]
    public void Malformed_yaml_gives_its_line_and_no_config(string yaml, int line)
    {
        var result = PolicyConfigParser.Parse(yaml);

        Assert.Null(result.Config);
        var problem = Assert.Single(result.Problems);
        Assert.True(problem.IsError);
        Assert.Equal(line, problem.Line);
        Assert.False(string.IsNullOrWhiteSpace(problem.Message));
    }

    [Fact]
    public void An_alias_bomb_is_refused()
    {
        var bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 'b'; level <= 'j'; level++)
        {
            var previous = (char)(level - 1);
            bomb.Append(level).Append(": &").Append(level).Append(" [");
            bomb.AppendJoin(",", Enumerable.Repeat($"*{previous}", 9));
            bomb.Append("]\n");
        }

        var result = PolicyConfigParser.Parse(bomb.ToString());

        Assert.Null(result.Config);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(2, problem.Line);
        Assert.Contains("aliases", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversize_file_is_refused()
    {
        var huge = "version: 1\n" + string.Concat(Enumerable.Repeat("# padding padding padding padding padding padding\n", 6000));

        var result = PolicyConfigParser.Parse(huge);

        Assert.Null(result.Config);
        Assert.Contains("larger than", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("- a\n- b\n", "must be a YAML mapping")]
    [InlineData("just text\n", "must be a YAML mapping")]
    [InlineData("version: 1\n---\nversion: 1\n", "one YAML document")]
    public void A_file_that_is_not_a_single_mapping_cannot_be_used(string yaml, string message)
    {
        var result = PolicyConfigParser.Parse(yaml);

        Assert.Null(result.Config);
        Assert.Contains(message, Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_render_with_line_and_path()
    {
        var problem = PolicyConfigParser.Parse("branch_protection:\n  action: maybe\n").Problems.Single();

        Assert.Equal("line 2: branch_protection.action: must be one of off, log, issue, fix, not 'maybe'", problem.ToString());
    }

    private static readonly Snapshots.OrganizationDirectory Acme = new()
    {
        Login = "acme",
        Members = new HashSet<string>(["alice", "carol"], StringComparer.OrdinalIgnoreCase),
        Teams = new Dictionary<string, Snapshots.TeamSnapshot>(StringComparer.OrdinalIgnoreCase)
        {
            ["security"] = new("security", null, ["carol"]),
        },
    };

    [Theory]
    [InlineData("from: { teams: [securty] }", "reviewers.rules[0].from.teams[0]", "there is no team 'securty' in acme; did you mean 'security'?")]
    [InlineData("from: { teams: [other/security] }", "reviewers.rules[0].from.teams[0]", "names a team of 'other'")]
    [InlineData("from: { users: [alcie] }", "reviewers.rules[0].from.users[0]", "'alcie' is not a member of acme; did you mean 'alice'?")]
    public void With_the_organisation_directory_an_unknown_team_or_user_is_an_error_with_its_line(string from, string path, string message)
    {
        var yaml = $"reviewers:\n  rules:\n    - name: r\n      {from}\n";

        var result = PolicyConfigParser.Parse(yaml, Acme);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(4, problem.Line);
        Assert.Equal(path, problem.Path);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.Null(result.Config);
        Assert.Empty(PolicyConfigParser.Parse($"reviewers:\n  rules:\n    - name: r\n      from: {{ teams: [security, acme/security], users: [alice] }}\n", Acme).Problems);
    }

    [Fact]
    public void A_list_longer_than_the_limit_is_an_error()
    {
        var rules = string.Concat(Enumerable.Range(0, PolicyConfigParser.MaxListEntries + 1).Select(i => $"    - name: r{i}\n"));

        var result = PolicyConfigParser.Parse("reviewers:\n  rules:\n" + rules);

        var problem = Assert.Single(result.Problems);
        Assert.Equal("reviewers.rules", problem.Path);
        Assert.Contains($"at most {PolicyConfigParser.MaxListEntries} entries", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("**/a/**/b/**/c/**/d", "at most 3 '**' segments")]
    [InlineData("**/**/**/**/**/**/**/**/x", "at most 3 '**' segments")]
    public void A_glob_too_costly_to_match_is_an_error_with_its_line(string glob, string message)
    {
        var result = PolicyConfigParser.Parse($"version: 1\nreviewers:\n  rules:\n    - name: r\n      paths: [\"{glob}\"]\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal(5, problem.Line);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }
}
