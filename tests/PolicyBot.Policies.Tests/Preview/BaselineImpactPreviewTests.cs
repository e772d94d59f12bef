using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.ExternalAccounts;
using PolicyBot.Policies.Preview;
using PolicyBot.Policies.Registration;
using PolicyBot.Policies.Reviewers;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests.Preview;

public sealed class BaselineImpactPreviewTests
{
    private static readonly DateOnly Today = new(2026, 12, 7);
    private static readonly OrganizationDirectory Directory = new() { Login = "acme" };
    private static readonly BaselineImpactPreview Preview = new(RepositoryEvaluator.Create(new RegistrationPolicy(), new ExternalAccountsPolicy()));

    private static PolicyConfig Config(string yaml) =>
        PolicyConfigParser.Parse(yaml).Config ?? throw new InvalidOperationException("the test's policy file does not parse");

    private static KnownRepositoryState Repository(string name, int? approvals, bool archived = false, bool filesRead = true, IReadOnlyList<string>? branchesReadFor = null) => new(
        new RepositorySnapshot
        {
            Owner = "acme",
            Name = name,
            DefaultBranch = "main",
            Archived = archived,
            Branches = [new BranchProtectionState { Branch = "main", Classic = approvals is { } count ? new ClassicProtection { RequiredApprovingReviewCount = count, DismissStaleReviews = true } : null }],
        },
        filesRead,
        filesRead ? branchesReadFor ?? ["default"] : null,
        CustomPropertiesRead: false);

    private static PolicyImpact BranchProtection(BaselineImpact impact) => impact.Policies.Single(p => p.Policy == PolicyIds.BranchProtection);

    [Fact]
    public void Raising_the_approval_count_lists_the_repositories_that_would_newly_fall_below()
    {
        var impact = Preview.Compute(
            [Repository("one", 1), Repository("two", 2), Repository("none", null)],
            Config("version: 1\nbranch_protection: { action: issue, required_approving_review_count: 1 }\n"),
            Config("version: 1\nbranch_protection: { action: issue, required_approving_review_count: 2 }\n"),
            appId: 42, Today, Directory);

        var policy = BranchProtection(impact);
        Assert.Equal(3, impact.Repositories);
        Assert.Equal("acme/one", Assert.Single(policy.NewlyBelow).Repository);
        Assert.Contains("approvals below baseline (main)", policy.NewlyBelow[0].Reasons);
        Assert.Empty(policy.NewlyMeeting);
        Assert.Equal(1, policy.StillBelow); // the unprotected one was below already
        Assert.Empty(policy.Fixes); // the action is issue: fix changes nothing
        Assert.Empty(policy.Unknown);
        Assert.Equal(1, impact.RepositoriesNewlyBelow);
        Assert.Equal((1, 0), (policy.IssuesOpened, policy.IssuesClosed)); // the unprotected one has its issue already
    }

    [Fact]
    public void Lowering_the_approval_count_lists_the_repositories_that_would_newly_meet_it()
    {
        var impact = Preview.Compute(
            [Repository("one", 1), Repository("two", 2)],
            Config("version: 1\nbranch_protection: { action: issue, required_approving_review_count: 2 }\n"),
            Config("version: 1\nbranch_protection: { action: issue, required_approving_review_count: 1 }\n"),
            appId: 42, Today, Directory);

        var policy = BranchProtection(impact);
        Assert.Equal("acme/one", Assert.Single(policy.NewlyMeeting).Repository);
        Assert.Empty(policy.NewlyBelow);
        Assert.Equal(0, policy.StillBelow);
        Assert.Equal((0, 1), (policy.IssuesOpened, policy.IssuesClosed));
        Assert.True(impact.ChangesAnything);
    }

    [Fact]
    public void Fix_lists_each_setting_it_would_raise_as_the_fix_plans_it()
    {
        var impact = Preview.Compute(
            [Repository("one", 1), Repository("none", null)],
            Config("version: 1\nbranch_protection: { action: issue, required_approving_review_count: 1 }\n"),
            Config("version: 1\nbranch_protection: { action: fix, required_approving_review_count: 2 }\n"),
            appId: 42, Today, Directory);

        var policy = BranchProtection(impact);
        Assert.Equal(PolicyAction.Issue, policy.ActionBefore);
        Assert.Equal(PolicyAction.Fix, policy.ActionAfter);
        var one = Assert.Single(policy.Fixes, f => f.Repository == "acme/one");
        Assert.Equal("main", one.Branch);
        Assert.Equal(new SettingChange("required approving reviews", "1", "2"), Assert.Single(one.Changes));
        var none = Assert.Single(policy.Fixes, f => f.Repository == "acme/none");
        Assert.Contains(new SettingChange("pull request reviews required", "no", "yes"), none.Changes);
        Assert.Contains(new SettingChange("force pushes allowed", "yes", "no"), none.Changes);
    }

