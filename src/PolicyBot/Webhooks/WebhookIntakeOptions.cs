using Microsoft.Extensions.Options;

namespace PolicyBot.Webhooks;

/// <summary>Settings of section <c>Webhooks</c>.</summary>
public sealed class WebhookIntakeOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Most bytes of delivery bodies held in memory at once, over all requests. A body that would pass it is answered
    /// 503 with Retry-After before it is read; GitHub's own deliveries are rarely over a few hundred KB.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Most deliveries stored by one transaction. Deliveries that arrive while a commit is under way share the next one
    /// (group commit); each is answered only after it.
    /// </summary>
    public int MaxCommitBatch { get; set; } = 256;
}

internal sealed class WebhookIntakeOptionsValidation : IValidateOptions<WebhookIntakeOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookIntakeOptions options) =>
        options.MaxBufferedBytes < WebhookIntakeGuard.MaxBodyBytes
            ? ValidateOptionsResult.Fail($"Webhooks:MaxBufferedBytes must be at least {WebhookIntakeGuard.MaxBodyBytes} (one delivery of GitHub's largest size).")
            : options.MaxCommitBatch < 1
                ? ValidateOptionsResult.Fail("Webhooks:MaxCommitBatch must be at least 1.")
                : ValidateOptionsResult.Success;
}

/// <summary>The bytes of delivery bodies being held right now; a body is read only once its bytes are reserved here.</summary>
internal sealed class WebhookIntakeBudget(IOptions<WebhookIntakeOptions> options)
{
    private long _held;
    private long _peak;

    /// <summary>The most bytes ever held at once (for tests and benchmarks).</summary>
    public long PeakBytes => Interlocked.Read(ref _peak);

    public long HeldBytes => Interlocked.Read(ref _held);

    public bool TryReserve(long bytes)
    {
        var limit = options.Value.MaxBufferedBytes;
        while (true)
        {
            var held = Interlocked.Read(ref _held);
            if (held + bytes > limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _held, held + bytes, held) == held)
            {
                var now = held + bytes;
                long peak;
                while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
                {
                }

                return true;
            }
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _held, -bytes);
}
