using System.Diagnostics.Metrics;

namespace PolicyBot.Hosting;

/// <summary>
/// PolicyBot's counters, as <see cref="System.Diagnostics.Metrics"/> instruments on the <c>PolicyBot</c> meter.
/// OpenTelemetry exports them at <c>/metrics</c> together with ASP.NET Core's, HttpClient's and the runtime's
/// meters (see <see cref="TelemetryExtensions"/>); dots become underscores and counters end in <c>_total</c>.
/// </summary>
public sealed class PolicyBotMetrics
{
    public const string MeterName = "PolicyBot";

    private readonly Counter<long> _deliveriesReceived;
    private readonly Counter<long> _deliveriesDuplicate;
    private readonly Counter<long> _deliveriesRejected;
    private readonly Histogram<int> _deliveriesCommitted;
    private readonly Counter<long> _deliveriesProcessed;
    private readonly Counter<long> _deliveriesFailed;
    private readonly Counter<long> _workItemsEnqueued;
    private readonly Counter<long> _workItemsCoalesced;
    private readonly Counter<long> _workItemsCompleted;
    private readonly Counter<long> _workItemsFailed;
    private readonly Counter<long> _workItemsDeadLettered;
    private readonly Counter<long> _workItemsTimedOut;
    private readonly Counter<long> _gitHubRequests;

    public PolicyBotMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _deliveriesReceived = meter.CreateCounter<long>("policybot.webhook.deliveries.received", description: "Webhook deliveries accepted and stored, by event.");
        _deliveriesDuplicate = meter.CreateCounter<long>("policybot.webhook.deliveries.duplicate", description: "Webhook deliveries whose id was stored before.");
        _deliveriesRejected = meter.CreateCounter<long>("policybot.webhook.deliveries.rejected", description: "Webhook deliveries refused with a 4xx, by reason.");
        _deliveriesCommitted = meter.CreateHistogram<int>("policybot.webhook.commit.deliveries", unit: "{delivery}", description: "Deliveries stored by each intake transaction (group commit); its count is the number of transactions.");
        _deliveriesProcessed = meter.CreateCounter<long>("policybot.deliveries.processed", description: "Stored deliveries routed into work items, by event.");
        _deliveriesFailed = meter.CreateCounter<long>("policybot.deliveries.failed", description: "Stored deliveries that could not be routed, by event.");
        _workItemsEnqueued = meter.CreateCounter<long>("policybot.work_items.enqueued", description: "Work items added, by kind.");
        _workItemsCoalesced = meter.CreateCounter<long>("policybot.work_items.coalesced", description: "Work items not added because an equal one was pending, by kind.");
        _workItemsCompleted = meter.CreateCounter<long>("policybot.work_items.completed", description: "Work items completed, by kind.");
        _workItemsFailed = meter.CreateCounter<long>("policybot.work_items.failed", description: "Work item attempts that failed and will be retried, by kind.");
        _workItemsDeadLettered = meter.CreateCounter<long>("policybot.work_items.dead_lettered", description: "Work items parked as dead letters, by kind.");
        _workItemsTimedOut = meter.CreateCounter<long>("policybot.work_items.timed_out", description: "Work items cancelled for running past Processing:WorkItemTimeout, by kind.");
        _gitHubRequests = meter.CreateCounter<long>("policybot.github.requests", description: "HTTP requests sent to GitHub, by method and status.");
    }

    public void DeliveryReceived(string eventName) => _deliveriesReceived.Add(1, new KeyValuePair<string, object?>("event", eventName));

    public void DeliveryDuplicate() => _deliveriesDuplicate.Add(1);

    public void DeliveryRejected(string reason) => _deliveriesRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void DeliveriesCommitted(int count) => _deliveriesCommitted.Record(count);

    public void DeliveryProcessed(string eventName) => _deliveriesProcessed.Add(1, new KeyValuePair<string, object?>("event", eventName));

    public void DeliveryFailed(string eventName) => _deliveriesFailed.Add(1, new KeyValuePair<string, object?>("event", eventName));

    public void WorkItemEnqueued(string kind, bool added) => (added ? _workItemsEnqueued : _workItemsCoalesced).Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void WorkItemCompleted(string kind) => _workItemsCompleted.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void WorkItemFailed(string kind) => _workItemsFailed.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void WorkItemDeadLettered(string kind) => _workItemsDeadLettered.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void WorkItemTimedOut(string kind) => _workItemsTimedOut.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void GitHubRequest(string method, string status) =>
        _gitHubRequests.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("status", status));
}

/// <summary>One gauge reading taken at scrape time: the gauge's name (as declared by its source), its tags and value.</summary>
public sealed record MetricsGauge(string Name, IReadOnlyList<KeyValuePair<string, object?>> Tags, long Value);

/// <summary>A gauge a source reports: its instrument name and description.</summary>
public sealed record MetricsGaugeDefinition(string Name, string Description);

/// <summary>Gauges a feature reads from storage at each scrape of <c>/metrics</c> (register as a singleton).</summary>
public interface IMetricsGaugeSource
{
    /// <summary>The gauges this source reports, declared once when the app starts.</summary>
    IReadOnlyList<MetricsGaugeDefinition> Gauges { get; }

    Task<IReadOnlyList<MetricsGauge>> CollectAsync(CancellationToken cancellationToken);
}
