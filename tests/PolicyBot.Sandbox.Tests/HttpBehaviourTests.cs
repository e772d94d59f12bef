using System.Diagnostics;
using System.Net.Http.Headers;
using PolicyBot.Sandbox.State;
using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests;

/// <summary>Pagination, ETags, rate limits, faults and the request log.</summary>
public sealed class HttpBehaviourTests
{
    private static string ManyRepos(int count) =>
        "org: acme\ninstallation_id: 1001\nmembers: [alice]\nrepos:\n" +
        string.Concat(Enumerable.Range(1, count).Select(i => $"  - {{ name: repo-{i:D3}, created_days_ago: {500 - i} }}\n"));

    [Fact]
    public async Task Lists_page_with_Link_headers_like_GitHub()
    {
        await using var sim = await TestOrgs.StartAsync(yaml: ManyRepos(75));
        using var bot = SimClient.AsInstallation(sim, 1001);

        var first = await bot.Get("orgs/acme/repos");
        var second = await bot.Get("orgs/acme/repos?per_page=30&page=2");
        var last = await bot.Get("orgs/acme/repos?per_page=30&page=3");
        var big = await bot.Get("orgs/acme/repos?per_page=500");

        Assert.Equal(30, first.Json!.AsArray().Count);
        Assert.Equal("repo-001", first.Json![0]!["name"]!.GetValue<string>());
        var link = first.Header("Link");
        Assert.Contains("page=2>; rel=\"next\"", link, StringComparison.Ordinal);
        Assert.Contains("page=3>; rel=\"last\"", link, StringComparison.Ordinal);
        Assert.DoesNotContain("rel=\"prev\"", link, StringComparison.Ordinal);
        Assert.Contains("rel=\"prev\"", second.Header("Link"), StringComparison.Ordinal);
        Assert.Contains("rel=\"first\"", second.Header("Link"), StringComparison.Ordinal);
        Assert.Equal(15, last.Json!.AsArray().Count);
        Assert.DoesNotContain("rel=\"next\"", last.Header("Link"), StringComparison.Ordinal);
        Assert.Equal(75, big.Json!.AsArray().Count); // per_page is capped at 100
        Assert.Equal("", big.Header("Link"));

        var installationRepos = await bot.Get("installation/repositories?per_page=100");
        Assert.Equal(75, installationRepos["total_count"].GetValue<int>());
    }

    /// <summary>
    /// A large organisation pages as GitHub's does, and at a constant cost per page: a client that follows
    /// <c>Link: rel="next"</c> makes one request per 100 repositories, each page carries exactly 100 and about the
    /// same bytes, and the last says there is no next. (How long it takes is a figure of tests/PolicyBot.Benchmarks,
    /// not an assertion: a timed test fails on a loaded machine, not on a slow simulator.)
    /// </summary>
    [Fact]
    public async Task A_large_organisation_pages_in_full_pages_by_following_Link_headers()
    {
        const int Repositories = 2000;
        await using var sim = await TestOrgs.StartAsync(yaml: ManyRepos(Repositories));
        // A plain client: this counts what the simulator serves, not the contract checks other tests run on every answer.
        using var plain = new HttpClientHandler();
        using var bot = SimClient.For(sim, "token " + sim.CreateInstallationToken(1001), plain);
        var names = new List<string>();
        var sizes = new List<int>();
        var next = "installation/repositories?per_page=100";
        while (next.Length > 0)
        {
            var reply = await bot.Get(next);
            var page = reply["repositories"].AsArray();
            Assert.Equal(Repositories, reply["total_count"].GetValue<int>());
            Assert.Equal(100, page.Count);
            names.AddRange(page.Select(r => r!["name"]!.GetValue<string>()));
            sizes.Add(System.Text.Encoding.UTF8.GetByteCount(reply.Text));
            var link = System.Text.RegularExpressions.Regex.Match(reply.Header("Link"), "<([^>]+)>; rel=\"next\"");
            next = link.Success ? new Uri(link.Groups[1].Value).PathAndQuery.TrimStart('/') : "";
        }

        Assert.Equal(Enumerable.Range(1, Repositories).Select(i => $"repo-{i:D3}"), names);
        Assert.Equal(Repositories / 100, sizes.Count);
        Assert.True(sizes.Max() <= sizes.Min() * 1.05, $"page sizes vary: {string.Join(", ", sizes)}");
    }

