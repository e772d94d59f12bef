using Octokit;
using PolicyBot.Enforcement.State;
using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>
/// `refresh-custom-properties`: a repository's custom property values changed (`custom_property_values`), so
/// the organisation's cached properties are dropped and the repository is evaluated again, with its open pull
/// requests: the tiers it takes, and so its baseline and its reviewer rules, may have changed.
/// </summary>
public sealed class RefreshCustomPropertiesHandler(IGitHubClientFactory clients, CustomPropertyCache customProperties, IWorkQueue queue) : IWorkItemHandler
{
    public string Kind => WorkItemKinds.RefreshCustomProperties;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Owner is not { } owner || item.Repository is not { } name)
        {
            return;
        }

        await customProperties.InvalidateAsync(owner, cancellationToken).ConfigureAwait(false);
        await queue.EnqueueAsync(item with { Kind = WorkItemKinds.EvaluateRepository }, cancellationToken).ConfigureAwait(false);

        var client = await clients.CreateInstallationClientAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<PullRequest> open;
        try
        {
            open = await client.PullRequest.GetAllForRepository(owner, name, new PullRequestRequest { State = ItemStateFilter.Open }).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return;
        }

        foreach (var pull in open)
        {
            await queue.EnqueueAsync(item with { Kind = WorkItemKinds.EvaluatePullRequest, PullRequestNumber = pull.Number, Reason = $"custom properties changed ({item.Reason})" }, cancellationToken).ConfigureAwait(false);
        }
    }
}
