using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PolicyBot.Enforcement.Checks;
using PolicyBot.Enforcement.Reviews;
using PolicyBot.Enforcement.State;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Storage;

/// <summary>
/// The storage contract: the same tests against every provider (<see cref="SqliteStorageContractTests"/>,
/// <see cref="PostgresStorageContractTests"/>), through the stores as <c>AddStorage</c> registers them, with a
/// fake clock for leases and retries. A "process" is one service provider: two of them on one database are two
/// replicas (or a restart).
/// </summary>
public abstract partial class StorageContractTests : IAsyncLifetime
{
    protected static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private readonly List<ServiceProvider> _processes = [];
    private IServiceProvider _services = null!;
    private IWorkQueueStore _queue = null!;
    private IDeliveryStore _deliveries = null!;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    protected IWorkQueueStore Queue => _queue;

    /// <summary>The <c>Storage</c> settings of a fresh, empty database of the provider under test.</summary>
    protected abstract Task<Dictionary<string, string?>> CreateDatabaseAsync();

    private Dictionary<string, string?> _settings = null!;

    public async Task InitializeAsync()
    {
        _settings = await CreateDatabaseAsync();
        _services = StartProcess();
        var runner = _services.GetRequiredService<IMigrationRunner>();
        await runner.MigrateAsync(default);

        // Migrating twice changes nothing.
        await runner.MigrateAsync(default);

        _queue = _services.GetRequiredService<IWorkQueueStore>();
        _deliveries = _services.GetRequiredService<IDeliveryStore>();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
    }

