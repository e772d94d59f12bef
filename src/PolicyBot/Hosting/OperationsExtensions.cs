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
        services.AddSingleton<IMetricsGaugeSource, StorageGauges>();
        services.AddSingleton<GitHubHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag])
            .AddCheck<GitHubHealthCheck>("github", tags: [ReadyTag]);
        return services;
    }

    /// <summary><c>/healthz</c> (alive; Degraded while a worker is stuck), <c>/readyz</c> (storage and GitHub reachable); <c>/metrics</c> is <see cref="TelemetryExtensions.MapTelemetry"/>.</summary>
    public static WebApplication MapOperations(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReadinessAsync,
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
    private const string WorkItems = "policybot.work_items";
    private const string DeadLetters = "policybot.dead_letters";
    private const string DeliveriesPending = "policybot.deliveries_pending";

    public IReadOnlyList<MetricsGaugeDefinition> Gauges { get; } =
    [
        new(WorkItems, "Work items stored, by state."),
        new(DeadLetters, "Work items parked as dead letters now."),
        new(DeliveriesPending, "Stored deliveries not yet routed."),
    ];

    public async Task<IReadOnlyList<MetricsGauge>> CollectAsync(CancellationToken cancellationToken)
    {
        var counts = await workItems.CountAsync(cancellationToken).ConfigureAwait(false);
        var pendingDeliveries = await deliveries.CountPendingAsync(cancellationToken).ConfigureAwait(false);
        return
        [
            new(WorkItems, [new("state", WorkItemStates.Pending)], counts.Pending),
            new(WorkItems, [new("state", WorkItemStates.Running)], counts.Running),
            new(WorkItems, [new("state", WorkItemStates.Done)], counts.Done),
            new(DeadLetters, [], counts.Dead),
            new(DeliveriesPending, [], pendingDeliveries),
        ];
    }
}
