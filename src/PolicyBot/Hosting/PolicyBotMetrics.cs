using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace PolicyBot.Hosting;

/// <summary>
/// Counters exported at <c>/metrics</c> in Prometheus' text format. Deliberately small: counters with
/// labels, plus gauges read from storage when scraped.
/// </summary>
public sealed class PolicyBotMetrics
{
    private readonly ConcurrentDictionary<string, string> _help = new(StringComparer.Ordinal)
    {
        ["policybot_webhook_deliveries_received_total"] = "Webhook deliveries accepted and stored, by event.",
        ["policybot_webhook_deliveries_duplicate_total"] = "Webhook deliveries whose id was stored before.",
        ["policybot_webhook_deliveries_rejected_total"] = "Webhook deliveries refused with a 4xx, by reason.",
        ["policybot_deliveries_processed_total"] = "Stored deliveries routed into work items, by event.",
        ["policybot_deliveries_failed_total"] = "Stored deliveries that could not be routed, by event.",
        ["policybot_work_items_enqueued_total"] = "Work items added, by kind.",
        ["policybot_work_items_coalesced_total"] = "Work items not added because an equal one was pending, by kind.",
        ["policybot_work_items_completed_total"] = "Work items completed, by kind.",
        ["policybot_work_items_failed_total"] = "Work item attempts that failed and will be retried, by kind.",
        ["policybot_work_items_dead_lettered_total"] = "Work items parked as dead letters, by kind.",
        ["policybot_github_requests_total"] = "HTTP requests sent to GitHub, by method and status.",
    };

    private readonly ConcurrentDictionary<(string Name, string Labels), long> _counters = new();

    public void DeliveryReceived(string eventName) => Increment("policybot_webhook_deliveries_received_total", ("event", eventName));

    public void DeliveryDuplicate() => Increment("policybot_webhook_deliveries_duplicate_total");

    public void DeliveryRejected(string reason) => Increment("policybot_webhook_deliveries_rejected_total", ("reason", reason));

    public void DeliveryProcessed(string eventName) => Increment("policybot_deliveries_processed_total", ("event", eventName));

    public void DeliveryFailed(string eventName) => Increment("policybot_deliveries_failed_total", ("event", eventName));

    public void WorkItemEnqueued(string kind, bool added) =>
        Increment(added ? "policybot_work_items_enqueued_total" : "policybot_work_items_coalesced_total", ("kind", kind));

    public void WorkItemCompleted(string kind) => Increment("policybot_work_items_completed_total", ("kind", kind));

    public void WorkItemFailed(string kind) => Increment("policybot_work_items_failed_total", ("kind", kind));

    public void WorkItemDeadLettered(string kind) => Increment("policybot_work_items_dead_lettered_total", ("kind", kind));

    public void WorkItemTimedOut(string kind) => Increment("policybot_work_items_timed_out_total", ("kind", kind));

    public void GitHubRequest(string method, string status) =>
        Increment("policybot_github_requests_total", ("method", method), ("status", status));

    /// <summary>Adds one to a counter of another feature (such as findings by policy); the name should end in <c>_total</c>.</summary>
    public void Increment(string name, string help, params (string Name, string Value)[] labels)
    {
        _help.TryAdd(name, help);
        Increment(name, labels);
    }

    /// <summary>The current value of a counter, for tests and the dashboard.</summary>
    public long Get(string name, params (string Name, string Value)[] labels) =>
        _counters.TryGetValue((name, FormatLabels(labels)), out var value) ? value : 0;

    /// <summary>Writes every counter, then the given gauges, in Prometheus' text exposition format.</summary>
    public string Export(IEnumerable<MetricsGauge> gauges)
    {
        ArgumentNullException.ThrowIfNull(gauges);
        var text = new StringBuilder();
        foreach (var group in _counters.GroupBy(c => c.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {group.Key} {_help.GetValueOrDefault(group.Key, group.Key)}\n");
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {group.Key} counter\n");
            foreach (var counter in group.OrderBy(c => c.Key.Labels, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"{group.Key}{counter.Key.Labels} {counter.Value}\n");
            }
        }

        foreach (var group in gauges.GroupBy(g => (g.Name, g.Help)))
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {group.Key.Name} {group.Key.Help}\n");
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {group.Key.Name} gauge\n");
            foreach (var gauge in group)
            {
                text.Append(CultureInfo.InvariantCulture, $"{gauge.Name}{gauge.Labels} {gauge.Value}\n");
            }
        }

        return text.ToString();
    }

    public static string FormatLabels(params (string Name, string Value)[] labels) =>
        labels.Length == 0
            ? string.Empty
            : "{" + string.Join(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\"")) + "}";

    private void Increment(string name, params (string Name, string Value)[] labels) =>
        _counters.AddOrUpdate((name, FormatLabels(labels)), 1, (_, value) => value + 1);

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>One gauge value read at scrape time; <see cref="Labels"/> as made by <see cref="PolicyBotMetrics.FormatLabels"/>.</summary>
public sealed record MetricsGauge(string Name, string Help, string Labels, long Value);

/// <summary>Gauges a feature reports at each scrape of <c>/metrics</c> (register as a singleton).</summary>
public interface IMetricsGaugeSource
{
    Task<IReadOnlyList<MetricsGauge>> CollectAsync(CancellationToken cancellationToken);
}
