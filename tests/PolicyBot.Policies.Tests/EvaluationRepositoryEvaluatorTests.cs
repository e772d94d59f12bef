using PolicyBot.Policies;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests;

public sealed class EvaluationRepositoryEvaluatorTests
{
    private const long AppId = 4242;
    private static readonly DateOnly Today = new(2026, 11, 27);

    private static readonly ClassicProtection TwoApprovals = new()
    {
        RequiredApprovingReviewCount = 2,
        DismissStaleReviews = true,
        RequiredStatusChecks = [new RequiredStatusCheck("PolicyBot", AppId)],
    };

    private static RepositorySnapshot Repo(string name = "payments", ClassicProtection? classic = null, string? policyFile = null) => new()
    {
        Owner = "acme",
        Name = name,
        DefaultBranch = "main",
        CreatedAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero),
        Branches = [new BranchProtectionState { Branch = "main", Classic = classic }],
        PolicyFile = policyFile is null ? null : new RepositoryFile(".github/policybot.yml", policyFile),
    };

    private static PolicyConfig Org(string yaml) => PolicyConfigParser.Parse(yaml).Config!;

    /// <summary>A registered policy that records what it was given, standing in for the other repository policies.</summary>
    private sealed class RecordingPolicy(string id, params Finding[] findings) : IRepositoryPolicy
    {
        public List<RepositoryPolicyContext> Calls { get; } = [];

        public string Id => id;

        public IReadOnlyList<Finding> Evaluate(RepositoryPolicyContext context)
        {
            Calls.Add(context);
            return findings;
        }
    }

    [Fact]
    public void Without_an_organisation_file_everything_is_evaluated_and_logged()
    {
        var evaluation = RepositoryEvaluator.Create().Evaluate(PolicyConfig.Default, Repo(), AppId, Today);

        Assert.True(evaluation.Evaluated);
        Assert.Equal([PolicyIds.BranchProtection, PolicyIds.CodeOwners, PolicyIds.Config], evaluation.Results.Select(r => r.Policy));
        Assert.All(evaluation.Results, r => Assert.Equal(PolicyAction.Log, r.Action));
        Assert.Equal("no-protection", Assert.Single(evaluation.For(PolicyIds.BranchProtection)!.Findings).Code);
        Assert.True(evaluation.For(PolicyIds.CodeOwners)!.Compliant);
        Assert.False(evaluation.Compliant);
        Assert.False(evaluation.For(PolicyIds.BranchProtection)!.Blocking);
    }

    [Fact]
    public void An_excluded_repository_is_not_evaluated()
    {
        var evaluation = RepositoryEvaluator.Create().Evaluate(Org("scope:\n  exclude: [sandbox-*]\n"), Repo("sandbox-x"), AppId, Today);

        Assert.False(evaluation.Evaluated);
        Assert.Empty(evaluation.Results);
        Assert.Contains("sandbox-*", evaluation.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_that_is_off_is_not_run()
    {
        var registration = new RecordingPolicy(PolicyIds.Registration);
        var evaluator = RepositoryEvaluator.Create(registration);

        var evaluation = evaluator.Evaluate(Org("branch_protection:\n  action: off\nregistration:\n  action: off\n"), Repo(), AppId, Today);

        Assert.Empty(registration.Calls);
        var result = evaluation.For(PolicyIds.BranchProtection)!;
        Assert.Equal(PolicyAction.Off, result.Action);
        Assert.Empty(result.Findings);
        Assert.Equal(PolicyAction.Off, evaluation.For(PolicyIds.Registration)!.Action);
    }

    [Fact]
    public void An_active_exemption_gives_its_reason_and_no_findings()
    {
        var org = Org("exemptions:\n  - repos: [legacy-*]\n    policies: [branch_protection]\n    reason: frozen mirror\n    expires: 2027-06-30\n");

        var result = RepositoryEvaluator.Create().Evaluate(org, Repo("legacy-billing"), AppId, Today).For(PolicyIds.BranchProtection)!;

        Assert.Empty(result.Findings);
        Assert.Equal("exempt by the organisation's policybot.yml (exemption for legacy-*) until 2027-06-30: frozen mirror", result.ExemptionReason);
    }

    [Fact]
    public void An_expired_exemption_no_longer_applies_and_says_so()
    {
        var org = Org("exemptions:\n  - repos: [legacy-*]\n    policies: [branch_protection]\n    reason: frozen mirror\n    expires: 2026-06-30\n");

        var result = RepositoryEvaluator.Create().Evaluate(org, Repo("legacy-billing"), AppId, Today).For(PolicyIds.BranchProtection)!;

        Assert.Null(result.ExemptionReason);
        Assert.Equal("no-protection", Assert.Single(result.Findings).Code);
        Assert.StartsWith("exemption for legacy-* (branch_protection) expired on 2026-06-30", Assert.Single(result.Notices), StringComparison.Ordinal);
    }

    [Fact]
    public void A_repository_file_tightens_what_the_policies_judge()
    {
        var evaluation = RepositoryEvaluator.Create().Evaluate(
            PolicyConfig.Default,
            Repo(classic: TwoApprovals, policyFile: "branch_protection:\n  required_approving_review_count: 3\n  action: issue\n"),
            AppId,
            Today);

        Assert.Equal(3, evaluation.Config.BranchProtection.RequiredApprovingReviewCount);
        var result = evaluation.For(PolicyIds.BranchProtection)!;
        Assert.Equal(PolicyAction.Issue, result.Action);
        Assert.Equal("approvals-below-baseline", Assert.Single(result.Findings).Code);
        Assert.True(evaluation.For(PolicyIds.Config)!.Compliant);
    }

    [Fact]
    public void A_loosening_repository_file_is_a_config_finding_and_the_baseline_still_judges()
    {
        var org = Org("branch_protection:\n  action: issue\n  required_approving_review_count: 3\n");

        var evaluation = RepositoryEvaluator.Create().Evaluate(
            org,
            Repo(classic: TwoApprovals, policyFile: "version: 1\nbranch_protection:\n  required_approving_review_count: 1\n"),
            AppId,
            Today);

        Assert.Equal("approvals-below-baseline", Assert.Single(evaluation.For(PolicyIds.BranchProtection)!.Findings).Code);
        var config = evaluation.For(PolicyIds.Config)!;
        var finding = Assert.Single(config.Findings);
        Assert.Equal(("loosens-baseline", (int?)3), (finding.Code, finding.Line));
        Assert.Equal(PolicyAction.Issue, config.Action);
        Assert.False(config.BlockMerge);
    }

    [Fact]
    public void A_repository_file_that_does_not_parse_leaves_the_baseline_in_full()
    {
        var evaluation = RepositoryEvaluator.Create().Evaluate(PolicyConfig.Default, Repo(classic: TwoApprovals, policyFile: "branch_protection: [\n"), AppId, Today);

        Assert.Equal(PolicyConfig.Default, evaluation.Config);
        Assert.Equal("parse-error", Assert.Single(evaluation.For(PolicyIds.Config)!.Findings).Code);
        Assert.True(evaluation.For(PolicyIds.BranchProtection)!.Compliant);
    }

    [Theory]
    [InlineData("branch_protection:\n  action: fix\n", PolicyAction.Issue)]
    [InlineData("code_owners:\n  action: issue\n", PolicyAction.Issue)]
    [InlineData("branch_protection:\n  action: off\ncode_owners:\n  action: off\n", PolicyAction.Log)]
    [InlineData("version: 1\n", PolicyAction.Log)]
    public void The_config_policy_follows_the_strictest_action_between_log_and_issue(string yaml, PolicyAction expected)
    {
        var result = RepositoryEvaluator.Create().Evaluate(Org(yaml), Repo(), AppId, Today).For(PolicyIds.Config)!;

        Assert.Equal(expected, result.Action);
    }

    [Fact]
    public void Plugged_in_policies_get_the_effective_config_directory_app_id_and_today()
    {
        var registration = new RecordingPolicy(PolicyIds.Registration, new Finding(PolicyIds.Registration, "missing", "m", "r"));
        var directory = new OrganizationDirectory { Login = "acme" };

        var evaluation = RepositoryEvaluator.Create(registration).Evaluate(
            PolicyConfig.Default, Repo(policyFile: "registration:\n  grace_days: 1\n"), AppId, Today, directory);

        var context = Assert.Single(registration.Calls);
        Assert.Equal((1, AppId, Today), (context.Config.Registration.GraceDays, context.AppId, context.Today));
        Assert.Same(directory, context.Directory);
        Assert.Equal(
            [PolicyIds.BranchProtection, PolicyIds.CodeOwners, PolicyIds.Registration, PolicyIds.Config],
            evaluation.Results.Select(r => r.Policy));
        Assert.Equal("missing", Assert.Single(evaluation.For(PolicyIds.Registration)!.Findings).Code);
    }

    [Theory]
    [InlineData(7, "2026-11-26", false)]
    [InlineData(7, "2026-11-27", true)]
    [InlineData(0, "2026-11-20", true)]
    public void Registration_blocks_merging_only_after_the_grace_days(int graceDays, string today, bool blocks)
    {
        var config = PolicyConfig.Default with { Registration = new RegistrationConfig { BlockMerge = true, GraceDays = graceDays } };

        Assert.Equal(blocks, RepositoryEvaluator.BlockMergeOf(config, PolicyIds.Registration, Repo(), DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_policy_returning_another_policys_finding_is_a_programming_error()
    {
        var wrong = new RecordingPolicy(PolicyIds.Registration, new Finding(PolicyIds.CodeOwners, "x", "m", "r"));

        Assert.Throws<InvalidOperationException>(() => RepositoryEvaluator.Create(wrong).Evaluate(PolicyConfig.Default, Repo(), AppId, Today));
    }

    [Fact]
    public void A_policy_cannot_be_registered_twice()
    {
        Assert.Throws<ArgumentException>(() => RepositoryEvaluator.Create(new RecordingPolicy(PolicyIds.BranchProtection)));
    }
}
