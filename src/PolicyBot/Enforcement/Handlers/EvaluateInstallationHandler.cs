using PolicyBot.GitHub;
using PolicyBot.Processing;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>
/// `evaluate-installation`: fans out one `evaluate-repository` per repository of the installation.
/// The queue spreads them over the workers and the client paces what they create, so installing on
/// a large organisation does not trip GitHub's secondary limits. Repositories stored for the installation but no
/// longer in it are evaluated too: their evaluation finds them gone and forgets them.
/// </summary>
public sealed class EvaluateInstallationHandler(IGitHubClientFactory clients, IEvaluationStore evaluations, IWorkQueue queue, Progress.EvaluationProgress progress) : IWorkItemHandler
{
    public string Kind => WorkItemKinds.EvaluateInstallation;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var client = await clients.CreateInstallationClientAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
        var repositories = await client.GitHubApps.Installation.GetAllRepositoriesForCurrent().ConfigureAwait(false);
        var listed = repositories.Repositories.Select(r => (r.Owner.Login, r.Name)).ToList();
        var listedNames = listed.Select(r => $"{r.Login}/{r.Name}").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var gone = (await evaluations.ListAsync(item.InstallationId, cancellationToken).ConfigureAwait(false))
            .Where(e => !listedNames.Contains(e.Repository))
            .Select(e => RepositoryName.Split(e.Repository))
            .ToList();
        progress.Begin(item.InstallationId, listed.Count + gone.Count, item.Reason);
        foreach (var (owner, name) in listed.Concat(gone))
        {
            await queue.EnqueueAsync(item with
            {
                Kind = WorkItemKinds.EvaluateRepository,
                Owner = owner,
                Repository = name,
                PullRequestNumber = null,
            }, cancellationToken).ConfigureAwait(false);
        }
    }
}
