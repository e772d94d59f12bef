using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PolicyBot.Enforcement.Progress;
using PolicyBot.GitHub.Budget;

namespace PolicyBot.Tests.Storage;

/// <summary>The rate-limit budgets and pass progress that replicas on one database share.</summary>
public abstract partial class StorageContractTests
{
    [Fact]
    public async Task Replicas_share_an_installations_budget_and_the_points_spent_on_it()
    {
        var a = StartProcess().GetRequiredService<IRateLimitStore>();
        var b = StartProcess().GetRequiredService<IRateLimitStore>();
        var reset = Time.GetUtcNow().AddMinutes(30);
        var reset2 = reset.AddHours(1);

        await a.RecordAsync(1001, new RateLimitWindow("core", 5000, 4900, 100, reset), default);
        // Answers arrive out of order: within one window the fewest remaining and the most used win.
        await b.RecordAsync(1001, new RateLimitWindow("core", 5000, 4700, 300, reset), default);
        await a.RecordAsync(1001, new RateLimitWindow("core", 5000, 4800, 200, reset), default);
        await a.RecordAsync(1001, new RateLimitWindow("graphql", 5000, 4990, 10, reset), default);
        await b.RecordAsync(2002, new RateLimitWindow("core", 5000, 5000, 0, reset), default);

        var windows = await a.ListAsync(1001, default);
        Assert.Equal(["core", "graphql"], windows.Select(w => w.Window.Resource));
        Assert.Equal(new RateLimitWindow("core", 5000, 4700, 300, reset), windows[0].Window);
        Assert.Equal(300, windows[0].Spent);

        // A new window replaces the old one; what it used adds to the points spent. An old answer arriving late changes nothing.
        await b.RecordAsync(1001, new RateLimitWindow("core", 5000, 4950, 50, reset2), default);
        await a.RecordAsync(1001, new RateLimitWindow("core", 5000, 4600, 400, reset), default);
        var core = (await b.ListAsync(1001, default))[0];
        Assert.Equal(new RateLimitWindow("core", 5000, 4950, 50, reset2), core.Window);
        Assert.Equal(350, core.Spent);
        Assert.Equal(3, (await b.ListAsync(null, default)).Count);
    }

    [Fact]
    public async Task A_budget_one_replica_saw_at_its_reserve_pauses_the_other()
    {
        var options = Options.Create(new RateLimitBudgetOptions { Reserve = 0.2 });
        var seeing = new RateLimitBudget(StartProcess().GetRequiredService<IRateLimitStore>(), options, Time);
        var other = new RateLimitBudget(StartProcess().GetRequiredService<IRateLimitStore>(), options, Time);
        var reset = Time.GetUtcNow().AddMinutes(10);

        await seeing.RecordAsync(1001, new RateLimitWindow("core", 1000, 900, 100, reset), default);
        Assert.Null(await other.PausedUntilAsync(1001, default));

        await seeing.RecordAsync(1001, new RateLimitWindow("core", 1000, 200, 800, reset), default);
        Assert.Equal(reset, await other.PausedUntilAsync(1001, default));
        Assert.Null(await other.PausedUntilAsync(2002, default));

        // The reset comes: the budget is GitHub's afresh, and work goes on.
        Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Null(await other.PausedUntilAsync(1001, default));
    }

    [Fact]
    public async Task Every_replica_counts_into_one_pass()
    {
        var a = StartProcess().GetRequiredService<IEvaluationPassStore>();
        var b = StartProcess().GetRequiredService<IEvaluationPassStore>();
        await a.BeginAsync(new StoredEvaluationPass(1001, Reconcile: false, Total: 3, Evaluated: 0, Time.GetUtcNow(), PointsAtStart: 12), default);
        await a.EvaluatedAsync(1001, 1, default);
        await b.EvaluatedAsync(1001, 1, default);
        await b.EvaluatedAsync(2002, 1, default);
        Assert.Equal(new StoredEvaluationPass(1001, false, 3, 2, Time.GetUtcNow(), 12), Assert.Single(await b.ListAsync(null, default)));

        // Never past the total; a new pass starts from nothing.
        await b.EvaluatedAsync(1001, 5, default);
        Assert.Equal(3, (await a.ListAsync(1001, default))[0].Evaluated);
        await b.BeginAsync(new StoredEvaluationPass(1001, Reconcile: true, Total: 4, Evaluated: 0, Time.GetUtcNow(), PointsAtStart: 40), default);
        Assert.Equal(new StoredEvaluationPass(1001, true, 4, 0, Time.GetUtcNow(), 40), Assert.Single(await a.ListAsync(1001, default)));
    }
}
