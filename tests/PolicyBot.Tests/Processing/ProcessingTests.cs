using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Hosting;
using PolicyBot.Processing;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Processing;

[Collection(HostCollection.Name)]
public sealed class ProcessingTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task A_host_stopped_mid_work_finishes_it_after_restart_without_reprocessing_the_delivery()
    {
        var deliveryId = Guid.NewGuid().ToString();

        // First run: the handler never finishes on its own; the host is stopped under it.
        var blocking = new HandlerProbe(WorkItemKinds.EvaluatePullRequest, (_, _, ct) => Task.Delay(Timeout.Infinite, ct));
        await using (var first = Host(blocking))
        {
            using var client = first.CreateClient();
            using var response = await Deliveries.PostAsync(client, "pull_request", Deliveries.Read("pull_request/opened.payload.json"), deliveryId);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await blocking.FirstCallStarted.Task.WaitAsync(Patience);
        }

        Assert.Equal(1, blocking.CallCount);

        // Second run on the same file: the item runs once more and completes; the delivery is not routed again.
        var recording = new HandlerProbe(WorkItemKinds.EvaluatePullRequest);
        await using var second = Host(recording);
        using var timeout = new CancellationTokenSource(Patience);
        await second.Services.GetRequiredService<IWorkQueue>().WaitForIdleAsync(timeout.Token);

        var item = Assert.Single(recording.Calls);
        Assert.Equal(2, item.PullRequestNumber);
        Assert.Equal(deliveryId, item.DeliveryId);

        var delivery = await second.Services.GetRequiredService<IDeliveryStore>().GetAsync(deliveryId, default);
        Assert.Equal(DeliveryStates.Processed, delivery!.State);
        Assert.Equal(1, delivery.Attempts);

        var store = second.Services.GetRequiredService<IWorkQueueStore>();
        var done = Assert.Single(await store.ListAsync(WorkItemStates.Done, 10, default));
        Assert.Equal(1, done.Attempts);
        Assert.Equal(new WorkQueueCounts(0, 0, 1, 0), await store.CountAsync(default));
    }

    [Fact]
    public async Task A_claim_left_by_a_crashed_process_is_picked_up_at_start()
    {
        var recording = new HandlerProbe(WorkItemKinds.EvaluateRepository);
        await using (var first = Host(new HandlerProbe("unused")))
        {
            // A crash: claimed, never completed nor released.
            var store = first.Services.GetRequiredService<IWorkQueueStore>();
            var workers = first.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<WorkItemWorkers>().Single();
            await workers.StopAsync(default);
            await store.EnqueueAsync(new WorkItem(WorkItemKinds.EvaluateRepository, 1, "acme", "crashed", null, "test", null), default);
            Assert.NotNull(await store.ClaimAsync("crashed-process", TimeSpan.FromHours(1), default));
        }

        await using var second = Host(recording);
        using var timeout = new CancellationTokenSource(Patience);
        await second.Services.GetRequiredService<IWorkQueue>().WaitForIdleAsync(timeout.Token);

        Assert.Equal("crashed", Assert.Single(recording.Calls).Repository);
    }

    [Fact]
    public async Task Deliveries_arriving_together_about_one_pull_request_lead_to_one_evaluation()
    {
        using var release = new SemaphoreSlim(0);
        var probe = new HandlerProbe(WorkItemKinds.EvaluatePullRequest, async (_, call, ct) =>
        {
            if (call == 1)
            {
                await release.WaitAsync(ct);
            }
        });
        await using var factory = Host(probe);
        using var client = factory.CreateClient();

        (await Deliveries.PostAsync(client, "pull_request", Deliveries.Read("pull_request/opened.payload.json"))).Dispose();
        await probe.FirstCallStarted.Task.WaitAsync(Patience);

        // While the first evaluation runs, three more deliveries about the same pull request arrive.
        (await Deliveries.PostAsync(client, "pull_request", Deliveries.Read("pull_request/synchronize.payload.json"))).Dispose();
        (await Deliveries.PostAsync(client, "pull_request_review", Deliveries.Read("pull_request_review/submitted.payload.json"))).Dispose();
        (await Deliveries.PostAsync(client, "pull_request", Deliveries.Read("pull_request/reopened.payload.json"))).Dispose();
        await WaitUntilAsync(async () => await factory.Services.GetRequiredService<IDeliveryStore>().CountPendingAsync(default) == 0);

        release.Release();
        using var timeout = new CancellationTokenSource(Patience);
        await factory.Services.GetRequiredService<IWorkQueue>().WaitForIdleAsync(timeout.Token);

        Assert.Equal(2, probe.CallCount);
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Equal(2, PrometheusText.Value(metrics, "policybot_work_items_coalesced_total", ("kind", WorkItemKinds.EvaluatePullRequest)));
    }

    [Fact]
    public async Task Work_that_keeps_failing_ends_as_a_dead_letter_after_max_attempts()
    {
        var probe = new HandlerProbe(WorkItemKinds.EvaluatePullRequest, (_, _, _) => throw new InvalidOperationException("GitHub said no"));
        await using var factory = Host(probe);
        using var client = factory.CreateClient();

        (await Deliveries.PostAsync(client, "pull_request", Deliveries.Read("pull_request/opened.payload.json"))).Dispose();
        using var timeout = new CancellationTokenSource(Patience);
        await factory.Services.GetRequiredService<IWorkQueue>().WaitForIdleAsync(timeout.Token);

        Assert.Equal(3, probe.CallCount);
        var dead = Assert.Single(await factory.Services.GetRequiredService<IWorkQueueStore>().ListAsync(WorkItemStates.Dead, 10, default));
        Assert.Equal(3, dead.Attempts);
        Assert.Contains("GitHub said no", dead.LastError, StringComparison.Ordinal);

        using var metrics = await client.GetAsync("/metrics");
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Equal(1, PrometheusText.Value(text, "policybot_dead_letters"));
        Assert.Equal(1, PrometheusText.Value(text, "policybot_work_items_dead_lettered_total", ("kind", "evaluate-pull-request")));
        Assert.Equal(2, PrometheusText.Value(text, "policybot_work_items_failed_total", ("kind", "evaluate-pull-request")));
    }

    [Fact]
    public async Task Items_of_one_repository_run_one_at_a_time_while_other_repositories_run_alongside()
    {
        var perRepository = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var overlapInOneRepository = 0;
        var probe = new HandlerProbe(WorkItemKinds.EvaluatePullRequest, async (item, _, ct) =>
        {
            if (perRepository.AddOrUpdate(item.Repository!, 1, (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref overlapInOneRepository);
            }

            await Task.Delay(100, ct);
            perRepository.AddOrUpdate(item.Repository!, 0, (_, n) => n - 1);
        });
        await using var factory = Host(probe, new() { ["Processing:Workers"] = "4" });
        var queue = factory.Services.GetRequiredService<IWorkQueue>();

        foreach (var repository in new[] { "a", "b", "c" })
        {
            for (var number = 1; number <= 4; number++)
            {
                await queue.EnqueueAsync(new WorkItem(WorkItemKinds.EvaluatePullRequest, 1, "acme", repository, number, "test", null), default);
            }
        }

        using var timeout = new CancellationTokenSource(Patience);
        await queue.WaitForIdleAsync(timeout.Token);

        Assert.Equal(12, probe.CallCount);
        Assert.Equal(0, overlapInOneRepository);
        Assert.True(probe.MaxRunning > 1, "different repositories should run in parallel");
        Assert.True(probe.MaxRunning <= 3);
    }

    [Fact]
    public async Task A_kind_without_a_handler_is_logged_and_completed()
    {
        // Host() leaves the probe as the only handler, so evaluate-installation has none here.
        await using var factory = Host(new HandlerProbe("some-other-kind"));
        using var client = factory.CreateClient();
        var payload = Deliveries.WithInstallation("installation/created.payload.json", 5, node => node["installation"]!["id"] = 5);

        (await Deliveries.PostAsync(client, "installation", payload)).Dispose();
        using var timeout = new CancellationTokenSource(Patience);
        await factory.Services.GetRequiredService<IWorkQueue>().WaitForIdleAsync(timeout.Token);

        var done = Assert.Single(await factory.Services.GetRequiredService<IWorkQueueStore>().ListAsync(WorkItemStates.Done, 10, default));
        Assert.Equal(WorkItemKinds.EvaluateInstallation, done.Item.Kind);
        Assert.Equal(5, done.Item.InstallationId);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_work_item_that_ignores_cancellation_past_its_time_limit_is_failed_retried_and_reported_and_frees_its_worker()
    {
        // A handler stuck in work that never looks at its token (as a costly match would be).
        using var release = new ManualResetEventSlim();
        var stuck = new HandlerProbe(WorkItemKinds.EvaluateRepository, (_, _, _) => Task.Run(release.Wait));
        await using var host = Host(stuck, new() { ["Processing:Workers"] = "1", ["Processing:WorkItemTimeout"] = "00:00:00.300", ["Processing:MaxAttempts"] = "2" });
        var store = host.Services.GetRequiredService<IWorkQueueStore>();
        await host.Services.GetRequiredService<IWorkQueue>().EnqueueAsync(new WorkItem(WorkItemKinds.EvaluateRepository, 1, "acme", "slow", null, "test", null), default);

        // Tried twice (cancelled each time, the single worker free again), then parked with the reason.
        await WaitUntilAsync(async () => (await store.ListAsync(WorkItemStates.Dead, 10, default)).Count == 1);
        var parked = Assert.Single(await store.ListAsync(WorkItemStates.Dead, 10, default));
        Assert.Equal(2, parked.Attempts);
        Assert.Contains("time limit", parked.LastError, StringComparison.Ordinal);
        Assert.Equal(2, stuck.CallCount);

        using var client = host.CreateClient();
        Assert.Contains("Degraded", await client.GetStringAsync("/healthz"), StringComparison.Ordinal);
        Assert.Contains("policybot_work_items_timed_out_total", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);

        // Once the stuck runs end, health is back.
        release.Set();
        await WaitUntilAsync(async () => (await client.GetStringAsync("/healthz")) == "Healthy");
    }

    private PolicyBotFactory Host(HandlerProbe probe, Dictionary<string, string?>? settings = null) =>
        new(_directory.DatabasePath, settings, services => services.AddOnlyProbeHandler(probe));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
