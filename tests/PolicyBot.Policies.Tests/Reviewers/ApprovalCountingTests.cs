using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Reviewers;
using PolicyBot.Policies.Snapshots;
using static PolicyBot.Policies.Tests.Reviewers.ReviewerRulesEvaluatorTests;

namespace PolicyBot.Policies.Tests.Reviewers;

/// <summary>
/// Which approvals count (issue 12): contributors' approvals, renamed files, an incomplete files list and a
/// repository exempt from <c>reviewers</c>; and that the check run says why.
/// </summary>
public sealed class ApprovalCountingTests
{
    private static PullRequestEvaluation Evaluate(ReviewersConfig config, PullRequestSnapshot pull, ExemptionStatus? exemption = null) =>
        ReviewerRulesEvaluator.Evaluate(config, "main", pull, Org, null, [], exemption);

    [Fact]
    public void An_approval_from_someone_who_committed_to_the_pull_request_does_not_count()
    {
        // erin opened it; bob pushed a commit to it and then approved: he reviewed his own work.
        var pull = Pull([Review("bob", "APPROVED")]) with { Contributors = ["erin", "bob"] };

        var evaluation = Evaluate(Config(Rule()), pull);

        Assert.Equal("failure", evaluation.Conclusion);
        var rule = Assert.Single(evaluation.Rules);
        Assert.Equal([new IgnoredApproval("bob", IgnoredReasons.Contributor)], rule.IgnoredApprovals);
        Assert.Empty(ReviewerRulesEvaluator.ApproversNeedingWriteAccess(Config(Rule()), "main", pull, Org, null));

        var summary = CheckRunReport.Build(evaluation, [], []).Summary;
        Assert.Contains("@bob (contributor)", summary, StringComparison.Ordinal);
        Assert.Contains("- @bob: authored or committed commits of this pull request, so is not an independent reviewer (`reviewers.ignore_contributor_approval`)", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_contributor_is_not_offered_as_a_reviewer_who_can_still_approve()
    {
        var pull = Pull([]) with { Contributors = ["bob"] };

        var rule = Assert.Single(Evaluate(Config(Rule(from: new ReviewerSourceConfig { Users = ["bob", "carol"] })), pull).Rules);

        Assert.Equal(["carol"], rule.CandidateUsers);
    }

    [Fact]
    public void With_ignore_contributor_approval_off_a_contributors_approval_counts()
    {
        var pull = Pull([Review("bob", "APPROVED")]) with { Contributors = ["bob"] };
        var config = Config(Rule()) with { IgnoreContributorApproval = false };

        Assert.Equal("success", Evaluate(config, pull).Conclusion);
        Assert.Equal(["bob"], ReviewerRulesEvaluator.ApproversNeedingWriteAccess(config, "main", pull, Org, null));
    }

    [Fact]
    public void The_default_ignores_contributors()
    {
        Assert.True(new ReviewersConfig().IgnoreContributorApproval);
        Assert.True(PolicyConfigParser.Parse("version: 1\n").Config!.Reviewers.IgnoreContributorApproval);
        Assert.False(PolicyConfigParser.Parse("version: 1\nreviewers:\n  ignore_contributor_approval: false\n").Config!.Reviewers.IgnoreContributorApproval);
    }

    [Fact]
    public void A_rule_for_a_path_applies_to_a_file_moved_out_of_it_and_names_the_files()
    {
        // The reader lists a renamed file under its previous path too: src/auth/login.cs moved to src/legacy/login.cs.
        var pull = Pull([], files: ["src/legacy/login.cs", "src/auth/login.cs"]);
        var config = Config(Rule(paths: ["src/auth/**"]) with { Name = "security review" });

        var evaluation = Evaluate(config, pull);

        var rule = Assert.Single(evaluation.Rules);
        Assert.True(rule.Applies);
        Assert.Equal(["src/auth/login.cs"], rule.MatchingFiles);
        Assert.Contains("- security review: changes `src/auth/login.cs`", CheckRunReport.Build(evaluation, [], []).Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void An_incomplete_files_list_makes_every_path_scoped_rule_apply_and_the_check_says_so()
    {
        var pull = Pull([], files: ["docs/a.md"]) with { ChangedFilesComplete = false };
        var config = Config(Rule(paths: ["src/auth/**"]) with { Name = "security review" }, Rule(paths: ["docs/**"]) with { Name = "docs review" });

        var evaluation = Evaluate(config, pull);

        Assert.All(evaluation.Rules, r => Assert.True(r.Applies));
        Assert.True(evaluation.Rules[0].AppliesBecauseFilesIncomplete);
        Assert.False(evaluation.Rules[1].AppliesBecauseFilesIncomplete);
        var summary = CheckRunReport.Build(evaluation, [], []).Summary;
        Assert.Contains("changes more files than GitHub lists (3,000)", summary, StringComparison.Ordinal);
        Assert.Contains("- security review: not every changed file could be listed", summary, StringComparison.Ordinal);

        // Complete, the same list leaves the security rule out.
        Assert.False(Evaluate(config, pull with { ChangedFilesComplete = true }).Rules[0].Applies);
    }

    [Fact]
    public void An_exempt_repository_passes_with_a_check_naming_the_exemption_and_expiry()
    {
        var exemptions = new[] { new ExemptionConfig { Repos = ["legacy-*"], Policies = [PolicyIds.Reviewers], Reason = "frozen mirror", Expires = new DateOnly(2027, 6, 30) } };
        var status = ScopeEvaluator.Exemption(exemptions, "legacy-billing", PolicyIds.Reviewers, new DateOnly(2027, 1, 1));

        var evaluation = Evaluate(Config(Rule(approvals: 2)), Pull([]), status);

        Assert.Equal("success", evaluation.Conclusion);
        Assert.Empty(evaluation.UnmetRuleNames);
        var output = CheckRunReport.Build(evaluation, [], []);
        Assert.Equal("Exempt from reviewer rules", output.Title);
        Assert.Contains("until 2027-06-30: frozen mirror", output.Summary, StringComparison.Ordinal);

        // A blocking repository policy still fails it: the exemption covers reviewers only.
        var blocking = new PolicyResult(PolicyIds.Registration, PolicyAction.Issue, true, [new Finding(PolicyIds.Registration, "missing", "m", "r")]);
        Assert.Equal("failure", ReviewerRulesEvaluator.Evaluate(Config(Rule()), "main", Pull([]), Org, null, [blocking], status).Conclusion);
    }

    [Fact]
    public void An_expired_exemption_no_longer_applies_and_the_check_says_so()
    {
        var exemptions = new[] { new ExemptionConfig { Repos = ["legacy-*"], Policies = [PolicyIds.Reviewers], Reason = "frozen mirror", Expires = new DateOnly(2026, 6, 30) } };
        var status = ScopeEvaluator.Exemption(exemptions, "legacy-billing", PolicyIds.Reviewers, new DateOnly(2026, 7, 1));

        var evaluation = Evaluate(Config(Rule()), Pull([]), status);

        Assert.Equal("failure", evaluation.Conclusion);
        Assert.Null(evaluation.Exemption);
        Assert.Contains("> exemption for legacy-* (reviewers) expired on 2026-06-30", CheckRunReport.Build(evaluation, [], []).Summary, StringComparison.Ordinal);
    }
}
