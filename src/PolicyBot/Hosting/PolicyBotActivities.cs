using System.Diagnostics;

namespace PolicyBot.Hosting;

/// <summary>
/// PolicyBot's spans: one per webhook delivery routed, per work item run and per GitHub call. Exported over
/// OTLP when an endpoint is configured (see <see cref="TelemetryExtensions"/>); free when nobody listens.
/// </summary>
public static class PolicyBotActivities
{
    public const string SourceName = "PolicyBot";

    public static ActivitySource Source { get; } = new(SourceName);
}
