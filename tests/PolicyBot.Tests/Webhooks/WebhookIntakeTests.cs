using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Hosting;
using PolicyBot.Processing;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Webhooks;

[Collection(HostCollection.Name)]
public sealed class WebhookIntakeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task Every_fixture_is_accepted_and_stored_once_even_when_sent_twice()
    {
        await using var factory = new PolicyBotFactory(_directory.DatabasePath);
        using var client = factory.CreateClient();
        var store = factory.Services.GetRequiredService<IDeliveryStore>();
        var fixtures = Deliveries.AllFixtures().ToList();
        Assert.True(fixtures.Count > 50);

        var ids = new List<string>();
        foreach (var (eventName, file) in fixtures)
        {
            var id = Guid.NewGuid().ToString();
            ids.Add(id);
            var body = Deliveries.Read(file);

            using var first = await Deliveries.PostAsync(client, eventName, body, id);
            Assert.True(first.IsSuccessStatusCode, $"{file}: {first.StatusCode}");

            // Stored before the reply: it is there as soon as the 2xx is.
            var stored = await store.GetAsync(id, default);
            Assert.NotNull(stored);
            Assert.Equal(eventName, stored.Event);

            using var again = await Deliveries.PostAsync(client, eventName, body, id);
            Assert.True(again.IsSuccessStatusCode, $"{file} (resent): {again.StatusCode}");
        }

        var all = await store.ListRecentAsync(10_000, null, default);
        Assert.Equal(fixtures.Count, all.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), all.Select(d => d.DeliveryId).Order(StringComparer.Ordinal));

        // Every fixture is routed without error, and each exactly once.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await factory.Services.GetRequiredService<IWorkQueue>().WaitForIdleAsync(timeout.Token);
        var processed = await store.ListRecentAsync(10_000, null, default);
        Assert.All(processed, d =>
        {
            Assert.Equal(DeliveryStates.Processed, d.State);
            Assert.Equal(1, d.Attempts);
        });

        using var scrape = factory.CreateClient();
        Assert.Equal(fixtures.Count, PrometheusText.Value(await scrape.GetStringAsync("/metrics"), "policybot_webhook_deliveries_duplicate_total"));
    }

    [Fact]
    public async Task Stored_delivery_carries_what_routing_and_the_dashboard_need()
    {
        await using var factory = new PolicyBotFactory(_directory.DatabasePath);
        using var client = factory.CreateClient();
        var id = Guid.NewGuid().ToString();

        using var response = await Deliveries.PostAsync(client, "pull_request", Deliveries.Read("pull_request/opened.payload.json"), id);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var stored = await factory.Services.GetRequiredService<IDeliveryStore>().GetAsync(id, default);
        Assert.NotNull(stored);
        Assert.Equal("opened", stored.Action);
        Assert.Equal(1, stored.InstallationId);
        Assert.Equal("Codertocat/Hello-World", stored.RepositoryFullName);
        Assert.Equal(2, stored.PullRequestNumber);
    }

    public static TheoryData<string, HttpStatusCode> BadDeliveries() => new()
    {
        { "bad-signature", HttpStatusCode.BadRequest },
        { "signature-for-another-secret", HttpStatusCode.BadRequest },
        { "missing-signature", HttpStatusCode.BadRequest },
        { "missing-event", HttpStatusCode.BadRequest },
        { "missing-delivery-id", HttpStatusCode.BadRequest },
        { "not-json", HttpStatusCode.BadRequest },
        { "json-array", HttpStatusCode.BadRequest },
        { "truncated-json", HttpStatusCode.BadRequest },
        { "nested-too-deep", HttpStatusCode.BadRequest },
        { "form-encoded", HttpStatusCode.UnsupportedMediaType },
        { "over-25-mb", HttpStatusCode.RequestEntityTooLarge },
    };

    [Theory]
    [MemberData(nameof(BadDeliveries))]
    public async Task Bad_delivery_gets_a_4xx_and_nothing_is_stored(string kind, HttpStatusCode expected)
    {
        await using var factory = new PolicyBotFactory(_directory.DatabasePath);
        using var client = factory.CreateClient();
        var payload = Deliveries.Read("push/with-installation.payload.json");

        using var request = kind switch
        {
            "bad-signature" => Deliveries.Request("push", payload, signature: "sha256=" + new string('0', 64)),
            "signature-for-another-secret" => Deliveries.Request("push", payload, signature: Deliveries.Sign(payload, "another-secret")),
            "missing-signature" => Deliveries.Request("push", payload, omitSignature: true),
            "missing-event" => Deliveries.Request("push", payload, omitEvent: true),
            "missing-delivery-id" => Deliveries.Request("push", payload, omitDelivery: true),
            "not-json" => Deliveries.Request("push", "this is not json"),
            "json-array" => Deliveries.Request("push", "[1, 2, 3]"),
            "truncated-json" => Deliveries.Request("push", payload[..(payload.Length / 2)]),
            "nested-too-deep" => Deliveries.Request("push", "{\"a\":" + new string('[', 100) + new string(']', 100) + "}"),
            "form-encoded" => Deliveries.Request("push", "payload=" + Uri.EscapeDataString(payload), contentType: "application/x-www-form-urlencoded"),
            "over-25-mb" => Deliveries.Request("push", "{\"pad\":\"" + new string('x', 25 * 1024 * 1024) + "\"}"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Empty(await factory.Services.GetRequiredService<IDeliveryStore>().ListRecentAsync(10, null, default));

        // The service is unharmed: a good delivery right after is accepted.
        using var good = await Deliveries.PostAsync(client, "push", payload);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Single(await factory.Services.GetRequiredService<IDeliveryStore>().ListRecentAsync(10, null, default));
    }

    [Theory]
    [InlineData("not-json")]
    [InlineData("truncated-json")]
    [InlineData("missing-signature")]
    public async Task The_path_with_a_trailing_slash_is_guarded_as_well(string kind)
    {
        await using var factory = new PolicyBotFactory(_directory.DatabasePath);
        using var client = factory.CreateClient();
        var payload = Deliveries.Read("push/with-installation.payload.json");
        using var request = kind switch
        {
            "not-json" => Deliveries.Request("push", "this is not json"),
            "truncated-json" => Deliveries.Request("push", payload[..(payload.Length / 2)]),
            _ => Deliveries.Request("push", payload, omitSignature: true),
        };
        request.RequestUri = new Uri("/api/github/webhooks/", UriKind.Relative);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await factory.Services.GetRequiredService<IDeliveryStore>().ListRecentAsync(10, null, default));
    }

    public void Dispose() => _directory.Dispose();
}
