using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PolicyBot.GitHub;

namespace PolicyBot.Tests.GitHub;

public sealed class ContentCreationPacingTests
{
    [Theory]
    [InlineData("POST", "/repos/acme/payments/issues", true)]
    [InlineData("POST", "/repos/acme/payments/issues/3/comments", true)]
    [InlineData("POST", "/repos/acme/payments/pulls", true)]
    [InlineData("POST", "/repos/acme/payments/git/refs", true)]
    [InlineData("PUT", "/repos/acme/payments/contents/catalog-info.yaml", true)]
    [InlineData("POST", "/api/v3/repos/acme/payments/issues", true)]
    [InlineData("GET", "/repos/acme/payments/issues", false)]
    [InlineData("PATCH", "/repos/acme/payments/issues/3", false)]
    [InlineData("POST", "/repos/acme/payments/check-runs", false)]
    [InlineData("POST", "/repos/acme/payments/pulls/3/requested_reviewers", false)]
    [InlineData("PUT", "/repos/acme/payments/branches/main/protection", false)]
    public void Content_creating_requests_are_recognised(string method, string path, bool paced)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(new Uri("https://api.github.com"), path));

        Assert.Equal(paced, ContentCreationPacing.IsContentCreation(request));
    }

    [Fact]
    public async Task Each_installation_token_has_its_own_pace()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        var pacing = new ContentCreationPacing(Options.Create(new GitHubOptions { ContentCreationInterval = TimeSpan.FromSeconds(1) }), time);

        await pacing.WaitTurnAsync(Issue("token-a"), default);
        await pacing.WaitTurnAsync(Issue("token-b"), default);

        // A second request of installation A waits a full second of (fake) time; B's second one too.
        var secondA = pacing.WaitTurnAsync(Issue("token-a"), default);
        Assert.False(secondA.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(secondA.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await secondA.WaitAsync(TimeSpan.FromSeconds(5));

        await pacing.WaitTurnAsync(Issue("token-b"), default).WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static HttpRequestMessage Issue(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "https://api.github.com/repos/acme/payments/issues");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
