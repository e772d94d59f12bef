using PolicyBot.Enforcement.State;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>
/// `refresh-membership`: a team or a membership changed, so the cached directory of the organisation is
/// dropped and the pull requests that were waiting for reviewers are evaluated again: someone who just
/// joined a team may already have approved. Passing pull requests are left to their next event or the
/// periodic reconcile, so that a membership change in a large organisation does not re-read every one.
/// </summary>
public sealed class RefreshMembershipHandler(OrganizationDirectoryCache directories, IEvaluationStore evaluations, IWorkQueue queue) : IWorkItemHandler
{
    public string Kind => WorkItemKinds.RefreshMembership;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Owner is not { } org)
        {
            return;
        }

        await directories.InvalidateAsync(org, cancellationToken).ConfigureAwait(false);
        var waiting = (await evaluations.ListPullRequestsAsync(item.InstallationId, cancellationToken).ConfigureAwait(false))
            .Where(p => p.UnmetRules.Count > 0 && string.Equals(RepositoryName.Split(p.Repository).Owner, org, StringComparison.OrdinalIgnoreCase));
        foreach (var pull in waiting)
        {
            var name = RepositoryName.Split(pull.Repository).Name;
            await queue.EnqueueAsync(item with
            {
                Kind = WorkItemKinds.EvaluatePullRequest,
                Repository = name,
                PullRequestNumber = pull.Number,
                Reason = $"team membership changed ({item.Reason})",
                Triggers = WorkTriggers.None,
            }, cancellationToken).ConfigureAwait(false);
        }
    }
}
