using Octokit;
using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>
/// `installation-removed`: the app was uninstalled or suspended. Its pending and future work is
/// skipped (see <see cref="Processing.InstallationGate"/>) until GitHub reports it back.
/// </summary>
/// <remarks>
/// Work items can run later than their deliveries arrived (a retry, a busy queue), so an unsuspend may
/// already have been handled when this runs. GitHub's current state decides: an installation it lists as
/// active (no <c>suspended_at</c>) is not recorded as removed.
/// </remarks>
public sealed partial class InstallationRemovedHandler(
    IInstallationStateStore installations,
    IAuditLog auditLog,
    IGitHubClientFactory clients,
    TimeProvider timeProvider,
    ILogger<InstallationRemovedHandler> logger) : IWorkItemHandler
{
    public string Kind => WorkItemKinds.InstallationRemoved;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (await IsActiveOnGitHubAsync(item.InstallationId).ConfigureAwait(false))
        {
            LogStillActive(logger, item.InstallationId, item.Reason);
            return;
        }

        await installations.SetRemovedAsync(item.InstallationId, item.Reason, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await auditLog.RecordAsync(new AuditEntry(timeProvider.GetUtcNow(), item.InstallationId, null, "installation.stopped",
            $"{item.Reason}: work for this installation stops until it is restored", item.Owner, item.DeliveryId), cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> IsActiveOnGitHubAsync(long installationId)
    {
        try
        {
            var installation = await clients.CreateAppClient().GitHubApps.GetInstallationForCurrent(installationId).ConfigureAwait(false);
            return installation.SuspendedAt is null;
        }
        catch (NotFoundException)
        {
            return false;
        }
        catch (ApiException)
        {
            // GitHub cannot say: stopping is the safe side, and the reconcile restores an active installation.
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Installation {InstallationId}: {Reason} arrived, but GitHub lists the installation as active now; its work goes on")]
    private static partial void LogStillActive(ILogger logger, long installationId, string reason);
}
