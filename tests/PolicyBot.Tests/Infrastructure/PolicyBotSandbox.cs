using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Hosting;
using PolicyBot.Processing;
using PolicyBot.Sandbox;
using PolicyBot.Sandbox.Scenarios;

namespace PolicyBot.Tests.Infrastructure;

/// <summary>
/// The whole product for end-to-end tests: the GitHub simulator seeded from a scenario, and PolicyBot
/// on real Kestrel as its app, receiving its signed webhooks over real HTTP. Tests act as people with
/// <see cref="As"/>, then <see cref="SettleAsync"/> until every webhook is delivered and all work is done,
/// then assert on the simulator's state (issues, check runs, protection) and PolicyBot's stores.
/// Use it from tests in <see cref="HostCollection"/>.
/// </summary>
internal sealed class PolicyBotSandbox : IAsyncDisposable
{
    private readonly TempDirectory _directory;

    private PolicyBotSandbox(GitHubSimulator github, Scenario scenario, WebApplication app, Uri address, TempDirectory directory)
    {
        GitHub = github;
        Scenario = scenario;
        App = app;
        Address = address;
        _directory = directory;
    }

    public GitHubSimulator GitHub { get; }

    public Scenario Scenario { get; }

    public WebApplication App { get; }

    /// <summary>PolicyBot's own address (dashboard, API, webhooks).</summary>
    public Uri Address { get; }

    public string Org => Scenario.Org;

    /// <summary>
    /// Starts the simulator seeded from <paramref name="scenarioYaml"/> and PolicyBot pointed at it.
    /// <paramref name="settings"/> override PolicyBot's test settings; <paramref name="time"/> is the
    /// clock of both (a FakeTimeProvider for tests of reminders and dates).
    /// Does not install the app: call <see cref="InstallAsync"/>.
    /// </summary>
    public static async Task<PolicyBotSandbox> StartAsync(
        string scenarioYaml,
        IDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        Action<IServiceCollection>? services = null,
        Action<SimulatorOptions>? simulator = null)
    {
        var directory = new TempDirectory();
        var simulatorOptions = new SimulatorOptions { TimeProvider = time ?? TimeProvider.System };
        simulator?.Invoke(simulatorOptions);
        var github = await GitHubSimulator.StartAsync(simulatorOptions);
        try
        {
            var scenario = github.Load(scenarioYaml, "test-scenario.yml");
            // Its own content root: nothing under data/ (such as the credentials /setup stores) is shared with other tests.
            var builder = PolicyBotApp.CreateBuilder(["--urls=http://127.0.0.1:0", $"--contentRoot={directory.Path}"]);
            var all = PolicyBotFactory.DefaultSettings(directory.DatabasePath);
            all["GitHub:AppId"] = github.AppId.ToString(CultureInfo.InvariantCulture);
            all["GitHub:AppSlug"] = github.AppSlug;
            all["GitHub:PrivateKey"] = github.AppPrivateKeyPem;
            all["GitHub:WebhookSecret"] = github.WebhookSecret;
            all["GitHub:ApiBaseUrl"] = github.BaseUrl.AbsoluteUri;
            all["Dashboard:OperatorToken"] = OperatorToken;
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                all[key] = value;
            }

            builder.Configuration.AddInMemoryCollection(all);
            builder.Logging.ClearProviders();
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }

            services?.Invoke(builder.Services);
            var app = PolicyBotApp.Build(builder);
            var problems = StartupChecks.Find(app.Services);
            if (problems.Count > 0)
            {
                throw new InvalidOperationException(string.Join("; ", problems));
            }

            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            github.WebhookUrl = new Uri(address, "/api/github/webhooks");
            return new PolicyBotSandbox(github, scenario, app, address, directory);
        }
        catch
        {
            await github.DisposeAsync();
            directory.Dispose();
            throw;
        }
    }

    public const string OperatorToken = "test-operator-token";

    /// <summary>Installs the app on the scenario's organisation and waits until everything is evaluated.</summary>
    public async Task InstallAsync()
    {
        await GitHub.InstallAsync(Org);
        await SettleAsync();
    }

    /// <summary>A client acting as an organisation member (<c>Authorization: Bearer sandbox:LOGIN</c>).</summary>
    public HttpClient As(string login) => GitHub.CreateClient(login);

    /// <summary>A client on PolicyBot itself, signed in with the operator token.</summary>
    public HttpClient Operator()
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", OperatorToken);
        return client;
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>
    /// Waits until the simulator has delivered every webhook and PolicyBot has done all its work,
    /// repeatedly, since PolicyBot's own actions (opening a pull request, say) send new webhooks.
    /// </summary>
    public async Task SettleAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var before = GitHub.Deliveries.Count;
            await GitHub.WaitForWebhooksAsync(cancel.Token);
            await WaitForIdleAsync(cancel.Token);
            await GitHub.WaitForWebhooksAsync(cancel.Token);
            if (GitHub.Deliveries.Count == before)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Like <see cref="IWorkQueue.WaitForIdleAsync"/>, but polling on the real clock: that one waits on PolicyBot's
    /// TimeProvider, which never moves by itself when a test gives a FakeTimeProvider.
    /// </summary>
    private async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        var workItems = Service<PolicyBot.Storage.IWorkQueueStore>();
        var deliveries = Service<PolicyBot.Storage.IDeliveryStore>();
        while (true)
        {
            var counts = await workItems.CountAsync(cancellationToken);
            if (counts.Pending == 0 && counts.Running == 0 && await deliveries.CountPendingAsync(cancellationToken) == 0)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>Commits a file (creating or replacing it) as <paramref name="login"/>, to <paramref name="branch"/> or the default branch, as a push would.</summary>
    public async Task PushFileAsync(string login, string repo, string path, string content, string? branch = null)
    {
        using var person = GitHub.As(login, Org);
        await person.PushFileAsync(repo, path, content, branch);
    }

    /// <summary>Sends a JSON request as a member and fails the test on a non-success answer.</summary>
    public async Task<System.Text.Json.Nodes.JsonNode?> SendAsync(string login, HttpMethod method, string path, object? body = null)
    {
        using var client = As(login);
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {path} as {login}: {(int)response.StatusCode} {text}");
        }

        return text.Length == 0 ? null : System.Text.Json.Nodes.JsonNode.Parse(text);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await GitHub.DisposeAsync();
        _directory.Dispose();
    }
}
