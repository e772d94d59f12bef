using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using PolicyBot.Sandbox.Auth;
using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests;

public sealed class AuthenticationTests(SmallOrgFixture shared) : IClassFixture<SmallOrgFixture>
{
    [Fact]
    public async Task Requests_without_credentials_are_refused_as_GitHub_does()
    {
        var sim = shared.Sim;
        using var anonymous = SimClient.For(sim, null);

        var repo = await anonymous.Get("repos/acme/payments");
        var app = await anonymous.Get("app");

        Assert.Equal(401, repo.Code);
        Assert.Equal("Requires authentication", repo["message"].GetValue<string>());
        Assert.Equal(401, app.Code);
        Assert.Equal("A JSON web token could not be decoded", app["message"].GetValue<string>());
    }

    [Fact]
    public async Task Unknown_tokens_are_bad_credentials()
    {
        var sim = shared.Sim;
        using var forged = SimClient.For(sim, "token ghs_notarealtoken");
        using var stranger = SimClient.AsPerson(sim, "mallory");

        var byToken = await forged.Get("repos/acme/payments");
        var byStranger = await stranger.Get("repos/acme/payments");

        Assert.Equal(401, byToken.Code);
        Assert.Equal("Bad credentials", byToken["message"].GetValue<string>());
        Assert.Equal(401, byStranger.Code);
    }

    [Fact]
    public async Task A_JWT_signed_with_another_key_is_refused()
    {
        var sim = shared.Sim;
        using var otherKey = RSA.Create(2048);
        var forged = AppJwt.Create(otherKey, sim.AppId, DateTimeOffset.UtcNow.AddSeconds(-30), TimeSpan.FromMinutes(9));
        using var client = SimClient.For(sim, "Bearer " + forged);

        var reply = await client.Get("app");

        Assert.Equal(401, reply.Code);
    }

    [Fact]
    public async Task A_JWT_for_another_app_id_is_refused()
    {
        var sim = shared.Sim;
        using var key = RSA.Create();
        key.ImportFromPem(sim.AppPrivateKeyPem);
        var wrongIssuer = AppJwt.Create(key, sim.AppId + 1, DateTimeOffset.UtcNow.AddSeconds(-30), TimeSpan.FromMinutes(9));
        using var client = SimClient.For(sim, "Bearer " + wrongIssuer);

        Assert.Equal(401, (await client.Get("app")).Code);
    }

    [Fact]
    public async Task JWTs_that_expired_or_live_longer_than_ten_minutes_are_refused()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        await using var sim = await TestOrgs.StartAsync(new SimulatorOptions { TimeProvider = time });
        var valid = sim.CreateAppJwt();
        var tooLong = sim.CreateAppJwt(lifetime: TimeSpan.FromMinutes(30));
        using var validClient = SimClient.For(sim, "Bearer " + valid);
        using var tooLongClient = SimClient.For(sim, "Bearer " + tooLong);

        Assert.Equal(200, (await validClient.Get("app")).Code);
        var longReply = await tooLongClient.Get("app");
        Assert.Equal(401, longReply.Code);
        Assert.Contains("too far in the future", longReply["message"].GetValue<string>(), StringComparison.Ordinal);

