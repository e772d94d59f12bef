using System.Diagnostics.Metrics;

namespace PolicyBot.Hosting;

/// <summary>
/// The gauges of every <see cref="IMetricsGaugeSource"/> as observable instruments. Their values come from
/// storage, which is read asynchronously: <see cref="RefreshAsync"/> runs just before each scrape, and the
/// instruments' callbacks (synchronous, as the exporter calls them) return what it read.
/// </summary>
internal sealed class MetricsGauges
{
    private readonly IReadOnlyList<IMetricsGaugeSource> _sources;
    private volatile IReadOnlyDictionary<string, Measurement<long>[]> _latest = new Dictionary<string, Measurement<long>[]>();

    public MetricsGauges(IMeterFactory meterFactory, IEnumerable<IMetricsGaugeSource> sources)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _sources = [.. sources];
        var meter = meterFactory.Create(PolicyBotMetrics.MeterName);
        foreach (var gauge in _sources.SelectMany(s => s.Gauges))
        {
            var name = gauge.Name;
            meter.CreateObservableGauge(name, () => _latest.GetValueOrDefault(name) ?? [], description: gauge.Description);
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var readings = new List<MetricsGauge>();
        foreach (var source in _sources)
        {
            readings.AddRange(await source.CollectAsync(cancellationToken).ConfigureAwait(false));
        }

        _latest = readings.GroupBy(r => r.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => new Measurement<long>(r.Value, r.Tags)).ToArray(), StringComparer.Ordinal);
    }
}
