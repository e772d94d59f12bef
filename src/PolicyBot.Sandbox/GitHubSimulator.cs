using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Sandbox.Api;
using PolicyBot.Sandbox.Auth;
using PolicyBot.Sandbox.Faults;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.Scenarios;
using PolicyBot.Sandbox.State;
using PolicyBot.Sandbox.Webhooks;

namespace PolicyBot.Sandbox;

/// <summary>
/// A stateful GitHub over real HTTP on 127.0.0.1: the REST endpoints PolicyBot calls and the ones people use,
/// webhooks for every change, app JWTs and installation tokens, pagination, ETags, rate limits and faults.
/// </summary>
public sealed class GitHubSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RSA _key;
    private readonly WebhookDispatcher _webhooks;
    private readonly RequestLog _requests;
    private readonly SimulatorContext _context;
    private readonly RateLimiter _rateLimiter;

    private GitHubSimulator(WebApplication app, RSA key, WebhookDispatcher webhooks, RequestLog requests, FaultInjector faults, SimulatorContext context, string privateKeyPem, RateLimiter rateLimiter)
    {
        _rateLimiter = rateLimiter;
        _app = app;
        _key = key;
        _webhooks = webhooks;
        _requests = requests;
        Faults = faults;
        _context = context;
        AppPrivateKeyPem = privateKeyPem;
    }

    /// <summary>The API root, e.g. http://127.0.0.1:5123/ (ends with a slash).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public long AppId => _context.App.AppId;

    public string AppSlug => _context.App.Slug;

    /// <summary>The app's private key (PKCS#1 PEM), for configuring PolicyBot.</summary>
    public string AppPrivateKeyPem { get; }

    public string WebhookSecret => _webhooks.Secret;

    public Uri? WebhookUrl
    {
        get => _webhooks.Url;
        set => _webhooks.Url = value;
    }

    /// <summary>Several receivers, delivered to round-robin (a load balancer in front of several replicas).</summary>
    public IReadOnlyList<Uri> WebhookUrls
    {
        get => _webhooks.Urls;
        set => _webhooks.Urls = value;
    }

    public FaultInjector Faults { get; }

    public IReadOnlyList<DeliveryRecord> Deliveries => _webhooks.Deliveries;

    public IReadOnlyList<RequestRecord> Requests => _requests.Snapshot();

    /// <summary>The simulator's whole state; read it under <see cref="Read{T}"/> (it is guarded by one lock).</summary>
    public SimulatorState State => _context.State;

    public TimeProvider TimeProvider => _context.Time;

    public static async Task<GitHubSimulator> StartAsync(SimulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = RSA.Create();
        string pem;
        if (options.AppPrivateKeyPem is { } given)
        {
            key.ImportFromPem(given);
            pem = given;
        }
        else
        {
            key.KeySize = 2048;
            pem = key.ExportRSAPrivateKeyPem();
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(GitHubSimulator).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        builder.Services.AddRoutingCore();
        var app = builder.Build();

        var time = options.TimeProvider;
        var state = new SimulatorState();
        var identity = new GitHubAppIdentity(options.AppId, options.AppSlug, options.AppName, null, time.GetUtcNow());
        GitHubSimulator? simulator = null;
        var shapes = new Shapes(state, () => simulator!.BaseUrl.ToString());
        var secret = options.WebhookSecret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var webhooks = new WebhookDispatcher(secret, options.AppId, time, options.LoggerFactory?.CreateLogger<WebhookDispatcher>() ?? (ILogger)NullLogger.Instance) { Url = options.WebhookUrl };
        var rateLimiter = new RateLimiter(time) { WindowLength = options.RateLimitWindow };
        var credentials = new CredentialValidator(state, key, options.AppId, time);
        var faults = new FaultInjector(rateLimiter, token => credentials.Resolve("Bearer " + token).RateLimitKey ?? token) { GlobalLatency = options.Latency };
        var requests = new RequestLog();
        var context = new SimulatorContext(state, shapes, webhooks, identity, time) { AppPrivateKeyPem = pem };
        simulator = new GitHubSimulator(app, key, webhooks, requests, faults, context, pem, rateLimiter);

        // Octokit and other clients address GitHub Enterprise Server (and so the simulator) under /api/v3.
        app.UsePathBase("/api/v3");
        app.UseRouting();
        var pipelineLogger = options.LoggerFactory?.CreateLogger<GitHubPipeline>() ?? (ILogger)NullLogger.Instance;
        app.UseMiddleware<GitHubPipeline>(credentials, rateLimiter, faults, requests, time, pipelineLogger, state);
        Endpoints.Map(app, context, rateLimiter, requests, faults);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        simulator.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return simulator;
    }

    /// <summary>Reads state consistently (under the simulator's lock).</summary>
    public T Read<T>(Func<SimulatorState, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (State.Sync)
        {
            return read(State);
        }
    }

    /// <summary>Seeds the simulator from a scenario (section 8 of DESIGN.md); no webhooks are sent for seeding.</summary>
    public Scenario Load(string yaml, string sourceName)
    {
        var scenario = ScenarioParser.Parse(yaml, sourceName, TimeProvider.GetUtcNow());
        lock (State.Sync)
        {
            ScenarioSeeder.Seed(_context, scenario);
        }

        if (scenario.RateLimit is { } budgets)
        {
            _rateLimiter.CoreLimit = budgets.Core;
            _rateLimiter.GraphQLLimit = budgets.GraphQL;
        }

        return scenario;
    }

    public Scenario LoadScenarioFile(string path) => Load(File.ReadAllText(path), path);

    /// <summary>Loads the bundled demo organisation (acme).</summary>
    public Scenario LoadDemo() => Load(ScenarioParser.DemoYaml(), "demo.yml");

    /// <summary>Installs the app on an organisation (the installation id comes from its scenario) and sends installation.created.</summary>
    public Task InstallAsync(string org, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (State.Sync)
        {
            Endpoints.Install(_context, org);
        }

        return Task.CompletedTask;
    }

    /// <summary>Uninstalls the app from an organisation and sends installation.deleted; its tokens stop working.</summary>
    public Task UninstallAsync(string org, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (State.Sync)
        {
            Endpoints.Uninstall(_context, org);
        }

        return Task.CompletedTask;
    }

    /// <summary>A repository (live object: read it inside <see cref="Read{T}"/> when the simulator may be changing it).</summary>
    public SimRepo? Repository(string owner, string name) => Read(s => s.FindRepo(owner, name));

    public IReadOnlyList<SimIssue> Issues(string owner, string name) => Read(s => (IReadOnlyList<SimIssue>)[.. s.FindRepo(owner, name)?.Issues ?? []]);

    public IReadOnlyList<SimComment> Comments(string owner, string name, int number) =>
        Read(s => s.FindRepo(owner, name) is { } r
            ? (IReadOnlyList<SimComment>)[.. r.Issues.Find(i => i.Number == number)?.Comments ?? r.Pulls.Find(p => p.Number == number)?.Comments ?? []]
            : []);

    public IReadOnlyList<SimCheckRun> CheckRuns(string owner, string name) => Read(s => (IReadOnlyList<SimCheckRun>)[.. s.FindRepo(owner, name)?.CheckRuns ?? []]);

    public SimPull? PullRequest(string owner, string name, int number) => Read(s => s.FindRepo(owner, name)?.Pulls.Find(p => p.Number == number));

    public SimProtection? Protection(string owner, string name, string branch) =>
        Read(s => s.FindRepo(owner, name)?.Protection.GetValueOrDefault(branch));

    /// <summary>A file's content on a branch (the default branch when null), or null when absent.</summary>
    public string? FileContent(string owner, string name, string path, string? branch = null) =>
        Read(s => s.FindRepo(owner, name) is { } r && r.Branches.TryGetValue(branch ?? r.DefaultBranch, out var sha)
            && s.Commits[sha].Files.TryGetValue(path, out var content) ? content : null);

    /// <summary>An HttpClient on the API root; with a login it acts as that organisation member.</summary>
    public HttpClient CreateClient(string? login = null)
    {
        var client = new HttpClient { BaseAddress = BaseUrl };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("policybot-sandbox-client");
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        if (login is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sandbox:" + login);
        }

        return client;
    }

    /// <summary>A member of an organisation (the only loaded one when <paramref name="org"/> is null) acting through the API.</summary>
    public SandboxPerson As(string login, string? org = null)
    {
        org ??= Read(s => s.Orgs.Count == 1 ? s.Orgs.Keys.Single() : throw new InvalidOperationException("Several organisations are loaded: name one."));
        return new SandboxPerson(this, org, login);
    }

    /// <summary>A signed app JWT, as PolicyBot would make it (for tests).</summary>
    public string CreateAppJwt(TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null) =>
        AppJwt.Create(_key, AppId, issuedAt ?? TimeProvider.GetUtcNow().AddSeconds(-30), lifetime ?? TimeSpan.FromMinutes(9));

    /// <summary>Issues an installation token directly (for tests).</summary>
    public string CreateInstallationToken(long installationId)
    {
        lock (State.Sync)
        {
            if (!State.Installations.ContainsKey(installationId))
            {
                throw new InvalidOperationException($"No installation {installationId}: install the app first (InstallAsync).");
            }

            return Endpoints.IssueToken(_context, installationId).Token;
        }
    }

    /// <summary>A one-time code for POST /app-manifests/{code}/conversions, as GitHub hands out after the manifest flow.</summary>
    public string CreateManifestCode()
    {
        var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        lock (State.Sync)
        {
            State.ManifestCodes[code] = AppId;
        }

        return code;
    }

    public Task WaitForWebhooksAsync(CancellationToken cancellationToken = default) => _webhooks.WaitForIdleAsync(cancellationToken);

    public bool Redeliver(Guid deliveryId) => _webhooks.Redeliver(deliveryId);

    public void ClearRequests() => _requests.Clear();

    /// <summary>An installation's budget of a resource ("core", "graphql", "search") now.</summary>
    public (int Limit, int Used, int Remaining, DateTimeOffset Reset) RateLimit(long installationId, string resource = "core")
    {
        var state = _rateLimiter.Peek(RateLimiter.InstallationKey(installationId), resource);
        return (state.Limit, state.Used, state.Remaining, state.Reset);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _webhooks.DisposeAsync().ConfigureAwait(false);
        _key.Dispose();
    }
}
