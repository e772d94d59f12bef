using PolicyBot.GitHub.Budget;
using PolicyBot.Hosting;

namespace PolicyBot.Enforcement.Progress;

/// <summary>
/// The rate-limit budgets and the progress of whole-organisation passes, at each scrape of <c>/metrics</c>
/// (<c>policybot_ratelimit_remaining</c>, <c>policybot_pass_evaluated</c>...), as the database holds them for every replica.
/// </summary>
internal sealed class BudgetGauges(RateLimitBudget budget, EvaluationProgress progress) : IMetricsGaugeSource
{
    private const string Remaining = "policybot.ratelimit.remaining";
    private const string Spent = "policybot.ratelimit.spent_points";
    private const string Total = "policybot.pass.repositories";
    private const string Evaluated = "policybot.pass.evaluated";
    private const string PassPoints = "policybot.pass.points";
    private const string Finish = "policybot.pass.estimated_finish_seconds";

    public IReadOnlyList<MetricsGaugeDefinition> Gauges { get; } =
    [
        new(Remaining, "Rate-limit points an installation has left in the current window, per resource (core, graphql)."),
        new(Spent, "Rate-limit points spent for an installation, per resource, as GitHub counted them."),
        new(Total, "Repositories in an installation's latest install or reconcile pass."),
        new(Evaluated, "Repositories evaluated so far in an installation's latest pass."),
        new(PassPoints, "Rate-limit points (REST and GraphQL) spent on an installation's latest pass."),
        new(Finish, "Estimated finish of an installation's latest pass, in Unix seconds (0 when finished or not yet known)."),
    ];

    public async Task<IReadOnlyList<MetricsGauge>> CollectAsync(CancellationToken cancellationToken)
    {
        var gauges = new List<MetricsGauge>();
        foreach (var stored in await budget.ListAsync(null, cancellationToken).ConfigureAwait(false))
        {
            KeyValuePair<string, object?>[] tags = [new("installation", stored.InstallationId), new("resource", stored.Window.Resource)];
            gauges.Add(new(Remaining, tags, stored.Window.Remaining));
            gauges.Add(new(Spent, tags, stored.Spent));
        }

        foreach (var pass in await progress.AllAsync(null, cancellationToken).ConfigureAwait(false))
        {
            KeyValuePair<string, object?>[] tags = [new("installation", pass.InstallationId)];
            gauges.Add(new(Total, tags, pass.Total));
            gauges.Add(new(Evaluated, tags, pass.Evaluated));
            gauges.Add(new(PassPoints, tags, pass.PointsSpent));
            gauges.Add(new(Finish, tags, pass.EstimatedFinish?.ToUnixTimeSeconds() ?? 0));
        }

        return gauges;
    }
}
