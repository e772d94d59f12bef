
namespace PolicyBot.Storage;

/// <summary>A webhook delivery as received: what routing and the dashboard need, and the raw payload.</summary>
public sealed record WebhookDelivery(
    string DeliveryId,
    string Event,
    string? Action,
    long? InstallationId,
    string? RepositoryFullName,
    int? PullRequestNumber,
    string Payload,
    DateTimeOffset ReceivedAt,
    string? Sender = null);

/// <summary>Where a stored delivery stands.</summary>
public static class DeliveryStates
{
    public const string Pending = "pending";
    public const string Processed = "processed";
    public const string Failed = "failed";
}

/// <summary>A delivery with its processing state, for the dashboard.</summary>
public sealed record DeliverySummary(
    string DeliveryId,
    string Event,
    string? Action,
    long? InstallationId,
    string? RepositoryFullName,
    int? PullRequestNumber,
    DateTimeOffset ReceivedAt,
    string State,
    int Attempts,
    int WorkItems,
    DateTimeOffset? ProcessedAt,
    string? Error,
    string? Sender = null);

/// <summary>A stored delivery and the work items routing found for it.</summary>
public sealed record RoutedDelivery(string DeliveryId, IReadOnlyList<WorkItem> WorkItems);

/// <summary>Durable intake of webhook deliveries.</summary>
public interface IDeliveryStore
{
    /// <summary>
    /// Stores the deliveries in one transaction (one durable commit for all of them), or none of them when it throws.
    /// For each, in order: false when one with the same id was stored before, by an earlier transaction or earlier in
    /// this list (it is then left as it was).
    /// </summary>
    Task<IReadOnlyList<bool>> AddBatchAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>Deliveries not yet routed, oldest first.</summary>
    Task<IReadOnlyList<WebhookDelivery>> GetPendingAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction, for each routed delivery: enqueues the work items it leads to and marks it processed. For
    /// each, in order: the items newly added (an equal pending one coalesces them); null, and nothing enqueued for it,
    /// when the delivery was processed already.
    /// </summary>
    Task<IReadOnlyList<IReadOnlyList<WorkItem>?>> CompleteBatchAsync(IReadOnlyList<RoutedDelivery> routed, CancellationToken cancellationToken);

    /// <summary>Records a failed routing attempt; after <paramref name="maxAttempts"/> the delivery is parked as failed.</summary>
    Task FailAsync(string deliveryId, string error, int maxAttempts, CancellationToken cancellationToken);

    Task<DeliverySummary?> GetAsync(string deliveryId, CancellationToken cancellationToken);

    /// <summary>Most recent first; leaves out those sent by <paramref name="excludingSender"/> (PolicyBot's own echoes) when given.</summary>
    Task<IReadOnlyList<DeliverySummary>> ListRecentAsync(int limit, string? excludingSender, CancellationToken cancellationToken);

    Task<int> CountPendingAsync(CancellationToken cancellationToken);

    /// <summary>Deletes processed and failed deliveries received before <paramref name="before"/>; returns how many.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken);
}

public static class DeliveryStoreExtensions
{
    /// <summary>Stores one delivery in a transaction of its own; false when one with the same id was stored before.</summary>
    public static async Task<bool> AddAsync(this IDeliveryStore store, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return (await store.AddBatchAsync([delivery], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>Completes one routed delivery in a transaction of its own (see <see cref="IDeliveryStore.CompleteBatchAsync"/>).</summary>
    public static async Task<IReadOnlyList<WorkItem>?> CompleteAsync(this IDeliveryStore store, string deliveryId, IReadOnlyList<WorkItem> workItems, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return (await store.CompleteBatchAsync([new RoutedDelivery(deliveryId, workItems)], cancellationToken).ConfigureAwait(false))[0];
    }
}
