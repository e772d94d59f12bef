namespace PolicyBot.Processing;

/// <summary>Wakes idle background loops when there is new work, so nothing waits for the next poll.</summary>
public sealed class ProcessingSignal
{
    private readonly SemaphoreSlim _deliveries = new(0);
    private readonly SemaphoreSlim _workItems = new(0);

    public void DeliveryStored() => Wake(_deliveries);

    public void WorkItemsAdded(int count = 1)
    {
        for (var i = 0; i < Math.Min(count, 16); i++)
        {
            Wake(_workItems);
        }
    }

    internal Task<bool> WaitForDeliveriesAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _deliveries.WaitAsync(timeout, cancellationToken);

    internal Task<bool> WaitForWorkItemsAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _workItems.WaitAsync(timeout, cancellationToken);

    private static void Wake(SemaphoreSlim semaphore)
    {
        // A few pending wake-ups are enough for every waiting loop; more would only spin.
        if (semaphore.CurrentCount < 16)
        {
            semaphore.Release();
        }
    }
}
