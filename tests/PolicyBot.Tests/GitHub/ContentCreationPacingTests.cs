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
    [InlineData("POST", "/repos/acme/payments/check-runs", true)]
    [InlineData("POST", "/repos/acme/payments/pulls/3/requested_reviewers", true)]
    [InlineData("POST", "/repos/acme/payments/labels", true)]
    [InlineData("POST", "/app/installations/1001/access_tokens", false)]
    [InlineData("PATCH", "/repos/acme/payments/check-runs/4", false)]
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
        var pacing = new ContentCreationPacing(Options.Create(new GitHubOptions { ContentCreationInterval = TimeSpan.FromSeconds(1) }), time, new InProcessContentCreationLedger());

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

    [Fact]
    public void By_default_an_installation_creates_at_most_80_a_minute_and_500_an_hour()
    {
        // GitHub: "no more than 80 content-generating requests per minute and no more than 500 content-generating
        // requests per hour" (docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits).
        var defaults = new GitHubOptions { ContentCreationInterval = TimeSpan.Zero };
        Assert.Equal(80, defaults.ContentCreationsPerMinute);
        Assert.Equal(500, defaults.ContentCreationsPerHour);
        var limits = new ContentCreationLimits(defaults.ContentCreationInterval, defaults.ContentCreationsPerMinute, defaults.ContentCreationsPerHour);

        // Each creation goes out as soon as the window lets it.
        var now = new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
        var sentAt = new List<DateTimeOffset>();
        while (sentAt.Count < 501)
        {
            var allowed = limits.NextAllowed(sentAt.Where(at => at > now - ContentCreationLimits.Hour).ToList(), now);
            now = allowed > now ? allowed : now;
            sentAt.Add(now);
        }

        for (var i = 80; i < sentAt.Count; i++)
        {
            Assert.True(sentAt[i] - sentAt[i - 80] >= TimeSpan.FromMinutes(1), $"creation {i} is the 81st within a minute");
        }

        Assert.Equal(sentAt[0] + TimeSpan.FromHours(1), sentAt[500]);

        // 80 a minute until the hour's 500 are spent: the 500th goes out after 6 minutes, not 60.
        Assert.Equal(TimeSpan.FromMinutes(6), sentAt[499] - sentAt[0]);
    }

    [Fact]
    public async Task A_creation_over_the_minute_waits_for_the_window()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        var pacing = new ContentCreationPacing(Options.Create(new GitHubOptions { ContentCreationInterval = TimeSpan.Zero, ContentCreationsPerMinute = 2 }), time, new InProcessContentCreationLedger());

        await pacing.WaitTurnAsync(Issue("token-a"), default);
        time.Advance(TimeSpan.FromSeconds(10));
        await pacing.WaitTurnAsync(Issue("token-a"), default);

        var third = pacing.WaitTurnAsync(Issue("token-a"), default);
        time.Advance(TimeSpan.FromSeconds(49));
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await third.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static HttpRequestMessage Issue(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "https://api.github.com/repos/acme/payments/issues");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
