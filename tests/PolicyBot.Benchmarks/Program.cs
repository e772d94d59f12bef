using System.Diagnostics;
using System.Globalization;
using System.Text;
using PolicyBot.Commands;
using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Processing;
using PolicyBot.Sandbox.State;

// Installs PolicyBot on a generated organisation in the simulator and prints what it cost:
// wall time, GitHub requests (and how many a 304 answered), rate limit spent; then a second pass
// (the reconcile) over unchanged repositories; then the dashboard over a 10,000-repository store; then the
// simulator alone loading and paging a 10,000-repository organisation.
// Each benchmark has its own file; the first argument names one. None: the figures below.
if (args.FirstOrDefault() == "scale")
{
    return await PolicyBot.Benchmarks.ScaleBenchmark.RunAsync(args);
}

if (args.FirstOrDefault() == "memory")
{
    return await PolicyBot.Benchmarks.MemoryBenchmark.RunAsync(args);
}

if (args.FirstOrDefault() == "memory-measure")
{
    return await PolicyBot.Benchmarks.MemoryBenchmark.MeasureHereAsync(args);
}

if (args.FirstOrDefault() == "memory-simulator")
{
    return await PolicyBot.Benchmarks.MemoryBenchmark.RunSimulatorAsync(args);
}

if (Environment.GetCommandLineArgs().Contains("--baseline-preview"))
{
    return await BaselinePreviewBenchmark.RunAsync(ArgValue("--preview-repos", 10_000));
}

var repositories = ArgValue("--repos", 300);
var latencyMs = ArgValue("--latency-ms", 0);
var dashboardRepositories = ArgValue("--dashboard-repos", 10_000);
// The issue's goals are measured with every action at log, so a pass only reads; "--actions issue" writes too.
var actions = ArgString("--actions", "log");
var simulatorRepositories = ArgValue("--simulator-repos", 10_000);
var culture = CultureInfo.InvariantCulture;

