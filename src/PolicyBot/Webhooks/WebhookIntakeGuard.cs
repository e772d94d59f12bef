using System.Net.Mime;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PolicyBot.GitHub;
using PolicyBot.Hosting;

namespace PolicyBot.Webhooks;

/// <summary>
/// Checks a delivery before the webhook library sees it: the headers GitHub always sends, a body of at most
/// <see cref="MaxBodyBytes"/> read only within <see cref="WebhookIntakeOptions.MaxBufferedBytes"/> held at once
/// (503 with Retry-After beyond), a matching signature, and JSON. Anything else gets its 4xx here and is never stored.
/// </summary>
internal sealed partial class WebhookIntakeGuard(
    RequestDelegate next,
    IOptions<GitHubOptions> options,
    WebhookIntakeBudget budget,
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

        // Bodies are held whole until stored, so the bytes held at once are bounded: a body whose declared length does not fit
        // is refused before a byte of it is read; one without a length reserves as it is read.
        var reserved = request.ContentLength ?? 0;
        if (!budget.TryReserve(reserved))
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            await RejectAsync(context, StatusCodes.Status503ServiceUnavailable, "busy", "Too many deliveries are being received; try again shortly.").ConfigureAwait(false);
            return;
        }

        try
        {
            var (body, length, outcome) = await ReadBoundedAsync(request.Body, request.ContentLength, r => reserved += r, context.RequestAborted).ConfigureAwait(false);
            switch (outcome)
            {
                case ReadOutcome.TooLarge:
                    await RejectAsync(context, StatusCodes.Status413PayloadTooLarge, "too-large", "The payload is over 25 MB.").ConfigureAwait(false);
                    return;
                case ReadOutcome.Busy:
                    context.Response.Headers.RetryAfter = RetryAfterSeconds;
                    await RejectAsync(context, StatusCodes.Status503ServiceUnavailable, "busy", "Too many deliveries are being received; try again shortly.").ConfigureAwait(false);
                    return;
            }

            // Checked here, on the bytes as read, so a body with a wrong signature goes no further (the library would
            // first turn it into a string twice its size).
            body ??= [];
            if (!SignatureMatches(request.Headers["X-Hub-Signature-256"].ToString(), body.AsSpan(0, length), options.Value.WebhookSecret!))
            {
                metrics.DeliveryRejected("signature");
                Log.Rejected(logger, "signature", Header(context, "X-GitHub-Delivery"), Header(context, "X-GitHub-Event"));
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            if (!IsJsonObject(body.AsSpan(0, length)))
            {
                await RejectAsync(context, StatusCodes.Status400BadRequest, "invalid-json", "The payload is not a JSON object.").ConfigureAwait(false);
                return;
            }

            request.Body = new MemoryStream(body, 0, length, writable: false, publiclyVisible: true);
            request.ContentLength = length;

            await next(context).ConfigureAwait(false);

            if (context.Response.StatusCode == StatusCodes.Status400BadRequest)
            {
                // The library answers 400 for a signature that does not match.
                metrics.DeliveryRejected("signature");
                Log.Rejected(logger, "signature", Header(context, "X-GitHub-Delivery"), Header(context, "X-GitHub-Event"));
            }
        }
        finally
        {
            budget.Release(reserved);
        }
    }

    private const string RetryAfterSeconds = "5";

    private enum ReadOutcome
    {
        Read,
        TooLarge,
        Busy,
    }

    private static bool SignatureMatches(string header, ReadOnlySpan<byte> body, string secret)
    {
        const string Prefix = "sha256=";
        if (!header.StartsWith(Prefix, StringComparison.Ordinal) || header.Length != Prefix.Length + 64)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        Span<byte> given = stackalloc byte[32];
        System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), body, expected);
        try
        {
            Convert.FromHexString(header.AsSpan(Prefix.Length), given, out _, out _);
        }
        catch (FormatException)
        {
            return false;
        }

        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(expected, given);
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

    /// <summary>
    /// Reads the whole body into one array: of its declared length when it has one (no growing copies), else grown as it
    /// comes, reserving each increase from the budget. Stops as soon as it passes the size limit or the budget.
    /// </summary>
    private async Task<(byte[]? Body, int Length, ReadOutcome Outcome)> ReadBoundedAsync(Stream source, long? declared, Action<long> reservedMore, CancellationToken cancellationToken)
    {
        var buffer = new byte[declared is { } size ? (int)size : 81920];
        var length = 0;
        if (declared is null)
        {
            if (!budget.TryReserve(buffer.Length))
            {
                return (null, 0, ReadOutcome.Busy);
            }

            reservedMore(buffer.Length);
        }

        while (true)
        {
            if (length == buffer.Length)
            {
                if (declared is not null)
                {
                    // More than it declared: Kestrel refuses that itself; never read past the declared length.
                    var probe = new byte[1];
                    if (await source.ReadAsync(probe, cancellationToken).ConfigureAwait(false) == 0)
                    {
                        return (buffer, length, ReadOutcome.Read);
                    }

                    return (null, 0, ReadOutcome.TooLarge);
                }

                var grown = Math.Min((long)buffer.Length * 2, MaxBodyBytes + 1L);
                if (grown <= buffer.Length)
                {
                    return (null, 0, ReadOutcome.TooLarge);
                }

                if (!budget.TryReserve(grown - buffer.Length))
                {
                    return (null, 0, ReadOutcome.Busy);
                }

                reservedMore(grown - buffer.Length);
                Array.Resize(ref buffer, (int)grown);
            }

            var read = await source.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return (buffer, length, ReadOutcome.Read);
            }

            length += read;
            if (length > MaxBodyBytes)
            {
                return (null, 0, ReadOutcome.TooLarge);
            }
        }
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
