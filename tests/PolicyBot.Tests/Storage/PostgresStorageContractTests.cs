using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Storage;

/// <summary>The storage contract on a real PostgreSQL server (<see cref="PostgresServer"/>): a fresh schema per database.</summary>
public sealed class PostgresStorageContractTests : StorageContractTests
{
    protected override async Task<Dictionary<string, string?>> CreateDatabaseAsync() => new()
    {
        ["Storage:Provider"] = "postgres",
        ["Storage:ConnectionString"] = await PostgresServer.CreateSchemaAsync(),
    };

    [Fact]
    public async Task A_replica_starting_up_leaves_the_live_claims_of_the_others_alone()
    {
        // Several replicas share the database: a claim running elsewhere is alive until its lease lapses.
        await Queue.EnqueueAsync(new WorkItem(WorkItemKinds.EvaluatePullRequest, 1, "acme", "payments", 7, "a", "a"), default);
        var claimed = await Queue.ClaimAsync("other-replica", Lease, default);

        var starting = StartProcess().GetRequiredService<IWorkQueueStore>();
        Assert.Equal(0, await starting.RecoverAbandonedAsync(default));

        Assert.Null(await starting.ClaimAsync("w1", Lease, default));
        Assert.True(await Queue.RenewAsync(claimed!.Id, "other-replica", Lease, default));
    }
}
