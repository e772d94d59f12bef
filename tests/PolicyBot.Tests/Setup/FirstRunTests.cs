using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using PolicyBot.Commands;
using PolicyBot.Sandbox;
using PolicyBot.Setup;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Setup;

/// <summary>
/// The first run, as an operator meets it: <c>serve</c> with no GitHub App starts in setup mode, <c>/setup</c>
/// registers the app through the manifest flow (the simulator's), PolicyBot restarts with the stored credentials
/// by itself, and reads them again at the next start.
/// </summary>
[Collection(HostCollection.Name)]
public sealed partial class FirstRunTests : IDisposable
{
    private const string Scenario = AcmeScenario.Bare;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task Serve_without_an_app_registers_one_through_setup_and_runs_with_it_then_and_at_the_next_start()
    {
        await using var github = await GitHubSimulator.StartAsync(new SimulatorOptions());
        github.Load(Scenario, "first-run.yml");
        string[] serve =
        [
            "serve", "--urls", "http://127.0.0.1:0", "--contentRoot", _directory.Path,
            "--GitHub:ApiBaseUrl", github.BaseUrl.AbsoluteUri, "--GitHub:ContentCreationInterval", "00:00:00",
            "--Storage:Path", _directory.DatabasePath, "--Processing:PollInterval", "00:00:00.100",
            "--Logging:LogLevel:Default", "Warning",
        ];

        // First start: no app id, key or secret anywhere, so setup mode, and the console says where to go.
        using var firstConsole = new ConsoleCapture();
        using var firstStop = new CancellationTokenSource();
        var first = CommandDispatcher.RunAsync(serve, firstConsole, firstConsole, firstStop.Token);
        var link = SetupLink().Match(await firstConsole.WaitForLineAsync(l => l.Contains("/setup?", StringComparison.Ordinal), Patience)).Value;
        var setupAddress = new Uri(new Uri(link).GetLeftPart(UriPartial.Authority));

        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true };
        using var browser = new HttpClient(handler);

        // The dashboard explains the next step; a stranger without the printed code cannot start the setup,
        // and no delivery is accepted meanwhile.
        var home = await browser.GetStringAsync(setupAddress);
        Assert.Contains("PolicyBot needs its GitHub App", home, StringComparison.Ordinal);
        Assert.Contains("setup link PolicyBot printed on its console", home, StringComparison.Ordinal);
        using (var stranger = await browser.GetAsync(new Uri(setupAddress, "/setup")))
        {
            Assert.Equal(HttpStatusCode.Redirect, stranger.StatusCode);
            Assert.Equal("/", stranger.Headers.Location!.OriginalString);
        }

        using (var delivery = await browser.PostAsync(new Uri(setupAddress, "/api/github/webhooks"), new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, delivery.StatusCode);
        }

