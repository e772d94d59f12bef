using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Reviewers;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests.Reviewers;

public sealed class ReviewerRulesEvaluatorTests
{
    private const string Head = "bbbbbbb";
    private const string Earlier = "aaaaaaa";

    internal static readonly OrganizationDirectory Org = new()
    {
        Login = "acme",
        Members = new HashSet<string>(["alice", "bob", "carol", "dave", "erin", "frank"], StringComparer.OrdinalIgnoreCase),
        Teams = new Dictionary<string, TeamSnapshot>(StringComparer.OrdinalIgnoreCase)
        {
            ["platform"] = new("platform", null, ["alice", "bob"]),
            ["security"] = new("security", "platform", ["carol"]),
            ["appsec"] = new("appsec", "security", ["frank"]),
            ["ops"] = new("ops", null, ["dave", "alice"]),
        },
    };

    private static int clock;

    internal static ReviewSnapshot Review(string user, string state, string commit = Head, string association = "MEMBER") =>
        new(Interlocked.Increment(ref clock), user, state, commit, DateTimeOffset.UnixEpoch.AddMinutes(Interlocked.Increment(ref clock)), association);

    internal static PullRequestSnapshot Pull(IReadOnlyList<ReviewSnapshot> reviews, string[]? files = null, string baseBranch = "main", string author = "erin") => new()
    {
        Number = 7,
        Author = author,
        BaseBranch = baseBranch,
        HeadSha = Head,
        ChangedFiles = files ?? ["src/app.cs"],
        Reviews = reviews,
    };

    internal static ReviewersConfig Config(params ReviewerRuleConfig[] rules) => new() { Rules = rules };

    internal static ReviewerRuleConfig Rule(int approvals = 1, ReviewerSourceConfig? from = null, string[]? paths = null, string[]? branches = null) => new()
    {
        Name = "review",
        Approvals = approvals,
        From = from,
        Paths = paths ?? [],
        Branches = branches ?? ["default"],
    };

    private static PullRequestEvaluation Evaluate(ReviewersConfig config, PullRequestSnapshot pull, string? codeOwners = null, IReadOnlyList<PolicyResult>? results = null) =>
        ReviewerRulesEvaluator.Evaluate(config, "main", pull, Org, codeOwners, results ?? []);

    [Fact]
    public void A_member_known_to_lack_write_access_does_not_count_for_a_rule_without_from()
    {
        var readOnly = Review("bob", "APPROVED") with { CanWrite = false };
        Assert.Equal("failure", Evaluate(Config(Rule()), Pull([readOnly])).Conclusion);

        var writer = Review("carol", "APPROVED") with { CanWrite = true };
        Assert.Equal("success", Evaluate(Config(Rule()), Pull([readOnly, writer])).Conclusion);
    }

    [Fact]
    public void Write_access_is_asked_only_for_approvers_a_rule_without_reviewers_would_count()
    {
        var pull = Pull([Review("bob", "APPROVED"), Review("carol", "COMMENTED"), Review("frank", "APPROVED", association: "CONTRIBUTOR"), Review("erin", "APPROVED")]);

        // A rule naming its reviewers needs nobody's write access.
        Assert.Empty(ReviewerRulesEvaluator.ApproversNeedingWriteAccess(Config(Rule(from: new ReviewerSourceConfig { Teams = ["platform"] })), "main", pull, Org, null));

        // Without from: the approvers, less the author (erin), whatever their association: frank's CONTRIBUTOR may be a
        // concealed organisation member, whom GitHub never shows as MEMBER, so only GitHub's permission answer tells.
        Assert.Equal(["bob", "frank"], ReviewerRulesEvaluator.ApproversNeedingWriteAccess(Config(Rule()), "main", pull, Org, null).Order(StringComparer.Ordinal));

        // Code owners with no changed file owned falls back to anyone with write access; with an owned file it does not.
        var codeOwners = Config(Rule(from: new ReviewerSourceConfig { CodeOwners = true }));
        Assert.Equal(["bob", "frank"], ReviewerRulesEvaluator.ApproversNeedingWriteAccess(codeOwners, "main", pull, Org, "docs/ @acme/platform\n").Order(StringComparer.Ordinal));
        Assert.Empty(ReviewerRulesEvaluator.ApproversNeedingWriteAccess(codeOwners, "main", pull, Org, "* @acme/platform\n"));
    }

