using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using PolicyBot.Commands;
using PolicyBot.Processing;
using PolicyBot.Sandbox;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Benchmarks;

/// <summary>
/// Issue 11's goals, each beside its figure, in one run: install and reconcile of generated organisations (rate-limit
/// points per repository cold and warm, requests, wall time at the simulated latency, peak memory), pull request points
/// cold and warm, a budget-limited install (a small hourly budget whose window resets quickly) and its dead letters, and
/// intake deliveries a second beside a bare Kestrel endpoint. Points are the simulator's, by GitHub's rules (a 304 and a
/// GraphQL query's cost as GitHub's formula gives it), from its request log; actions are `log` unless told.
/// </summary>
internal static class ScaleBenchmark
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = Arg(args, "--sizes", "1000").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, Culture)).ToList();
        var latencyMs = int.Parse(Arg(args, "--latency-ms", "100"), Culture);
        var actions = Arg(args, "--actions", "log");
        var budgetRepositories = int.Parse(Arg(args, "--budget-repos", "500"), Culture);
        var deliveries = int.Parse(Arg(args, "--deliveries", "10000"), Culture);
        var breakdown = args.Contains("--breakdown");

        // Intake alone (a minute, not the half hour of the organisations): for working on the intake path.
        if (args.Contains("--intake-only"))
        {
            sizes.Clear();
        }

        Console.WriteLine(string.Create(Culture, $"PolicyBot scale benchmark: sizes {string.Join(", ", sizes)}, actions {actions}, simulated latency {latencyMs} ms, {Environment.ProcessorCount} cores"));
        Console.WriteLine("(simulator and PolicyBot run in this one process for the passes; PolicyBot's own peak memory is measured again in a child process with the simulator in another: MemoryBenchmark)");
        var goals = new List<(string Goal, string Figure)>();

        var pullRequestsMeasured = false;
        foreach (var size in sizes)
        {
            var organisation = await OrganisationAsync(size, latencyMs, actions, measurePullRequests: !pullRequestsMeasured, breakdown);
            pullRequestsMeasured = true;
            goals.Add(($"reads <= 0.5 points/repository cold ({size:N0})", organisation.Cold.Describe(size)));
            goals.Add(($"reads <= 0.1 points/repository warm ({size:N0})", organisation.Warm.Describe(size)));
            goals.Add(($"reconcile <= 15 min at {latencyMs} ms ({size:N0})", string.Create(Culture, $"{organisation.Warm.Elapsed.TotalMinutes:F1} min (install {organisation.Cold.Elapsed.TotalMinutes:F1} min)")));
            var memory = await MemoryBenchmark.MeasureInChildAsync(size, latencyMs);
            goals.Add(($"peak RSS <= 300 MB at 10,000 ({size:N0})", string.Create(Culture,
                $"{memory.Describe()}; {organisation.PeakMegabytes} MB with the simulator in one process (simulator alone {organisation.SimulatorMegabytes} MB)")));
            goals.Add(($"no dead letters ({size:N0})", organisation.DeadLetters.ToString(Culture)));
            if (organisation.PullRequest is { } pr)
            {
                goals.Add(("<= 6 points per pull request cold", string.Create(Culture, $"{pr.ColdPoints} points, {pr.ColdRequests} requests")));
                goals.Add(("0 points on a repeat with nothing changed", string.Create(Culture,
                    $"{pr.WarmPoints} points, {pr.WarmRequests} requests (the pull request's first read: the opening's delivery carried it); again: {pr.AgainPoints} points, {pr.AgainRequests} requests")));
            }
        }

        if (!args.Contains("--intake-only"))
        {
            var limited = await BudgetLimitedAsync(budgetRepositories);
            goals.Add(("zero dead letters, budget-limited run", string.Create(Culture,
                $"{limited.DeadLetters} dead letters; {limited.Evaluated} of {budgetRepositories} evaluated in {limited.Elapsed.TotalSeconds:F0} s over {limited.Windows} windows of {limited.RestBudget} REST and {limited.GraphQLBudget} GraphQL points, lowest remaining REST {limited.LowestRestRemaining}, GraphQL {limited.LowestGraphQLRemaining}")));
        }

        var (policyBot, kestrel) = await IntakeAsync(deliveries);
        goals.Add((">= 1,500 deliveries/s", string.Create(Culture, $"{policyBot:F0}/s")));
        goals.Add((">= 0.3 of bare Kestrel", string.Create(Culture, $"{policyBot / kestrel:F2} (bare Kestrel {kestrel:F0}/s)")));

        Console.WriteLine();
        Console.WriteLine($"{"goal",-48} figure");
        foreach (var (goal, figure) in goals)
        {
            Console.WriteLine($"{goal,-48} {figure}");
        }

        return 0;
    }

    private sealed record Pass(TimeSpan Elapsed, int Requests, int NotModified, int Writes, long RestPoints, long GraphQLPoints)
    {
        public string Describe(int repositories) => string.Create(
            CultureInfo.InvariantCulture,
            $"{(RestPoints + GraphQLPoints) / (double)repositories:F3} (REST {RestPoints}, GraphQL {GraphQLPoints}; {Requests} requests, {NotModified} 304s, {Writes} writes; {Elapsed.TotalSeconds:F0} s)");
    }

    private sealed record PullRequestCost(long ColdPoints, int ColdRequests, long WarmPoints, int WarmRequests, long AgainPoints, int AgainRequests);

    private sealed record OrganisationResult(Pass Cold, Pass Warm, long PeakMegabytes, long SimulatorMegabytes, long DeadLetters, PullRequestCost? PullRequest);

    private static async Task<OrganisationResult> OrganisationAsync(int size, int latencyMs, string actions, bool measurePullRequests, bool breakdown)
    {
        using var files = new BenchmarkFiles();
        await File.WriteAllTextAsync(files.Scenario, Scenario(size, actions));
        await using var sandbox = await SandboxGitHub.StartAsync(files.Scenario, port: 0, webhookSecret: null, CancellationToken.None);
        GC.Collect();
        var simulatorMegabytes = Process.GetCurrentProcess().WorkingSet64 / 1024 / 1024;
        sandbox.Simulator.Faults.GlobalLatency = TimeSpan.FromMilliseconds(latencyMs);
        var (app, _) = await StartPolicyBotAsync(sandbox, files.Database);
        await using (app)
        {
            var queue = app.Services.GetRequiredService<IWorkQueue>();
            Console.WriteLine();
            Console.WriteLine(string.Create(Culture, $"{size:N0} repositories"));

            var clock = Stopwatch.StartNew();
            await sandbox.Simulator.InstallAsync(sandbox.Scenario.Org);
            await SettleAsync(sandbox.Simulator, queue);
            var cold = Measure(sandbox.Simulator, clock.Elapsed, "install", breakdown);

            sandbox.Simulator.ClearRequests();
            clock.Restart();
            await app.Services.GetRequiredService<ReconcileService>().RunOnceAsync(CancellationToken.None);
            await SettleAsync(sandbox.Simulator, queue);
            var warm = Measure(sandbox.Simulator, clock.Elapsed, "reconcile (nothing changed)", breakdown);

            PullRequestCost? pullRequest = null;
            if (measurePullRequests)
            {
                pullRequest = await PullRequestAsync(sandbox, queue, breakdown);
            }

            var dead = (await app.Services.GetRequiredService<Storage.IWorkQueueStore>().CountAsync(CancellationToken.None)).Dead;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024;
            return new OrganisationResult(cold, warm, peak, simulatorMegabytes, dead, pullRequest);
        }
    }

    /// <summary>A person opens a pull request (cold), then asks for the checks again with nothing changed (warm).</summary>
    private static async Task<PullRequestCost> PullRequestAsync(SandboxGitHub sandbox, IWorkQueue queue, bool breakdown)
    {
        var sim = sandbox.Simulator;
        var org = sandbox.Scenario.Org;
        const string Repository = "service-0002";
        using var alice = sim.CreateClient("alice");
        var baseRef = await alice.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"repos/{org}/{Repository}/git/ref/heads/main");
        (await alice.PostAsJsonAsync($"repos/{org}/{Repository}/git/refs", new { @ref = "refs/heads/change", sha = (string)baseRef!["object"]!["sha"]! })).EnsureSuccessStatusCode();
        (await alice.PutAsJsonAsync($"repos/{org}/{Repository}/contents/src/app.txt", new { message = "Change", content = Convert.ToBase64String(Encoding.UTF8.GetBytes("hello\n")), branch = "change" })).EnsureSuccessStatusCode();
        await SettleAsync(sim, queue);

        sim.ClearRequests();
        var clock = Stopwatch.StartNew();
        var opened = await alice.PostAsJsonAsync($"repos/{org}/{Repository}/pulls", new { title = "Change", head = "change", @base = "main" });
        opened.EnsureSuccessStatusCode();
        await SettleAsync(sim, queue);
        var cold = Measure(sim, clock.Elapsed, "pull request opened", breakdown);

        // The same evaluation again with nothing changed (as a delivery that changes nothing the rules read leads to).
        var number = (int)(await opened.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["number"]!;
        sim.ClearRequests();
        clock.Restart();
        await queue.EnqueueAsync(new Storage.WorkItem(Storage.WorkItemKinds.EvaluatePullRequest, 4001, org, Repository, number, "benchmark: repeat", null), CancellationToken.None);
        await SettleAsync(sim, queue);
        var warm = Measure(sim, clock.Elapsed, "the same evaluation again (nothing changed)", breakdown);

        sim.ClearRequests();
        clock.Restart();
        await queue.EnqueueAsync(new Storage.WorkItem(Storage.WorkItemKinds.EvaluatePullRequest, 4001, org, Repository, number, "benchmark: repeat", null), CancellationToken.None);
        await SettleAsync(sim, queue);
        var again = Measure(sim, clock.Elapsed, "and again", breakdown);
        return new PullRequestCost(cold.RestPoints + cold.GraphQLPoints, cold.Requests, warm.RestPoints + warm.GraphQLPoints, warm.Requests, again.RestPoints + again.GraphQLPoints, again.Requests);
    }

    private sealed record BudgetLimited(TimeSpan Elapsed, long DeadLetters, int Evaluated, int Windows, int RestBudget, int GraphQLBudget, int LowestRestRemaining, int LowestGraphQLRemaining);

    /// <summary>
    /// An install that needs several windows of a small budget: it must keep the reserve, wait and finish. Its reads are
    /// GraphQL pages, so the GraphQL budget is the small one (a REST budget alone would no longer be reached).
    /// </summary>
    private static async Task<BudgetLimited> BudgetLimitedAsync(int repositories)
    {
        const int RestBudget = 150;
        const int GraphQLBudget = 12;
        var window = TimeSpan.FromSeconds(15);
        using var files = new BenchmarkFiles();
        await File.WriteAllTextAsync(files.Scenario, Scenario(repositories, "log").Replace("installation_id: 4001\n", $"installation_id: 4001\nrate_limit: {{ core: {RestBudget}, graphql: {GraphQLBudget} }}\n", StringComparison.Ordinal));
        await using var sandbox = await SandboxGitHub.StartAsync(files.Scenario, new SimulatorOptions { RateLimitWindow = window }, CancellationToken.None);
        var (app, _) = await StartPolicyBotAsync(sandbox, files.Database);
        await using (app)
        {
            var clock = Stopwatch.StartNew();
            var lowestRest = RestBudget;
            var lowestGraphQL = GraphQLBudget;
            await sandbox.Simulator.InstallAsync(sandbox.Scenario.Org);
            var queue = app.Services.GetRequiredService<IWorkQueue>();
            var settled = SettleAsync(sandbox.Simulator, queue);
            while (!settled.IsCompleted)
            {
                lowestRest = Math.Min(lowestRest, sandbox.Simulator.RateLimit(4001).Remaining);
                lowestGraphQL = Math.Min(lowestGraphQL, sandbox.Simulator.RateLimit(4001, "graphql").Remaining);
                await Task.WhenAny(settled, Task.Delay(100));
            }

            await settled;
            var elapsed = clock.Elapsed;
            var dead = (await app.Services.GetRequiredService<Storage.IWorkQueueStore>().CountAsync(CancellationToken.None)).Dead;
            var evaluated = (await app.Services.GetRequiredService<Enforcement.IEvaluationStore>().ListAsync(4001, CancellationToken.None)).Count;
            Console.WriteLine();
            Console.WriteLine(string.Create(Culture, $"budget-limited install: {repositories} repositories, {RestBudget} REST points and {GraphQLBudget} GraphQL points a {window.TotalSeconds:F0} s window"));
            return new BudgetLimited(elapsed, dead, evaluated, (int)Math.Ceiling(elapsed / window), RestBudget, GraphQLBudget, lowestRest, lowestGraphQL);
        }
    }

    /// <summary>
    /// Signed deliveries posted as fast as 32 senders can, to PolicyBot and to a bare Kestrel endpoint in turn, each after
    /// a warm-up of <see cref="WarmUpDeliveries"/> unmeasured ones: the first endpoint measured would otherwise pay for
    /// the JIT compiling (and tiering up) the sender's code and the server's, and look slower than it is.
    /// </summary>
    private static async Task<(double PolicyBot, double Kestrel)> IntakeAsync(int count)
    {
        using var files = new BenchmarkFiles();
        await File.WriteAllTextAsync(files.Scenario, Scenario(3, "log"));
        await using var sandbox = await SandboxGitHub.StartAsync(files.Scenario, port: 0, webhookSecret: null, CancellationToken.None);
        var (app, address) = await StartPolicyBotAsync(sandbox, files.Database);
        await using (app)
        {
            // An event PolicyBot stores and has no work for: what is measured is intake, not evaluation.
            var body = """{"action":"created","starred_at":"2026-12-07T00:00:00Z","repository":{"id":1,"name":"service-0001","full_name":"bench/service-0001","owner":{"login":"bench"}},"sender":{"login":"alice"},"installation":{"id":4001}}""";
            var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(sandbox.Simulator.WebhookSecret), Encoding.UTF8.GetBytes(body)));
            var commit = app.Services.GetRequiredService<Webhooks.DeliveryGroupCommit>();
            var target = new Uri(address, "api/github/webhooks");
            await PostAllAsync(target, body, signature, WarmUpDeliveries);
            var commitsBefore = commit.Commits;
            var policyBot = await PostAllAsync(target, body, signature, count);
            var commits = commit.Commits - commitsBefore;

            var bare = WebApplication.CreateSlimBuilder();
            bare.WebHost.UseUrls("http://127.0.0.1:0");
            bare.Logging.ClearProviders();
            await using var kestrel = bare.Build();
            kestrel.MapPost("/", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                await reader.ReadToEndAsync();
                return Results.Accepted();
            });
            await kestrel.StartAsync();
            var bareAddress = new Uri(kestrel.Urls.First());
            await PostAllAsync(bareAddress, body, signature, WarmUpDeliveries);
            var bareRate = await PostAllAsync(bareAddress, body, signature, count);
            Console.WriteLine();
            Console.WriteLine(string.Create(Culture, $"intake: {count} signed deliveries from 32 senders (after {WarmUpDeliveries} unmeasured), stored by {commits} commits ({count / (double)Math.Max(1, commits):F1} deliveries a commit)"));
            return (policyBot, bareRate);
        }
    }

    private const int WarmUpDeliveries = 2000;

    private static async Task<double> PostAllAsync(Uri target, string body, string signature, int count)
    {
        using var client = new HttpClient();
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add("X-GitHub-Event", "star");
                request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
                request.Headers.Add("X-Hub-Signature-256", signature);
                using var response = await client.SendAsync(request);
                response.EnsureSuccessStatusCode();
            }
        }));
        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<(WebApplication App, Uri Address)> StartPolicyBotAsync(SandboxGitHub sandbox, string database)
    {
        var started = await sandbox.StartPolicyBotAsync(0,
        [
            new("Storage:Path", database),
            new("GitHub:ContentCreationInterval", "00:00:00"),
            // PolicyBot's own work is measured, not GitHub's 80-a-minute, 500-an-hour secondary limits.
            new("GitHub:ContentCreationsPerMinute", "0"),
            new("GitHub:ContentCreationsPerHour", "0"),
            new("Processing:Workers", "4"),
            // A reconcile 30 s after start-up would overlap a long install and count as a second pass of its figures.
            new("Processing:ReconcileOnStart", "false"),
            new("Logging:LogLevel:Default", "Warning"),
        ], Console.Error, Dashboard.SandboxMode.Register);
        return started ?? throw new InvalidOperationException("PolicyBot did not start.");
    }

    private static async Task SettleAsync(GitHubSimulator simulator, IWorkQueue queue)
    {
        while (true)
        {
            var before = simulator.Deliveries.Count;
            await simulator.WaitForWebhooksAsync();
            await queue.WaitForIdleAsync(CancellationToken.None);
            await simulator.WaitForWebhooksAsync();
            if (simulator.Deliveries.Count == before)
            {
                return;
            }
        }
    }

    private static Pass Measure(GitHubSimulator simulator, TimeSpan elapsed, string what, bool breakdown)
    {
        var requests = simulator.Requests.Where(r => r.TokenKind is TokenKind.Installation or TokenKind.AppJwt).ToList();
        var gets = requests.Count(r => r.Method == "GET");
        var pass = new Pass(
            elapsed,
            requests.Count,
            requests.Count(r => r.NotModified),
            requests.Count - gets - requests.Count(r => r.Resource == "graphql"),
            requests.Where(r => r.Resource != "graphql").Sum(r => (long)r.Cost),
            requests.Where(r => r.Resource == "graphql").Sum(r => (long)r.Cost));
        Console.WriteLine(string.Create(Culture, $"  {what,-40} {elapsed.TotalSeconds,8:F1} s {pass.Requests,8} requests {pass.NotModified,7} 304s {pass.Writes,6} writes  REST {pass.RestPoints,6}  GraphQL {pass.GraphQLPoints,5}"));
        if (breakdown)
        {
            foreach (var group in requests.Where(r => !r.NotModified).GroupBy(r => $"{r.Method} {r.RouteTemplate} {r.StatusCode}").OrderByDescending(g => g.Count()).Take(15))
            {
                Console.WriteLine(string.Create(Culture, $"      {group.Count(),6}  {group.Key}"));
            }
        }

        return pass;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    /// <summary>A third unprotected and unregistered, a third weakly protected, a third compliant.</summary>
    internal static string Scenario(int count, string action)
    {
        var yaml = new StringBuilder("""
            org: bench
            installation_id: 4001
            members: [alice, bob, carol]
            teams:
              - { slug: platform, members: [alice, bob] }
            repos:
              - name: .github
                files:
                  policybot.yml: |
                    version: 1
                    branch_protection: { action: ACTION, required_approving_review_count: 1 }
                    registration: { action: ACTION, open_pull_request: false }

            """);
        for (var i = 0; i < count; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: service-{i:D4}\n");
            switch (i % 3)
            {
                case 1:
                    yaml.Append("    protection: { required_approving_review_count: 0, allow_force_pushes: true }\n");
                    break;
                case 2:
                    yaml.Append("    protection: { required_approving_review_count: 1, dismiss_stale_reviews: true }\n");
                    yaml.Append(CultureInfo.InvariantCulture, $"    files:\n      catalog-info.yaml: |\n        apiVersion: backstage.io/v1alpha1\n        kind: Component\n        metadata: {{ name: service-{i:D4}, description: A service }}\n        spec: {{ type: service, lifecycle: production, owner: group:platform }}\n");
                    break;
            }
        }

        return yaml.ToString().Replace("ACTION", action, StringComparison.Ordinal);
    }

    /// <summary>A scenario file and a database in the temporary directory, removed afterwards.</summary>
    private sealed class BenchmarkFiles : IDisposable
    {
        public string Scenario { get; } = Path.Combine(Path.GetTempPath(), $"policybot-bench-{Guid.NewGuid():N}.yml");

        public string Database { get; } = Path.Combine(Path.GetTempPath(), $"policybot-bench-{Guid.NewGuid():N}.db");

        public void Dispose()
        {
            foreach (var file in new[] { Scenario, Database, Database + "-wal", Database + "-shm" }.Where(File.Exists))
            {
                File.Delete(file);
            }
        }
    }
}