        // The operator follows the printed link, posts the manifest to GitHub and confirms there.
        var page = await browser.GetStringAsync(new Uri(link + "&org=acme"));
        var action = WebUtility.HtmlDecode(FormAction().Match(page).Groups[1].Value);
        var manifest = JsonNode.Parse(WebUtility.HtmlDecode(ManifestInput().Match(page).Groups[1].Value))!;
        Assert.StartsWith($"{github.BaseUrl}organizations/acme/settings/apps/new?state=", action, StringComparison.Ordinal);
        Assert.Equal($"{setupAddress.AbsoluteUri.TrimEnd('/')}/setup/complete", (string?)manifest["redirect_url"]);
        using var gitHubSite = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var confirmed = await gitHubSite.PostAsync(action, new FormUrlEncodedContent([new("manifest", manifest.ToJsonString())]));
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);

        // GitHub sends the browser back; PolicyBot converts the code (POST /app-manifests/{code}/conversions),
        // stores the credentials and restarts with them by itself.
        var done = await browser.GetStringAsync(confirmed.Headers.Location!);
        Assert.Contains("Registered", done, StringComparison.Ordinal);
        Assert.Contains("restarting with the new app", done, StringComparison.Ordinal);
        Assert.Contains($"{github.BaseUrl}apps/{github.AppSlug}/installations/new", done, StringComparison.Ordinal);
        Assert.DoesNotContain(github.WebhookSecret, done, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", done, StringComparison.Ordinal);

        var stored = GitHubAppCredentialsFile.PathFor(_directory.Path);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stored));
        }

        var credentials = await File.ReadAllTextAsync(stored);
        Assert.Contains($"APP_ID={github.AppId.ToString(CultureInfo.InvariantCulture)}", credentials, StringComparison.Ordinal);
        Assert.Contains($"WEBHOOK_SECRET={github.WebhookSecret}", credentials, StringComparison.Ordinal);
        var operatorToken = Regex.Match(credentials, "Dashboard__OperatorToken=([0-9a-f]+)").Groups[1].Value;
        Assert.NotEmpty(operatorToken);

        var serving = await firstConsole.WaitForLineAsync(l => l.StartsWith("policybot: serving on ", StringComparison.Ordinal), Patience);
        var address = new Uri(serving["policybot: serving on ".Length..].Split(", ")[0]);
        Assert.DoesNotContain(github.WebhookSecret, firstConsole.ToString(), StringComparison.Ordinal);

        // PolicyBot now is the app: the installation's delivery is verified with the stored secret, and every
        // repository is evaluated with tokens signed by the stored key. The browser that completed the setup is the operator.
        // Not installed yet: the dashboard says so, with the app's install page on GitHub.
        var waiting = await browser.GetStringAsync(address);
        Assert.Contains($"<a href=\"{github.BaseUrl}apps/{github.AppSlug}/installations/new\">Install the app</a>", waiting, StringComparison.Ordinal);

        github.WebhookUrl = new Uri(address, "/api/github/webhooks");
        await github.InstallAsync("acme");
        await github.WaitForWebhooksAsync();
        Assert.Equal(200, Assert.Single(github.Deliveries, d => d.Event == "installation").StatusCode);
        await WaitForEvaluationAsync(browser, address, "acme/payments");

        await firstStop.CancelAsync();
        Assert.Equal(0, await first.WaitAsync(Patience));

        // The next start reads the stored credentials: no setup mode, the same app, the same operator.
        using var secondConsole = new ConsoleCapture();
        using var secondStop = new CancellationTokenSource();
        var second = CommandDispatcher.RunAsync(serve, secondConsole, secondConsole, secondStop.Token);
        serving = await secondConsole.WaitForLineAsync(l => l.StartsWith("policybot: ", StringComparison.Ordinal), Patience);
        Assert.StartsWith("policybot: serving on ", serving, StringComparison.Ordinal);
        address = new Uri(serving["policybot: serving on ".Length..].Split(", ")[0]);
        github.WebhookUrl = new Uri(address, "/api/github/webhooks");

        using (var installations = await browser.GetAsync(new Uri(address, "/api/installations")))
        {
            Assert.Equal(HttpStatusCode.OK, installations.StatusCode);
            Assert.Contains("\"acme\"", await installations.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var ready = await browser.GetAsync(new Uri(address, "/readyz")))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains($"Authenticated as app {github.AppSlug}", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Registering again from the running PolicyBot (operators only) rewrites the credentials for the next start,
        // keeping the operator token the first setup made.
        var again = await browser.GetStringAsync(new Uri(address, "/setup?org=acme"));
        using var reconfirmed = await gitHubSite.PostAsync(
            WebUtility.HtmlDecode(FormAction().Match(again).Groups[1].Value),
            new FormUrlEncodedContent([new("manifest", WebUtility.HtmlDecode(ManifestInput().Match(again).Groups[1].Value))]));
        var redone = await browser.GetStringAsync(reconfirmed.Headers.Location!);
        Assert.Contains("keeps its current app until it restarts", redone, StringComparison.Ordinal);
        Assert.Contains($"Dashboard__OperatorToken={operatorToken}", await File.ReadAllTextAsync(stored), StringComparison.Ordinal);

        await secondStop.CancelAsync();
        Assert.Equal(0, await second.WaitAsync(Patience));
        Assert.DoesNotContain("/setup?", secondConsole.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_partly_configured_app_is_a_mistake_to_report_not_a_first_run()
    {
        static IConfiguration Settings(params (string Key, string Value)[] values) =>
            new ConfigurationBuilder()
                .AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value)))
                .Build();

        Assert.True(SetupMode.IsNeeded(Settings()));
        Assert.True(SetupMode.IsNeeded(Settings(("GitHub:ApiBaseUrl", "https://ghe.example.com/api/v3/"), ("GHE_HOST", "ghe.example.com"))));
        Assert.False(SetupMode.IsNeeded(Settings(("APP_ID", "42"))));
        Assert.False(SetupMode.IsNeeded(Settings(("GitHub:WebhookSecret", "s"))));
        Assert.False(SetupMode.IsNeeded(Settings(("PRIVATE_KEY_PATH", "key.pem"))));
        Assert.False(SetupMode.IsNeeded(Settings(("GitHub:AppId", "not-a-number"))));
    }

    private static async Task WaitForEvaluationAsync(HttpClient operatorBrowser, Uri address, string repository)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            using var response = await operatorBrowser.GetAsync(new Uri(address, "/api/repositories"), timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if ((await response.Content.ReadAsStringAsync(timeout.Token)).Contains($"\"{repository}\"", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    public void Dispose() => _directory.Dispose();

    [GeneratedRegex(@"https?://\S+/setup\?setup_code=[0-9a-f]+")]
    private static partial Regex SetupLink();

    [GeneratedRegex("<form method=post action=\"([^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("name=manifest value=\"([^\"]+)\"")]
    private static partial Regex ManifestInput();
}
