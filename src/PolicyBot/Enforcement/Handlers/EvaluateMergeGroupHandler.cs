using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>`evaluate-merge-group`: the `PolicyBot` check run on a merge queue's merge group commit.</summary>
public sealed class EvaluateMergeGroupHandler(IGitHubClientFactory clients, PullRequestEnforcer enforcer) : IWorkItemHandler
{
    public string Kind => WorkItemKinds.EvaluateMergeGroup;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Owner is not { } owner || item.Repository is not { } name || item.HeadSha is not { } sha || item.PullRequestNumber is not { } number)
        {
            return;
        }

        var client = await clients.CreateInstallationClientAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
        await enforcer.EnforceMergeGroupAsync(client, item.InstallationId, owner, name, number, sha, item.DeliveryId, cancellationToken).ConfigureAwait(false);
    }
}