var scenario = Path.Combine(Path.GetTempPath(), $"policybot-bench-{Guid.NewGuid():N}.yml");
await File.WriteAllTextAsync(scenario, PolicyBot.Benchmarks.ScaleBenchmark.Scenario(repositories, actions));
var database = Path.Combine(Path.GetTempPath(), $"policybot-bench-{Guid.NewGuid():N}.db");
try
{
    await using var sandbox = await SandboxGitHub.StartAsync(scenario, port: 0, webhookSecret: null, CancellationToken.None);
    if (latencyMs > 0)
    {
        sandbox.Simulator.Faults.GlobalLatency = TimeSpan.FromMilliseconds(latencyMs);
    }

    var started = await sandbox.StartPolicyBotAsync(0,
    [
        new("Storage:Path", database),
        new("GitHub:ContentCreationInterval", "00:00:00"),
        // The benchmark measures PolicyBot's own work, not GitHub's 80-a-minute, 500-an-hour secondary limits.
        new("GitHub:ContentCreationsPerMinute", "0"),
        new("GitHub:ContentCreationsPerHour", "0"),
        new("Processing:Workers", "4"),
        new("Logging:LogLevel:Default", "Warning"),
    ], Console.Error, PolicyBot.Dashboard.SandboxMode.Register);
    if (started is not { } running)
    {
        return 1;
    }

    await using var app = running.App;
    var queue = app.Services.GetRequiredService<IWorkQueue>();

    Console.WriteLine(string.Create(culture, $"PolicyBot benchmark: {repositories} repositories, actions {actions}, simulator latency {latencyMs} ms, {Environment.ProcessorCount} cores"));
    Console.WriteLine();
    Console.WriteLine("pass                       seconds   requests  non-304 GETs    304s  writes  REST points  GraphQL points  points/repo (goal)");

    var clock = Stopwatch.StartNew();
    await sandbox.Simulator.InstallAsync(sandbox.Scenario.Org);
    await SettleAsync();
    Report("install (first evaluation)", clock.Elapsed, "<= 0.5 cold");

    sandbox.Simulator.ClearRequests();
    clock.Restart();
    await app.Services.GetRequiredService<ReconcileService>().RunOnceAsync(CancellationToken.None);
    await SettleAsync();
    Report("reconcile (nothing changed)", clock.Elapsed, "<= 0.1 warm");
    // Both processes (simulator and PolicyBot) run in this one, so this overstates PolicyBot's own peak.
    Console.WriteLine(string.Create(culture, $"peak working set (simulator and PolicyBot together): {Environment.WorkingSet / 1024 / 1024} MB now, {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024} MB peak (goal for PolicyBot alone: <= 300 MB at 10,000 repositories)"));
    var dead = (await app.Services.GetRequiredService<PolicyBot.Storage.IWorkQueueStore>().CountAsync(CancellationToken.None)).Dead;
    Console.WriteLine(string.Create(culture, $"dead letters: {dead} (goal 0)"));

    // The dashboard over a large organisation: 10,000 stored evaluations, a third below the baseline.
    var store = app.Services.GetRequiredService<IEvaluationStore>();
    var now = DateTimeOffset.UtcNow;
    for (var i = 0; i < dashboardRepositories; i++)
    {
        IReadOnlyList<Finding> findings = i % 3 == 0 ? [new Finding(PolicyIds.BranchProtection, "no-protection", "main has no protection", "Protect main.", "main")] : [];
        await store.SaveAsync(new StoredRepositoryEvaluation(777, $"large/repo-{i:D5}", true, null,
            [new PolicyResult(PolicyIds.BranchProtection, PolicyAction.Issue, false, findings)], null, now), CancellationToken.None);
    }

    using var client = new HttpClient { BaseAddress = running.Address };
    var timings = new List<double>();
    var size = 0;
    for (var i = 0; i < 5; i++)
    {
        clock.Restart();
        var page = await client.GetStringAsync("installations/777");
        timings.Add(clock.Elapsed.TotalMilliseconds);
        size = Encoding.UTF8.GetByteCount(page);
    }

    timings.Sort();
    Console.WriteLine();
    Console.WriteLine(string.Create(culture, $"dashboard page, {dashboardRepositories} repositories: median {timings[2]:F0} ms over 5 requests, {size / 1024} KiB"));

    // The simulator itself over a large organisation: loading it, and paging every repository as a client that
    // follows Link headers does (the Sandbox tests assert the pages; the time is this figure).
    clock.Restart();
    await using var large = await PolicyBot.Sandbox.GitHubSimulator.StartAsync(new PolicyBot.Sandbox.SimulatorOptions());
    large.Load(LargeOrganisation(simulatorRepositories), "large.yml");
    var loaded = clock.Elapsed;
    await large.InstallAsync("large");
    using var pager = new HttpClient { BaseAddress = large.BaseUrl };
    pager.DefaultRequestHeaders.Authorization = new("token", large.CreateInstallationToken(5001));
    clock.Restart();
    var pages = 0;
    for (var next = "installation/repositories?per_page=100"; next is not null; pages++)
    {
        using var reply = await pager.GetAsync(next);
        reply.EnsureSuccessStatusCode();
        var link = System.Text.RegularExpressions.Regex.Match(reply.Headers.TryGetValues("Link", out var values) ? string.Join(",", values) : "", "<([^>]+)>; rel=\"next\"");
        next = link.Success ? new Uri(link.Groups[1].Value).PathAndQuery.TrimStart('/') : null;
    }

    Console.WriteLine(string.Create(culture, $"simulator, {simulatorRepositories} repositories: loaded in {loaded.TotalSeconds:F2} s; {pages} pages of 100 in {clock.Elapsed.TotalSeconds:F2} s ({clock.Elapsed.TotalMilliseconds / Math.Max(1, pages):F1} ms a page)"));
    return 0;

    async Task SettleAsync()
    {
        while (true)
        {
            var before = sandbox.Simulator.Deliveries.Count;
            await sandbox.Simulator.WaitForWebhooksAsync();
            await queue.WaitForIdleAsync(CancellationToken.None);
            await sandbox.Simulator.WaitForWebhooksAsync();
            if (sandbox.Simulator.Deliveries.Count == before)
            {
                return;
            }
        }
    }

    void Report(string pass, TimeSpan elapsed, string goal)
    {
        var requests = sandbox.Simulator.Requests.Where(r => r.TokenKind is TokenKind.Installation or TokenKind.AppJwt).ToList();
        var gets = requests.Where(r => r.Method == "GET").ToList();
        var notModified = gets.Count(r => r.NotModified);
        var writes = requests.Count - gets.Count;
        var rest = requests.Where(r => r.Resource != "graphql").Sum(r => r.Cost);
        var graphql = requests.Where(r => r.Resource == "graphql").Sum(r => r.Cost);
        var perRepository = (rest + graphql) / (double)Math.Max(1, repositories);
        Console.WriteLine(string.Create(culture, $"{pass,-26} {elapsed.TotalSeconds,7:F2} {requests.Count,10} {gets.Count - notModified,13} {notModified,7} {writes,7} {rest,12} {graphql,15} {perRepository,8:F3} ({goal})"));
        if (Environment.GetCommandLineArgs().Contains("--breakdown"))
        {
            foreach (var group in requests.Where(r => !r.NotModified).GroupBy(r => $"{r.Method} {r.RouteTemplate} {r.StatusCode}").OrderByDescending(g => g.Count()))
            {
                Console.WriteLine(string.Create(culture, $"    {group.Count(),6}  {group.Key}"));
            }
        }
    }
}
finally
{
    File.Delete(scenario);
    foreach (var file in new[] { database, database + "-wal", database + "-shm" }.Where(File.Exists))
    {
        File.Delete(file);
    }
}

static string ArgString(string name, string fallback)
{
    var args = Environment.GetCommandLineArgs();
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}

static int ArgValue(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

// Repositories only, for the simulator's own figures.
static string LargeOrganisation(int count) =>
    "org: large\ninstallation_id: 5001\nmembers: [alice]\nrepos:\n"
    + string.Concat(Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"  - {{ name: repo-{i:D5} }}\n")));
