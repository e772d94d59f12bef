using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests;

/// <summary>Tiers (DESIGN section 2): parsing, matching, merging in order and the source of every value.</summary>
public sealed class TierTests
{
    private const string OrganizationFile = """
        version: 1
        branch_protection:
          required_approving_review_count: 1
          required_status_checks: [PolicyBot]
        reviewers:
          rules:
            - name: security review
              from: { teams: [security] }
        tiers:
          - name: production
            match: { lifecycle: [production] }
            branch_protection: { required_approving_review_count: 2, required_status_checks: [ci/build] }
            code_owners: { required: true }
          - name: critical
            match: { properties: { tier: [critical, tier-0] } }
            branch_protection: { enforce_admins: true, required_approving_review_count: 3 }
            reviewers:
              rules:
                - name: second pair of eyes
                  approvals: 2
            registration: { owner_access: admin }
            external_accounts: { remind_days_before: [30, 7, 1] }
          - name: payments
            match: { lifecycle: [production], properties: { domain: payments } }
            branch_protection: { required_approving_review_count: 2 }
        """;

    private static readonly PolicyConfig Organization = Parse(OrganizationFile);

    private static PolicyConfig Parse(string yaml)
    {
        var result = PolicyConfigParser.Parse(yaml);
        Assert.Empty(result.Problems);
        return result.Config!;
    }

