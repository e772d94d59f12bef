using PolicyBot.Processing;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Processing;

/// <summary>An installation deleted on GitHub stops PolicyBot's work for it until it is installed again.</summary>
[Collection(HostCollection.Name)]
public sealed class InstallationRemovalTests
{
    private const string Scenario = AcmeScenario.Bare;

    [Fact]
    public async Task Work_for_a_deleted_installation_is_skipped_until_it_is_installed_again()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        await sandbox.InstallAsync();
        var evaluations = sandbox.Service<PolicyBot.Enforcement.IEvaluationStore>();
        var first = await evaluations.GetAsync("acme/payments", default);
        Assert.NotNull(first);

        using var control = new HttpClient { BaseAddress = sandbox.GitHub.BaseUrl };
        (await control.DeleteAsync("_sandbox/installations/acme")).EnsureSuccessStatusCode();
        await sandbox.SettleAsync();
        Assert.True(await sandbox.Service<IInstallationStateStore>().IsRemovedAsync(1001, default));

        // Work that was already queued, or comes from a reconcile, is skipped: no GitHub call, no dead letter.
        sandbox.GitHub.ClearRequests();
        await sandbox.Service<IWorkQueue>().EnqueueAsync(
            new WorkItem(WorkItemKinds.EvaluateRepository, 1001, "acme", "payments", null, "reconcile", null, WorkTriggers.Reconcile), default);
        await sandbox.SettleAsync();
        Assert.Empty(sandbox.GitHub.Requests);
        Assert.Empty(await sandbox.Service<IWorkQueueStore>().ListAsync(WorkItemStates.Dead, 10, default));
        Assert.Equal(first.EvaluatedAt, (await evaluations.GetAsync("acme/payments", default))!.EvaluatedAt);

        // Installing again brings it back and evaluates everything.
        (await control.PostAsync("_sandbox/installations/acme", null)).EnsureSuccessStatusCode();
        await sandbox.SettleAsync();
        Assert.False(await sandbox.Service<IInstallationStateStore>().IsRemovedAsync(1001, default));
        Assert.True((await evaluations.GetAsync("acme/payments", default))!.EvaluatedAt > first.EvaluatedAt);
        var audit = await sandbox.Service<IAuditLog>().ListRecentAsync(1001, 50, default);
        Assert.Contains(audit, e => e.Action == "installation.stopped" && e.Reason.StartsWith("installation.deleted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_suspended_then_unsuspended_installation_ends_active_and_evaluated()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        await sandbox.InstallAsync();
        var evaluations = sandbox.Service<PolicyBot.Enforcement.IEvaluationStore>();
        var first = (await evaluations.GetAsync("acme/payments", default))!;

        // An owner suspends the app and soon changes their mind; a reconcile is queued meanwhile.
        using var control = new HttpClient { BaseAddress = sandbox.GitHub.BaseUrl };
        (await control.PutAsync("_sandbox/installations/acme/suspended", null)).EnsureSuccessStatusCode();
        await sandbox.Service<IWorkQueue>().EnqueueAsync(
            new WorkItem(WorkItemKinds.EvaluateInstallation, 1001, "acme", null, null, "reconcile", null, WorkTriggers.Reconcile), default);
        (await control.DeleteAsync("_sandbox/installations/acme/suspended")).EnsureSuccessStatusCode();
        await sandbox.SettleAsync();

        Assert.False(await sandbox.Service<IInstallationStateStore>().IsRemovedAsync(1001, default));
        Assert.True((await evaluations.GetAsync("acme/payments", default))!.EvaluatedAt > first.EvaluatedAt);
    }

    [Fact]
    public async Task A_reconcile_restores_an_installation_whose_unsuspend_was_missed_and_skips_a_suspended_one()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        await sandbox.InstallAsync();
        var evaluations = sandbox.Service<PolicyBot.Enforcement.IEvaluationStore>();
        var first = (await evaluations.GetAsync("acme/payments", default))!;
        var reconcile = sandbox.Service<ReconcileService>();

        using var control = new HttpClient { BaseAddress = sandbox.GitHub.BaseUrl };
        (await control.PutAsync("_sandbox/installations/acme/suspended", null)).EnsureSuccessStatusCode();
        await sandbox.SettleAsync();
        Assert.True(await sandbox.Service<IInstallationStateStore>().IsRemovedAsync(1001, default));

        // While suspended on GitHub, the reconcile queues nothing for it.
        Assert.Equal(0, await reconcile.RunOnceAsync(default));

        // The unsuspend delivery never arrives.
        var url = sandbox.GitHub.WebhookUrl;
        sandbox.GitHub.WebhookUrl = null;
        (await control.DeleteAsync("_sandbox/installations/acme/suspended")).EnsureSuccessStatusCode();
        await sandbox.GitHub.WaitForWebhooksAsync();
        sandbox.GitHub.WebhookUrl = url;
        await sandbox.SettleAsync();
        Assert.True(await sandbox.Service<IInstallationStateStore>().IsRemovedAsync(1001, default));

        Assert.Equal(1, await reconcile.RunOnceAsync(default));
        await sandbox.SettleAsync();

        Assert.False(await sandbox.Service<IInstallationStateStore>().IsRemovedAsync(1001, default));
        Assert.True((await evaluations.GetAsync("acme/payments", default))!.EvaluatedAt > first.EvaluatedAt);
    }

    [Fact]
    public async Task A_suspension_handled_after_the_installation_was_unsuspended_does_not_stop_it()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        await sandbox.InstallAsync();

        // The suspend delivery's work runs late (a retry, a busy queue): by then GitHub lists the installation as active.
        await sandbox.Service<IWorkQueue>().EnqueueAsync(
            new WorkItem(WorkItemKinds.InstallationRemoved, 1001, "acme", null, null, "installation.suspend", null), default);
        await sandbox.SettleAsync();

        Assert.False(await sandbox.Service<IInstallationStateStore>().IsRemovedAsync(1001, default));
    }
}
