using PolicyBot.Sandbox.State;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// A rule that names no reviewers counts approvals from anyone with write access. Read-only organisation members
/// have the author association MEMBER too, and concealed (private) members, GitHub's default, have CONTRIBUTOR or NONE
/// instead, so PolicyBot asks GitHub for each approver's permission on the repository whatever the association.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class ReviewerWriteAccessTests
{
    private static readonly string Scenario = AcmeScenario.With(
        """
        reviewers:
          request_reviews: false
          rules:
            - name: one approval
              approvals: 1
        """,
        """
          - name: payments
            files:
              README.md: "# payments"
        """,
        teams: """
              - { slug: writers, members: [alice, bob, dave], repos: { payments: push, .github: push } }
              - { slug: readers, members: [erin], repos: { payments: pull } }
            """,
        members: "dave, erin");

    [Fact]
    public async Task An_approval_from_a_read_only_member_does_not_satisfy_a_rule_without_from_but_one_with_push_does()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        await sandbox.InstallAsync();
        var number = await sandbox.OpenFeaturePullRequestAsync();

        await sandbox.ReviewAsync("erin", "payments", number);
        var readOnly = sandbox.CheckRun("payments", number);
        Assert.Equal("failure", readOnly.Conclusion);
        Assert.Contains("@erin", readOnly.Summary, StringComparison.Ordinal);
        Assert.Contains(sandbox.GitHub.Requests, r => r.TokenKind == TokenKind.Installation && r.Path == "/repos/acme/payments/collaborators/erin/permission");

        sandbox.GitHub.ClearRequests();
        await sandbox.ReviewAsync("bob", "payments", number);

        // erin's permission is asked again, but revalidated with its ETag: GitHub answers 304, which costs nothing.
        var again = Assert.Single(sandbox.GitHub.Requests, r => r.TokenKind == TokenKind.Installation && r.Path == "/repos/acme/payments/collaborators/erin/permission");
        Assert.True(again.NotModified);
        var push = sandbox.CheckRun("payments", number);
        Assert.Equal("success", push.Conclusion);

        // bob's membership is concealed (the scenario publicizes none): GitHub shows him as NONE, not MEMBER, and his
        // approval counts because his permission was asked.
        var reviews = (await sandbox.SendAsync("alice", HttpMethod.Get, $"repos/acme/payments/pulls/{number}/reviews"))!.AsArray();
        Assert.Equal("NONE", reviews.Single(r => r!["user"]!["login"]!.GetValue<string>() == "bob")!["author_association"]!.GetValue<string>());
        Assert.Contains(sandbox.GitHub.Requests, r => r.TokenKind == TokenKind.Installation && r.Path == "/repos/acme/payments/collaborators/bob/permission");
        Assert.Contains("| one approval | ✅ met | 1/1 | @bob |", push.Summary, StringComparison.Ordinal);
    }
}
