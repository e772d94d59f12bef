using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>
/// `evaluate-installation`: fans out one `evaluate-repository` per repository of the installation.
/// The queue spreads them over the workers and the client paces what they create, so installing on
/// a large organisation does not trip GitHub's secondary limits. Repositories stored for the installation but no
/// longer in it are evaluated too: their evaluation finds them gone and forgets them.
/// </summary>
public sealed partial class EvaluateInstallationHandler(
    IGitHubClientFactory clients,
    IEvaluationStore evaluations,
    IWorkQueue queue,
    Progress.EvaluationProgress progress,
    State.PrefetchedRepositories prefetched,
    ILogger<EvaluateInstallationHandler> logger) : IWorkItemHandler
{
    public string Kind => WorkItemKinds.EvaluateInstallation;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var client = await clients.CreateInstallationClientAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
        var (listed, organization) = await ListRepositoriesAsync(client).ConfigureAwait(false);
        var listedNames = listed.Select(r => $"{r.Login}/{r.Name}").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var gone = (await evaluations.ListAsync(item.InstallationId, cancellationToken).ConfigureAwait(false))
            .Where(e => !listedNames.Contains(e.Repository))
            .Select(e => RepositoryName.Split(e.Repository))
            .ToList();
        await progress.BeginAsync(item.InstallationId, listed.Count + gone.Count, item.Triggers.HasFlag(WorkTriggers.Reconcile), cancellationToken).ConfigureAwait(false);
        await PrefetchAsync(client, item.InstallationId, organization, listedNames, cancellationToken).ConfigureAwait(false);
        foreach (var (owner, name) in listed.Concat(gone))
        {
            await queue.EnqueueAsync(item with
            {
                Kind = WorkItemKinds.EvaluateRepository,
                Owner = owner,
                Repository = name,
                PullRequestNumber = null,

                // Restoring is the installation's business (and splits coalescing); a reconcile or a policy push carries on.
                Triggers = item.Triggers & ~WorkTriggers.RestoresInstallation,
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The installation's repositories by owner and name, and the organisation owning them (null: not an organisation).
    /// Only the names outlive this method: GitHub's full repository objects (a few kilobytes each, 40 MB at 10,000
    /// repositories) would otherwise stay reachable from the handler's state for the whole organisation pass.
    /// </summary>
    private static async Task<(List<(string Login, string Name)> Repositories, string? Organization)> ListRepositoriesAsync(Octokit.IGitHubClient client)
    {
        // GitHub's largest page (100; its default is 30): a pass lists the installation in a third of the calls.
        var repositories = (await client.GitHubApps.Installation.GetAllRepositoriesForCurrent(new Octokit.ApiOptions { PageSize = 100 }).ConfigureAwait(false)).Repositories;
        var organization = repositories.FirstOrDefault()?.Owner is { Type: Octokit.AccountType.Organization } owner ? owner.Login : null;
        return (repositories.Select(r => (r.Owner.Login, r.Name)).ToList(), organization);
    }

    /// <summary>
    /// Reads the organisation's repositories in GraphQL pages, so that each evaluate-repository item finds its state
    /// read already: a few points a page instead of several REST calls per repository. Without it (an account that is
    /// not an organisation, or GraphQL refusing) every repository is read through REST as before.
    /// </summary>
    private async Task PrefetchAsync(Octokit.IGitHubClient client, long installationId, string? organizationLogin, HashSet<string> listed, CancellationToken cancellationToken)
    {
        prefetched.Clear(installationId);
        if (organizationLogin is null)
        {
            return;
        }

        try
        {
            var organizationRulesets = await State.OrganizationGraphQLReader.ReadOrganizationRulesetsAsync(client.Connection, organizationLogin, cancellationToken).ConfigureAwait(false);
            var organization = new State.PrefetchedOrganization();
            string? cursor = null;
            do
            {
                var page = await State.OrganizationGraphQLReader.ReadPageAsync(client.Connection, organizationLogin, cursor, organizationRulesets, cancellationToken).ConfigureAwait(false);
                foreach (var repository in page.Repositories.Where(r => listed.Contains(r.Snapshot.FullName)))
                {
                    prefetched.Add(installationId, repository with { Organization = organization });
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }
        // A spent GraphQL budget falls back to REST too: the budget paces work items, not the pages within this one, and
        // retrying the whole read would spend the next window on the same first pages. REST reads are paced per item.
        catch (Exception ex) when (ex is GitHub.GraphQL.GitHubGraphQLException or Octokit.ApiException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            prefetched.Clear(installationId);
            Log.PrefetchFailed(logger, ex, installationId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 420, Level = LogLevel.Warning, Message = "Reading installation {InstallationId}'s repositories through GraphQL failed; they are read through REST.")]
        public static partial void PrefetchFailed(ILogger logger, Exception exception, long installationId);
    }
}
