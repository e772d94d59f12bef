using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Octokit.Webhooks;
using PolicyBot.Hosting;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Webhooks;

/// <summary>
/// Receives a delivery whose signature the library verified, stores it, and returns: the 2xx reply
/// never waits on routing or on GitHub. Workers pick the stored delivery up.
/// </summary>
internal sealed partial class DeliveryIntake(
    DeliveryGroupCommit commit,
    ProcessingSignal signal,
    PolicyBotMetrics metrics,
    TimeProvider timeProvider,
    ILogger<DeliveryIntake> logger) : WebhookEventProcessor
{
    public override async ValueTask ProcessWebhookAsync(IDictionary<string, StringValues> headers, string body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(body);

        var delivery = Describe(
            headers["X-GitHub-Delivery"].ToString(),
            headers["X-GitHub-Event"].ToString(),
            body,
            timeProvider.GetUtcNow());

        using var scope = logger.BeginDeliveryScope(delivery);

        // Stored even when the client has gone (GitHub counts the delivery as sent), in one transaction with the
        // deliveries received meanwhile; answered only once that has committed.
        if (await commit.AddAsync(delivery).ConfigureAwait(false))
        {
            metrics.DeliveryReceived(delivery.Event);
            Log.Stored(logger);
            signal.DeliveryStored();
        }
        else
        {
            metrics.DeliveryDuplicate();
            Log.Duplicate(logger);
        }
    }

    /// <summary>The fields routing and the dashboard need, read from the payload.</summary>
    internal static WebhookDelivery Describe(string deliveryId, string eventName, string payload, DateTimeOffset receivedAt)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;

        return new WebhookDelivery(
            deliveryId,
            eventName,
            String(root, "action"),
            Object(root, "installation") is { } installation && installation.TryGetProperty("id", out var id) && id.TryGetInt64(out var installationId) ? installationId : null,
            Object(root, "repository") is { } repository ? String(repository, "full_name") : null,
            PullRequestNumber(eventName, root),
            payload,
            receivedAt,
            Object(root, "sender") is { } sender ? String(sender, "login") : null);
    }

    private static int? PullRequestNumber(string eventName, JsonElement root)
    {
        if (Object(root, "pull_request") is { } pull && pull.TryGetProperty("number", out var number) && number.TryGetInt32(out var n))
        {
            return n;
        }

        return eventName == "pull_request" && root.TryGetProperty("number", out var top) && top.TryGetInt32(out var t) ? t : null;
    }

    private static JsonElement? Object(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "Webhook delivery stored.")]
        public static partial void Stored(ILogger logger);

        [LoggerMessage(EventId = 611, Level = LogLevel.Information, Message = "Webhook delivery seen before; not stored again.")]
        public static partial void Duplicate(ILogger logger);
    }
}
