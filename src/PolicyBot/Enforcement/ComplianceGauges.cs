using PolicyBot.Hosting;
using PolicyBot.Policies;

namespace PolicyBot.Enforcement;

/// <summary>
/// Where the organisations stand, at each scrape of <c>/metrics</c>: per policy, how many evaluated repositories
/// comply and how many are below the baseline, and how many findings there are by action. This is where `log`
/// findings show up for monitoring (DESIGN section 4), from the latest stored evaluations.
/// </summary>
internal sealed class ComplianceGauges(IEvaluationStore evaluations) : IMetricsGaugeSource
{
    private const string Repositories = "policybot.repositories";
    private const string Findings = "policybot.findings";

    public IReadOnlyList<MetricsGaugeDefinition> Gauges { get; } =
    [
        new(Repositories, "Evaluated repositories per policy (not off, not exempted), compliant or below the baseline."),
        new(Findings, "Open findings of the latest evaluations, per policy and action."),
    ];

    public async Task<IReadOnlyList<MetricsGauge>> CollectAsync(CancellationToken cancellationToken)
    {
        var results = (await evaluations.ListAsync(null, cancellationToken).ConfigureAwait(false))
            .Where(e => e.Evaluated)
            .SelectMany(e => e.Results)
            .Where(r => r.Action != PolicyAction.Off && r.ExemptionReason is null)
            .ToList();

        var gauges = new List<MetricsGauge>();
        foreach (var policy in results.Select(r => r.Policy).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var ofPolicy = results.Where(r => r.Policy == policy).ToList();
            gauges.Add(new(Repositories, [new("policy", policy), new("state", "compliant")], ofPolicy.Count(r => r.Compliant)));
            gauges.Add(new(Repositories, [new("policy", policy), new("state", "below")], ofPolicy.Count(r => !r.Compliant)));
            foreach (var byAction in ofPolicy.GroupBy(r => r.Action).OrderBy(g => g.Key))
            {
                var action = byAction.Key.ToString().ToLowerInvariant();
                gauges.Add(new(Findings, [new("policy", policy), new("action", action)], byAction.Sum(r => r.Findings.Count)));
            }
        }

        return gauges;
    }
}
