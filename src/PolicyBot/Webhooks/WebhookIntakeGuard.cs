using System.Net.Mime;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PolicyBot.GitHub;
using PolicyBot.Hosting;

namespace PolicyBot.Webhooks;

/// <summary>
/// Checks a delivery before the webhook library sees it: the headers GitHub always sends, a JSON
/// body of at most <see cref="MaxBodyBytes"/>. Anything else gets its 4xx here and is never stored.
/// The library then checks the signature.
/// </summary>
internal sealed partial class WebhookIntakeGuard(
    RequestDelegate next,
    IOptions<GitHubOptions> options,
    PolicyBotMetrics metrics,
    ILogger<WebhookIntakeGuard> logger)
{
    /// <summary>GitHub caps payloads at 25 MB.</summary>
    public const int MaxBodyBytes = 25 * 1024 * 1024;

    /// <summary>The nesting System.Text.Json reads by default; storing and routing parse with it too.</summary>
    private const int MaxDepth = 64;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;

        if (string.IsNullOrEmpty(options.Value.WebhookSecret))
        {
            // Start-up refuses this; should it ever happen, refusing beats accepting unsigned deliveries.
            await RejectAsync(context, StatusCodes.Status503ServiceUnavailable, "secret-missing", "The webhook secret is not configured.").ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await RejectAsync(context, StatusCodes.Status413PayloadTooLarge, "too-large", "The payload is over 25 MB.").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrWhiteSpace(request.Headers["X-GitHub-Event"]))
        {
            await RejectAsync(context, StatusCodes.Status400BadRequest, "no-event", "The X-GitHub-Event header is missing.").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrWhiteSpace(request.Headers["X-GitHub-Delivery"]))
        {
            await RejectAsync(context, StatusCodes.Status400BadRequest, "no-delivery-id", "The X-GitHub-Delivery header is missing.").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrWhiteSpace(request.Headers["X-Hub-Signature-256"]))
        {
            await RejectAsync(context, StatusCodes.Status400BadRequest, "no-signature", "The X-Hub-Signature-256 header is missing.").ConfigureAwait(false);
            return;
        }

        if (!IsJson(request.ContentType))
        {
            await RejectAsync(context, StatusCodes.Status415UnsupportedMediaType, "not-json", "The payload must be application/json.").ConfigureAwait(false);
            return;
        }

        var body = await ReadBoundedAsync(request.Body, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await RejectAsync(context, StatusCodes.Status413PayloadTooLarge, "too-large", "The payload is over 25 MB.").ConfigureAwait(false);
            return;
        }

        if (!IsJsonObject(body.GetBuffer().AsSpan(0, (int)body.Length)))
        {
            await RejectAsync(context, StatusCodes.Status400BadRequest, "invalid-json", "The payload is not a JSON object.").ConfigureAwait(false);
            return;
        }

        body.Position = 0;
        request.Body = body;
        request.ContentLength = body.Length;

        await next(context).ConfigureAwait(false);

        if (context.Response.StatusCode == StatusCodes.Status400BadRequest)
        {
            // The library answers 400 for a signature that does not match.
            metrics.DeliveryRejected("signature");
            Log.Rejected(logger, "signature", Header(context, "X-GitHub-Delivery"), Header(context, "X-GitHub-Event"));
        }
    }

    /// <summary>A header for the log, cut short: it comes from a caller not yet authenticated.</summary>
    private static string? Header(HttpContext context, string name) =>
        context.Request.Headers[name].ToString() is { Length: > 0 } value ? value[..Math.Min(value.Length, 64)] : null;

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        try
        {
            return string.Equals(new ContentType(contentType).MediaType, MediaTypeNames.Application.Json, StringComparison.OrdinalIgnoreCase);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Reads the whole body, or returns null as soon as it passes the limit (chunked bodies have no Content-Length).</summary>
    private static async Task<MemoryStream?> ReadBoundedAsync(Stream source, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                await buffer.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer;
    }

    private static bool IsJsonObject(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private async Task RejectAsync(HttpContext context, int status, string reason, string message)
    {
        metrics.DeliveryRejected(reason);
        Log.Rejected(logger, reason, Header(context, "X-GitHub-Delivery"), Header(context, "X-GitHub-Event"));
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message, context.RequestAborted).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} ({Event}) rejected: {Reason}.")]
        public static partial void Rejected(ILogger logger, string reason, string? deliveryId, string? @event);
    }
}