    [Fact]
    public async Task A_matching_If_None_Match_answers_304_and_costs_nothing()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);

        var first = await bot.Get("repos/acme/payments");
        var etag = first.Header("ETag");
        var notModified = await bot.Send(HttpMethod.Get, "repos/acme/payments", null, r => r.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(etag)));
        var stale = await bot.Send(HttpMethod.Get, "repos/acme/payments", null, r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"other\"", isWeak: true)));

        Assert.StartsWith("W/\"", etag, StringComparison.Ordinal);
        Assert.Equal(304, notModified.Code);
        Assert.Equal("", notModified.Text);
        Assert.Equal("4999", first.Header("x-ratelimit-remaining"));
        Assert.Equal("4999", notModified.Header("x-ratelimit-remaining"));
        Assert.Equal(200, stale.Code);
        Assert.Equal("4998", stale.Header("x-ratelimit-remaining"));
        Assert.Equal("2", stale.Header("x-ratelimit-used"));
        Assert.Equal("5000", stale.Header("x-ratelimit-limit"));
        Assert.Equal("core", stale.Header("x-ratelimit-resource"));
        Assert.True(long.Parse(stale.Header("x-ratelimit-reset"), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        // A change makes the old ETag stale.
        using var alice = SimClient.AsPerson(sim, "alice");
        await alice.Patch("repos/acme/payments", new { description = "changed" });
        var changed = await bot.Send(HttpMethod.Get, "repos/acme/payments", null, r => r.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(etag)));
        Assert.Equal(200, changed.Code);

        var requests = sim.Requests.Where(r => r.Path == "/repos/acme/payments" && r.TokenKind == TokenKind.Installation).ToList();
        Assert.Equal([false, true, false, false], requests.Select(r => r.NotModified));
    }

    [Fact]
    public async Task An_installations_tokens_share_its_limit_and_an_exhausted_one_gets_403()
    {
        // GitHub's primary limit for an app is per installation ("Rate limits for the REST API": installation access
        // tokens use the installation's limit), so a fresh token does not bring a fresh budget.
        await using var sim = await TestOrgs.StartAsync();
        var token = sim.CreateInstallationToken(1001);
        using var bot = SimClient.For(sim, "token " + token);
        using var other = SimClient.AsInstallation(sim, 1001);
        using var person = SimClient.AsPerson(sim, "alice");

        await bot.Get("repos/acme/web");
        sim.Faults.ExhaustRateLimit(token);
        var refused = await bot.Get("repos/acme/web");
        var limits = await bot.Get("rate_limit");

        Assert.Equal(403, refused.Code);
        Assert.Equal("0", refused.Header("x-ratelimit-remaining"));
        Assert.Contains("API rate limit exceeded", refused["message"].GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, limits["resources"]["core"]!["remaining"]!.GetValue<int>());
        Assert.Equal(403, (await other.Get("repos/acme/web")).Code);
        Assert.Equal(200, (await person.Get("repos/acme/web")).Code);
    }

    [Fact]
    public async Task Search_has_its_own_limit_of_thirty_a_minute()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await TestOrgs.StartAsync(new SimulatorOptions { TimeProvider = time });
        using var bot = SimClient.AsInstallation(sim, 1001);

        var replies = new List<Reply>();
        for (var i = 0; i < 31; i++)
        {
            replies.Add(await bot.Get("search/issues?q=repo:acme/web"));
        }

        var core = await bot.Get("repos/acme/web");
        time.Advance(TimeSpan.FromSeconds(61));
        var later = await bot.Get("search/issues?q=repo:acme/web");

        Assert.All(replies.Take(30), r => Assert.Equal(200, r.Code));
        Assert.Equal("search", replies[0].Header("x-ratelimit-resource"));
        Assert.Equal("30", replies[0].Header("x-ratelimit-limit"));
        Assert.Equal(403, replies[30].Code);
        Assert.Equal(200, core.Code);
        Assert.Equal("4999", core.Header("x-ratelimit-remaining"));
        Assert.Equal(200, later.Code);
    }

    [Fact]
    public async Task Injected_statuses_answer_the_next_calls_then_stop()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);
        sim.Faults.AddSecondaryRateLimit("POST", "/repos/{owner}/{repo}/issues", TimeSpan.FromSeconds(60), count: 2);
        sim.Faults.AddStatus("GET", "/repos/*/web", 502, count: 1);

        var first = await bot.Post("repos/acme/web/issues", new { title = "one" });
        var second = await bot.Post("repos/acme/web/issues", new { title = "two" });
        var third = await bot.Post("repos/acme/web/issues", new { title = "three" });
        var getFault = await bot.Get("repos/acme/web");
        var getOk = await bot.Get("repos/acme/web");
        var otherRepo = await bot.Get("repos/acme/payments");

        Assert.Equal(403, first.Code);
        Assert.Equal("60", first.Header("Retry-After"));
        Assert.Contains("secondary rate limit", first["message"].GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(403, second.Code);
        Assert.Equal(201, third.Code);
        Assert.Equal(502, getFault.Code);
        Assert.Equal(200, getOk.Code);
        Assert.Equal(200, otherRepo.Code);
        Assert.Single(sim.Read(s => s.FindRepo("acme", "web")!.Issues));
    }

    [Fact]
    public async Task Content_creation_can_be_limited_per_minute_as_GitHub_does()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await TestOrgs.StartAsync(new SimulatorOptions { TimeProvider = time });
        sim.Faults.ContentCreation = new Faults.ContentCreationLimit(PerMinute: 3, RetryAfter: TimeSpan.FromSeconds(30));
        using var bot = SimClient.AsInstallation(sim, 1001);

        var codes = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            codes.Add((await bot.Post("repos/acme/web/issues", new { title = $"issue {i}" })).Code);
        }

        var reading = await bot.Get("repos/acme/web/issues");
        var blocked = await bot.Post("repos/acme/web/issues/1/comments", new { body = "hello" });
        time.Advance(TimeSpan.FromSeconds(61));
        var after = await bot.Post("repos/acme/web/issues/1/comments", new { body = "hello again" });

        Assert.Equal([201, 201, 201, 403], codes);
        Assert.Equal(200, reading.Code);
        Assert.Equal(403, blocked.Code);
        Assert.Equal("30", blocked.Header("Retry-After"));
        Assert.Contains("secondary rate limit", blocked["message"].GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(201, after.Code);
    }

    [Fact]
    public async Task A_standing_fault_answers_until_removed()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);
        var id = sim.Faults.AddStatus(null, "/repos/**", 500, count: -1, message: "Server Error");

        var codes = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            codes.Add((await bot.Get("repos/acme/web/pulls")).Code);
        }

        var listed = Assert.Single(sim.Faults.List());
        Assert.True(sim.Faults.Remove(id));
        var recovered = await bot.Get("repos/acme/web/pulls");

        Assert.Equal([500, 500, 500], codes);
        Assert.Equal(-1, listed.Remaining);
        Assert.Equal(200, recovered.Code);
        Assert.False(sim.Faults.Remove(id));
    }

    [Fact]
    public async Task Latency_can_be_added_per_route_and_globally()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);
        await bot.Get("repos/acme/web"); // warm up

        sim.Faults.AddLatency("GET", "/repos/acme/web", TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        await bot.Get("repos/acme/web");
        var slow = watch.Elapsed;
        watch.Restart();
        await bot.Get("repos/acme/payments");
        var fast = watch.Elapsed;
        sim.Faults.GlobalLatency = TimeSpan.FromMilliseconds(200);
        watch.Restart();
        await bot.Get("repos/acme/payments");
        var global = watch.Elapsed;

        // Timers may fire a few milliseconds early against the stopwatch.
        Assert.True(slow >= TimeSpan.FromMilliseconds(285), $"route latency not applied: {slow}");
        // Server-side duration, so a busy test machine does not blur it.
        var fastOnServer = sim.Requests.Where(r => r.Path == "/repos/acme/payments").First().Duration;
        Assert.True(fastOnServer < TimeSpan.FromMilliseconds(200), $"latency leaked to another route: {fastOnServer} (client saw {fast})");
        Assert.True(global >= TimeSpan.FromMilliseconds(185), $"global latency not applied: {global}");
    }

    [Fact]
    public async Task Scripts_control_faults_and_read_logs_over_HTTP()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var control = SimClient.For(sim, null);
        using var bot = SimClient.AsInstallation(sim, 1001);

        var added = await control.Post("_sandbox/faults", new { method = "GET", path = "/repos/acme/payments", status = 503, count = 1, message = "GitHub is down" });
        var faulted = await bot.Get("repos/acme/payments");
        var recovered = await bot.Get("repos/acme/payments");
        var requests = await control.Get("_sandbox/requests");

        Assert.Equal(201, added.Code);
        Assert.Equal(503, faulted.Code);
        Assert.Equal("GitHub is down", faulted["message"].GetValue<string>());
        Assert.Equal(200, recovered.Code);
        var logged = requests.Json!.AsArray().Where(r => r!["path"]!.GetValue<string>() == "/repos/acme/payments").ToList();
        Assert.Equal([503, 200], logged.Select(r => r!["status"]!.GetValue<int>()));
        Assert.All(logged, r => Assert.Equal("Installation", r!["token_kind"]!.GetValue<string>()));

        var exhaust = await control.Post("_sandbox/faults", new { exhaust_token = bot.Http.DefaultRequestHeaders.Authorization!.Parameter });
        Assert.Equal(204, exhaust.Code);
        Assert.Equal(403, (await bot.Get("repos/acme/payments")).Code);
        Assert.Equal(204, (await control.Delete("_sandbox/faults")).Code);
        Assert.Equal(200, (await bot.Get("repos/acme/payments")).Code);
    }

    [Fact]
    public async Task The_request_log_counts_calls_by_token_kind()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);
        using var alice = SimClient.AsPerson(sim, "alice");
        sim.ClearRequests();

        await bot.Get("repos/acme/payments");
        await bot.Get("repos/acme/payments/pulls");
        await alice.Get("repos/acme/web");
        await bot.Get("repos/acme/payments/contents/src/auth/login.cs");
        await bot.Get("repos/acme/payments/pulls/7/reviews");

        var requests = sim.Requests;
        Assert.Equal(4, requests.Count(r => r.TokenKind == TokenKind.Installation && r.InstallationId == 1001));
        Assert.Contains(requests, r => r.RouteTemplate == "/repos/{owner}/{repo}/contents/{path}");
        Assert.Contains(requests, r => r.RouteTemplate == "/repos/{owner}/{repo}/pulls/{pull_number}/reviews");
        Assert.Equal(1, requests.Count(r => r.TokenKind == TokenKind.Sandbox && r.Login == "alice"));
        Assert.Contains(requests, r => r.RouteTemplate == "/repos/{owner}/{repo}/pulls");
    }
}
