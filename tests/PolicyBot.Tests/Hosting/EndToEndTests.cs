using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Hosting;
using PolicyBot.Processing;
using PolicyBot.Sandbox;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Hosting;

/// <summary>PolicyBot on real Kestrel, receiving the simulator's signed webhooks over real HTTP.</summary>
[Collection(HostCollection.Name)]
public sealed class EndToEndTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task Simulator_webhooks_are_accepted_stored_once_and_processed_once()
    {
        await using var simulator = await GitHubSimulator.StartAsync(new SimulatorOptions());
        simulator.LoadDemo();

        var builder = PolicyBotApp.CreateBuilder(["--urls=http://127.0.0.1:0"]);
        builder.Configuration.AddInMemoryCollection(PolicyBotFactory.DefaultSettings(_directory.DatabasePath));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitHub:AppId"] = simulator.AppId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GitHub:PrivateKey"] = simulator.AppPrivateKeyPem,
            ["GitHub:WebhookSecret"] = simulator.WebhookSecret,
            ["GitHub:ApiBaseUrl"] = simulator.BaseUrl.AbsoluteUri,
        });
        builder.Logging.ClearProviders();
        await using var app = PolicyBotApp.Build(builder);
        Assert.Empty(StartupChecks.Find(app.Services));
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        simulator.WebhookUrl = new Uri($"{address}/api/github/webhooks");

        await simulator.InstallAsync("acme");
        await simulator.WaitForWebhooksAsync();
        var sent = Assert.Single(simulator.Deliveries, d => d.Event == "installation");
        Assert.Equal(200, sent.StatusCode);

        // GitHub's redelivery of the same delivery is accepted and changes nothing.
        Assert.True(simulator.Redeliver(sent.Id));
        await simulator.WaitForWebhooksAsync();
        Assert.All(simulator.Deliveries, d => Assert.Equal(200, d.StatusCode));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.Services.GetRequiredService<IWorkQueue>().WaitForIdleAsync(timeout.Token);

        var stored = await app.Services.GetRequiredService<IDeliveryStore>().ListRecentAsync(100, null, default);
        var delivery = Assert.Single(stored, d => d.DeliveryId == sent.Id.ToString());
        Assert.Equal(DeliveryStates.Processed, delivery.State);
        Assert.Equal(1, delivery.WorkItems);

        // The delivery became one evaluate-installation item; the work that item led to (one evaluation per
        // repository, carrying the same delivery id) was done once each despite the redelivery.
        var done = await app.Services.GetRequiredService<IWorkQueueStore>().ListAsync(WorkItemStates.Done, 1000, default);
        var fromDelivery = done.Where(d => d.Item.DeliveryId == sent.Id.ToString()).ToList();
        var item = Assert.Single(fromDelivery, d => d.Item.Kind == WorkItemKinds.EvaluateInstallation);
        Assert.Equal(1001, item.Item.InstallationId);
        Assert.Equal("acme", item.Item.Owner);
        Assert.All(fromDelivery.GroupBy(d => d.Item.CoalescingKey), group => Assert.Single(group));
        Assert.Equal(
            simulator.State.Orgs["acme"].Repos.Count,
            fromDelivery.Count(d => d.Item.Kind == WorkItemKinds.EvaluateRepository));

        using var http = new HttpClient { BaseAddress = new Uri(address) };
        Assert.Equal("Healthy", (await http.GetStringAsync("/readyz")).Split('\n')[0]);

        await app.StopAsync();
    }

    public void Dispose() => _directory.Dispose();
}
