using System.Net;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.SignIn;

/// <summary>Members sign in with GitHub and see their organisation's data; nothing else.</summary>
[Collection(HostCollection.Name)]
public sealed class GitHubSignInTests
{
    private const string Scenario = """
        org: acme
        installation_id: 1001
        members: [alice, bob]
        repos:
          - name: payments
        """;

    private static readonly Dictionary<string, string?> SignInSettings = new()
    {
        ["GitHub:ClientId"] = "Iv1.test",
        ["GitHub:ClientSecret"] = "test-client-secret",
    };

    [Fact]
    public async Task A_member_signs_in_with_GitHub_and_sees_their_organisation_but_not_the_operations()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario, SignInSettings);
        await sandbox.InstallAsync();
        using var browser = Browser(sandbox, out var cookies);

        // PolicyBot sends the person to GitHub, which (the simulator approves at once) sends them back with a code.
        var toGitHub = await browser.GetAsync("signin-github");
        Assert.Equal(HttpStatusCode.Redirect, toGitHub.StatusCode);
        var authorize = toGitHub.Headers.Location!;
        Assert.StartsWith($"{sandbox.GitHub.BaseUrl}login/oauth/authorize?client_id=Iv1.test", authorize.ToString(), StringComparison.Ordinal);
        using var github = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var back = (await github.GetAsync($"{authorize}&login=bob")).Headers.Location!;
        var signedIn = await browser.GetAsync(back.PathAndQuery.TrimStart('/'));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("installations/1001")).StatusCode);
        var inventory = await browser.GetStringAsync("api/inventory");
        Assert.Contains("acme/payments", inventory, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("api/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("api/audit-log")).StatusCode);

        // A session cookie someone altered is no sign-in at all.
        var session = cookies.GetCookies(sandbox.Address)["policybot_session"]!;
        session.Value = session.Value[..^4] + "AAAA";
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("api/inventory")).StatusCode);
    }

    [Fact]
    public async Task A_member_removed_from_the_organisation_loses_access_at_the_next_membership_check()
    {
        var settings = new Dictionary<string, string?>(SignInSettings) { ["GitHub:MembershipRecheckInterval"] = "00:00:00" };
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario.Replace("members: [alice, bob]", "members: [alice, bob]\nadmins: [alice]", StringComparison.Ordinal), settings);
        await sandbox.InstallAsync();
        using var browser = Browser(sandbox, out _);
        await SignInAsync(sandbox, browser, "bob");
        Assert.Contains("acme/payments", await browser.GetStringAsync("api/inventory"), StringComparison.Ordinal);

        await sandbox.SendAsync("alice", HttpMethod.Delete, "orgs/acme/members/bob");

        // The 8-hour session remains, but the organisation is confirmed again and is gone from it.
        Assert.DoesNotContain("acme/payments", await browser.GetStringAsync("api/inventory"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("api/inventory")).StatusCode);
    }

    [Fact]
    public async Task A_member_signed_in_with_GitHub_cannot_register_the_app()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario, SignInSettings);
        await sandbox.InstallAsync();
        using var browser = Browser(sandbox, out _);
        await SignInAsync(sandbox, browser, "bob");

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("installations/1001")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("setup")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("setup/complete?code=abc&state=abc")).StatusCode);
    }

    [Theory]
    [InlineData("GET", "/orgs/acme/members/bob", 500)]
    public async Task An_installation_that_cannot_answer_is_left_out_of_the_sign_in_instead_of_failing_it(string method, string path, int status)
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario, SignInSettings);
        await sandbox.InstallAsync();
        await sandbox.SettleAsync();
        sandbox.GitHub.Faults.AddStatus(method, path, status, count: 100);
        using var browser = Browser(sandbox, out _);

        await SignInAsync(sandbox, browser, "bob");

        // Signed in, but with no organisation whose membership could be confirmed.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("api/inventory")).StatusCode);
        Assert.DoesNotContain("acme/payments", await browser.GetStringAsync("api/inventory"), StringComparison.Ordinal);
    }

    private static async Task SignInAsync(PolicyBotSandbox sandbox, HttpClient browser, string login)
    {
        var authorize = (await browser.GetAsync("signin-github")).Headers.Location!;
        using var github = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var back = (await github.GetAsync($"{authorize}&login={login}")).Headers.Location!;
        var signedIn = await browser.GetAsync(back.PathAndQuery.TrimStart('/'));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_callback_that_did_not_start_here_is_refused()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario, SignInSettings);
        using var browser = Browser(sandbox, out _);
        var response = await browser.GetAsync("signin-github/callback?code=abc&state=forged");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("api/inventory")).StatusCode);
    }

    [Fact]
    public async Task Without_client_credentials_GitHub_sign_in_is_off()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        using var browser = Browser(sandbox, out _);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("signin-github")).StatusCode);
        Assert.DoesNotContain("/signin-github", await browser.GetStringAsync("signin"), StringComparison.Ordinal);
    }

    private static HttpClient Browser(PolicyBotSandbox sandbox, out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = sandbox.Address };
    }
}