    [Fact]
    public void No_rule_is_success()
    {
        var evaluation = Evaluate(Config(), Pull([]));
        Assert.Equal("success", evaluation.Conclusion);
        Assert.Empty(evaluation.Rules);
    }

    [Fact]
    public void Two_approvals_required_one_given_fails_then_a_second_succeeds()
    {
        var config = Config(Rule(approvals: 2));
        var one = Evaluate(config, Pull([Review("alice", "APPROVED")]));
        Assert.Equal("failure", one.Conclusion);
        Assert.Equal(["review"], one.UnmetRuleNames);
        Assert.Equal(1, one.Rules[0].Counted);

        var two = Evaluate(config, Pull([Review("alice", "APPROVED"), Review("bob", "APPROVED")]));
        Assert.Equal("success", two.Conclusion);
        Assert.Equal(["alice", "bob"], two.Rules[0].CountedApprovers);
    }

    public static TheoryData<string, ReviewSnapshot[], bool, bool, int, string?> ApprovalCases => new()
    {
        // name, reviews (author is erin), ignore_self_approval, invalidate_on_push, counted, ignored reason
        { "author's own approval", [Review("erin", "APPROVED")], true, true, 0, "self" },
        { "author's own approval, self approval allowed", [Review("erin", "APPROVED")], false, true, 1, null },
        { "approval on an earlier commit", [Review("alice", "APPROVED", Earlier)], true, true, 0, "stale" },
        { "approval on an earlier commit, no invalidation", [Review("alice", "APPROVED", Earlier)], true, false, 1, null },
        { "approval then changes requested", [Review("alice", "APPROVED"), Review("alice", "CHANGES_REQUESTED")], true, true, 0, null },
        { "approval then comment", [Review("alice", "APPROVED"), Review("alice", "COMMENTED")], true, true, 1, null },
        { "changes requested then approval", [Review("alice", "CHANGES_REQUESTED"), Review("alice", "APPROVED")], true, true, 1, null },
        { "dismissed approval", [Review("alice", "APPROVED"), Review("alice", "DISMISSED")], true, true, 0, "dismissed" },
        { "approval twice counts once", [Review("alice", "APPROVED"), Review("alice", "APPROVED")], true, true, 1, null },
        { "outside collaborator without write access", [Review("zed", "APPROVED", association: "CONTRIBUTOR")], true, true, 0, "not eligible" },
        { "collaborator with write access", [Review("zed", "APPROVED", association: "COLLABORATOR")], true, true, 1, null },
        { "pending review", [Review("alice", "PENDING")], true, true, 0, null },
    };

    [Theory]
    [MemberData(nameof(ApprovalCases))]
    public void Approvals_are_counted_as_GitHub_reviewers_expect(string name, ReviewSnapshot[] reviews, bool ignoreSelf, bool invalidateOnPush, int counted, string? ignoredReason)
    {
        var config = Config(Rule()) with { IgnoreSelfApproval = ignoreSelf, InvalidateOnPush = invalidateOnPush };
        var rule = Evaluate(config, Pull(reviews)).Rules.Single();
        Assert.True(rule.Applies, name);
        Assert.Equal(counted, rule.Counted);
        Assert.Equal(counted, rule.CountedApprovers.Count);
        Assert.Equal(counted >= 1, rule.Satisfied);
        if (ignoredReason is null)
        {
            Assert.Empty(rule.IgnoredApprovals);
        }
        else
        {
            Assert.Equal(ignoredReason, Assert.Single(rule.IgnoredApprovals).Reason);
        }
    }

    [Theory]
    [InlineData("src/auth/login.cs", true)]
    [InlineData("auth/login.cs", true)]
    [InlineData("db/migrations/001.sql", true)]
    [InlineData("schema.sql", true)]
    [InlineData("src/app.cs", false)]
    [InlineData("docs/authentication.md", false)]
    public void A_path_rule_applies_only_when_matching_files_change(string file, bool applies)
    {
        var config = Config(Rule(paths: ["**/auth/**", "**/*.sql"]));
        var evaluation = Evaluate(config, Pull([], files: ["README.md", file]));
        Assert.Equal(applies, evaluation.Rules[0].Applies);
        Assert.Equal(applies ? "failure" : "success", evaluation.Conclusion);
    }

