
namespace PolicyBot.Storage;

/// <summary>Where a stored work item stands.</summary>
public static class WorkItemStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Done = "done";

    /// <summary>
    /// Parked: failed <c>Processing:MaxAttempts</c> times (retried by the next reconciles, at most
    /// <c>Processing:MaxDeadLetterRequeues</c> times), or failed permanently (never retried); its failure says which.
    /// </summary>
    public const string Dead = "dead";

    /// <summary>A dead letter that was not re-queued because an equal item was already pending.</summary>
    public const string Superseded = "superseded";
}

/// <summary>A work item as stored, with its state.</summary>
public sealed record StoredWorkItem(
    long Id,
    WorkItem Item,
    string State,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? FailureKind = null,
    int Requeues = 0);

/// <summary>How many work items are in each state.</summary>
public sealed record WorkQueueCounts(int Pending, int Running, int Done, int Dead);

/// <summary>
/// Durable work items. A pending item with the same coalescing key is not added twice; items are
/// claimed with a lease, and no two items of the same repository (concurrency key) run at once.
/// </summary>
public interface IWorkQueueStore
{
    /// <summary>Adds the item unless an equal one is pending; true when added.</summary>
    Task<bool> EnqueueAsync(WorkItem item, CancellationToken cancellationToken);

    /// <summary>Claims the next due item whose repository has nothing running, or whose lease expired; null when none.</summary>
    Task<StoredWorkItem?> ClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends a claim; false when the claim was lost.</summary>
    Task<bool> RenewAsync(long id, string owner, TimeSpan lease, CancellationToken cancellationToken);

    Task CompleteAsync(long id, string owner, CancellationToken cancellationToken);

    /// <summary>Records a failure: pending again at <paramref name="retryAt"/>, or a dead letter when it is null.</summary>
    Task FailAsync(long id, string owner, WorkFailure failure, DateTimeOffset? retryAt, CancellationToken cancellationToken);

    /// <summary>Gives a claim back without counting an attempt (the process is stopping).</summary>
    Task ReleaseAsync(long id, string owner, CancellationToken cancellationToken);

    /// <summary>Puts every running item back to pending; for a single-process store at start-up, where no claim can be alive.</summary>
    Task<int> RecoverAbandonedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes dead letters of transient failures pending again with fresh attempts, each at most
    /// <paramref name="maxRequeues"/> times; permanent failures stay parked.
    /// </summary>
    Task<int> RequeueDeadLettersAsync(int maxRequeues, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredWorkItem>> ListAsync(string state, int limit, CancellationToken cancellationToken);

    Task<WorkQueueCounts> CountAsync(CancellationToken cancellationToken);

    /// <summary>Deletes done and superseded items last touched before <paramref name="before"/>; dead letters stay.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
