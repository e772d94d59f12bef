using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Octokit;
using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Sandbox;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.GitHub;

/// <summary>The one GitHub client path against the simulator over real HTTP, with its fault injection.</summary>
[Collection(HostCollection.Name)]
public sealed class GitHubClientTests : IAsyncLifetime, IDisposable
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

    [Fact]
    public async Task A_502_then_a_200_succeeds()
    {
        await using var factory = Host();
        _simulator.Faults.AddStatus("GET", "/app", 502, count: 1);

        var app = await Clients(factory).CreateAppClient().GitHubApps.GetCurrent();

        Assert.Equal(_simulator.AppSlug, app.Slug);
        Assert.Equal([502, 200], StatusesOf("GET", "/app"));

        using var client = factory.CreateClient();
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Equal(1, PrometheusText.Value(metrics, "policybot_github_requests_total", ("method", "GET"), ("status", "502")));
        Assert.Equal(1, PrometheusText.Value(metrics, "policybot_github_requests_total", ("method", "GET"), ("status", "200")));
    }

    [Fact]
    public async Task A_502_on_a_POST_is_not_retried_since_GitHub_may_have_created_it_already()
    {
        await using var factory = Host();
        var client = await Clients(factory).CreateInstallationClientAsync(InstallationId, default);
        _simulator.Faults.AddStatus("POST", "/repos/acme/.github/issues", 502, count: 1);

        var failure = await Assert.ThrowsAnyAsync<ApiException>(() => client.Issue.Create("acme", ".github", new NewIssue("Gap")));
        Assert.Equal(HttpStatusCode.BadGateway, failure.StatusCode);
        Assert.Equal([502], StatusesOf("POST", "/repos/acme/.github/issues"));

        // The caller's own retry (the work item's, which looks for the issue first) is what tries again.
        _ = await client.Issue.Create("acme", ".github", new NewIssue("Gap"));
        Assert.Equal([502, 201], StatusesOf("POST", "/repos/acme/.github/issues"));
    }

    [Fact]
    public async Task A_rate_limited_POST_is_retried_since_GitHub_did_nothing()
    {
        await using var factory = Host();
        var client = await Clients(factory).CreateInstallationClientAsync(InstallationId, default);
        _simulator.Faults.AddSecondaryRateLimit("POST", "/repos/acme/.github/issues", TimeSpan.FromMilliseconds(100));

        _ = await client.Issue.Create("acme", ".github", new NewIssue("Gap"));

        Assert.Equal([403, 201], StatusesOf("POST", "/repos/acme/.github/issues"));
    }

    [Fact]
    public async Task The_app_authenticates_with_a_PKCS8_key_file()
    {
        var keyFile = Path.Combine(_directory.Path, "app.pem");
        await File.WriteAllTextAsync(keyFile, TestKeys.Pkcs8Pem);
        await using var factory = Host(new() { ["GitHub:PrivateKey"] = "", ["GitHub:PrivateKeyPath"] = keyFile });

        var app = await Clients(factory).CreateAppClient().GitHubApps.GetCurrent();
        var installation = await Clients(factory).CreateInstallationClientAsync(InstallationId, default);
        var repository = await installation.Repository.Get("acme", ".github");

        Assert.Equal(_simulator.AppId, app.Id);
        Assert.Equal("acme/.github", repository.FullName);
    }

    [Fact]
    public async Task A_secondary_rate_limit_waits_for_Retry_After()
    {
        await using var factory = Host();
        _simulator.Faults.AddSecondaryRateLimit("GET", "/app", TimeSpan.FromSeconds(1));

        var watch = Stopwatch.StartNew();
        var app = await Clients(factory).CreateAppClient().GitHubApps.GetCurrent();
        watch.Stop();

        Assert.Equal(_simulator.AppSlug, app.Slug);
        Assert.Equal([403, 200], StatusesOf("GET", "/app"));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(950), $"waited only {watch.Elapsed}");
    }

    [Fact]
    public async Task An_exhausted_primary_limit_beyond_the_longest_wait_fails_at_once_without_retrying()
    {
        await using var factory = Host(new() { ["GitHub:MaxRateLimitWait"] = "00:00:02" });
        var client = await Clients(factory).CreateInstallationClientAsync(InstallationId, default);
        var token = await factory.Services.GetRequiredService<InstallationTokenCache>().GetTokenAsync(InstallationId, default);
        _simulator.Faults.ExhaustRateLimit(token);

        await Assert.ThrowsAsync<RateLimitExceededException>(() => client.Repository.Get("acme", ".github"));

        Assert.Equal([403], StatusesOf("GET", "/repos/acme/.github"));
    }

    [Fact]
    public void Rate_limit_answers_say_how_long_to_wait()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        var policy = new GitHubRetryPolicy(Options.Create(new GitHubOptions()), time, NullLogger<GitHubRetryPolicy>.Instance);

        using var secondary = new HttpResponseMessage(HttpStatusCode.Forbidden);
        secondary.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        using var primary = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        primary.Headers.Add("x-ratelimit-remaining", "0");
        primary.Headers.Add("x-ratelimit-reset", time.GetUtcNow().AddSeconds(42).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var refused = new HttpResponseMessage(HttpStatusCode.Forbidden);
        refused.Headers.Add("x-ratelimit-remaining", "4000");

        Assert.Equal(TimeSpan.FromSeconds(7), policy.RateLimitDelay(secondary));
        Assert.Equal(TimeSpan.FromSeconds(43), policy.RateLimitDelay(primary));
        Assert.Null(policy.RateLimitDelay(refused));
    }

    [Fact]
    public async Task A_second_identical_GET_is_answered_by_a_304_and_spends_no_rate_limit()
    {
        await using var factory = Host();
        var client = await Clients(factory).CreateInstallationClientAsync(InstallationId, default);

        var first = await client.Repository.Get("acme", ".github");
        var remainingAfterFirst = client.GetLastApiInfo().RateLimit.Remaining;
        var second = await client.Repository.Get("acme", ".github");
        _ = await client.Repository.Branch.GetAll("acme", ".github");
        var remainingAfterThird = client.GetLastApiInfo().RateLimit.Remaining;

        Assert.Equal(first.FullName, second.FullName);
        var requests = _simulator.Requests.Where(r => r.Method == "GET" && r.Path == "/repos/acme/.github").ToList();
        Assert.Equal([200, 304], requests.Select(r => r.StatusCode));
        Assert.True(requests[1].NotModified);

        // Only the branch listing was charged after the first call.
        Assert.Equal(remainingAfterFirst - 1, remainingAfterThird);
    }

    [Fact]
    public async Task A_user_client_keeps_no_responses_so_it_evicts_nothing_from_the_shared_cache()
    {
        await using var factory = Host();
        var token = await factory.Services.GetRequiredService<InstallationTokenCache>().GetTokenAsync(InstallationId, default);
        var client = Clients(factory).CreateUserClient(token);

        _ = await client.Repository.Get("acme", ".github");
        _ = await client.Repository.Get("acme", ".github");

        var requests = _simulator.Requests.Where(r => r.Method == "GET" && r.Path == "/repos/acme/.github").ToList();
        Assert.Equal([200, 200], requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Raw_calls_through_the_connection_take_the_same_pipeline()
    {
        await using var factory = Host();
        var client = await Clients(factory).CreateInstallationClientAsync(InstallationId, default);
        _simulator.Faults.AddStatus("GET", "/repos/acme/.github/branches", 503, count: 1);

        var response = await client.Connection.Get<List<Branch>>(new Uri("repos/acme/.github/branches", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.OK, response.HttpResponse.StatusCode);
        Assert.NotEmpty(response.Body);
        Assert.Equal([503, 200], StatusesOf("GET", "/repos/acme/.github/branches"));
    }

    [Fact]
    public async Task An_installation_token_is_requested_once_and_reused()
    {
        await using var factory = Host();
        var clients = Clients(factory);

        for (var i = 0; i < 3; i++)
        {
            var client = await clients.CreateInstallationClientAsync(InstallationId, default);
            _ = await client.Repository.Get("acme", ".github");
        }

        Assert.Single(_simulator.Requests, r => r.Method == "POST" && r.Path == $"/app/installations/{InstallationId}/access_tokens");
    }

    [Fact]
    public async Task A_refused_installation_token_is_replaced_on_the_next_request()
    {
        await using var factory = Host();
        var client = await Clients(factory).CreateInstallationClientAsync(InstallationId, default);
        _ = await client.Repository.Get("acme", ".github");
        _simulator.Faults.AddStatus("GET", "/repos/acme/.github/branches", 401, count: 1);

        await Assert.ThrowsAsync<AuthorizationException>(() => client.Repository.Branch.GetAll("acme", ".github"));
        var branches = await client.Repository.Branch.GetAll("acme", ".github");

        Assert.NotEmpty(branches);
        Assert.Equal(2, _simulator.Requests.Count(r => r.Method == "POST" && r.Path == $"/app/installations/{InstallationId}/access_tokens"));
    }

    [Fact]
    public async Task Content_creating_requests_of_one_installation_are_paced()
    {
        var interval = TimeSpan.FromMilliseconds(300);
        await using var factory = Host(new() { ["GitHub:ContentCreationInterval"] = "00:00:00.300" });
        var client = await Clients(factory).CreateInstallationClientAsync(InstallationId, default);

        await Task.WhenAll(Enumerable.Range(1, 3).Select(i =>
            client.Repository.Content.CreateFile("acme", "scratch-notes", $"docs/paced-{i}.md", new CreateFileRequest($"add {i}", $"file {i}"))));

        var puts = _simulator.Requests.Where(r => r.Method == "PUT").OrderBy(r => r.At).ToList();
        Assert.Equal(3, puts.Count);
        Assert.All(puts, p => Assert.Equal(201, p.StatusCode));
        for (var i = 1; i < puts.Count; i++)
        {
            // The simulator stamps a request when it arrives; allow for transit jitter. Unpaced, the three arrive within milliseconds.
            Assert.True(puts[i].At - puts[i - 1].At >= interval - TimeSpan.FromMilliseconds(100), $"{puts[i].At - puts[i - 1].At}");
        }
    }

    [Fact]
    public async Task Work_failing_on_GitHub_ends_as_a_dead_letter_and_the_reconcile_requeues_it()
    {
        var probe = new HandlerProbe(WorkItemKinds.EvaluateRepository);
        await using var factory = Host(
            new() { ["Processing:MaxAttempts"] = "2", ["GitHub:RetryCount"] = "1" },
            services =>
            {
                // The queue's own behaviour is under test: the reader stands in for the real evaluation handlers.
                services.RemoveWorkItemHandlers();
                services.AddSingleton(probe);
                services.AddWorkItemHandler<RepositoryReader>();
            });
        var fault = _simulator.Faults.AddStatus("GET", "/repos/acme/.github", 500, count: -1);
        var queue = factory.Services.GetRequiredService<IWorkQueue>();
        var store = factory.Services.GetRequiredService<IWorkQueueStore>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await queue.EnqueueAsync(new WorkItem(WorkItemKinds.EvaluateRepository, InstallationId, "acme", ".github", null, "test", null), default);
        await queue.WaitForIdleAsync(timeout.Token);

        var dead = Assert.Single(await store.ListAsync(WorkItemStates.Dead, 10, default));
        Assert.Equal(2, dead.Attempts);
        Assert.StartsWith("GitHub answered 500", dead.LastError, StringComparison.Ordinal);
        Assert.Equal("transient", dead.FailureKind);

        // Two attempts, each a request and its one retry.
        Assert.Equal([500, 500, 500, 500], StatusesOf("GET", "/repos/acme/.github"));

        // GitHub recovers; the reconcile re-queues the dead letter and every installation.
        _simulator.Faults.Remove(fault);
        var installations = await factory.Services.GetRequiredService<ReconcileService>().RunOnceAsync(default);
        await queue.WaitForIdleAsync(timeout.Token);

        Assert.Equal(1, installations);
        Assert.Empty(await store.ListAsync(WorkItemStates.Dead, 10, default));
        var done = await store.ListAsync(WorkItemStates.Done, 10, default);
        Assert.Contains(done, d => d.Item.Kind == WorkItemKinds.EvaluateRepository && d.Item.Repository == ".github");
        Assert.Contains(done, d => d.Item.Kind == WorkItemKinds.EvaluateInstallation && d.Item.InstallationId == InstallationId && d.Item.Owner == "acme");
        Assert.Equal(3, probe.CallCount);
    }

    [Fact]
    public async Task No_token_or_key_reaches_the_logs_even_at_trace_level()
    {
        var logs = new CapturingLoggerProvider();
        await using var factory = Host(
            new() { ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace", ["Logging:LogLevel:Microsoft.Extensions.Http"] = "Trace" },
            services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        _simulator.Faults.AddStatus("GET", "/repos/acme/.github", 502, count: 1);

        _ = await Clients(factory).CreateAppClient().GitHubApps.GetCurrent();
        var client = await Clients(factory).CreateInstallationClientAsync(InstallationId, default);
        _ = await client.Repository.Get("acme", ".github");
        // An unprotected repository: GitHub refuses direct pushes to .github's protected main.
        await client.Repository.Content.CreateFile("acme", "scratch-notes", "docs/logged.md", new CreateFileRequest("add", "text"));

        var token = await factory.Services.GetRequiredService<InstallationTokenCache>().GetTokenAsync(InstallationId, default);
        var jwt = factory.Services.GetRequiredService<GitHubAppJwt>().GetToken();
        Assert.Contains(logs.Lines, l => l.Contains("retry 1", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("System.Net.Http.HttpClient.github", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(token, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(jwt, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(jwt.Split('.')[2], StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("PRIVATE KEY", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(_simulator.WebhookSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readiness_reports_storage_and_GitHub()
    {
        await using (var ready = Host())
        {
            using var client = ready.CreateClient();
            using var response = await client.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("github: Healthy", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await using var unreachable = new PolicyBotFactory(_directory.DatabasePath, new Dictionary<string, string?> { ["GitHub:RetryCount"] = "0" });
        using var other = unreachable.CreateClient();
        using var notReady = await other.GetAsync("/readyz");
        using var alive = await other.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("storage: Healthy", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    public void Dispose() => _directory.Dispose();

    private PolicyBotFactory Host(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["GitHub:AppId"] = _simulator.AppId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GitHub:PrivateKey"] = _simulator.AppPrivateKeyPem,
            ["GitHub:WebhookSecret"] = _simulator.WebhookSecret,
            ["GitHub:ApiBaseUrl"] = _simulator.BaseUrl.AbsoluteUri,
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        _simulator.ClearRequests();
        return new PolicyBotFactory(_directory.DatabasePath, all, services);
    }

    private static IGitHubClientFactory Clients(PolicyBotFactory factory) => factory.Services.GetRequiredService<IGitHubClientFactory>();

    private int[] StatusesOf(string method, string path) =>
        [.. _simulator.Requests.Where(r => r.Method == method && r.Path == path).OrderBy(r => r.At).Select(r => r.StatusCode)];

    /// <summary>A handler that reads the repository from GitHub, as evaluation would.</summary>
    private sealed class RepositoryReader(IGitHubClientFactory clients, HandlerProbe probe) : IWorkItemHandler
    {
        public string Kind => probe.Kind;

        public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
        {
            await probe.HandleAsync(item, cancellationToken);
            var client = await clients.CreateInstallationClientAsync(item.InstallationId, cancellationToken);
            _ = await client.Repository.Get(item.Owner, item.Repository);
        }
    }
}
