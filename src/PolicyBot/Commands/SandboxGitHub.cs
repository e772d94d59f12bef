using System.Globalization;
using PolicyBot.Sandbox;
using PolicyBot.Sandbox.Scenarios;

namespace PolicyBot.Commands;

/// <summary>
/// The built-in GitHub simulator, seeded from a scenario file (the bundled demo organisation when
/// none is given), and the settings that point PolicyBot at it as its GitHub App.
/// </summary>
public sealed class SandboxGitHub : IAsyncDisposable
{
    private SandboxGitHub(GitHubSimulator simulator, Scenario scenario)
    {
        Simulator = simulator;
        Scenario = scenario;
    }

    public GitHubSimulator Simulator { get; }

    public Scenario Scenario { get; }

    public static Task<SandboxGitHub> StartAsync(string? scenarioPath, int port, string? webhookSecret, CancellationToken cancellationToken) =>
        StartAsync(scenarioPath, new SimulatorOptions { Port = port, WebhookSecret = webhookSecret }, cancellationToken);

    /// <summary>The simulator with <paramref name="options"/> (a benchmark's short rate-limit window, for one).</summary>
    public static async Task<SandboxGitHub> StartAsync(string? scenarioPath, SimulatorOptions options, CancellationToken cancellationToken)
    {
        var simulator = await GitHubSimulator.StartAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            var scenario = scenarioPath is null ? simulator.LoadDemo() : simulator.LoadScenarioFile(scenarioPath);
            return new SandboxGitHub(simulator, scenario);
        }
        catch
        {
            await simulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>PolicyBot's settings for this simulator, as configuration keys.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("GitHub:AppId", Simulator.AppId.ToString(CultureInfo.InvariantCulture)),
        new("GitHub:AppSlug", Simulator.AppSlug),
        new("GitHub:PrivateKey", Simulator.AppPrivateKeyPem),
        new("GitHub:WebhookSecret", Simulator.WebhookSecret),
        new("GitHub:ApiBaseUrl", Simulator.BaseUrl.ToString()),
    ];

    /// <summary>
    /// Builds PolicyBot as the simulator's app (its settings, then <paramref name="settings"/>), starts it on
    /// <paramref name="port"/> (0: any free port) and points the simulator's webhooks at it. Null, with the
    /// problems written to <paramref name="error"/>, when a setting is missing or invalid.
    /// </summary>
    public async Task<(WebApplication App, Uri Address)?> StartPolicyBotAsync(
        int port,
        IEnumerable<KeyValuePair<string, string?>> settings,
        TextWriter error,
        Action<WebApplicationBuilder>? configure = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        var builder = Hosting.PolicyBotApp.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(Settings.Concat(settings));
        builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        configure?.Invoke(builder);

        var app = Hosting.PolicyBotApp.Build(builder);
        if (Hosting.StartupChecks.Find(app.Services) is { Count: > 0 } problems)
        {
            foreach (var line in problems)
            {
                await error.WriteLineAsync($"policybot: {line}").ConfigureAwait(false);
            }

            await app.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        Simulator.WebhookUrl = new Uri($"{address}/api/github/webhooks");
        return (app, new Uri(address + "/"));
    }

    public ValueTask DisposeAsync() => Simulator.DisposeAsync();
}
