using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace PolicyBot.Hosting;

public static class TelemetryExtensions
{
    /// <summary>The framework's meters exported next to PolicyBot's: requests served, GitHub calls made, the runtime.</summary>
    private static readonly string[] FrameworkMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Diagnostics",
        "System.Net.Http",
        "System.Net.NameResolution",
        "System.Runtime",
    ];

    /// <summary>
    /// Metrics (Prometheus at <c>/metrics</c>, and OTLP when an endpoint is set) and traces (OTLP when an endpoint
    /// is set: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, or <c>Telemetry:OtlpEndpoint</c>), through OpenTelemetry.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<PolicyBotMetrics>();
        services.AddSingleton<MetricsGauges>();

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("policybot", serviceVersion: Commands.CommandDispatcher.Version))
            .WithMetrics(metrics => metrics
                .AddMeter(PolicyBotMetrics.MeterName)
                .AddMeter(FrameworkMeters)
                // Each scrape reads storage afresh (MetricsGauges), so a cached answer would be stale.
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

        // OpenTelemetry's own variables (OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS) configure the exporter as
        // everywhere else; Telemetry:OtlpEndpoint is the same in appsettings form (gRPC, as the variable's default).
        if (configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 })
        {
            telemetry.WithTracing(AddSources).UseOtlpExporter();
        }
        else if (configuration["Telemetry:OtlpEndpoint"] is { Length: > 0 } endpoint)
        {
            telemetry.WithTracing(AddSources).UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, new Uri(endpoint));
        }

        return services;
    }

    private static void AddSources(TracerProviderBuilder tracing) =>
        tracing.AddSource(PolicyBotActivities.SourceName, "Microsoft.AspNetCore", "System.Net.Http");

    /// <summary><c>/metrics</c>: gauges are read from storage first, then OpenTelemetry's Prometheus exporter answers.</summary>
    public static WebApplication MapTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWhen(context => context.Request.Path.Equals("/metrics", StringComparison.Ordinal), branch => branch.Use(async (context, next) =>
        {
            await context.RequestServices.GetRequiredService<MetricsGauges>().RefreshAsync(context.RequestAborted).ConfigureAwait(false);
            await next(context).ConfigureAwait(false);
        }));
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