    [Fact]
    public void A_path_pattern_that_can_never_match_matches_nothing()
    {
        Assert.False(ReviewerRulesEvaluator.PathsMatch(["src/[auth/**"], ["src/[auth/x.cs", "src/auth/x.cs"]));
        Assert.True(ReviewerRulesEvaluator.PathsMatch(["/src/auth/**"], ["src/auth/x.cs"]));
    }

    [Theory]
    [InlineData("main", new[] { "default" }, true)]
    [InlineData("develop", new[] { "default" }, false)]
    [InlineData("release/1.2", new[] { "release/*" }, true)]
    [InlineData("release/1.2", new[] { "default", "hotfix/*" }, false)]
    [InlineData("hotfix/x", new[] { "default", "hotfix/*" }, true)]
    public void Branch_filter_selects_the_base_branch(string baseBranch, string[] branches, bool applies)
    {
        var evaluation = Evaluate(Config(Rule(branches: branches)), Pull([], baseBranch: baseBranch));
        Assert.Equal(applies, evaluation.Rules[0].Applies);
        Assert.Equal(!applies, evaluation.Rules[0].Satisfied);
    }

    [Theory]
    [InlineData("carol", true)]   // direct member of security
    [InlineData("frank", true)]   // member of appsec, a child team of security
    [InlineData("alice", false)]  // member of the parent team only
    [InlineData("dave", false)]   // outsider to the team
    public void Team_rule_counts_members_including_nested_teams(string approver, bool satisfied)
    {
        var config = Config(Rule(from: new ReviewerSourceConfig { Teams = ["security"] }));
        var rule = Evaluate(config, Pull([Review(approver, "APPROVED")])).Rules[0];
        Assert.Equal(satisfied, rule.Satisfied);
        if (!satisfied)
        {
            Assert.Equal(new IgnoredApproval(approver, "not eligible"), Assert.Single(rule.IgnoredApprovals));
            Assert.Equal(["security"], rule.CandidateTeams);
        }
    }

    [Fact]
    public void One_person_in_two_teams_counts_once()
    {
        var config = Config(Rule(approvals: 2, from: new ReviewerSourceConfig { Teams = ["platform", "ops"], Users = ["alice"] }));
        var rule = Evaluate(config, Pull([Review("alice", "APPROVED")])).Rules[0];
        Assert.False(rule.Satisfied);
        Assert.Equal(["alice"], rule.CountedApprovers);
        Assert.Equal(1, rule.Counted);
    }

    [Fact]
    public void Rule_with_users_is_satisfied_by_a_named_user()
    {
        var config = Config(Rule(from: new ReviewerSourceConfig { Users = ["Dave"] }));
        Assert.True(Evaluate(config, Pull([Review("dave", "APPROVED")])).Rules[0].Satisfied);
        Assert.False(Evaluate(config, Pull([Review("bob", "APPROVED")])).Rules[0].Satisfied);
    }

    private const string CodeOwners = """
        *           @acme/platform
        /db/        @acme/ops
        /docs/
        *.md        someone@example.com
        """;

    public static TheoryData<string[], string[], bool, string[]> CodeOwnerCases => new()
    {
        // changed files, approvers, satisfied, files still lacking approval
        { ["src/a.cs"], ["bob"], true, [] },
        { ["src/a.cs"], ["carol"], true, [] },                     // security is a child of platform
        { ["src/a.cs", "db/x.sql"], ["bob"], false, ["db/x.sql"] },
        { ["src/a.cs", "db/x.sql"], ["alice"], true, [] },         // alice is in platform and ops
        { ["src/a.cs", "db/x.sql"], ["bob", "dave"], true, [] },
        { ["docs/guide/intro.txt"], ["zed"], true, [] },            // un-owned only: falls back to write access
        { ["docs/guide/intro.txt"], [], false, [] },
        { ["docs/readme.md", "db/1.sql"], ["dave"], true, [] },     // email owners cannot be matched: no requirement
    };

    [Theory]
    [MemberData(nameof(CodeOwnerCases))]
    public void Code_owners_rule_needs_approval_from_the_owners_of_every_owned_file(string[] files, string[] approvers, bool satisfied, string[] unapproved)
    {
        var config = Config(Rule(from: new ReviewerSourceConfig { CodeOwners = true }));
        var reviews = approvers.Select(a => Review(a, "APPROVED", association: a == "zed" ? "COLLABORATOR" : "MEMBER")).ToArray();
        var rule = Evaluate(config, Pull(reviews, files: files), CodeOwners).Rules[0];
        Assert.Equal(satisfied, rule.Satisfied);
        Assert.Equal(unapproved, rule.UnapprovedFiles);
    }

