using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Octokit;
using Octokit.Caching;
using Octokit.Internal;
using PolicyBot.GitHub;
using PolicyBot.Sandbox;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.GitHub;

/// <summary>The ETag response cache is bounded by its estimate of the memory it holds, least recently used out first.</summary>
[Collection(HostCollection.Name)]
public sealed class GitHubResponseCacheTests : IAsyncLifetime, IDisposable
{
    private const long InstallationId = 1001;

    private readonly TempDirectory _directory = new();
    private GitHubSimulator _simulator = null!;

    public async Task InitializeAsync()
    {
        _simulator = await GitHubSimulator.StartAsync(new SimulatorOptions { AppPrivateKeyPem = TestKeys.Pkcs1Pem });
        _simulator.LoadDemo();
        await _simulator.InstallAsync("acme");
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_entry_counts_twice_its_body_and_headers_and_key_so_a_fill_beyond_the_budget_stays_within_it()
    {
        const long Budget = 40_000;
        using var cache = new GitHubResponseCache(Options.Create(new GitHubOptions { ResponseCacheBytes = Budget }));
        var partition = cache.Partition("1001");
        var body = new string('x', 2_000);
        var headers = new Dictionary<string, string> { ["ETag"] = "\"abc\"", ["Content-Type"] = "application/json" };
        var key = $"1001 GET {new Uri(BaseAddress, "repos/acme/r0").AbsoluteUri} ";
        Assert.Equal(((key.Length + 2_000 + 4 + 5 + 12 + 16 + "application/json".Length) * 2) + GitHubResponseCache.EntryOverheadBytes,
            GitHubResponseCache.EstimateBytes(key, Response(body, headers)));

        for (var i = 0; i < 100; i++)
        {
            await partition.SetAsync(Get($"repos/acme/r{i}"), Response(body, headers));
            Assert.InRange(cache.EstimatedBytes, 0, Budget);

            // The first entry is asked for all along, so it stays: the least recently used go first.
            Assert.NotNull(await partition.GetAsync(Get("repos/acme/r0")));
            Assert.NotNull(await partition.GetAsync(Get($"repos/acme/r{i}")));
        }

        Assert.InRange(cache.Count, 2, 9); // about 4.4 KB an entry in 40 KB
        Assert.Null(await partition.GetAsync(Get("repos/acme/r1")));
        Assert.Null(await cache.Partition("2002").GetAsync(Get("repos/acme/r0")));
    }

    [Fact]
    public async Task An_answer_larger_than_the_whole_budget_is_not_kept_and_a_zero_budget_keeps_nothing()
    {
        using var small = new GitHubResponseCache(Options.Create(new GitHubOptions { ResponseCacheBytes = 1_000 }));
        await small.Partition("1").SetAsync(Get("repos/acme/big"), Response(new string('x', 1_000), new Dictionary<string, string>()));
        Assert.Equal(0, small.Count);

        using var off = new GitHubResponseCache(Options.Create(new GitHubOptions { ResponseCacheBytes = 0 }));
        await off.Partition("1").SetAsync(Get("repos/acme/small"), Response("{}", new Dictionary<string, string>()));
        Assert.Equal(0, off.Count);
    }

    [Fact]
    public async Task After_others_are_evicted_the_answer_kept_is_still_revalidated_with_a_304()
    {
        // Room for about three repository answers: reading seven evicts the first ones.
        await using var factory = Host(new() { ["GitHub:ResponseCacheBytes"] = "45000" });
        var cache = factory.Services.GetRequiredService<GitHubResponseCache>();
        var client = await factory.Services.GetRequiredService<IGitHubClientFactory>().CreateInstallationClientAsync(InstallationId, default);
        var names = (await client.GitHubApps.Installation.GetAllRepositoriesForCurrent()).Repositories.Select(r => r.Name).Take(7).ToList();
        Assert.Equal(7, names.Count);

        foreach (var name in names)
        {
            _ = await client.Repository.Get("acme", name);
            Assert.InRange(cache.EstimatedBytes, 0, 45_000);
        }

        _ = await client.Repository.Get("acme", names[^1]);
        _ = await client.Repository.Get("acme", names[0]);

        Assert.Equal([200, 304], StatusesOf(names[^1]));
        Assert.Equal([200, 200], StatusesOf(names[0]));
        Assert.InRange(cache.EstimatedBytes, 0, 45_000);
    }

    private static readonly Uri BaseAddress = new("https://api.github.com/");

    private static Request Get(string endpoint) => new() { BaseAddress = BaseAddress, Endpoint = new Uri(endpoint, UriKind.Relative), Method = HttpMethod.Get };

    private static CachedResponse.V1 Response(string body, Dictionary<string, string> headers) =>
        new(body, headers, new ApiInfo(new Dictionary<string, Uri>(), [], [], "\"abc\"", new RateLimit(5000, 4999, 0)), HttpStatusCode.OK, "application/json");

    private int[] StatusesOf(string repository) =>
        [.. _simulator.Requests.Where(r => r.Method == "GET" && r.Path == $"/repos/acme/{repository}").Select(r => r.StatusCode)];

    private PolicyBotFactory Host(Dictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["GitHub:AppId"] = _simulator.AppId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GitHub:PrivateKey"] = _simulator.AppPrivateKeyPem,
            ["GitHub:WebhookSecret"] = _simulator.WebhookSecret,
            ["GitHub:ApiBaseUrl"] = _simulator.BaseUrl.AbsoluteUri,
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        _simulator.ClearRequests();
        return new PolicyBotFactory(_directory.DatabasePath, all);
    }
}
