using PolicyBot.GitHub;
using PolicyBot.Processing;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>
/// `evaluate-installation`: fans out one `evaluate-repository` per repository of the installation.
/// The queue spreads them over the workers and the client paces what they create, so installing on
/// a large organisation does not trip GitHub's secondary limits.
/// </summary>
public sealed class EvaluateInstallationHandler(IGitHubClientFactory clients, IWorkQueue queue) : IWorkItemHandler
{
    public string Kind => WorkItemKinds.EvaluateInstallation;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var client = await clients.CreateInstallationClientAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
        var repositories = await client.GitHubApps.Installation.GetAllRepositoriesForCurrent().ConfigureAwait(false);
        foreach (var repository in repositories.Repositories)
        {
            await queue.EnqueueAsync(item with
            {
                Kind = WorkItemKinds.EvaluateRepository,
                Owner = repository.Owner.Login,
                Repository = repository.Name,
                PullRequestNumber = null,
            }, cancellationToken).ConfigureAwait(false);
        }
    }
}
