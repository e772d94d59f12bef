using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PolicyBot.Processing;
using PolicyBot.Storage;
using PolicyBot.Storage.Sqlite;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Processing;

/// <summary>How installation-wide work is stored and claimed (the real SQLite queue, no workers).</summary>
public sealed class InstallationWorkQueueTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private readonly TempDirectory _directory = new();
    private SqliteWorkQueueStore _queue = null!;

    public async Task InitializeAsync()
    {
        var database = new SqliteDatabase(Options.Create(new StorageOptions { Path = _directory.DatabasePath }), new Environment(_directory.Path));
        await new SqliteMigrationRunner(database, [HostMigrations.Sqlite, EnforcementMigrations.Sqlite], NullLogger<SqliteMigrationRunner>.Instance).MigrateAsync(default);
        _queue = new SqliteWorkQueueStore(database, new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero)));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_unsuspend_does_not_merge_into_a_pending_reconcile_which_the_gate_would_refuse()
    {
        Assert.True(await _queue.EnqueueAsync(Installation(WorkItemKinds.EvaluateInstallation, "reconcile"), default));
        Assert.True(await _queue.EnqueueAsync(Installation(WorkItemKinds.EvaluateInstallation, "installation.unsuspend"), default));

        // Restoring deliveries still merge with each other, and reconciles with reconciles.
        Assert.False(await _queue.EnqueueAsync(Installation(WorkItemKinds.EvaluateInstallation, "installation.created"), default));
        Assert.False(await _queue.EnqueueAsync(Installation(WorkItemKinds.EvaluateInstallation, "reconcile"), default));
        Assert.Equal(2, (await _queue.CountAsync(default)).Pending);
    }

    [Fact]
    public async Task A_removal_and_a_restoration_of_one_installation_never_run_at_once()
    {
        await _queue.EnqueueAsync(Installation(WorkItemKinds.InstallationRemoved, "installation.suspend"), default);
        await _queue.EnqueueAsync(Installation(WorkItemKinds.EvaluateInstallation, "installation.unsuspend"), default);

        var first = await _queue.ClaimAsync("w1", Lease, default);
        Assert.Equal(WorkItemKinds.InstallationRemoved, first!.Item.Kind);
        Assert.Null(await _queue.ClaimAsync("w2", Lease, default));

        await _queue.CompleteAsync(first.Id, "w1", default);
        var second = await _queue.ClaimAsync("w2", Lease, default);
        Assert.Equal("installation.unsuspend", second!.Item.Reason);
    }

    /// <summary>As the router and the reconcile make them: restoring deliveries carry <see cref="WorkTriggers.RestoresInstallation"/>.</summary>
    private static WorkItem Installation(string kind, string reason) => new(
        kind,
        1001,
        "acme",
        null,
        null,
        reason,
        null,
        reason switch
        {
            "reconcile" => WorkTriggers.Reconcile,
            "installation.created" or "installation.unsuspend" => WorkTriggers.RestoresInstallation,
            _ => WorkTriggers.None,
        });

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = root;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
