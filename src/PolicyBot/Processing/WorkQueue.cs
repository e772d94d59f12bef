using PolicyBot.Hosting;
using PolicyBot.Storage;

namespace PolicyBot.Processing;

internal sealed class WorkQueue(
    IWorkQueueStore store,
    IDeliveryStore deliveries,
    ProcessingSignal signal,
    PolicyBotMetrics metrics,
    TimeProvider timeProvider) : IWorkQueue
{
    private static readonly TimeSpan IdlePollInterval = TimeSpan.FromMilliseconds(25);

    public async Task<bool> EnqueueAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var added = await store.EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
        metrics.WorkItemEnqueued(item.Kind, added);
        if (added)
        {
            signal.WorkItemsAdded();
        }

        return added;
    }

    public async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var counts = await store.CountAsync(cancellationToken).ConfigureAwait(false);
            if (counts.Pending == 0 && counts.Running == 0
                && await deliveries.CountPendingAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return;
            }

            await Task.Delay(IdlePollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
