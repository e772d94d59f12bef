using Microsoft.Extensions.Options;
using PolicyBot.Hosting;
using PolicyBot.Storage;

namespace PolicyBot.Processing;

/// <summary>
/// <see cref="ProcessingOptions.Workers"/> loops that claim work items with a lease, run the handler of
/// their kind in a DI scope of their own, and complete, retry with exponential backoff, or park them
/// as dead letters after <see cref="ProcessingOptions.MaxAttempts"/>.
/// </summary>
internal sealed partial class WorkItemWorkers(
    IWorkQueueStore store,
    IServiceScopeFactory scopes,
    ProcessingSignal signal,
    PolicyBotMetrics metrics,
    GitHub.Budget.RateLimitBudget budget,
    WorkerActivity activity,
    IOptions<ProcessingOptions> options,
    TimeProvider timeProvider,
    ILogger<WorkItemWorkers> logger) : BackgroundService
{
    private readonly string _instance = Guid.NewGuid().ToString("N")[..12];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(1, options.Value.Workers).Select(n => RunWorkerAsync($"{_instance}-{n}", stoppingToken)));

    private async Task RunWorkerAsync(string workerId, CancellationToken stoppingToken)
    {
        // Leave the start-up path at once: hosted services start one after another.
        await Task.Yield();
        var settings = options.Value;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await store.ClaimAsync(workerId, settings.LeaseDuration, stoppingToken).ConfigureAwait(false);
                if (claimed is null)
                {
                    await signal.WaitForWorkItemsAsync(settings.PollInterval, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                await RunAsync(claimed, workerId, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A worker must outlive a storage hiccup; the error is logged and the loop backs off.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.LoopFailed(logger, ex);
                await Task.Delay(settings.PollInterval, timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsync(StoredWorkItem claimed, string workerId, CancellationToken stoppingToken)
    {
        // A retry is marked so: its delivery is older now, and the failed attempt may have written to GitHub already.
        var item = claimed.Attempts > 1 ? claimed.Item with { Triggers = claimed.Item.Triggers | WorkTriggers.Retried } : claimed.Item;
        using var logScope = logger.BeginWorkItemScope(claimed);
        // The delivery's span has ended by now (work runs later, maybe in another replica): the delivery id ties them.
        using var activity = PolicyBotActivities.Source.StartActivity($"work item {item.Kind}");
        activity?.SetTag("policybot.work_item.kind", item.Kind);
        activity?.SetTag("policybot.work_item.attempt", claimed.Attempts);
        activity?.SetTag("policybot.installation_id", item.InstallationId);
        activity?.SetTag("policybot.repository", item.Repository is null ? item.Owner : $"{item.Owner}/{item.Repository}");
        activity?.SetTag("policybot.pull_request", item.PullRequestNumber);
        activity?.SetTag("policybot.delivery_id", item.DeliveryId);
        using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewal = RenewLeaseAsync(claimed.Id, workerId, heartbeat.Token);

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetServices<IWorkItemHandler>()
                .FirstOrDefault(h => string.Equals(h.Kind, item.Kind, StringComparison.Ordinal));
            var installations = scope.ServiceProvider.GetService<IInstallationStateStore>();

            if (installations is not null && !await InstallationGate.AdmitAsync(installations, item, stoppingToken).ConfigureAwait(false))
            {
                Log.InstallationRemoved(logger, item.Kind, item.InstallationId);
            }
            else if (handler is null)
            {
                Log.NoHandler(logger, item.Kind);
            }
            else
            {
                // An installation down to its rate-limit reserve resumes when its window resets, rather than failing;
                // the wait is outside the item's time limit, which bounds the work, not the queueing.
                await budget.WaitForBudgetAsync(item.InstallationId, stoppingToken).ConfigureAwait(false);
                await RunWithTimeLimitAsync(handler, item, stoppingToken).ConfigureAwait(false);
            }

            await StopHeartbeatAsync(heartbeat, renewal).ConfigureAwait(false);
            await store.CompleteAsync(claimed.Id, workerId, CancellationToken.None).ConfigureAwait(false);
            metrics.WorkItemCompleted(item.Kind);
            Log.Completed(logger, item.Kind, claimed.Attempts);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, not failing: give the item back untouched for the next start.
            await StopHeartbeatAsync(heartbeat, renewal).ConfigureAwait(false);
            await store.ReleaseAsync(claimed.Id, workerId, CancellationToken.None).ConfigureAwait(false);
            Log.Released(logger, item.Kind);
        }
#pragma warning disable CA1031 // Any handler failure is recorded on the item and retried; it must not stop the worker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await StopHeartbeatAsync(heartbeat, renewal).ConfigureAwait(false);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            await SettleFailureAsync(claimed, workerId, ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A permanent failure is settled at once (parked with its reason, never retried; an installation GitHub no longer
    /// knows stops its work); a transient one is retried with backoff, waiting at least as long as GitHub asks, and
    /// parked after <see cref="ProcessingOptions.MaxAttempts"/>.
    /// </summary>
    private async Task SettleFailureAsync(StoredWorkItem claimed, string workerId, Exception exception)
    {
        var item = claimed.Item;
        var settings = options.Value;
        var now = timeProvider.GetUtcNow();
        var failure = WorkFailureClassifier.Classify(exception, now);
        if (failure.IsPermanent)
        {
            if (failure.Kind == WorkFailureKind.InstallationUnavailable)
            {
                await using var scope = scopes.CreateAsyncScope();
                if (scope.ServiceProvider.GetService<IInstallationStateStore>() is { } installations)
                {
                    await installations.SetRemovedAsync(item.InstallationId, failure.Reason, now, CancellationToken.None).ConfigureAwait(false);
                }
            }

            await store.FailAsync(claimed.Id, workerId, failure, retryAt: null, CancellationToken.None).ConfigureAwait(false);
            metrics.WorkItemDeadLettered(item.Kind);
            Log.SettledPermanently(logger, exception, item.Kind, failure.KindName, failure.Reason);
        }
        else if (claimed.Attempts >= settings.MaxAttempts)
        {
            await store.FailAsync(claimed.Id, workerId, failure, retryAt: null, CancellationToken.None).ConfigureAwait(false);
            metrics.WorkItemDeadLettered(item.Kind);
            Log.DeadLettered(logger, exception, item.Kind, claimed.Attempts);
        }
        else
        {
            var backoff = Backoff(settings, claimed.Attempts);
            var delay = failure.RetryAfter is { } asked && asked > backoff ? asked : backoff;
            await store.FailAsync(claimed.Id, workerId, failure, now + delay, CancellationToken.None).ConfigureAwait(false);
            metrics.WorkItemFailed(item.Kind);
            Log.Failed(logger, exception, item.Kind, claimed.Attempts, delay);
        }
    }

    /// <summary>
    /// Runs the handler within <see cref="ProcessingOptions.WorkItemTimeout"/>: its token is cancelled then, and a handler
    /// that does not stop (work that never looks at the token) is left behind, counted in <see cref="WorkerActivity"/> until
    /// it ends, so the worker is free again and health says what is stuck.
    /// </summary>
    private async Task RunWithTimeLimitAsync(IWorkItemHandler handler, WorkItem item, CancellationToken stoppingToken)
    {
        var limit = options.Value.WorkItemTimeout;
        using var timeout = new CancellationTokenSource(limit, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        var run = Task.Run(() => handler.HandleAsync(item, linked.Token), CancellationToken.None);
        try
        {
            await run.WaitAsync(limit, timeProvider, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested && (ex is TimeoutException || (ex is OperationCanceledException && timeout.IsCancellationRequested)))
        {
            if (!run.IsCompleted)
            {
                activity.Abandoned(item.Kind, run);
            }

            metrics.WorkItemTimedOut(item.Kind);
            Log.TimedOut(logger, item.Kind, limit);
            throw new TimeoutException($"the work item ran longer than its time limit ({limit}) and was cancelled");
        }
    }

    /// <summary>Exponential from <see cref="ProcessingOptions.RetryBaseDelay"/>, capped, with jitter so retries spread out.</summary>
    internal static TimeSpan Backoff(ProcessingOptions settings, int attempts)
    {
        var exponential = settings.RetryBaseDelay * Math.Pow(2, Math.Min(attempts - 1, 20));
        var capped = exponential > settings.RetryMaxDelay ? settings.RetryMaxDelay : exponential;
        return capped * (0.75 + (Random.Shared.NextDouble() * 0.5));
    }

    private async Task RenewLeaseAsync(long id, string workerId, CancellationToken cancellationToken)
    {
        var lease = options.Value.LeaseDuration;
        try
        {
            while (true)
            {
                await Task.Delay(lease / 3, timeProvider, cancellationToken).ConfigureAwait(false);
                try
                {
                    await store.RenewAsync(id, workerId, lease, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    throw;
                }
#pragma warning disable CA1031 // One failed renewal is not fatal: the lease still has two thirds left, and the next try may succeed.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.RenewalFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The item finished or the process is stopping.
        }
    }

    private static async Task StopHeartbeatAsync(CancellationTokenSource heartbeat, Task renewal)
    {
        await heartbeat.CancelAsync().ConfigureAwait(false);
        await renewal.ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 350, Level = LogLevel.Information, Message = "Skipped {Kind}: installation {InstallationId} was deleted or suspended.")]
        public static partial void InstallationRemoved(ILogger logger, string kind, long installationId);

        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "No handler for work item kind {Kind}; completed without action.")]
        public static partial void NoHandler(ILogger logger, string kind);

        [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Work item {Kind} completed (attempt {Attempt}).")]
        public static partial void Completed(ILogger logger, string kind, int attempt);

        [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Work item {Kind} failed (attempt {Attempt}); retrying in {Delay}.")]
        public static partial void Failed(ILogger logger, Exception exception, string kind, int attempt, TimeSpan delay);

        [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "Work item {Kind} failed {Attempt} times; parked as a dead letter.")]
        public static partial void DeadLettered(ILogger logger, Exception exception, string kind, int attempt);

        [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "Work item {Kind} failed permanently ({FailureKind}: {Reason}); parked, not retried.")]
        public static partial void SettledPermanently(ILogger logger, Exception exception, string kind, string failureKind, string reason);

        [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "Work item {Kind} given back: the process is stopping.")]
        public static partial void Released(ILogger logger, string kind);

        [LoggerMessage(EventId = 406, Level = LogLevel.Warning, Message = "Work item lease could not be renewed; trying again.")]
        public static partial void RenewalFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 407, Level = LogLevel.Error, Message = "Work item {Kind} ran longer than its time limit ({Limit}); cancelled, to be retried.")]
        public static partial void TimedOut(ILogger logger, string kind, TimeSpan limit);

        [LoggerMessage(EventId = 405, Level = LogLevel.Error, Message = "Work item loop failed; retrying.")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
