using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Storage;

/// <summary>The storage contract on SQLite: a fresh file per test.</summary>
public sealed class SqliteStorageContractTests : StorageContractTests
{
    private readonly List<TempDirectory> _directories = [];

    protected override Task<Dictionary<string, string?>> CreateDatabaseAsync()
    {
        var directory = new TempDirectory();
        _directories.Add(directory);
        return Task.FromResult(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "sqlite",
            ["Storage:Path"] = directory.DatabasePath,
        });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directories.ForEach(d => d.Dispose());
    }

    [Fact]
    public async Task Claims_left_by_a_stopped_process_are_given_back_at_start_up()
    {
        // One SQLite file has one process: at start-up every claim left running is a stopped process's.
        await Queue.EnqueueAsync(new WorkItem(WorkItemKinds.EvaluatePullRequest, 1, "acme", "payments", 7, "a", "a"), default);
        await Queue.ClaimAsync("previous-process", Lease, default);

        var restarted = StartProcess().GetRequiredService<IWorkQueueStore>();
        Assert.Equal(1, await restarted.RecoverAbandonedAsync(default));

        var claimed = await restarted.ClaimAsync("w1", Lease, default);
        Assert.Equal(1, claimed!.Attempts);
    }
}
