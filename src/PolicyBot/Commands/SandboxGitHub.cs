using System.Globalization;
using PolicyBot.Sandbox;
using PolicyBot.Sandbox.Scenarios;

namespace PolicyBot.Commands;

/// <summary>
/// The built-in GitHub simulator, seeded from a scenario file (the bundled demo organisation when
/// none is given), and the settings that point PolicyBot at it as its GitHub App.
/// </summary>
internal sealed class SandboxGitHub : IAsyncDisposable
{
    private SandboxGitHub(GitHubSimulator simulator, Scenario scenario)
    {
        Simulator = simulator;
        Scenario = scenario;
    }

    public GitHubSimulator Simulator { get; }

    public Scenario Scenario { get; }

    public static async Task<SandboxGitHub> StartAsync(string? scenarioPath, int port, string? webhookSecret, CancellationToken cancellationToken)
    {
        var simulator = await GitHubSimulator.StartAsync(new SimulatorOptions { Port = port, WebhookSecret = webhookSecret }, cancellationToken).ConfigureAwait(false);
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

    public ValueTask DisposeAsync() => Simulator.DisposeAsync();
}
