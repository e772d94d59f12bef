using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>
/// `evaluate-pull-request`: the review rules and the `PolicyBot` check run of one pull request. Deliveries
/// for the same pull request that arrive while one is pending coalesce into one item (the queue's
/// coalescing key), and items of one repository never run at once, so its check run is written by one at a time.
/// </summary>
public sealed class EvaluatePullRequestHandler(IGitHubClientFactory clients, PullRequestEnforcer enforcer) : IWorkItemHandler
{
    public string Kind => WorkItemKinds.EvaluatePullRequest;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Owner is not { } owner || item.Repository is not { } name || item.PullRequestNumber is not { } number)
        {
            return;
        }

        var client = await clients.CreateInstallationClientAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
        await enforcer.EnforceAsync(client, item.InstallationId, owner, name, number, item.DeliveryId, item.Triggers.HasFlag(WorkTriggers.RerunRequested), cancellationToken).ConfigureAwait(false);
    }
}
