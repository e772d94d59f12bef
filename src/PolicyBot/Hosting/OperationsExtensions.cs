using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PolicyBot.Storage;

namespace PolicyBot.Hosting;

public static class OperationsExtensions
{
    /// <summary>Checks that <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Checks that <c>/healthz</c> runs too: the process itself, not what it depends on.</summary>
    public const string LiveTag = "live";

    /// <summary>Health checks and metrics.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddSingleton<PolicyBotMetrics>();
        services.AddSingleton<IMetricsGaugeSource, StorageGauges>();
        services.AddSingleton<GitHubHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag])
            .AddCheck<GitHubHealthCheck>("github", tags: [ReadyTag]);
        return services;
    }

    /// <summary><c>/healthz</c> (alive; Degraded while a worker is stuck), <c>/readyz</c> (storage and GitHub reachable), <c>/metrics</c> (Prometheus text).</summary>
    public static WebApplication MapOperations(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReadinessAsync,
        });

        app.MapGet("/metrics", async (PolicyBotMetrics metrics, IEnumerable<IMetricsGaugeSource> sources, CancellationToken cancellationToken) =>
        {
            var gauges = new List<MetricsGauge>();
            foreach (var source in sources)
            {
                gauges.AddRange(await source.CollectAsync(cancellationToken).ConfigureAwait(false));
            }

            return TypedResults.Text(metrics.Export(gauges), "text/plain; version=0.0.4; charset=utf-8");
        });

        return app;
    }

    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Select(e => $"{e.Key}: {e.Value.Status}{(e.Value.Description is { } d ? $" ({d})" : string.Empty)}");
        return context.Response.WriteAsync($"{report.Status}\n{string.Join('\n', lines)}\n");
    }
}

/// <summary>Work items by state, dead letters and deliveries waiting, read from storage at each scrape.</summary>
internal sealed class StorageGauges(IWorkQueueStore workItems, IDeliveryStore deliveries) : IMetricsGaugeSource
{
    public async Task<IReadOnlyList<MetricsGauge>> CollectAsync(CancellationToken cancellationToken)
    {
        var counts = await workItems.CountAsync(cancellationToken).ConfigureAwait(false);
        var pendingDeliveries = await deliveries.CountPendingAsync(cancellationToken).ConfigureAwait(false);
        const string WorkItemsHelp = "Work items stored, by state.";
        return
        [
            new("policybot_work_items", WorkItemsHelp, PolicyBotMetrics.FormatLabels(("state", WorkItemStates.Pending)), counts.Pending),
            new("policybot_work_items", WorkItemsHelp, PolicyBotMetrics.FormatLabels(("state", WorkItemStates.Running)), counts.Running),
            new("policybot_work_items", WorkItemsHelp, PolicyBotMetrics.FormatLabels(("state", WorkItemStates.Done)), counts.Done),
            new("policybot_dead_letters", "Work items parked as dead letters now.", string.Empty, counts.Dead),
            new("policybot_deliveries_pending", "Stored deliveries not yet routed.", string.Empty, pendingDeliveries),
        ];
    }
}
