using System.Globalization;
using PolicyBot.Enforcement;
using PolicyBot.Enforcement.Progress;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.GitHub;

/// <summary>
/// An install larger than the hourly budget proceeds at the budget's pace: it keeps the reserve (DESIGN section 6),
/// waits for the window to reset, finishes with nothing parked, and shows its progress.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class RateLimitBudgetTests
{
    [Fact]
    public async Task An_install_bigger_than_the_budget_keeps_the_reserve_waits_for_the_reset_and_finishes()
    {
        const int Repositories = 24;
        var repos = string.Concat(Enumerable.Range(1, Repositories).Select(i => $"\n  - name: service-{i:00}\n    files: {{ README.md: \"# service\" }}"));
        var scenario = "org: acme\ninstallation_id: 1001\nmembers: [alice]\nrate_limit: { core: 120, graphql: 120 }\nrepos:" + repos + "\n";
        await using var sandbox = await PolicyBotSandbox.StartAsync(
            scenario,
            new Dictionary<string, string?> { ["RateLimitBudget:Reserve"] = "0.25" },
            simulator: options => options.RateLimitWindow = TimeSpan.FromSeconds(3));

        // Through REST only (GraphQL refused), so that the install needs several windows of the small REST budget.
        sandbox.GitHub.Faults.AddStatus("POST", "/graphql", 502, count: -1);
        await sandbox.GitHub.InstallAsync(sandbox.Org);
        await sandbox.SettleAsync(TimeSpan.FromSeconds(120));

        var requests = sandbox.GitHub.Requests.Where(r => r.InstallationId == 1001 && r.Resource == "core").ToList();
        // More than one window's budget was needed, and none was refused for lack of it.
        Assert.True(requests.Sum(r => r.Cost) > 120, $"only {requests.Sum(r => r.Cost)} points were spent");
        Assert.True(!requests.Any(r => r.StatusCode is 403 or 429 && r.RouteTemplate != "/graphql"), string.Join("\n", requests.Where(r => r.StatusCode is 403 or 429).Select(r => $"{r.At:HH:mm:ss.fff} {r.Method} {r.Path} {r.StatusCode}")));
        Assert.Equal(0, (await sandbox.Service<IWorkQueueStore>().CountAsync(default)).Dead);
        Assert.Equal(Repositories, (await sandbox.Service<IEvaluationStore>().ListAsync(1001, default)).Count);

        var pass = (await sandbox.Service<EvaluationProgress>().GetAsync(1001, default))!;
        Assert.Equal((Repositories, Repositories), (pass.Total, pass.Evaluated));
        Assert.True(pass.PointsSpent > 0);
        using var client = sandbox.Operator();
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Equal(Repositories, PrometheusText.Value(metrics, "policybot_pass_evaluated", ("installation", "1001")));
        Assert.NotNull(PrometheusText.Value(metrics, "policybot_ratelimit_remaining", ("installation", "1001"), ("resource", "core")));
        var page = await client.GetStringAsync("/installations/1001");
        Assert.Contains($"{Repositories} of {Repositories} repositories evaluated", page, StringComparison.Ordinal);
    }
}
