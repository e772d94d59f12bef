using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyBot.Setup;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Setup;

/// <summary>GET /setup registers the app through GitHub's App Manifest flow, here the simulator's.</summary>
[Collection(HostCollection.Name)]
public sealed partial class SetupFlowTests
{
    private const string Scenario = """
        org: acme
        installation_id: 1001
        members: [alice]
        repos: []
        """;

    [Fact]
    public async Task The_manifest_is_posted_to_GitHub_and_the_new_app_credentials_are_stored_not_shown()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true };
        using var browser = new HttpClient(handler) { BaseAddress = sandbox.Address };
        browser.DefaultRequestHeaders.Authorization = new("Bearer", PolicyBotSandbox.OperatorToken);

        var page = await browser.GetStringAsync("setup?org=acme");
        var action = WebUtility.HtmlDecode(FormAction().Match(page).Groups[1].Value);
        var manifest = JsonNode.Parse(WebUtility.HtmlDecode(ManifestInput().Match(page).Groups[1].Value))!;
        Assert.StartsWith($"{sandbox.GitHub.BaseUrl}organizations/acme/settings/apps/new?state=", action, StringComparison.Ordinal);
        Assert.Equal($"{sandbox.Address.ToString().TrimEnd('/')}/api/github/webhooks", (string?)manifest["hook_attributes"]!["url"]);
        Assert.Equal($"{sandbox.Address.ToString().TrimEnd('/')}/setup/complete", (string?)manifest["redirect_url"]);
        Assert.False((bool)manifest["public"]!);
        Assert.Equal("write", (string?)manifest["default_permissions"]!["checks"]);
        Assert.Contains("pull_request_review", manifest["default_events"]!.AsArray().Select(e => (string?)e));

        // The person confirms on GitHub, which redirects back with a one-time code and the state.
        using var github = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var confirm = await github.PostAsync(action, new FormUrlEncodedContent([new("manifest", manifest.ToJsonString())]));
        Assert.Equal(HttpStatusCode.Redirect, confirm.StatusCode);
        var back = confirm.Headers.Location!;

        var done = await browser.GetAsync(back.PathAndQuery.TrimStart('/'));
        var text = await done.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.DoesNotContain(sandbox.GitHub.WebhookSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);

        var path = Regex.Match(text, "<code>([^<]*" + Regex.Escape(SetupExtensions.CredentialsFile) + ")</code>").Groups[1].Value;
        var stored = await File.ReadAllTextAsync(WebUtility.HtmlDecode(path));
        File.Delete(WebUtility.HtmlDecode(path));
        Assert.Contains($"APP_ID={sandbox.GitHub.AppId}", stored, StringComparison.Ordinal);
        Assert.Contains($"WEBHOOK_SECRET={sandbox.GitHub.WebhookSecret}", stored, StringComparison.Ordinal);
        Assert.Contains("PRIVATE_KEY=\"-----BEGIN", stored, StringComparison.Ordinal);

        // The code is one-time, and a completion without the state PolicyBot set is refused.
        using var stranger = new HttpClient { BaseAddress = sandbox.Address };
        stranger.DefaultRequestHeaders.Authorization = new("Bearer", PolicyBotSandbox.OperatorToken);
        Assert.Equal(HttpStatusCode.BadRequest, (await stranger.GetAsync(back.PathAndQuery.TrimStart('/'))).StatusCode);
    }

    [Fact]
    public async Task Setup_requires_the_operator()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = sandbox.Address };
        var response = await anonymous.GetAsync("setup?org=acme");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.ToString());
    }

    [GeneratedRegex("<form method=post action=\"([^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("name=manifest value=\"([^\"]+)\"")]
    private static partial Regex ManifestInput();
}
