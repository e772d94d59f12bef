using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>
/// `installation-removed`: the app was uninstalled or suspended. Its pending and future work is
/// skipped (see <see cref="Processing.InstallationGate"/>) until GitHub reports it back.
/// </summary>
public sealed class InstallationRemovedHandler(IInstallationStateStore installations, IAuditLog auditLog, TimeProvider timeProvider) : IWorkItemHandler
{
    public string Kind => WorkItemKinds.InstallationRemoved;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await installations.SetRemovedAsync(item.InstallationId, item.Reason, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await auditLog.RecordAsync(new AuditEntry(timeProvider.GetUtcNow(), item.InstallationId, null, "installation.stopped",
            $"{item.Reason}: work for this installation stops until it is restored", item.Owner, item.DeliveryId), cancellationToken).ConfigureAwait(false);
    }
}
