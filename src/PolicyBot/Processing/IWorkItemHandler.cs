using PolicyBot.Storage;

namespace PolicyBot.Processing;

/// <summary>Does the work of one kind. Resolved in its own DI scope for each item.</summary>
public interface IWorkItemHandler
{
    string Kind { get; }

    Task HandleAsync(WorkItem item, CancellationToken cancellationToken);
}

/// <summary>Adds work from handlers or the reconcile, and lets tests wait until everything is done.</summary>
public interface IWorkQueue
{
    /// <summary>Stores the item unless an equal one is pending; true when added.</summary>
    Task<bool> EnqueueAsync(WorkItem item, CancellationToken cancellationToken);

    /// <summary>Completes when no delivery is waiting to be routed and no work item is pending or running.</summary>
    Task WaitForIdleAsync(CancellationToken cancellationToken);
}
