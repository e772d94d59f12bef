using PolicyBot.Enforcement.State;
using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>
/// `evaluate-pull-request`: the review rules and the `PolicyBot` check run of one pull request. Deliveries
/// for the same pull request that arrive while one is pending coalesce into one item (the queue's
/// coalescing key), and items of one repository never run at once, so its check run is written by one at a time.
/// </summary>
public sealed class EvaluatePullRequestHandler(IGitHubClientFactory clients, PullRequestEnforcer enforcer, IDeliveryStore deliveries, TimeProvider timeProvider) : IWorkItemHandler
{
    /// <summary>
    /// Older than this, a delivery is not taken as the pull request's state: events PolicyBot is not sent to evaluate
    /// on (closed, converted to draft) may have changed it meanwhile, as a long queue after a large install allows.
    /// </summary>
    internal static readonly TimeSpan MaxDeliveredAge = TimeSpan.FromMinutes(5);

    public string Kind => WorkItemKinds.EvaluatePullRequest;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Owner is not { } owner || item.Repository is not { } name || item.PullRequestNumber is not { } number)
        {
            return;
        }

        var delivered = await DeliveredAsync(item, $"{owner}/{name}", number, cancellationToken).ConfigureAwait(false);
        var client = await clients.CreateInstallationClientAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
        await enforcer.EnforceAsync(client, item.InstallationId, owner, name, number, item.DeliveryId, item.Triggers.HasFlag(WorkTriggers.RerunRequested), delivered, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The pull request as the item's delivery carried it, when that is its latest state; else null, and it is read from
    /// GitHub. Not when several deliveries merged into the item: it names the first, and a later one (a push after the
    /// opening) says something newer. Not on a retry: time has passed, and the failed attempt may have created the check
    /// run already, which only listing the commit's runs would find. Not when the delivery is old or gone (purged).
    /// </summary>
    private async Task<DeliveredPullRequest?> DeliveredAsync(WorkItem item, string repository, int number, CancellationToken cancellationToken)
    {
        if (item.DeliveryId is not { } deliveryId || (item.Triggers & (WorkTriggers.Coalesced | WorkTriggers.Retried)) != 0)
        {
            return null;
        }

        var delivery = await deliveries.FindAsync(deliveryId, cancellationToken).ConfigureAwait(false);
        return delivery is not null && timeProvider.GetUtcNow() - delivery.ReceivedAt <= MaxDeliveredAge
            ? DeliveredPullRequest.From(delivery, repository, number)
            : null;
    }
}
