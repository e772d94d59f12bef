using Microsoft.Extensions.Options;
using PolicyBot.Hosting;
using PolicyBot.Storage;
using PolicyBot.Webhooks;

namespace PolicyBot.Processing;

/// <summary>
/// Routes stored deliveries into work items. Enqueuing the items and marking the delivery processed
/// happen in one transaction, so a delivery is routed exactly once even across crashes.
/// </summary>
internal sealed partial class DeliveryProcessor(
    IDeliveryStore deliveries,
    WebhookRouter router,
    ProcessingSignal signal,
    PolicyBotMetrics metrics,
    IOptions<ProcessingOptions> options,
    TimeProvider timeProvider,
    ILogger<DeliveryProcessor> logger) : BackgroundService
{
    private const int BatchSize = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // SQLite calls complete synchronously: leave the start-up path before the first one.
        await Task.Yield();

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await ProcessPendingAsync(stoppingToken).ConfigureAwait(false) == 0)
                {
                    await signal.WaitForDeliveriesAsync(options.Value.PollInterval, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop must outlive a storage hiccup; the error is logged and the loop backs off.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.LoopFailed(logger, ex);
                await Task.Delay(options.Value.PollInterval, timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Routes every pending delivery, then completes those routed in one transaction (one commit for the batch, not one
    /// per delivery: intake's commits wait on the same database); returns how many were looked at.
    /// </summary>
    internal async Task<int> ProcessPendingAsync(CancellationToken cancellationToken)
    {
        var pending = await deliveries.GetPendingAsync(BatchSize, cancellationToken).ConfigureAwait(false);
        var routed = new List<(WebhookDelivery Delivery, RoutedDelivery Routed)>(pending.Count);
        foreach (var delivery in pending)
        {
            using var scope = logger.BeginDeliveryScope(delivery);
            using var activity = PolicyBotActivities.Source.StartActivity($"delivery {delivery.Event}");
            activity?.SetTag("policybot.delivery_id", delivery.DeliveryId);
            activity?.SetTag("policybot.event", delivery.Action is null ? delivery.Event : $"{delivery.Event}.{delivery.Action}");
            activity?.SetTag("policybot.repository", delivery.RepositoryFullName);
            try
            {
                var items = router.Route(delivery);
                activity?.SetTag("policybot.work_items", items.Count);
                routed.Add((delivery, new RoutedDelivery(delivery.DeliveryId, items)));
            }
#pragma warning disable CA1031 // A payload the router cannot read is parked as failed, not allowed to stop the loop.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.RoutingFailed(logger, ex);
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
                metrics.DeliveryFailed(delivery.Event);
                await deliveries.FailAsync(delivery.DeliveryId, ex.Message, options.Value.MaxAttempts, cancellationToken).ConfigureAwait(false);
            }
        }

        if (routed.Count == 0)
        {
            return pending.Count;
        }

        var completed = await deliveries.CompleteBatchAsync(routed.ConvertAll(r => r.Routed), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < routed.Count; i++)
        {
            if (completed[i] is not { } added)
            {
                continue; // processed already, by another replica
            }

            var (delivery, (_, items)) = routed[i];
            using var scope = logger.BeginDeliveryScope(delivery);
            metrics.DeliveryProcessed(delivery.Event);
            for (var j = 0; j < items.Count; j++)
            {
                metrics.WorkItemEnqueued(items[j].Kind, added.Contains(items[j]));
            }

            Log.Routed(logger, items.Count, added.Count);
            signal.WorkItemsAdded(added.Count);
        }

        return pending.Count;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Delivery routed to {Count} work items, {Added} of them new (the others were pending already).")]
        public static partial void Routed(ILogger logger, int count, int added);

        [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Delivery could not be routed.")]
        public static partial void RoutingFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Delivery processing loop failed; retrying.")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
