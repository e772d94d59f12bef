using System.Diagnostics.Metrics;
using PolicyBot.GitHub.Budget;
using PolicyBot.Hosting;

namespace PolicyBot.Enforcement.Progress;

/// <summary>
/// The rate-limit budgets and the progress of whole-organisation passes, as System.Diagnostics.Metrics instruments
/// (meter <c>PolicyBot.Budget</c>) and in <c>/metrics</c>.
/// </summary>
internal sealed class BudgetGauges : IMetricsGaugeSource, IDisposable
{
    public const string MeterName = "PolicyBot.Budget";

    private const string RemainingHelp = "Rate-limit points an installation has left in the current window, per resource (core, graphql).";
    private const string SpentHelp = "Rate-limit points spent by this process for an installation, per resource.";
    private const string TotalHelp = "Repositories in an installation's latest install or reconcile pass.";
    private const string EvaluatedHelp = "Repositories evaluated so far in an installation's latest pass.";
    private const string PassPointsHelp = "Rate-limit points (REST and GraphQL) spent on an installation's latest pass.";
    private const string FinishHelp = "Estimated finish of an installation's latest pass, in Unix seconds (0 when finished or not yet known).";

    private readonly RateLimitBudget _budget;
    private readonly EvaluationProgress _progress;
    private readonly Meter _meter;

    public BudgetGauges(RateLimitBudget budget, EvaluationProgress progress, IMeterFactory meters)
    {
        _budget = budget;
        _progress = progress;
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("policybot.ratelimit.remaining", () => budget.Windows().Select(w => new Measurement<int>(w.Window.Remaining, Tags(w.InstallationId, w.Window.Resource))), "{point}", RemainingHelp);
        _meter.CreateObservableCounter("policybot.ratelimit.spent", () => budget.Windows().Select(w => new Measurement<long>(budget.Spent(w.InstallationId, w.Window.Resource), Tags(w.InstallationId, w.Window.Resource))), "{point}", SpentHelp);
        _meter.CreateObservableGauge("policybot.pass.repositories", () => progress.All().Select(p => new Measurement<int>(p.Total, Tags(p.InstallationId))), "{repository}", TotalHelp);
        _meter.CreateObservableGauge("policybot.pass.evaluated", () => progress.All().Select(p => new Measurement<int>(p.Evaluated, Tags(p.InstallationId))), "{repository}", EvaluatedHelp);
        _meter.CreateObservableGauge("policybot.pass.points", () => progress.All().Select(p => new Measurement<long>(p.PointsSpent, Tags(p.InstallationId))), "{point}", PassPointsHelp);
    }

    public Task<IReadOnlyList<MetricsGauge>> CollectAsync(CancellationToken cancellationToken)
    {
        var gauges = new List<MetricsGauge>();
        foreach (var (installation, window) in _budget.Windows())
        {
            var labels = PolicyBotMetrics.FormatLabels(("installation", Id(installation)), ("resource", window.Resource));
            gauges.Add(new("policybot_ratelimit_remaining", RemainingHelp, labels, window.Remaining));
            gauges.Add(new("policybot_ratelimit_spent_points", SpentHelp, labels, _budget.Spent(installation, window.Resource)));
        }

        foreach (var pass in _progress.All())
        {
            var labels = PolicyBotMetrics.FormatLabels(("installation", Id(pass.InstallationId)));
            gauges.Add(new("policybot_pass_repositories", TotalHelp, labels, pass.Total));
            gauges.Add(new("policybot_pass_evaluated", EvaluatedHelp, labels, pass.Evaluated));
            gauges.Add(new("policybot_pass_points", PassPointsHelp, labels, pass.PointsSpent));
            gauges.Add(new("policybot_pass_estimated_finish_seconds", FinishHelp, labels, pass.EstimatedFinish?.ToUnixTimeSeconds() ?? 0));
        }

        return Task.FromResult<IReadOnlyList<MetricsGauge>>(gauges);
    }

    public void Dispose() => _meter.Dispose();

    private static string Id(long installation) => installation.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static KeyValuePair<string, object?>[] Tags(long installation, string? resource = null) => resource is null
        ? [new("installation", installation)]
        : [new("installation", installation), new("resource", resource)];
}