    private static Dictionary<string, IReadOnlyList<string>> Properties(params (string Name, string[] Values)[] properties) =>
        properties.ToDictionary(p => p.Name, p => (IReadOnlyList<string>)p.Values, StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void Tiers_are_read_with_their_match_and_only_the_keys_they_set()
    {
        Assert.Equal(["production", "critical", "payments"], Organization.Tiers.Select(t => t.Name));
        var production = Organization.Tiers[0];
        Assert.Equal(["production"], production.Match.Lifecycle);
        Assert.Empty(production.Match.Properties);
        Assert.Equal(10, production.Line);
        Assert.Contains("branch_protection.required_approving_review_count", production.SetKeys.Keys);
        Assert.DoesNotContain("branch_protection.enforce_admins", production.SetKeys.Keys);

        var critical = Organization.Tiers[1];
        Assert.Equal(["critical", "tier-0"], critical.Match.Properties["tier"]);
        Assert.Equal([30, 7, 1], critical.Settings.ExternalAccounts.RemindDaysBefore);
        Assert.Equal(["payments"], Organization.Tiers[2].Match.Properties["domain"]);
    }

    [Theory]
    [InlineData("production", "", "production")]
    [InlineData("Production", "", "production")]
    [InlineData("experimental", "", "")]
    [InlineData(null, "", "")]
    [InlineData(null, "tier=critical", "critical")]
    [InlineData("production", "tier=tier-0", "production,critical")]
    [InlineData("production", "domain=payments", "production,payments")]
    [InlineData("experimental", "domain=payments", "")]
    [InlineData("production", "tier=gold", "production")]
    public void A_repository_takes_every_tier_whose_every_condition_holds(string? lifecycle, string property, string expected)
    {
        var properties = property.Length == 0 ? Properties() : Properties((property.Split('=')[0], [property.Split('=')[1]]));

        var tiers = RepositoryConfigMerger.MatchingTiers(Organization, lifecycle, properties);

        Assert.Equal(expected, string.Join(",", tiers.Select(t => t.Name)));
    }

    [Fact]
    public void A_multi_select_property_matches_when_any_of_its_values_is_listed()
    {
        var tiers = RepositoryConfigMerger.MatchingTiers(Organization, null, Properties(("tier", ["gold", "critical"])));

        Assert.Equal(["critical"], tiers.Select(t => t.Name));
    }

    [Fact]
    public void The_effective_baseline_is_the_organisation_then_each_tier_then_the_repository_file_with_the_source_of_each_value()
    {
        var tiers = RepositoryConfigMerger.MatchingTiers(Organization, "production", Properties(("tier", ["critical"])));
        const string RepositoryFile = """
            version: 1
            branch_protection:
              required_approving_review_count: 4
              allow_deletions: false
            reviewers:
              rules:
                - name: docs review
                  paths: ["docs/**"]
            """;

        var result = RepositoryConfigMerger.Merge(Organization, RepositoryFile, tiers: tiers);

        Assert.Empty(result.Findings);
        Assert.Equal(["production", "critical"], result.Tiers);
        var config = result.Config;
        Assert.Equal(4, config.BranchProtection.RequiredApprovingReviewCount);
        Assert.True(config.BranchProtection.EnforceAdmins);
        Assert.True(config.CodeOwners.Required);
        Assert.Equal(RepositoryAccess.Admin, config.Registration.OwnerAccess);
        Assert.Equal(["PolicyBot", "ci/build"], config.BranchProtection.RequiredStatusChecks);
        Assert.Equal(
            ["security review:organization", "second pair of eyes:tier:critical", "docs review:repository"],
            config.Reviewers.Rules.Select(r => $"{r.Name}:{r.Origin}"));

        var baseline = result.Baseline.ToDictionary(v => v.Key);
        Assert.Equal(("4", "repository"), (baseline["branch_protection.required_approving_review_count"].Value, Single(baseline["branch_protection.required_approving_review_count"])));
        Assert.Equal(("true", "tier:critical"), (baseline["branch_protection.enforce_admins"].Value, Single(baseline["branch_protection.enforce_admins"])));
        Assert.Equal(("true", "tier:production"), (baseline["code_owners.required"].Value, Single(baseline["code_owners.required"])));
        Assert.Equal(("admin", "tier:critical"), (baseline["registration.owner_access"].Value, Single(baseline["registration.owner_access"])));
        Assert.Equal(("[30, 7, 1]", "tier:critical"), (baseline["external_accounts.remind_days_before"].Value, baseline["external_accounts.remind_days_before"].Sources[^1]));
        // Unchanged by anyone: the organisation's (here its built-in default).
        Assert.Equal(("false", "organization"), (baseline["branch_protection.allow_deletions"].Value, Single(baseline["branch_protection.allow_deletions"])));
        // A list merged by union names every contributor.
        Assert.Equal(["organization", "tier:production"], baseline["branch_protection.required_status_checks"].Sources);
        Assert.Equal(["organization", "tier:critical", "repository"], baseline["reviewers.rules"].Sources);
    }

    private static string Single(BaselineValue value) => Assert.Single(value.Sources);

    [Fact]
    public void Of_two_tiers_setting_one_key_the_tighter_value_stays_whatever_their_order()
    {
        // production asks 2 approvals, critical 3; payments (after both) asks 2 again, which must not lower it.
        var tiers = RepositoryConfigMerger.MatchingTiers(Organization, "production", Properties(("tier", ["critical"]), ("domain", ["payments"])));

        var result = RepositoryConfigMerger.Merge(Organization, null, tiers: tiers);

        Assert.Equal(["production", "critical", "payments"], result.Tiers);
        Assert.Equal(3, result.Config.BranchProtection.RequiredApprovingReviewCount);
        Assert.Equal(["tier:critical"], result.Baseline.Single(v => v.Key == "branch_protection.required_approving_review_count").Sources);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_repository_file_looser_than_its_tier_is_reported_against_the_tier()
    {
        var tiers = RepositoryConfigMerger.MatchingTiers(Organization, "production", Properties());

        var result = RepositoryConfigMerger.Merge(Organization, "version: 1\ncode_owners:\n  required: false\n", tiers: tiers);

        Assert.True(result.Config.CodeOwners.Required);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(RepositoryConfigMerger.LoosensBaselineCode, finding.Code);
        Assert.Equal("code_owners.required", finding.Subject);
        Assert.Contains("set by tier production", finding.Message, StringComparison.Ordinal);
        Assert.Equal(3, finding.Line);
    }

    [Fact]
    public void A_tier_value_looser_than_the_organisation_is_ignored_and_reported_with_its_line()
    {
        var parsed = PolicyConfigParser.Parse("""
            version: 1
            branch_protection:
              required_approving_review_count: 2
              enforce_admins: true
            tiers:
              - name: experiments
                match: { lifecycle: [experimental] }
                branch_protection:
                  required_approving_review_count: 0
                  enforce_admins: false
                  allow_deletions: false
            """);

        var problems = parsed.Problems;
        Assert.Equal(2, problems.Count);
        Assert.All(problems, p => Assert.Equal(ConfigProblemSeverity.Warning, p.Severity));
        Assert.Equal((9, "tiers[0].branch_protection.required_approving_review_count"), (problems[0].Line, problems[0].Path));
        Assert.Contains("a tier may only tighten", problems[0].Message, StringComparison.Ordinal);
        Assert.Equal((10, "tiers[0].branch_protection.enforce_admins"), (problems[1].Line, problems[1].Path));

        var config = parsed.Config!;
        var result = RepositoryConfigMerger.Merge(config, null, tiers: RepositoryConfigMerger.MatchingTiers(config, "experimental", Properties()));
        Assert.Equal(2, result.Config.BranchProtection.RequiredApprovingReviewCount);
        Assert.True(result.Config.BranchProtection.EnforceAdmins);
        Assert.Equal(["organization"], result.Baseline.Single(v => v.Key == "branch_protection.enforce_admins").Sources);
    }

    [Theory]
    [InlineData("  - name: prod\n    match: { lifecycle: [production] }\n    branch_protetion: { enforce_admins: true }\n", 9, "tiers[0].branch_protetion", "did you mean 'branch_protection'?")]
    [InlineData("  - name: prod\n    match: { lifecycle: [production] }\n    scope: { include_forks: true }\n", 9, "tiers[0].scope", "unknown key 'scope'")]
    [InlineData("  - name: prod\n    match: { lifecycles: [production] }\n", 8, "tiers[0].match.lifecycles", "did you mean 'lifecycle'?")]
    [InlineData("  - name: prod\n    match: { lifecycle: [production] }\n    branch_protection: { required_approving_review_count: many }\n", 9, "tiers[0].branch_protection.required_approving_review_count", "must be a whole number")]
    [InlineData("  - match: { lifecycle: [production] }\n", 7, "tiers[0].name", "a tier needs a 'name'")]
    [InlineData("  - name: prod\n    branch_protection: { enforce_admins: true }\n", 7, "tiers[0].match", "a tier needs 'match'")]
    [InlineData("  - name: prod\n    match: {}\n", 8, "tiers[0].match", "must name a lifecycle and/or properties")]
    [InlineData("  - name: prod\n    match: { lifecycle: [production] }\n  - name: Prod\n    match: { lifecycle: [experimental] }\n", 9, "tiers[1].name", "already named")]
    public void A_tier_with_an_unknown_key_or_an_unusable_value_is_an_error_with_its_line(string tiers, int line, string path, string message)
    {
        var problems = PolicyFileValidator.Validate("version: 1\nbranch_protection:\n  action: log\n\n\ntiers:\n" + tiers, isRepositoryFile: false);

        var problem = Assert.Single(problems, p => p.Path == path && p.Message.Contains(message, StringComparison.Ordinal));
        Assert.True(problem.IsError);
        Assert.Equal(line, problem.Line);
    }

    [Fact]
    public void A_tier_without_a_usable_match_is_not_applied()
    {
        // Fail closed: a file with any error is applied not at all, so neither is the tier.
        var result = PolicyConfigParser.Parse("version: 1\ntiers:\n  - name: prod\n    match: { lifecycles: [production] }\n    code_owners: { required: true }\n");

        Assert.True(result.HasErrors);
        Assert.Null(result.Config);
    }

    [Fact]
    public void A_property_the_organisation_does_not_define_is_an_error_naming_the_closest_one()
    {
        var problems = PolicyFileValidator.Validate(OrganizationFile, isRepositoryFile: false, customPropertyNames: ["tiers", "domain"]);

        var problem = Assert.Single(problems);
        Assert.True(problem.IsError);
        Assert.Equal("tiers[1].match.properties.tier", problem.Path);
        Assert.Equal(15, problem.Line);
        Assert.Contains("did you mean 'tiers'?", problem.Message, StringComparison.Ordinal);

        Assert.Empty(PolicyFileValidator.Validate(OrganizationFile, isRepositoryFile: false, customPropertyNames: ["tier", "domain"]));
    }

    [Fact]
    public void A_repository_file_cannot_declare_tiers()
    {
        var problems = PolicyFileValidator.Validate("version: 1\ntiers:\n  - name: mine\n    match: { lifecycle: [experimental] }\n", isRepositoryFile: true);

        Assert.Contains(problems, p => p.IsError && p.Path == "tiers" && p.Line == 2);
    }

    [Fact]
    public void The_evaluator_applies_the_tiers_of_the_repository_lifecycle_and_properties_and_reports_them()
    {
        var repository = new RepositorySnapshot
        {
            Owner = "acme",
            Name = "payments",
            DefaultBranch = "main",
            CatalogInfo = new RepositoryFile("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\nspec:\n  lifecycle: production\n  owner: group:platform\n"),
            Lifecycle = "production",
            CustomProperties = Properties(("tier", ["critical"])),
        };

        var evaluation = RepositoryEvaluator.Create().Evaluate(Organization, repository, appId: 1, today: new DateOnly(2026, 12, 6));

        Assert.Equal(["production", "critical"], evaluation.Tiers);
        Assert.Equal(3, evaluation.Config.BranchProtection.RequiredApprovingReviewCount);
        var codeOwners = evaluation.For(PolicyIds.CodeOwners)!;
        Assert.Contains(codeOwners.Findings, f => f.Code == "missing");
        Assert.Contains(evaluation.Baseline, v => v.Key == "code_owners.required" && v.Sources.SequenceEqual(["tier:production"]));
    }
}
