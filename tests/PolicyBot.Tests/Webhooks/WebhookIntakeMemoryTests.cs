using System.Net;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Headers;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;
using PolicyBot.Webhooks;
using Xunit.Abstractions;

namespace PolicyBot.Tests.Webhooks;

[Collection(MemoryMeasurementCollection.Name)]
public sealed class WebhookIntakeMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int BodyBytes = 24 * 1024 * 1024;
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task Forty_concurrent_24_MB_unsigned_bodies_are_refused_within_the_buffer_budget_and_memory_returns_to_baseline()
    {
        await using var factory = new PolicyBotFactory(_directory.DatabasePath);
        using var client = factory.CreateClient();
        var budget = factory.Services.GetRequiredService<WebhookIntakeBudget>();
        var limit = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebhookIntakeOptions>>().Value.MaxBufferedBytes;
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/github/webhooks") { Content = new GeneratedJsonContent(BodyBytes) };
            request.Headers.Add("X-GitHub-Event", "push");
            request.Headers.Add("X-GitHub-Delivery", $"big-{i}");
            request.Headers.Add("X-Hub-Signature-256", "sha256=" + new string('0', 64));
            using var response = await client.SendAsync(request);
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta);
        }));

        var afterwards = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"baseline {baseline / 1048576} MB, afterwards {afterwards / 1048576} MB, peak held {budget.PeakBytes / 1048576} MB of {limit / 1048576} MB; "
            + string.Join(", ", replies.GroupBy(r => r.StatusCode).Select(g => $"{(int)g.Key}: {g.Count()}")));

        Assert.All(replies, r => Assert.True(r.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.ServiceUnavailable, $"{r.StatusCode}"));
        Assert.All(replies.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable), r => Assert.NotNull(r.RetryAfter));
        Assert.Contains(replies, r => r.StatusCode == HttpStatusCode.BadRequest);
        Assert.True(budget.PeakBytes <= limit, $"held {budget.PeakBytes} bytes at once");
        Assert.Equal(0, budget.HeldBytes);
        Assert.True(afterwards - baseline < 64L * 1024 * 1024, $"memory grew by {(afterwards - baseline) / 1048576} MB");
        Assert.Empty(await factory.Services.GetRequiredService<IDeliveryStore>().ListRecentAsync(10, null, default));

        // Unharmed: a good delivery right after is accepted.
        using var good = await Deliveries.PostAsync(client, "push", Deliveries.Read("push/with-installation.payload.json"));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>A JSON body of the given size made as it is sent, so the test itself holds none of the 40.</summary>
    private sealed class GeneratedJsonContent : HttpContent
    {
        private readonly long _length;

        public GeneratedJsonContent(long length)
        {
            _length = length;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            var head = "{\"pad\":\""u8.ToArray();
            await stream.WriteAsync(head);
            var remaining = _length - head.Length - 2;
            while (remaining > 0)
            {
                var n = (int)Math.Min(chunk.Length, remaining);
                await stream.WriteAsync(chunk.AsMemory(0, n));
                remaining -= n;
            }

            await stream.WriteAsync("\"}"u8.ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }
    }
}
