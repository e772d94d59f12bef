using PolicyBot.Policies;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests;

public sealed class EvaluationScopeTests
{
    private static RepositorySnapshot Repo(string name, bool archived = false, bool fork = false) =>
        new() { Owner = "acme", Name = name, DefaultBranch = "main", Archived = archived, Fork = fork };

    [Theory]
    [InlineData("payments", false, false, true, null)]
    [InlineData(".github", false, false, true, null)]
    [InlineData("sandbox-tom", false, false, false, "excluded by the scope.exclude pattern 'sandbox-*'")]
    [InlineData("Sandbox-Tom", false, false, false, "excluded by the scope.exclude pattern 'sandbox-*'")]
    [InlineData("scratch", false, false, false, "excluded by the scope.exclude pattern 'scratch'")]
    [InlineData("old", true, false, false, "archived and scope.include_archived is false")]
    [InlineData("upstream", false, true, false, "a fork and scope.include_forks is false")]
    public void Scope_excludes_by_glob_archived_and_forks(string name, bool archived, bool fork, bool evaluated, string? reason)
    {
        var scope = new ScopeConfig { Exclude = ["sandbox-*", "scratch"] };

        var decision = ScopeEvaluator.Evaluate(scope, Repo(name, archived, fork));

        Assert.Equal(evaluated, decision.Evaluated);
        if (reason is null)
        {
            Assert.Null(decision.Reason);
        }
        else
        {
            Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Archived_and_forks_are_evaluated_when_included()
    {
        var scope = new ScopeConfig { IncludeArchived = true, IncludeForks = true };

        Assert.True(ScopeEvaluator.Evaluate(scope, Repo("old", archived: true, fork: true)).Evaluated);
    }

    private static readonly ExemptionConfig Legacy = new()
    {
        Repos = ["legacy-*"],
        Policies = [PolicyIds.BranchProtection],
        Reason = "frozen, read-only mirror",
        Expires = new DateOnly(2026, 6, 30),
    };

    [Theory]
    [InlineData("legacy-billing", "branch_protection", "2026-06-29", true)]
    [InlineData("legacy-billing", "branch_protection", "2026-06-30", true)]
    [InlineData("legacy-billing", "branch_protection", "2026-07-01", false)]
    [InlineData("legacy-billing", "code_owners", "2026-01-01", false)]
    [InlineData("payments", "branch_protection", "2026-01-01", false)]
    public void An_exemption_applies_up_to_and_including_its_expiry_date(string repo, string policy, string today, bool exempted)
    {
        var status = ScopeEvaluator.Exemption([Legacy], repo, policy, DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(exempted, status.Exempted);
        if (exempted)
        {
            Assert.Equal("exempt by the organisation's policybot.yml (exemption for legacy-*) until 2026-06-30: frozen, read-only mirror", status.Reason);
            Assert.Empty(status.Notices);
        }
        else
        {
            Assert.Null(status.Reason);
        }
    }

    [Fact]
    public void An_expired_exemption_no_longer_applies_and_says_so()
    {
        var status = ScopeEvaluator.Exemption([Legacy], "legacy-billing", PolicyIds.BranchProtection, new DateOnly(2026, 11, 27));

        Assert.False(status.Exempted);
        var notice = Assert.Single(status.Notices);
        Assert.StartsWith("exemption for legacy-* (branch_protection) expired on 2026-06-30", notice, StringComparison.Ordinal);
    }

    [Fact]
    public void An_active_exemption_later_in_the_file_applies_after_an_expired_one()
    {
        var open = new ExemptionConfig { Repos = ["legacy-billing"], Policies = [PolicyIds.BranchProtection], Reason = "migrating" };

        var status = ScopeEvaluator.Exemption([Legacy, open], "legacy-billing", PolicyIds.BranchProtection, new DateOnly(2026, 11, 27));

        Assert.Same(open, status.Active);
        Assert.Equal("exempt by the organisation's policybot.yml (exemption for legacy-billing): migrating", status.Reason);
        Assert.Single(status.Notices);
    }

    [Theory]
    [InlineData(new[] { "default" }, new[] { "main", "dev" }, new[] { "main" })]
    [InlineData(new[] { "default", "release/*" }, new[] { "release/2", "main", "release/1", "dev" }, new[] { "main", "release/1", "release/2" })]
    [InlineData(new[] { "release/*" }, new[] { "main", "release/1", "release/a/b" }, new[] { "release/1" })]
    [InlineData(new[] { "release/**" }, new[] { "main", "release/1", "release/a/b" }, new[] { "release/1", "release/a/b" })]
    [InlineData(new[] { "main", "default" }, new[] { "main" }, new[] { "main" })]
    [InlineData(new[] { "Main" }, new[] { "main" }, new string[0])]
    [InlineData(new[] { "default", "stable" }, new[] { "dev" }, new string[0])]
    [InlineData(new[] { "default" }, new string[0], new string[0])]
    [InlineData(new[] { "rel[" }, new[] { "rel[" }, new string[0])]
    public void Branch_selection_resolves_default_and_globs_over_existing_branches(string[] patterns, string[] existing, string[] expected)
    {
        Assert.Equal(expected, BranchSelector.Select(patterns, "main", existing));
    }
}
