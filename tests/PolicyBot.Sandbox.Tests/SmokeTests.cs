using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace PolicyBot.Sandbox.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task App_authenticates_and_reads_a_repository()
    {
        await using var sim = await GitHubSimulator.StartAsync(new SimulatorOptions());
        sim.Load("""
            org: acme
            installation_id: 1001
            members: [alice]
            repos:
              - name: payments
                files: { README.md: "hi" }
            """, "smoke.yml");
        await sim.InstallAsync("acme");
        using var http = sim.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sim.CreateAppJwt());
        var app = await http.GetFromJsonAsync<JsonObject>("app");
        Assert.Equal(sim.AppId, app!["id"]!.GetValue<long>());
        var tokenResponse = await http.PostAsync("app/installations/1001/access_tokens", null);
        Assert.Equal(HttpStatusCode.Created, tokenResponse.StatusCode);
        var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var repos = await http.GetFromJsonAsync<JsonObject>("installation/repositories");
        Assert.Equal(1, repos!["total_count"]!.GetValue<int>());
        var repo = await http.GetAsync("repos/acme/payments");
        Assert.Equal(HttpStatusCode.OK, repo.StatusCode);
        var etag = repo.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "repos/acme/payments");
        again.Headers.IfNoneMatch.Add(etag);
        var notModified = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(repo.Headers.GetValues("x-ratelimit-remaining").Single(), notModified.Headers.GetValues("x-ratelimit-remaining").Single());
    }
}