    /// <summary>Another process on the same database, with the same clock.</summary>
    protected IServiceProvider StartProcess(Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? _settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new Environment(Path.GetTempPath()));
        services.AddSingleton<TimeProvider>(Time);
        services.AddStorage(configuration);
        services.AddMetrics();
        services.AddSingleton<PolicyBot.Hosting.PolicyBotMetrics>();
        var provider = services.BuildServiceProvider();
        _processes.Add(provider);
        return provider;
    }

    [Fact]
    public async Task Equal_pending_items_are_stored_once()
    {
        Assert.True(await _queue.EnqueueAsync(PullRequest(7, "a"), default));
        Assert.False(await _queue.EnqueueAsync(PullRequest(7, "b"), default));
        Assert.True(await _queue.EnqueueAsync(PullRequest(8, "c"), default));

        Assert.Equal(2, (await _queue.CountAsync(default)).Pending);
    }

    [Fact]
    public async Task A_new_item_is_accepted_while_an_equal_one_runs()
    {
        await _queue.EnqueueAsync(PullRequest(7, "a"), default);
        var claimed = await _queue.ClaimAsync("w1", Lease, default);
        Assert.NotNull(claimed);

        // The change may have come after the running evaluation read GitHub: it must run again.
        Assert.True(await _queue.EnqueueAsync(PullRequest(7, "b"), default));
        Assert.False(await _queue.EnqueueAsync(PullRequest(7, "c"), default));
    }

    [Fact]
    public async Task Delivery_completion_enqueues_and_marks_processed_once()
    {
        await _deliveries.AddAsync(Delivery("d1"), default);
        Assert.False(await _deliveries.AddAsync(Delivery("d1"), default));

        await _queue.EnqueueAsync(PullRequest(8, "earlier"), default);
        var added = await _deliveries.CompleteAsync("d1", [PullRequest(7, "d1"), PullRequest(8, "d1")], default);
        Assert.Equal([PullRequest(7, "d1")], added);
        Assert.Null(await _deliveries.CompleteAsync("d1", [PullRequest(9, "d1")], default));

        var summary = await _deliveries.GetAsync("d1", default);
        Assert.Equal(DeliveryStates.Processed, summary!.State);
        Assert.Equal(2, (await _queue.CountAsync(default)).Pending);
        Assert.Empty(await _deliveries.GetPendingAsync(10, default));
    }

    [Fact]
    public async Task A_batch_of_deliveries_is_one_transaction_that_stores_each_id_once()
    {
        Assert.True(await _deliveries.AddAsync(Delivery("d0"), default));

        // Repeated within the batch, or stored by an earlier transaction: the first one stored wins, the others say so.
        var added = await _deliveries.AddBatchAsync([Delivery("d1"), Delivery("d0"), Delivery("d2"), Delivery("d1")], default);
        Assert.Equal([true, false, true, false], added);
        Assert.Equal(["d0", "d1", "d2"], (await _deliveries.ListRecentAsync(10, null, default)).Select(d => d.DeliveryId).Order(StringComparer.Ordinal));

        // One transaction: a batch with a delivery the database refuses (no event) stores none of it.
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => _deliveries.AddBatchAsync([Delivery("d3"), Delivery("d4") with { Event = null! }], default));
        Assert.Null(await _deliveries.GetAsync("d3", default));
    }

    [Fact]
    public async Task Routed_deliveries_are_completed_together_each_once()
    {
        await _deliveries.AddBatchAsync([Delivery("d1"), Delivery("d2"), Delivery("d3")], default);
        await _deliveries.CompleteAsync("d3", [], default);

        // d3 was processed already: nothing enqueued for it. d2's pull request 7 coalesces with d1's, enqueued just before.
        var completed = await _deliveries.CompleteBatchAsync(
            [new("d1", [PullRequest(7, "d1")]), new("d3", [PullRequest(9, "d3")]), new("d2", [PullRequest(7, "d2"), PullRequest(8, "d2")])],
            default);

        Assert.Equal([PullRequest(7, "d1")], completed[0]);
        Assert.Null(completed[1]);
        Assert.Equal([PullRequest(8, "d2")], completed[2]);
        Assert.Empty(await _deliveries.GetPendingAsync(10, default));
        Assert.Equal(2, (await _queue.CountAsync(default)).Pending);
    }

    [Fact]
    public async Task Deliveries_waiting_together_share_a_commit_and_each_learns_whether_it_was_a_duplicate()
    {
        await _deliveries.AddAsync(Delivery("d0"), default);
        var commit = GroupCommit(maxBatch: 3);

        // Queued before the writer starts, so the batches are known: d1 d0 d1 | d1 d2 d2.
        var waiting = new[] { "d1", "d0", "d1", "d1", "d2", "d2" }.Select(id => commit.AddAsync(Delivery(id))).ToList();
        Assert.Equal(6, commit.Pending);
        await commit.StartAsync(default);

        var stored = await Task.WhenAll(waiting);
        Assert.Equal([true, false, false, false, true, false], stored);
        Assert.Equal(2, commit.Commits);
        Assert.Equal(0, commit.Pending);
        Assert.Equal(3, (await _deliveries.ListRecentAsync(10, null, default)).Count);

        // Stopped, it stores no more: a delivery then is refused, not acknowledged and lost.
        await commit.StopAsync(default);
        Assert.Throws<InvalidOperationException>(() => { _ = commit.AddAsync(Delivery("d3")); });
    }

    [Fact]
    public async Task A_commit_that_fails_fails_every_delivery_waiting_on_it_and_the_next_one_succeeds()
    {
        var commit = GroupCommit(maxBatch: 10);
        var waiting = new[] { Delivery("d1"), Delivery("d2") with { Event = null! }, Delivery("d3") }.Select(commit.AddAsync).ToList();
        await commit.StartAsync(default);

        foreach (var caller in waiting)
        {
            await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => caller);
        }

        Assert.Equal(0, commit.Commits);
        Assert.Empty(await _deliveries.ListRecentAsync(10, null, default));

        // The writer goes on: a redelivery is stored.
        Assert.True(await commit.AddAsync(Delivery("d1")));
        Assert.Equal(1, commit.Commits);
        await commit.StopAsync(default);
    }

    private PolicyBot.Webhooks.DeliveryGroupCommit GroupCommit(int maxBatch) => new(
        _deliveries,
        Microsoft.Extensions.Options.Options.Create(new PolicyBot.Webhooks.WebhookIntakeOptions { MaxCommitBatch = maxBatch }),
        _services.GetRequiredService<PolicyBot.Hosting.PolicyBotMetrics>(),
        Microsoft.Extensions.Logging.Abstractions.NullLogger<PolicyBot.Webhooks.DeliveryGroupCommit>.Instance);

    [Fact]
    public async Task Two_items_of_one_repository_never_run_at_once()
    {
        await _queue.EnqueueAsync(PullRequest(7, "a"), default);
        await _queue.EnqueueAsync(PullRequest(8, "b"), default);
        await _queue.EnqueueAsync(new WorkItem(WorkItemKinds.EvaluateRepository, 1, "acme", "billing", null, "x", null), default);

        var first = await _queue.ClaimAsync("w1", Lease, default);
        var second = await _queue.ClaimAsync("w2", Lease, default);
        var third = await _queue.ClaimAsync("w3", Lease, default);

        Assert.Equal(7, first!.Item.PullRequestNumber);
        Assert.Equal("billing", second!.Item.Repository);
        Assert.Null(third);

        await _queue.CompleteAsync(first.Id, "w1", default);
        var next = await _queue.ClaimAsync("w3", Lease, default);
        Assert.Equal(8, next!.Item.PullRequestNumber);
    }

    [Fact]
    public async Task A_claim_whose_worker_died_is_taken_over_after_the_lease()
    {
        await _queue.EnqueueAsync(PullRequest(7, "a"), default);
        var claimed = await _queue.ClaimAsync("dead-worker", Lease, default);
        Assert.NotNull(claimed);
        Assert.Null(await _queue.ClaimAsync("w2", Lease, default));

        Time.Advance(Lease + TimeSpan.FromSeconds(1));
        var taken = await _queue.ClaimAsync("w2", Lease, default);

        Assert.Equal(claimed.Id, taken!.Id);
        Assert.Equal(2, taken.Attempts);

        // The dead worker's late completion no longer counts.
        await _queue.CompleteAsync(claimed.Id, "dead-worker", default);
        Assert.Equal(1, (await _queue.CountAsync(default)).Running);
    }

    [Fact]
    public async Task A_renewed_lease_keeps_the_claim()
    {
        await _queue.EnqueueAsync(PullRequest(7, "a"), default);
        var claimed = await _queue.ClaimAsync("w1", Lease, default);

        Time.Advance(Lease / 2);
        Assert.True(await _queue.RenewAsync(claimed!.Id, "w1", Lease, default));
        Time.Advance(Lease / 2 + TimeSpan.FromSeconds(1));

        Assert.Null(await _queue.ClaimAsync("w2", Lease, default));
    }

    [Fact]
    public async Task Failures_retry_when_due_then_become_dead_letters_that_reconcile_requeues()
    {
        await _queue.EnqueueAsync(PullRequest(7, "a"), default);
        var claimed = await _queue.ClaimAsync("w1", Lease, default);
        await _queue.FailAsync(claimed!.Id, "w1", Boom("boom"), Time.GetUtcNow() + TimeSpan.FromMinutes(1), default);

        Assert.Null(await _queue.ClaimAsync("w1", Lease, default));
        Time.Advance(TimeSpan.FromMinutes(1));
        var retried = await _queue.ClaimAsync("w1", Lease, default);
        Assert.Equal(2, retried!.Attempts);

        await _queue.FailAsync(retried.Id, "w1", Boom("boom again"), retryAt: null, default);
        var dead = Assert.Single(await _queue.ListAsync(WorkItemStates.Dead, 10, default));
        Assert.Equal("boom again", dead.LastError);
        Assert.Equal("transient", dead.FailureKind);
        Assert.Null(await _queue.ClaimAsync("w1", Lease, default));

        Assert.Equal(1, await _queue.RequeueDeadLettersAsync(3, default));
        var again = await _queue.ClaimAsync("w1", Lease, default);
        Assert.Equal(1, again!.Attempts);
        Assert.Equal(1, again.Requeues);
    }

    [Fact]
    public async Task A_dead_letter_is_requeued_at_most_the_bound_then_stays_parked_with_its_reason()
    {
        await _queue.EnqueueAsync(PullRequest(7, "a"), default);
        for (var requeue = 0; requeue < 2; requeue++)
        {
            var claimed = await _queue.ClaimAsync("w1", Lease, default);
            await _queue.FailAsync(claimed!.Id, "w1", Boom($"boom {requeue}"), retryAt: null, default);
            Assert.Equal(1, await _queue.RequeueDeadLettersAsync(2, default));
        }

        var last = await _queue.ClaimAsync("w1", Lease, default);
        await _queue.FailAsync(last!.Id, "w1", Boom("boom for good"), retryAt: null, default);

        Assert.Equal(0, await _queue.RequeueDeadLettersAsync(2, default));
        var parked = Assert.Single(await _queue.ListAsync(WorkItemStates.Dead, 10, default));
        Assert.Equal(2, parked.Requeues);
        Assert.Equal("boom for good", parked.LastError);
        Assert.Equal("transient", parked.FailureKind);
    }

    [Fact]
    public async Task A_permanent_failure_is_never_requeued_and_keeps_its_kind()
    {
        await _queue.EnqueueAsync(PullRequest(7, "a"), default);
        var claimed = await _queue.ClaimAsync("w1", Lease, default);
        await _queue.FailAsync(claimed!.Id, "w1", new WorkFailure(WorkFailureKind.Gone, null, "GitHub answered 410: This issue was deleted"), retryAt: null, default);

        Assert.Equal(0, await _queue.RequeueDeadLettersAsync(3, default));
        var parked = Assert.Single(await _queue.ListAsync(WorkItemStates.Dead, 10, default));
        Assert.Equal("gone", parked.FailureKind);
        Assert.Equal(0, parked.Requeues);

        // Seen by another process on the same database too.
        var other = StartProcess().GetRequiredService<IWorkQueueStore>();
        Assert.Equal(0, await other.RequeueDeadLettersAsync(3, default));
        Assert.Equal("gone", Assert.Single(await other.ListAsync(WorkItemStates.Dead, 10, default)).FailureKind);
    }

    [Fact]
    public async Task A_retry_keeps_the_kind_of_its_failure_and_a_rate_limited_dead_letter_comes_back()
    {
        await _queue.EnqueueAsync(PullRequest(7, "a"), default);
        var claimed = await _queue.ClaimAsync("w1", Lease, default);
        await _queue.FailAsync(claimed!.Id, "w1", new WorkFailure(WorkFailureKind.RateLimited, TimeSpan.FromMinutes(1), "secondary limit"), Time.GetUtcNow() + TimeSpan.FromMinutes(1), default);
        Assert.Equal("rate-limited", Assert.Single(await _queue.ListAsync(WorkItemStates.Pending, 10, default)).FailureKind);

        Time.Advance(TimeSpan.FromMinutes(1));
        var retried = await _queue.ClaimAsync("w1", Lease, default);
        await _queue.FailAsync(retried!.Id, "w1", new WorkFailure(WorkFailureKind.RateLimited, null, "secondary limit"), retryAt: null, default);
        Assert.Equal(1, await _queue.RequeueDeadLettersAsync(3, default));
    }

    private static WorkFailure Boom(string reason) => new(WorkFailureKind.Transient, null, reason);

    [Fact]
    public async Task A_dead_letter_with_an_equal_pending_item_steps_aside()
    {
        await _queue.EnqueueAsync(PullRequest(7, "a"), default);
        var claimed = await _queue.ClaimAsync("w1", Lease, default);
        await _queue.FailAsync(claimed!.Id, "w1", Boom("boom"), retryAt: null, default);
        await _queue.EnqueueAsync(PullRequest(7, "b"), default);

        Assert.Equal(0, await _queue.RequeueDeadLettersAsync(3, default));

        var counts = await _queue.CountAsync(default);
        Assert.Equal(1, counts.Pending);
        Assert.Equal(0, counts.Dead);
    }

    [Fact]
    public async Task History_older_than_the_cutoff_is_purged_but_pending_work_and_dead_letters_stay()
    {
        await _deliveries.AddAsync(Delivery("old-processed"), default);
        await _deliveries.CompleteAsync("old-processed", [PullRequest(1, "old-processed")], default);
        await _deliveries.AddAsync(Delivery("old-pending"), default);
        var done = await _queue.ClaimAsync("w1", Lease, default);
        await _queue.CompleteAsync(done!.Id, "w1", default);
        await _queue.EnqueueAsync(PullRequest(2, "x"), default);
        var dead = await _queue.ClaimAsync("w1", Lease, default);
        await _queue.FailAsync(dead!.Id, "w1", Boom("boom"), retryAt: null, default);
        await _queue.EnqueueAsync(PullRequest(3, "x"), default);

        Time.Advance(TimeSpan.FromDays(15));
        await _deliveries.AddAsync(Delivery("recent"), default);
        await _deliveries.CompleteAsync("recent", [], default);
        var cutoff = Time.GetUtcNow() - TimeSpan.FromDays(14);

        Assert.Equal(1, await _deliveries.PurgeAsync(cutoff, default));
        Assert.Equal(1, await _queue.PurgeAsync(cutoff, default));

        Assert.Null(await _deliveries.GetAsync("old-processed", default));
        Assert.NotNull(await _deliveries.GetAsync("old-pending", default));
        Assert.NotNull(await _deliveries.GetAsync("recent", default));
        Assert.Equal(new WorkQueueCounts(Pending: 1, Running: 0, Done: 0, Dead: 1), await _queue.CountAsync(default));
    }

    [Fact]
    public async Task Audit_log_keeps_every_action_most_recent_first()
    {
        var log = _services.GetRequiredService<IAuditLog>();
        await log.RecordAsync(new AuditEntry(Time.GetUtcNow(), 1, "acme/payments", "issue.opened", "branch_protection below baseline", "https://example/1", "d1"), default);
        Time.Advance(TimeSpan.FromSeconds(1));
        await log.RecordAsync(new AuditEntry(Time.GetUtcNow(), 2, "other/repo", "protection.raised", "fix"), default);

        var all = await log.ListRecentAsync(null, 10, default);
        var one = await log.ListRecentAsync(1, 10, default);

        Assert.Equal(["protection.raised", "issue.opened"], all.Select(e => e.Action));
        Assert.Equal("acme/payments", Assert.Single(one).Repository);
    }

    [Fact]
    public async Task Two_processes_claiming_at_once_never_take_one_item_or_run_one_repository_twice()
    {
        // Ten repositories with three pull requests each: three items per concurrency key.
        for (var repository = 0; repository < 10; repository++)
        {
            for (var number = 1; number <= 3; number++)
            {
                await _queue.EnqueueAsync(PullRequest(number, "d") with { Repository = $"repo{repository}" }, default);
            }
        }

        var running = new HashSet<string>(StringComparer.Ordinal);
        var claimed = new List<long>();
        var violations = new List<string>();
        var replicas = new[] { _queue, StartProcess().GetRequiredService<IWorkQueueStore>() };

        async Task WorkAsync(IWorkQueueStore store, string owner)
        {
            while (await store.ClaimAsync(owner, Lease, default) is { } item)
            {
                lock (running)
                {
                    claimed.Add(item.Id);
                    if (!running.Add(item.Item.ConcurrencyKey))
                    {
                        violations.Add(item.Item.ConcurrencyKey);
                    }
                }

                await Task.Yield();
                lock (running)
                {
                    running.Remove(item.Item.ConcurrencyKey);
                }

                await store.CompleteAsync(item.Id, owner, default);
            }
        }

        await Task.WhenAll(replicas.SelectMany((store, r) => Enumerable.Range(0, 3).Select(w => Task.Run(() => WorkAsync(store, $"replica{r}-worker{w}")))));

        Assert.Empty(violations);
        Assert.Equal(30, claimed.Count);
        Assert.Equal(30, claimed.Distinct().Count());
        Assert.Equal(new WorkQueueCounts(0, 0, 30, 0), await _queue.CountAsync(default));
    }

    [Fact]
    public async Task A_claim_of_a_process_that_died_is_taken_over_by_another_when_its_lease_lapses()
    {
        await _queue.EnqueueAsync(PullRequest(7, "a"), default);
        var survivor = StartProcess().GetRequiredService<IWorkQueueStore>();
        var claimed = await _queue.ClaimAsync("killed-replica", Lease, default);
        Assert.NotNull(claimed);

        Time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Null(await survivor.ClaimAsync("survivor", Lease, default));

        Time.Advance(TimeSpan.FromSeconds(2));
        var taken = await survivor.ClaimAsync("survivor", Lease, default);
        Assert.Equal(claimed.Id, taken!.Id);

        // The dead replica's late answers change nothing; the survivor's completion counts.
        await _queue.FailAsync(claimed.Id, "killed-replica", Boom("late"), retryAt: null, default);
        Assert.False(await _queue.RenewAsync(claimed.Id, "killed-replica", Lease, default));
        await survivor.CompleteAsync(taken.Id, "survivor", default);
        Assert.Equal(new WorkQueueCounts(0, 0, 1, 0), await _queue.CountAsync(default));
    }

    [Fact]
    public async Task Two_processes_racing_to_migrate_a_fresh_database_both_start_and_share_one_schema()
    {
        var fresh = await CreateDatabaseAsync();
        var first = StartProcess(fresh);
        var second = StartProcess(fresh);

        await Task.WhenAll(
            Task.Run(() => first.GetRequiredService<IMigrationRunner>().MigrateAsync(default)),
            Task.Run(() => second.GetRequiredService<IMigrationRunner>().MigrateAsync(default)));

        Assert.True(await first.GetRequiredService<IWorkQueueStore>().EnqueueAsync(PullRequest(7, "a"), default));
        Assert.False(await second.GetRequiredService<IWorkQueueStore>().EnqueueAsync(PullRequest(7, "b"), default));
        Assert.Equal(1, (await second.GetRequiredService<IWorkQueueStore>().CountAsync(default)).Pending);
    }

    [Fact]
    public async Task What_a_check_run_shows_is_known_to_every_process()
    {
        var other = StartProcess().GetRequiredService<ICheckRunLedger>();
        var ledger = _services.GetRequiredService<ICheckRunLedger>();
        Assert.Null(await other.GetShownAsync(41, default));

        await ledger.RecordShownAsync(41, "A", Time.GetUtcNow(), default);
        Assert.Equal("A", await other.GetShownAsync(41, default));

        // Another replica wrote something else since: the first must not think "A" is still shown.
        await other.RecordShownAsync(41, "B", Time.GetUtcNow(), default);
        Assert.Equal("B", await ledger.GetShownAsync(41, default));
        Assert.Null(await ledger.GetShownAsync(42, default));
    }

    [Fact]
    public async Task A_membership_change_on_one_process_is_seen_by_every_process()
    {
        var other = StartProcess().GetRequiredService<IOrganizationDirectoryVersions>();
        var versions = _services.GetRequiredService<IOrganizationDirectoryVersions>();
        Assert.Equal(0, await other.GetAsync("acme", default));

        await versions.BumpAsync("Acme", default);
        await versions.BumpAsync("acme", default);

        Assert.Equal(2, await other.GetAsync("ACME", default));
        Assert.Equal(0, await other.GetAsync("other", default));
    }

    public static TheoryData<WorkTriggers, string?> EachTrigger => new()
    {
        { WorkTriggers.RepositoryCreated, "Codertocat" },
        { WorkTriggers.RerunRequested, null },
        { WorkTriggers.PolicyFilesChanged, null },
        { WorkTriggers.Reconcile, null },
    };

    [Theory]
    [MemberData(nameof(EachTrigger))]
    public async Task A_trigger_survives_a_coalesce_whichever_item_came_first(WorkTriggers trigger, string? createdBy)
    {
        var plain = Repository("plain");
        var triggered = Repository("triggered") with { Triggers = trigger, CreatedBy = createdBy };

        // The triggered item first, then a plain one coalesces into it; and the other way round, on another repository.
        Assert.True(await _queue.EnqueueAsync(triggered, default));
        Assert.False(await _queue.EnqueueAsync(plain, default));
        Assert.True(await _queue.EnqueueAsync(plain with { Repository = "other" }, default));
        Assert.False(await _queue.EnqueueAsync(triggered with { Repository = "other" }, default));

        var pending = await _queue.ListAsync(WorkItemStates.Pending, 10, default);
        Assert.Equal(2, pending.Count);
        Assert.All(pending, p => Assert.Equal(trigger, p.Item.Triggers));
        Assert.All(pending, p => Assert.Equal(createdBy, p.Item.CreatedBy));

        // The first item's reason is kept for people to read; it decides nothing.
        Assert.Contains(pending, p => p.Item.Reason == "plain");
    }

    [Fact]
    public async Task Triggers_of_one_delivery_batch_merge_with_the_pending_item()
    {
        await _queue.EnqueueAsync(Repository("reconcile") with { Triggers = WorkTriggers.Reconcile }, default);
        await _deliveries.AddAsync(Delivery("d1"), default);

        var added = await _deliveries.CompleteAsync(
            "d1",
            [Repository("created") with { Triggers = WorkTriggers.RepositoryCreated, CreatedBy = "alice" }, Repository("push") with { Triggers = WorkTriggers.PolicyFilesChanged }],
            default);

        Assert.Empty(added!);
        var item = Assert.Single(await _queue.ListAsync(WorkItemStates.Pending, 10, default)).Item;
        Assert.Equal(WorkTriggers.Reconcile | WorkTriggers.RepositoryCreated | WorkTriggers.PolicyFilesChanged, item.Triggers);
        Assert.Equal("alice", item.CreatedBy);
    }

    [Fact]
    public async Task A_retried_item_that_steps_aside_for_an_equal_pending_one_hands_it_its_triggers()
    {
        await _queue.EnqueueAsync(PullRequest(7, "rerun") with { Triggers = WorkTriggers.RerunRequested }, default);
        var claimed = await _queue.ClaimAsync("w1", Lease, default);
        await _queue.EnqueueAsync(PullRequest(7, "later"), default);

        await _queue.FailAsync(claimed!.Id, "w1", Boom("boom"), Time.GetUtcNow() + TimeSpan.FromMinutes(1), default);

        var pending = Assert.Single(await _queue.ListAsync(WorkItemStates.Pending, 10, default));
        Assert.Equal("later", pending.Item.DeliveryId);
        Assert.Equal(WorkTriggers.RerunRequested, pending.Item.Triggers);
    }

    [Fact]
    public async Task A_dead_letter_that_steps_aside_on_requeue_hands_the_pending_item_its_triggers()
    {
        await _queue.EnqueueAsync(Repository("created") with { Triggers = WorkTriggers.RepositoryCreated, CreatedBy = "alice" }, default);
        var claimed = await _queue.ClaimAsync("w1", Lease, default);
        await _queue.FailAsync(claimed!.Id, "w1", Boom("boom"), retryAt: null, default);
        await _queue.EnqueueAsync(Repository("push") with { Triggers = WorkTriggers.PolicyFilesChanged }, default);

        Assert.Equal(0, await _queue.RequeueDeadLettersAsync(3, default));

        var pending = Assert.Single(await _queue.ListAsync(WorkItemStates.Pending, 10, default)).Item;
        Assert.Equal(WorkTriggers.RepositoryCreated | WorkTriggers.PolicyFilesChanged, pending.Triggers);
        Assert.Equal("alice", pending.CreatedBy);
    }

    private static WorkItem Repository(string reason) =>
        new(WorkItemKinds.EvaluateRepository, 1, "acme", "payments", null, reason, reason);

    private static WorkItem PullRequest(int number, string delivery) =>
        new(WorkItemKinds.EvaluatePullRequest, 1, "acme", "payments", number, "pull_request.opened", delivery);

    private WebhookDelivery Delivery(string id) =>
        new(id, "pull_request", "opened", 1, "acme/payments", 7, "{}", Time.GetUtcNow());

    [Fact]
    public async Task Replicas_share_each_installations_content_creation_window()
    {
        // GitHub's secondary limits are per installation, not per process: twelve creations reserved at once from two
        // processes, at most three a minute, take the minutes in turn whichever process asks.
        var limits = new PolicyBot.GitHub.ContentCreationLimits(TimeSpan.Zero, PerMinute: 3, PerHour: 13);
        var one = _services.GetRequiredService<PolicyBot.GitHub.IContentCreationLedger>();
        var other = StartProcess().GetRequiredService<PolicyBot.GitHub.IContentCreationLedger>();
        var now = Time.GetUtcNow();

        var slots = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => (i % 2 == 0 ? one : other).ReserveAsync("installation:1", limits, now, default))));

        var minute = TimeSpan.FromMinutes(1);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => now + (minute * (i / 3))), slots.Order());
        Assert.Equal(now, await other.ReserveAsync("installation:2", limits, now, default)); // each installation its own

        // A restarted process keeps the hour's count: the 13th fits the hour, the 14th waits until the first leaves it.
        var restarted = StartProcess().GetRequiredService<PolicyBot.GitHub.IContentCreationLedger>();
        Assert.Equal(now + (minute * 4), await restarted.ReserveAsync("installation:1", limits, now, default));
        Assert.Equal(now + TimeSpan.FromHours(1), await restarted.ReserveAsync("installation:1", limits, now, default));

        // An hour on, the old creations count no more.
        Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(Time.GetUtcNow(), await one.ReserveAsync("installation:1", limits, Time.GetUtcNow(), default));
    }

    [Fact]
    public async Task Reviewers_asked_once_stay_asked_for_a_new_process_and_only_on_that_pull_request()
    {
        var plan = new PolicyBot.Policies.Reviewers.ReviewRequestPlan(["security"], ["Carol"], []);
        await _services.GetRequiredService<IReviewRequestLedger>().RecordAsync("acme/payments", 7, plan, default);

        // Another process on the same database (a restart, or a second replica).
        var other = StartProcess().GetRequiredService<IReviewRequestLedger>();
        var wider = plan with { Teams = ["security", "platform"], Users = ["carol", "dave"] };
        var left = await other.NotYetRequestedAsync("ACME/payments", 7, wider, default);
        Assert.Equal(["platform"], left.Teams);
        Assert.Equal(["dave"], left.Users);

        var elsewhere = await other.NotYetRequestedAsync("acme/payments", 8, wider, default);
        Assert.Equal(wider.Teams, elsewhere.Teams);
        Assert.Equal(wider.Users, elsewhere.Users);
    }

    [Fact]
    public async Task The_state_of_each_evaluated_repository_is_kept_for_previews_renamed_with_it_and_forgotten_with_it()
    {
        var evaluations = _services.GetRequiredService<PolicyBot.Enforcement.IEvaluationStore>();
        var snapshot = new PolicyBot.Policies.Snapshots.RepositorySnapshot
        {
            Owner = "acme",
            Name = "payments",
            DefaultBranch = "main",
            CatalogInfo = new("catalog-info.yaml", "kind: Component\n", "abc"),
            CustomProperties = new Dictionary<string, IReadOnlyList<string>> { ["Tier"] = ["critical"] },
            TeamAccess = new Dictionary<string, PolicyBot.Policies.RepositoryAccess> { ["Platform"] = PolicyBot.Policies.RepositoryAccess.Admin },
            Branches =
            [
                new()
                {
                    Branch = "main",
                    Classic = new() { RequiredApprovingReviewCount = 2, RequiredStatusChecks = [new("PolicyBot", 42)], ReviewBypass = [new("User", 7, "pull_request", "bob")] },
                    Rules = [new() { Type = "pull_request", RulesetId = 9, PullRequest = new(1, true, false, false) }],
                },
            ],
        };
        var state = new PolicyBot.Policies.Preview.KnownRepositoryState(snapshot, FilesRead: true, BranchesReadFor: ["default", "release/*"], CustomPropertiesRead: true);
        await evaluations.SaveAsync(new(1, "acme/payments", true, null, [], null, Time.GetUtcNow()) { State = state }, default);
        await evaluations.SaveAsync(new(2, "other/thing", true, null, [], null, Time.GetUtcNow()) { State = state with { Snapshot = snapshot with { Owner = "other", Name = "thing" } } }, default);
        await evaluations.SaveAsync(new(1, "acme/unread", false, "archived", [], null, Time.GetUtcNow()), default);

        var states = await StartProcess().GetRequiredService<PolicyBot.Enforcement.IEvaluationStore>().ListStatesAsync(1, default);
        Assert.Equal(["acme/unread"], states.NotStored); // evaluated before states were kept
        var stored = Assert.Single(states.Known);
        Assert.True(stored.FilesRead && stored.CustomPropertiesRead);
        Assert.Equal(["default", "release/*"], stored.BranchesReadFor);
        Assert.Equal("acme/payments", stored.Snapshot.FullName);
        Assert.Equal("kind: Component\n", stored.Snapshot.CatalogInfo!.Content);
        Assert.Equal(["critical"], stored.Snapshot.CustomProperties["tier"]); // names compare without regard to case, as GitHub's do
        Assert.Equal(PolicyBot.Policies.RepositoryAccess.Admin, stored.Snapshot.TeamAccess!["platform"]);
        var branch = Assert.Single(stored.Snapshot.Branches);
        Assert.Equal(snapshot.Branches[0].Classic!.RequiredStatusChecks, branch.Classic!.RequiredStatusChecks);
        Assert.Equal(snapshot.Branches[0].Classic!.ReviewBypass, branch.Classic.ReviewBypass);
        Assert.Equal(snapshot.Branches[0].Rules[0].PullRequest, Assert.Single(branch.Rules).PullRequest);

        // The dashboard's lists do not carry it.
        Assert.All(await evaluations.ListAsync(1, default), e => Assert.Null(e.State));

        await evaluations.RenameAsync("acme/payments", "acme/billing", default);
        Assert.Equal("acme/billing", Assert.Single((await evaluations.ListStatesAsync(1, default)).Known).Snapshot.FullName); // judged under its new name
        await evaluations.DeleteAsync("acme/billing", default);
        Assert.Empty((await evaluations.ListStatesAsync(1, default)).Known);
    }

    protected sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = root;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