        time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(401, (await validClient.Get("app")).Code);
    }

    [Fact]
    public async Task The_private_key_the_simulator_exposes_signs_JWTs_it_accepts()
    {
        var sim = shared.Sim;
        using var key = RSA.Create();
        key.ImportFromPem(sim.AppPrivateKeyPem);
        using var client = SimClient.For(sim, "Bearer " + AppJwt.Create(key, sim.AppId, DateTimeOffset.UtcNow.AddSeconds(-60), TimeSpan.FromMinutes(10)));

        var app = await client.Get("app");

        Assert.Equal(200, app.Code);
        Assert.Equal(sim.AppSlug, app["slug"].GetValue<string>());
    }

    [Fact]
    public async Task A_JWT_issued_by_the_apps_client_id_is_accepted()
    {
        var sim = shared.Sim;
        using var key = RSA.Create();
        key.ImportFromPem(sim.AppPrivateKeyPem);
        using var app = SimClient.AsApp(sim);
        var clientId = (await app.Get("app"))["client_id"].GetValue<string>();
        using var client = SimClient.For(sim, "Bearer " + AppJwt.Create(key, clientId, DateTimeOffset.UtcNow.AddSeconds(-30), TimeSpan.FromMinutes(9)));

        Assert.Equal(200, (await client.Get("app")).Code);
    }

    [Fact]
    public async Task Installation_tokens_last_one_hour()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        await using var sim = await TestOrgs.StartAsync(new SimulatorOptions { TimeProvider = time });
        using var app = SimClient.For(sim, "Bearer " + sim.CreateAppJwt());
        var issued = await app.Post("app/installations/1001/access_tokens");
        var token = issued["token"].GetValue<string>();
        using var bot = SimClient.For(sim, "token " + token);

        Assert.StartsWith("ghs_", token, StringComparison.Ordinal);
        Assert.Equal("2026-11-27T13:00:00Z", issued["expires_at"].GetValue<string>());
        Assert.Equal(200, (await bot.Get("repos/acme/payments")).Code);

        time.Advance(TimeSpan.FromMinutes(61));
        var expired = await bot.Get("repos/acme/payments");
        Assert.Equal(401, expired.Code);
        Assert.Equal("Bad credentials", expired["message"].GetValue<string>());
    }

    [Fact]
    public async Task An_installation_token_sees_only_its_own_organisation()
    {
        await using var sim = await TestOrgs.StartAsync();
        sim.Load(TestOrgs.Other, "other.yml");
        await sim.InstallAsync("globex");
        using var acmeBot = SimClient.AsInstallation(sim, 1001);
        using var globexBot = SimClient.AsInstallation(sim, 2002);

        Assert.Equal(404, (await acmeBot.Get("repos/globex/secret-plans")).Code);
        Assert.Equal(404, (await acmeBot.Get("orgs/globex/repos")).Code);
        Assert.Equal(200, (await globexBot.Get("repos/globex/secret-plans")).Code);
        var repos = await acmeBot.Get("installation/repositories");
        Assert.Equal(["payments", "web"], repos["repositories"].AsArray().Select(r => r!["name"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Access_tokens_for_an_unknown_installation_are_not_found_and_need_the_app_JWT()
    {
        var sim = shared.Sim;
        using var app = SimClient.AsApp(sim);
        using var bot = SimClient.AsInstallation(sim, 1001);

        Assert.Equal(404, (await app.Post("app/installations/999/access_tokens")).Code);
        Assert.Equal(401, (await bot.Post("app/installations/1001/access_tokens")).Code);
        Assert.Equal(403, (await app.Get("repos/acme/payments")).Code);
    }

    [Fact]
    public async Task People_act_as_themselves_and_see_only_organisations_they_belong_to()
    {
        await using var sim = await TestOrgs.StartAsync();
        sim.Load(TestOrgs.Other, "other.yml");
        using var bob = SimClient.AsPerson(sim, "bob");
        using var bobWithTokenScheme = SimClient.For(sim, "token sandbox:bob");

        Assert.Equal(200, (await bob.Get("repos/acme/payments")).Code);
        Assert.Equal(200, (await bobWithTokenScheme.Get("repos/acme/web")).Code);
        Assert.Equal(404, (await bob.Get("repos/globex/secret-plans")).Code);
        Assert.Equal(403, (await bob.Get("installation/repositories")).Code);
        // bob has write through the platform team, not admin: protection is an admin's business.
        Assert.Equal(404, (await bob.Get("repos/acme/payments/branches/main/protection")).Code);
    }

    [Fact]
    public async Task Signing_in_with_GitHub_gives_a_user_token_that_acts_as_that_person()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = sim.BaseUrl };

        var authorize = await browser.GetAsync("login/oauth/authorize?client_id=Iv1.x&redirect_uri=http%3A%2F%2Flocalhost%2Fsignin-github&state=xyz&login=carol");
        var location = authorize.Headers.Location!;
        var code = System.Web.HttpUtility.ParseQueryString(location.Query)["code"];
        using var exchange = new HttpRequestMessage(HttpMethod.Post, "login/oauth/access_token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = "Iv1.x", ["client_secret"] = "s", ["code"] = code! }),
        };
        exchange.Headers.Accept.ParseAdd("application/json");
        var tokenReply = System.Text.Json.Nodes.JsonNode.Parse(await (await browser.SendAsync(exchange)).Content.ReadAsStringAsync())!;
        var token = tokenReply["access_token"]!.GetValue<string>();
        using var carol = SimClient.For(sim, "Bearer " + token);
        var user = await carol.Get("user");
        var membership = await carol.Get("user/memberships/orgs/acme");
        using var replay = new HttpRequestMessage(HttpMethod.Post, "login/oauth/access_token") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = code! }) };
        var replayed = await (await browser.SendAsync(replay)).Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.Redirect, authorize.StatusCode);
        Assert.StartsWith("http://localhost/signin-github?code=", location.ToString(), StringComparison.Ordinal);
        Assert.Equal("xyz", System.Web.HttpUtility.ParseQueryString(location.Query)["state"]);
        Assert.StartsWith("ghu_", token, StringComparison.Ordinal);
        Assert.Equal("carol", user["login"].GetValue<string>());
        Assert.Equal("member", membership["role"].GetValue<string>());
        Assert.Equal(200, (await carol.Get("repos/acme/payments")).Code);
        Assert.Contains("error=bad_verification_code", replayed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_finds_its_installation_for_an_organisation()
    {
        await using var sim = await TestOrgs.StartAsync();
        sim.Load(TestOrgs.Other, "other.yml");
        using var app = SimClient.AsApp(sim);

        var installation = await app.Get("orgs/acme/installation");
        var byRepo = await app.Get("repos/acme/web/installation");
        var notInstalled = await app.Get("orgs/globex/installation");

        Assert.Equal(1001, installation["id"].GetValue<long>());
        Assert.Equal(1001, byRepo["id"].GetValue<long>());
        Assert.Equal(404, notInstalled.Code);
    }
}
