using PolicyBot.Storage;

namespace PolicyBot.Processing;

/// <summary>Decides whether a work item may run, given its installation's state.</summary>
public static class InstallationGate
{
    /// <summary>The deliveries that bring an installation back.</summary>
    public static bool Restores(WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Kind == WorkItemKinds.EvaluateInstallation && item.Triggers.HasFlag(WorkTriggers.RestoresInstallation);
    }

    /// <summary>True when the item should run: its installation is active, or the item restores it (and is recorded so).</summary>
    public static async Task<bool> AdmitAsync(IInstallationStateStore installations, WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(installations);
        ArgumentNullException.ThrowIfNull(item);
        if (Restores(item))
        {
            await installations.ClearRemovedAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
            return true;
        }

        return item.Kind == WorkItemKinds.InstallationRemoved
            || !await installations.IsRemovedAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
    }
}