    [Fact]
    public void Code_owners_rule_names_the_owners_of_unapproved_files_as_candidates()
    {
        var config = Config(Rule(from: new ReviewerSourceConfig { CodeOwners = true }));
        var rule = Evaluate(config, Pull([Review("bob", "APPROVED")], files: ["src/a.cs", "db/x.sql"]), CodeOwners).Rules[0];
        Assert.Equal(["ops"], rule.CandidateTeams);
        Assert.Equal(0, rule.Counted);
        Assert.Equal(["bob"], rule.CountedApprovers);
    }

    [Fact]
    public void Blocking_repository_result_fails_even_with_every_rule_met()
    {
        var blocking = new PolicyResult(PolicyIds.Registration, PolicyAction.Issue, BlockMerge: true,
            [new Finding(PolicyIds.Registration, "missing", "no catalog-info.yaml", "add it")]);
        var informational = new PolicyResult(PolicyIds.BranchProtection, PolicyAction.Log, BlockMerge: false,
            [new Finding(PolicyIds.BranchProtection, "weak", "weak", "raise it")]);

        var evaluation = Evaluate(Config(), Pull([]), results: [informational, blocking]);
        Assert.Equal("failure", evaluation.Conclusion);
        Assert.Equal([PolicyIds.Registration], evaluation.BlockingPolicies);
        Assert.Equal("success", Evaluate(Config(), Pull([]), results: [informational]).Conclusion);
    }

    [Fact]
    public void Disabled_reviewers_evaluate_no_rule()
    {
        var config = Config(Rule()) with { Enabled = false };
        Assert.Equal("success", Evaluate(config, Pull([])).Conclusion);
    }

    [Fact]
    public void Request_plan_excludes_already_requested_author_and_approvers()
    {
        var config = Config(
            Rule(approvals: 2, from: new ReviewerSourceConfig { Teams = ["security", "ops"], Users = ["bob", "dave", "erin", "alice"] }) with { Name = "security review" },
            Rule(from: new ReviewerSourceConfig { Teams = ["platform"] }) with { Name = "platform review" });
        var pull = Pull([Review("alice", "APPROVED")], author: "erin") with { RequestedTeams = ["security"], RequestedUsers = ["bob"] };

        var evaluation = Evaluate(config, pull);
        Assert.Equal(["security review"], evaluation.UnmetRuleNames); // alice satisfies platform review
        var plan = ReviewRequestPlan.For(config, evaluation, pull);

        Assert.Equal(["ops"], plan.Teams);     // security already requested
        Assert.Equal(["dave"], plan.Users);    // bob requested, erin the author, alice approved
        Assert.Equal("security review", Assert.Single(plan.PerRule).Rule);
    }

    [Fact]
    public void Request_plan_skips_a_team_whose_only_remaining_member_is_the_author()
    {
        var config = Config(Rule(from: new ReviewerSourceConfig { Teams = ["appsec"] }));
        var pull = Pull([], author: "frank");
        var plan = ReviewRequestPlan.For(config, Evaluate(config, pull), pull);
        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Request_plan_is_empty_when_request_reviews_is_off_or_rule_is_open_to_anyone()
    {
        var teamRule = Config(Rule(from: new ReviewerSourceConfig { Teams = ["ops"] })) with { RequestReviews = false };
        Assert.True(ReviewRequestPlan.For(teamRule, Evaluate(teamRule, Pull([])), Pull([])).IsEmpty);

        var anyone = Config(Rule());
        var evaluation = Evaluate(anyone, Pull([]));
        Assert.True(evaluation.Rules[0].AnyoneWithWriteAccess);
        Assert.True(ReviewRequestPlan.For(anyone, evaluation, Pull([])).IsEmpty);
    }

    [Fact]
    public void Stale_approver_is_still_a_candidate_to_approve_again()
    {
        var config = Config(Rule(from: new ReviewerSourceConfig { Users = ["bob"] }));
        var pull = Pull([Review("bob", "APPROVED", Earlier)]);
        var rule = Evaluate(config, pull).Rules[0];
        Assert.Equal(["bob"], rule.CandidateUsers);
        Assert.Equal(new IgnoredApproval("bob", "stale"), Assert.Single(rule.IgnoredApprovals));
    }
}
