using System.Net;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary>The demo organisation, installed end to end: the shape every other end-to-end test builds on.</summary>
[Collection(HostCollection.Name)]
public sealed class SandboxSmokeTests
{
    [Fact]
    public async Task Installing_on_the_demo_organisation_evaluates_every_repository_and_opens_issues_only_where_enforced()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(PolicyBot.Sandbox.Scenarios.ScenarioParser.DemoYaml());
        await sandbox.InstallAsync();

        using var client = sandbox.Operator();
        var inventory = await client.GetStringAsync("api/inventory");
        Assert.Contains("acme/image-gen", inventory, StringComparison.Ordinal);

        using var anonymous = new HttpClient { BaseAddress = sandbox.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/inventory")).StatusCode);
    }
}
