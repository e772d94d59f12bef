using Microsoft.Extensions.Diagnostics.HealthChecks;
using PolicyBot.GitHub;
using PolicyBot.Storage;

namespace PolicyBot.Hosting;

/// <summary>Storage answers a query.</summary>
internal sealed class StorageHealthCheck(IWorkQueueStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            _ = await store.CountAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
#pragma warning disable CA1031 // Any failure means "not ready"; the probe reports it rather than throwing.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("Storage is not reachable.", ex);
        }
    }
}

/// <summary>
/// GitHub answers GET /app with our JWT (so the app id and key are right too). The answer is kept for
/// <see cref="CacheFor"/>, so frequent probes cost neither time nor rate limit.
/// </summary>
internal sealed class GitHubHealthCheck(IGitHubClientFactory clients, TimeProvider timeProvider) : IHealthCheck
{
    internal static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    // Probes run concurrently: the snapshot is swapped whole, never torn.
    private volatile Snapshot? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        if (_last is { } last && now - last.At < CacheFor)
        {
            return last.Result;
        }

        HealthCheckResult result;
        try
        {
            // A probe must answer quickly: do not wait through the client's retries of an outage.
            var app = await clients.CreateAppClient().GitHubApps.GetCurrent().WaitAsync(ProbeTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
            result = HealthCheckResult.Healthy($"Authenticated as app {app.Slug}.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Any failure means "not ready"; the probe reports it rather than throwing.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            result = HealthCheckResult.Unhealthy(ex is TimeoutException
                ? $"GitHub did not answer within {ProbeTimeout.TotalSeconds:0} s."
                : $"GitHub is not reachable: {ex.GetType().Name}.");
        }

        _last = new Snapshot(result, now);
        return result;
    }

    private sealed record Snapshot(HealthCheckResult Result, DateTimeOffset At);
}
