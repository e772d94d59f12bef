using PolicyBot.Enforcement;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Processing;

/// <summary>The reconcile makes up for deliveries PolicyBot missed.</summary>
[Collection(HostCollection.Name)]
public sealed class ReconcileTests
{
    private const string Scenario = AcmeScenario.Bare;

    [Fact]
    public async Task An_installation_made_while_PolicyBot_missed_its_webhook_is_evaluated_soon_after_start_up()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario, new Dictionary<string, string?>
        {
            ["Processing:ReconcileOnStart"] = "true",
            ["Processing:ReconcileStartDelay"] = "00:00:01.500",
        });

        // installation.created goes nowhere: PolicyBot never hears of it.
        var url = sandbox.GitHub.WebhookUrl;
        sandbox.GitHub.WebhookUrl = null;
        await sandbox.GitHub.InstallAsync(sandbox.Org);
        await sandbox.GitHub.WaitForWebhooksAsync();
        sandbox.GitHub.WebhookUrl = url;
        Assert.Null(await sandbox.Service<IEvaluationStore>().GetAsync("acme/payments", default));

        // The start-up reconcile (not one a whole interval later, a day in tests) finds and evaluates it.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await sandbox.Service<IEvaluationStore>().GetAsync("acme/payments", default) is null)
        {
            await Task.Delay(50, deadline.Token);
        }
    }
}
