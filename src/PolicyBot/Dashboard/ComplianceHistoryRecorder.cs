using PolicyBot.Enforcement;
using PolicyBot.Hosting;

namespace PolicyBot.Dashboard;

/// <summary>
/// Where each installation stands, at each scrape of <c>/metrics</c>: how many evaluated repositories meet the
/// whole baseline. Recording the day's counts here as well means the chart of compliance over time has a point
/// for every day monitoring ran, not only the days someone opened the dashboard.
/// </summary>
internal sealed class ComplianceHistoryRecorder(IEvaluationStore evaluations, DashboardQueries queries) : IMetricsGaugeSource
{
    private const string Installations = "policybot.installation.repositories";

    public IReadOnlyList<MetricsGaugeDefinition> Gauges { get; } =
    [
        new(Installations, "Evaluated repositories per installation, meeting the whole baseline or below it."),
    ];

    public async Task<IReadOnlyList<MetricsGauge>> CollectAsync(CancellationToken cancellationToken)
    {
        var all = (await evaluations.ListAsync(null, cancellationToken).ConfigureAwait(false)).Where(e => e.Evaluated).ToList();
        await queries.RecordTodayAsync(all, cancellationToken).ConfigureAwait(false);
        return all.GroupBy(e => e.InstallationId).SelectMany(g => new MetricsGauge[]
        {
            new(Installations, [new("installation", g.Key), new("state", "compliant")], g.Count(e => e.Compliant)),
            new(Installations, [new("installation", g.Key), new("state", "below")], g.Count(e => !e.Compliant)),
        }).ToList();
    }
}
