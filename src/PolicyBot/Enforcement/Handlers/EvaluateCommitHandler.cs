using Octokit;
using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>
/// `evaluate-commit`: a re-run of a check run or check suite that lists no pull request, as GitHub sends it for a pull
/// request from a fork. The open pull requests whose head is that commit are found and evaluated, the run rewritten.
/// </summary>
public sealed class EvaluateCommitHandler(IGitHubClientFactory clients, PullRequestEnforcer enforcer) : IWorkItemHandler
{
    private static readonly ApiOptions FullPages = new() { PageSize = 100 };

    public string Kind => WorkItemKinds.EvaluateCommit;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Owner is not { } owner || item.Repository is not { } name || item.HeadSha is not { } sha)
        {
            return;
        }

        var client = await clients.CreateInstallationClientAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
        var open = await client.PullRequest.GetAllForRepository(owner, name, new PullRequestRequest { State = ItemStateFilter.Open }, FullPages).ConfigureAwait(false);
        foreach (var pull in open.Where(p => string.Equals(p.Head.Sha, sha, StringComparison.OrdinalIgnoreCase)))
        {
            await enforcer.EnforceAsync(client, item.InstallationId, owner, name, pull.Number, item.DeliveryId, rerun: true, delivered: null, cancellationToken).ConfigureAwait(false);
        }
    }
}
