using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PolicyBot.Sandbox;
using PolicyBot.Storage;
using PolicyBot.Tests.Enforcement;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Hosting;

/// <summary>
/// Two <c>policybot serve</c> processes on one PostgreSQL database behind the simulator's round-robin webhook
/// delivery (a load balancer without stickiness). One is killed with SIGKILL while people keep creating
/// repositories; the survivor takes over its deliveries and its claims when their leases lapse.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class TwoReplicaTests : IDisposable
{
    private const int InitialRepositories = 8;
    private const int CreatedRepositories = 8;
    private readonly TempDirectory _directory = new();
    private readonly List<Process> _replicas = [];

    [Fact]
    public async Task Two_replicas_share_an_organisation_and_a_killed_one_leaves_nothing_undone_or_done_twice()
    {
        var connectionString = await PostgresServer.CreateSchemaAsync();
        await using var simulator = await GitHubSimulator.StartAsync(new SimulatorOptions());
        simulator.Load(Scenario(), "two-replicas.yml");
        var keyFile = Path.Combine(_directory.Path, "app.pem");
        await File.WriteAllTextAsync(keyFile, simulator.AppPrivateKeyPem);

        // Both start at once, so they also race to migrate the empty schema.
        var ports = new[] { FreePort(), FreePort() };
        foreach (var port in ports)
        {
            _replicas.Add(StartReplica(port, simulator, keyFile, connectionString));
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var port in ports)
        {
            await WaitUntilReadyAsync(http, port);
        }

        simulator.WebhookUrls = [.. ports.Select(p => new Uri($"http://127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}/api/github/webhooks"))];
        await simulator.InstallAsync(BranchProtectionScenario.Org);

        // People keep creating repositories; halfway, one replica dies without a word.
        using var alice = simulator.CreateClient("alice");
        for (var i = 0; i < CreatedRepositories; i++)
        {
            if (i == CreatedRepositories / 2)
            {
                _replicas[0].Kill();
                await _replicas[0].WaitForExitAsync();
            }

            var created = await alice.PostAsJsonAsync("orgs/acme/repos", new { name = $"new{i}", auto_init = true });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await simulator.WaitForWebhooksAsync();

        // A delivery cut off inside the dying replica (connection reset before its answer) is what GitHub shows as
        // failed, and what an operator, or the app, redelivers; deliveries it stored before dying need nothing.
        foreach (var failed in simulator.Deliveries.Where(d => d.StatusCode is null && !d.Redelivery).ToList())
        {
            if (!simulator.Deliveries.Any(d => d.Id == failed.Id && d.StatusCode is not null))
            {
                simulator.Redeliver(failed.Id);
            }
        }

        await simulator.WaitForWebhooksAsync();
        await using var storage = Storage(connectionString);
        await WaitForIdleAsync(storage);

        var repositories = Enumerable.Range(0, InitialRepositories).Select(i => $"svc{i}")
            .Concat(Enumerable.Range(0, CreatedRepositories).Select(i => $"new{i}")).ToList();
        foreach (var repository in repositories)
        {
            var issues = simulator.Issues("acme", repository).Where(i => i.Body?.Contains($"repository=acme/{repository} policy=branch_protection ", StringComparison.Ordinal) == true);
            Assert.True(issues.Count() == 1, $"{repository} has {issues.Count()} compliance issues");
        }

        // Each pull request: one PolicyBot check run, and its reviewer asked once.
        foreach (var repository in repositories.Take(2))
        {
            var pull = simulator.PullRequest("acme", repository, 1)!;
            var runs = simulator.CheckRuns("acme", repository).Where(r => r.Name == "PolicyBot").ToList();
            Assert.NotEmpty(runs);
            Assert.All(runs.GroupBy(r => r.HeadSha), commit => Assert.Single(commit));
            Assert.Single(simulator.Requests, r => r.Method == "POST" && r.Path == $"/repos/acme/{repository}/pulls/1/requested_reviewers");
            Assert.Equal(["bob"], pull.RequestedReviewers);
        }

        var queue = storage.GetRequiredService<IWorkQueueStore>();
        Assert.Equal(0, (await queue.CountAsync(default)).Dead);
        Assert.DoesNotContain(await storage.GetRequiredService<IDeliveryStore>().ListRecentAsync(1000, null, default), d => d.State == DeliveryStates.Failed);
    }

    public void Dispose()
    {
        foreach (var replica in _replicas)
        {
            if (!replica.HasExited)
            {
                replica.Kill(entireProcessTree: true);
                replica.WaitForExit();
            }

            replica.Dispose();
        }

        _directory.Dispose();
    }

    /// <summary>Branch protection enforced with issues (every repository is below it), and a reviewer rule for pull requests.</summary>
    private static string Scenario()
    {
        var repos = new StringBuilder();
        for (var i = 0; i < InitialRepositories; i++)
        {
            repos.AppendLine(CultureInfo.InvariantCulture, $"  - name: svc{i}");
            if (i < 2)
            {
                repos.AppendLine("    pulls:");
                repos.AppendLine("      - { number: 1, author: alice, head: feature, files: { src/app.cs: \"class App {}\" } }");
            }
        }

        return BranchProtectionScenario.Build(
            """
            version: 1
            branch_protection:
              action: issue
              required_approving_review_count: 2
            reviewers:
              rules:
                - name: platform review
                  approvals: 1
                  from: { users: [bob] }
            """,
            repos.ToString());
    }

    private Process StartReplica(int port, GitHubSimulator simulator, string keyFile, string connectionString)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = false,
            RedirectStandardError = false,
            WorkingDirectory = _directory.Path,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "policybot.dll"));
        start.ArgumentList.Add("serve");
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("GitHub__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Storage__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Processing__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        // What `sandbox --github-only --credentials-file` writes, and short leases so the takeover is quick.
        start.Environment["APP_ID"] = simulator.AppId.ToString(CultureInfo.InvariantCulture);
        start.Environment["PRIVATE_KEY_PATH"] = keyFile;
        start.Environment["WEBHOOK_SECRET"] = simulator.WebhookSecret;
        start.Environment["GitHub__ApiBaseUrl"] = simulator.BaseUrl.AbsoluteUri;
        start.Environment["GitHub__ContentCreationInterval"] = "00:00:00";
        start.Environment["Storage__Provider"] = "postgres";
        start.Environment["Storage__ConnectionString"] = connectionString;
        start.Environment["Processing__Workers"] = "2";
        start.Environment["Processing__LeaseDuration"] = "00:00:03";
        start.Environment["Processing__PollInterval"] = "00:00:00.250";
        start.Environment["Processing__RetryBaseDelay"] = "00:00:00.500";
        start.Environment["Processing__RetryMaxDelay"] = "00:00:02";
        start.Environment["Processing__ReconcileOnStart"] = "false";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return Process.Start(start)!;
    }

    private async Task WaitUntilReadyAsync(HttpClient http, int port)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (true)
        {
            Assert.All(_replicas, r => Assert.False(r.HasExited, "a replica stopped at start-up"));
            try
            {
                using var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/readyz"), timeout.Token);
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !timeout.IsCancellationRequested))
            {
                // Not listening yet, or still starting.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }

    /// <summary>The database as a third process sees it.</summary>
    private static ServiceProvider Storage(string connectionString)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = connectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IHostEnvironment>(new StorageContractTestsEnvironment());
        services.AddStorage(configuration);
        return services.BuildServiceProvider();
    }

    private static async Task WaitForIdleAsync(IServiceProvider storage)
    {
        var queue = storage.GetRequiredService<IWorkQueueStore>();
        var deliveries = storage.GetRequiredService<IDeliveryStore>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var quietSince = (DateTimeOffset?)null;
        while (true)
        {
            var counts = await queue.CountAsync(timeout.Token);
            var idle = counts.Pending == 0 && counts.Running == 0 && await deliveries.CountPendingAsync(timeout.Token) == 0;

            // Idle twice, a second apart: work enqueued by the last item is in the database by then.
            if (idle && quietSince is { } since && DateTimeOffset.UtcNow - since > TimeSpan.FromSeconds(1))
            {
                return;
            }

            quietSince = idle ? quietSince ?? DateTimeOffset.UtcNow : null;
            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class StorageContractTestsEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = Path.GetTempPath();

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