    [Fact]
    public void Turning_a_policy_off_lists_the_repositories_it_would_no_longer_judge()
    {
        var impact = Preview.Compute(
            [Repository("one", 1)],
            Config("version: 1\nbranch_protection: { action: issue, required_approving_review_count: 2 }\n"),
            Config("version: 1\nbranch_protection: { action: off }\n"),
            appId: 42, Today, Directory);

        Assert.Equal(1, BranchProtection(impact).IssuesClosed);
        var gone = Assert.Single(BranchProtection(impact).NoLongerJudged);
        Assert.Equal(["the policy would be off"], gone.Reasons);
    }

    [Fact]
    public void What_was_never_read_is_unknown_rather_than_guessed()
    {
        var impact = Preview.Compute(
            [
                Repository("archived", null, archived: true, filesRead: false),  // out of scope until now: nothing was read
                Repository("one", 2),                                          // protection read for the default branch only
            ],
            Config("version: 1\nbranch_protection: { action: issue }\n"),
            Config("version: 1\nscope: { include_archived: true }\nbranch_protection: { action: issue, branches: [default, \"release/*\"] }\n"),
            appId: 42, Today, Directory);

        var policy = BranchProtection(impact);
        Assert.Empty(policy.NewlyBelow);
        Assert.Equal(["acme/archived", "acme/one"], policy.Unknown.Select(u => u.Repository));
        Assert.Contains("its files were never read (it was out of scope)", policy.Unknown[0].Reasons);
        Assert.Contains("its protection was read for branches [default], not [default, release/*]", policy.Unknown[1].Reasons);
    }

    [Fact]
    public void A_policy_that_was_off_has_no_stored_branches_so_turning_it_on_is_unknown()
    {
        var state = Repository("one", null) with { BranchesReadFor = null };
        var impact = Preview.Compute(
            [state],
            Config("version: 1\nbranch_protection: { action: off }\n"),
            Config("version: 1\nbranch_protection: { action: issue }\n"),
            appId: 42, Today, Directory);

        Assert.Equal(["its branch protection was never read (the policy was off)"], Assert.Single(BranchProtection(impact).Unknown).Reasons);
    }

    [Fact]
    public void The_report_gives_counts_first_and_cuts_every_list_to_fit_GitHubs_limit()
    {
        var repositories = Enumerable.Range(0, 10_000).Select(i => Repository($"service-{i:D5}", 1)).ToList();
        var impact = Preview.Compute(
            repositories,
            Config("version: 1\nbranch_protection: { action: issue, required_approving_review_count: 1 }\n"),
            Config("version: 1\nbranch_protection: { action: fix, required_approving_review_count: 2 }\n"),
            appId: 42, Today, Directory);

        var summary = BaselineImpactReport.Summary(impact);
        Assert.Contains("| Branch protection | `issue` → **`fix`** | 10000 | 0 | 0 | 0 | 10000 (10000 branches) | 0 |", summary, StringComparison.Ordinal);

        var text = BaselineImpactReport.Text(impact);
        Assert.NotNull(text);
        Assert.InRange(CheckRunReport.Bytes(text), 60_000, CheckRunReport.MaxLength);
        // Both lists get a share, and each says how many it left out.
        Assert.Contains("would newly fall below (10,000)", text, StringComparison.Ordinal);
        Assert.Contains("what `fix` would change (10,000 branches)", text, StringComparison.Ordinal);
        Assert.Contains("- `acme/service-00000`: approvals below baseline (main)", text, StringComparison.Ordinal);
        Assert.Contains("- `acme/service-00000` branch `main`: required approving reviews 1 → 2", text, StringComparison.Ordinal);
        Assert.Equal(2, text.Split('\n').Count(l => l.StartsWith("- … and ", StringComparison.Ordinal) && l.Contains(" more, not shown", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_change_that_moves_nothing_says_so()
    {
        var config = Config("version: 1\nbranch_protection: { action: issue }\n");
        var impact = Preview.Compute([Repository("one", 1)], config, config with { }, appId: 42, Today, Directory);

        Assert.False(impact.ChangesAnything);
        Assert.Null(BaselineImpactReport.Text(impact));
        Assert.Contains("would change no repository's standing", BaselineImpactReport.Summary(impact), StringComparison.Ordinal);
    }

    [Fact]
    public void Turning_registration_to_issue_counts_the_issues_and_registration_pull_requests_it_would_open()
    {
        var impact = Preview.Compute(
            [Repository("one", 2), Repository("two", 2) with { Snapshot = Repository("two", 2).Snapshot with { CatalogInfo = new("catalog-info.yaml", "kind: Component\n") } }],
            Config("version: 1\nregistration: { action: log }\n"),
            Config("version: 1\nregistration: { action: issue }\n"),
            appId: 42, Today, Directory);

        var registration = impact.Policies.Single(p => p.Policy == PolicyIds.Registration);
        Assert.Equal(2, registration.StillBelow); // both were below under log too
        Assert.Equal(2, registration.IssuesOpened);
        Assert.Equal(1, registration.PullRequestsOpened); // only where there is no catalog-info.yaml at all
        Assert.Contains("| Repository registration | 2 | 0 | 1 |", BaselineImpactReport.Summary(impact), StringComparison.Ordinal);
    }
}
