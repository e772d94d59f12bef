using Microsoft.Extensions.Options;
using PolicyBot.GitHub;
using PolicyBot.Storage;

namespace PolicyBot.Processing;

/// <summary>
/// Soon after start-up (<see cref="ProcessingOptions.ReconcileOnStart"/>) and then every
/// <see cref="ProcessingOptions.ReconcileInterval"/>: re-evaluates every installation of the app
/// (deliveries can be missed and settings drift) and re-queues dead letters.
/// </summary>
public sealed partial class ReconcileService(
    IGitHubClientFactory clients,
    IWorkQueue queue,
    IWorkQueueStore store,
    IDeliveryStore deliveries,
    IInstallationStateStore installationStates,
    ProcessingSignal signal,
    IOptions<ProcessingOptions> options,
    TimeProvider timeProvider,
    ILogger<ReconcileService> logger) : BackgroundService
{
    /// <summary>One reconcile pass; returns how many installations were queued.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = timeProvider.GetUtcNow() - options.Value.RetainHistoryFor;
        var purgedDeliveries = await deliveries.PurgeAsync(cutoff, cancellationToken).ConfigureAwait(false);
        var purgedItems = await store.PurgeAsync(cutoff, cancellationToken).ConfigureAwait(false);
        Log.Purged(logger, purgedDeliveries, purgedItems, cutoff);

        var requeued = await store.RequeueDeadLettersAsync(options.Value.MaxDeadLetterRequeues, cancellationToken).ConfigureAwait(false);
        if (requeued > 0)
        {
            signal.WorkItemsAdded(requeued);
        }

        var installations = await clients.CreateAppClient().GitHubApps.GetAllInstallationsForCurrent().ConfigureAwait(false);
        var queued = 0;
        foreach (var installation in installations)
        {
            if (installation.SuspendedAt is not null)
            {
                // Suspended: GitHub gives it no token, so there is nothing to do until it is unsuspended.
                continue;
            }

            // GitHub lists it as active: if its unsuspend (or re-install) delivery was missed, it is active again.
            if (await installationStates.IsRemovedAsync(installation.Id, cancellationToken).ConfigureAwait(false))
            {
                await installationStates.ClearRemovedAsync(installation.Id, cancellationToken).ConfigureAwait(false);
                Log.Restored(logger, installation.Id);
            }

            await queue.EnqueueAsync(
                new WorkItem(WorkItemKinds.EvaluateInstallation, installation.Id, installation.Account?.Login, null, null, "reconcile", null, WorkTriggers.Reconcile),
                cancellationToken).ConfigureAwait(false);
            queued++;
        }

        Log.Reconciled(logger, queued, requeued);
        return queued;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (options.Value.ReconcileOnStart)
            {
                await Task.Delay(options.Value.ReconcileStartDelay, timeProvider, stoppingToken).ConfigureAwait(false);
                await RunLoggedAsync(stoppingToken).ConfigureAwait(false);
            }

            using var timer = new PeriodicTimer(options.Value.ReconcileInterval, timeProvider);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RunLoggedAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RunLoggedAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunOnceAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failed pass (GitHub down) is logged; the next tick tries again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.Failed(logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Reconcile queued {Installations} installations and re-queued {DeadLetters} dead letters.")]
        public static partial void Reconciled(ILogger logger, int installations, int deadLetters);

        [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "Deleted {Deliveries} deliveries and {WorkItems} completed work items from before {Cutoff}.")]
        public static partial void Purged(ILogger logger, int deliveries, int workItems, DateTimeOffset cutoff);

        [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "Installation {InstallationId} was recorded as removed but GitHub lists it as active: its work resumes.")]
        public static partial void Restored(ILogger logger, long installationId);

        [LoggerMessage(EventId = 501, Level = LogLevel.Error, Message = "Reconcile failed; the next one is at the next interval.")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
