using System.Threading.Channels;
using Microsoft.Extensions.Options;
using PolicyBot.Hosting;
using PolicyBot.Storage;

namespace PolicyBot.Webhooks;

/// <summary>
/// Group commit for intake: deliveries that arrive while a commit is under way wait for the next one, and that one
/// stores all of them in one transaction (<see cref="IDeliveryStore.AddBatchAsync"/>). A single writer drains the queue,
/// up to <see cref="WebhookIntakeOptions.MaxCommitBatch"/> at a time; each caller's task completes only after the commit,
/// so the 2xx still follows a durable write, and a commit that fails fails every caller in it (they answer 5xx and the
/// delivery is redelivered). No delivery waits for company: a lone one is committed at once.
/// </summary>
internal sealed partial class DeliveryGroupCommit(
    IDeliveryStore store,
    IOptions<WebhookIntakeOptions> options,
    PolicyBotMetrics metrics,
    ILogger<DeliveryGroupCommit> logger) : IHostedService
{
    private readonly Channel<Caller> _queue = Channel.CreateUnbounded<Caller>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writer;
    private long _commits;
    private int _pending;

    /// <summary>Transactions committed so far (for tests and benchmarks: N deliveries at once take fewer than N).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Deliveries received and not yet answered, the batch being written included.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Completes once the delivery is durably stored: true, or false when its id was stored before.</summary>
    public Task<bool> AddAsync(WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);

        // Continuations run off the writer, so the next batch is not held up by the callers' replies.
        var waiting = new Caller(delivery, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(waiting))
        {
            Interlocked.Decrement(ref _pending);
            throw new InvalidOperationException("Intake has stopped; the delivery was not stored.");
        }

        return waiting.Stored.Task;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _writer = Task.Run(WriteAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Takes no more deliveries and commits those already waiting: each was promised a reply.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_writer is { } writer)
        {
            await writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Caller>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var limit = Math.Max(1, options.Value.MaxCommitBatch);
            while (batch.Count < limit && reader.TryRead(out var waiting))
            {
                batch.Add(waiting);
            }

            await CommitAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task CommitAsync(List<Caller> batch)
    {
        IReadOnlyList<bool> added;
        try
        {
            // Not cancelled with any one caller: the others wait on the same transaction, and GitHub counts a delivery
            // whose connection dropped as sent.
            added = await store.AddBatchAsync(batch.ConvertAll(w => w.Delivery), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the store threw is handed to every caller of the batch; the writer goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CommitFailed(logger, batch.Count, ex);
            foreach (var caller in batch)
            {
                Interlocked.Decrement(ref _pending);
                caller.Stored.TrySetException(ex);
            }

            return;
        }

        Interlocked.Increment(ref _commits);
        metrics.DeliveriesCommitted(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            Interlocked.Decrement(ref _pending);
            batch[i].Stored.TrySetResult(added[i]);
        }
    }

    private sealed record Caller(WebhookDelivery Delivery, TaskCompletionSource<bool> Stored);

    private static partial class Log
    {
        [LoggerMessage(EventId = 612, Level = LogLevel.Error, Message = "Storing {Count} webhook deliveries failed; each is answered with an error so that it is delivered again.")]
        public static partial void CommitFailed(ILogger logger, int count, Exception exception);
    }
}
