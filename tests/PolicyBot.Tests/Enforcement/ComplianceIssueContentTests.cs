using System.Text.RegularExpressions;
using PolicyBot.Enforcement.Issues;
using PolicyBot.Policies;

namespace PolicyBot.Tests.Enforcement;

/// <summary>The hidden markers of a compliance issue survive subjects taken from repository YAML.</summary>
public sealed class ComplianceIssueContentTests
{
    private const string Subject = "shared account --> <b>x</b>";

    private static readonly Finding[] Findings =
    [
        new(PolicyIds.ExternalAccounts, "expired", "The account expired.", "Renew it.", Subject),
        new(PolicyIds.ExternalAccounts, "renews_soon", "Renews soon.", "Renew it.", "plain"),
    ];

    [Fact]
    public void Finding_keys_with_spaces_and_comment_ends_read_back_exactly_as_written()
    {
        var body = ComplianceIssueContent.Body(new IssueTarget("acme/payments", PolicyIds.ExternalAccounts, Subject, Findings, IssueIntent.Open), null);

        Assert.Equal(Findings.Select(f => f.Key), ComplianceIssueContent.ParseFindingKeys(body));
    }

    [Fact]
    public void A_subject_with_a_comment_end_stays_inside_the_hidden_marker_and_is_found_again()
    {
        var body = ComplianceIssueContent.Body(new IssueTarget("acme/payments", PolicyIds.ExternalAccounts, Subject, Findings, IssueIntent.Open), null);

        // Every HTML comment ends where PolicyBot ended it: nothing of the subject leaks into the rendered text.
        var comments = Regex.Matches(body, "<!--(.*?)-->", RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        Assert.Equal(2, comments.Count);
        Assert.All(comments, c => Assert.DoesNotContain("<b>", c.Value, StringComparison.Ordinal));
        Assert.StartsWith("<!-- policybot:compliance ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("x</b> -->", body, StringComparison.Ordinal);

        Assert.True(ComplianceIssueContent.HasMarker(body, "acme/payments", PolicyIds.ExternalAccounts, Subject));
        Assert.False(ComplianceIssueContent.HasMarker(body, "acme/payments", PolicyIds.ExternalAccounts, "shared account"));
    }

    [Fact]
    public void Issues_opened_with_the_unencoded_marker_are_still_recognised()
    {
        const string Legacy = "<!-- policybot:compliance repository=acme/payments policy=registration subject= -->\nbody\n<!-- policybot:findings registration/missing_catalog -->";

        Assert.True(ComplianceIssueContent.HasMarker(Legacy, "acme/payments", "registration", ""));
        Assert.Equal(["registration/missing_catalog"], ComplianceIssueContent.ParseFindingKeys(Legacy));
    }

    [Fact]
    public void A_fix_is_told_per_branch_as_a_table_of_each_changed_setting_and_leads_the_comment()
    {
        IReadOnlyList<(string Setting, string Before, string After)> main = [("required approving reviews", "0", "2"), ("required status checks", "none", "ci|build, PolicyBot")];
        IReadOnlyList<(string Setting, string Before, string After)> unchanged = [];

        var changed = ComplianceIssueContent.FixedProtection([("main", main), ("release", unchanged)]);

        Assert.Equal(
            """
            PolicyBot raised the protection of `main` to the baseline (the organisation's `branch_protection.action` is `fix`); nothing else was loosened or removed:

            | Setting | Before | After |
            |---|---|---|
            | required approving reviews | 0 | 2 |
            | required status checks | none | ci\|build, PolicyBot |
            """,
            changed);
        Assert.Null(ComplianceIssueContent.FixedProtection([("release", unchanged)]));
        Assert.Equal($"{changed}\n\nThe findings changed.", ComplianceIssueContent.WithChange(changed, "The findings changed."));
        Assert.Equal("Closing.", ComplianceIssueContent.WithChange(null, "Closing."));
    }
}
