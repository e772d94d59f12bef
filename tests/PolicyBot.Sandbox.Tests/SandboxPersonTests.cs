using System.Net;
using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests;

public sealed class SandboxPersonTests
{
    [Fact]
    public async Task People_create_push_propose_review_and_merge_through_the_API()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await TestOrgs.StartAsync();
        sim.WebhookUrl = receiver.Url;
        using var alice = sim.As("alice");
        using var bob = sim.As("bob");
        using var carol = sim.As("carol");

        await alice.CreateRepositoryAsync("billing", "Invoices");
        await alice.PushFileAsync("billing", "README.md", "# Billing\n");
        await alice.PushFileAsync("billing", "README.md", "# Billing v2\n");
        var number = await bob.ProposeChangeAsync("billing", "auth-fix", new Dictionary<string, string> { ["src/auth/token.cs"] = "class Token {}\n" }, "Fix tokens");
        await carol.ReviewAsync("billing", number);
        var ownApproval = await Assert.ThrowsAsync<HttpRequestException>(() => bob.ReviewAsync("billing", number));
        await alice.MergeAsync("billing", number);
        await sim.WaitForWebhooksAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, ownApproval.StatusCode);
        Assert.Equal("# Billing v2\n", sim.FileContent("acme", "billing", "README.md"));
        Assert.Equal("class Token {}\n", sim.FileContent("acme", "billing", "src/auth/token.cs"));
        Assert.True(sim.PullRequest("acme", "billing", number)!.Merged);
        var events = receiver.Drain().Where(h => h.Event != "check_suite").Select(h => $"{h.Event}.{h.Action}").ToList();
        Assert.Equal(
            ["installation.created", "repository.created", "push.", "push.", "push.", "push.", "pull_request.opened", "pull_request_review.submitted", "push.", "pull_request.closed"],
            events); // pushes: two to main, the new branch, the change on it; then the merge
    }

    [Fact]
    public async Task A_draft_becomes_ready_for_review()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await TestOrgs.StartAsync();
        sim.WebhookUrl = receiver.Url;
        using var bob = sim.As("bob");
        await bob.CreateBranchAsync("web", "wip");
        await bob.PushFileAsync("web", "wip.txt", "wip\n", "wip");
        var number = await bob.OpenPullRequestAsync("web", "wip", "Work in progress", draft: true);

        var draftMerge = await Assert.ThrowsAsync<HttpRequestException>(() => bob.MergeAsync("web", number));
        await bob.MarkReadyForReviewAsync("web", number);
        await sim.WaitForWebhooksAsync();

        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, draftMerge.StatusCode);
        Assert.False(sim.PullRequest("acme", "web", number)!.Draft);
        var pullEvents = receiver.Drain().Where(h => h.Event == "pull_request").ToList();
        Assert.Equal(["opened", "ready_for_review"], pullEvents.Select(h => h.Action));
        Assert.True(pullEvents[0].Payload["pull_request"]!["draft"]!.GetValue<bool>());
        var missing = PayloadShape.MissingKeys(PayloadShape.Fixture("pull_request/ready_for_review.with-organization.payload.json"), pullEvents[1].Payload);
        Assert.True(missing.Count == 0, string.Join(", ", missing));
    }
}
