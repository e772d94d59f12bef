using PolicyBot.Enforcement.State;
using PolicyBot.Processing;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>`refresh-membership`: a team or membership changed, so the cached directory of the organisation is dropped.</summary>
public sealed class RefreshMembershipHandler(OrganizationDirectoryCache directories) : IWorkItemHandler
{
    public string Kind => WorkItemKinds.RefreshMembership;

    public Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Owner is { } org)
        {
            directories.Invalidate(org);
        }

        return Task.CompletedTask;
    }
}
