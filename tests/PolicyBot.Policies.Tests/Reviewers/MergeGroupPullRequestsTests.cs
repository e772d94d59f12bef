using PolicyBot.Policies.Reviewers;

namespace PolicyBot.Policies.Tests.Reviewers;

public sealed class MergeGroupPullRequestsTests
{
    [Theory]
    [InlineData("Merge pull request #2048 from octo-repo/update-readme\n\nUpdate README.md", 2048)] // GitHub's merge_group fixture
    [InlineData("Add login throttling (#31)\n\n* first commit", 31)]                                 // squash
    [InlineData("Fix #12 in the parser", null)]
    [InlineData("", null)]
    public void A_merge_group_commit_names_its_pull_request(string message, int? number)
    {
        Assert.Equal(number is { } n ? [n] : [], MergeGroupPullRequests.In(message));
    }

    [Fact]
    public void The_group_passes_only_when_every_queued_pull_request_does()
    {
        var pass = new MergeGroupVerdict(7, "Add login", "success", "Reviewer rule met: security review");
        var fail = new MergeGroupVerdict(9, "Tweak | docs", "failure", "Reviewer rule unmet: docs review");

        Assert.Equal("#7 meets its rules", MergeGroupPullRequests.Report([pass]).Title);
        Assert.Equal("All 2 queued pull requests meet their rules", MergeGroupPullRequests.Report([pass, pass with { Number = 8 }]).Title);
        var report = MergeGroupPullRequests.Report([pass, fail]);
        Assert.Equal("#9 does not meet its rules: Reviewer rule unmet: docs review", report.Title);
        Assert.Contains("| #9 Tweak \\| docs | ❌ failure | Reviewer rule unmet: docs review |", report.Summary, StringComparison.Ordinal);
    }
}
