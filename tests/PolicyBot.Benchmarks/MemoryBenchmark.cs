using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using PolicyBot.Commands;
using PolicyBot.GitHub;
using PolicyBot.Processing;

namespace PolicyBot.Benchmarks;

/// <summary>
/// PolicyBot's own peak memory over an install and a reconcile of a generated organisation. The simulator runs in a
/// child process (<c>policybot sandbox --github-only</c>, reached over HTTP only), so this process holds PolicyBot and
/// this driver alone and its peak resident set (the kernel's VmHWM) is PolicyBot's. Each size is measured in a fresh
/// process (a process's peak never comes down) started with PolicyBot's own GC settings from policybot.runtimeconfig.json
/// (this benchmark's are the web SDK's defaults, not PolicyBot's).
/// </summary>
internal static class MemoryBenchmark
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>What one measurement prints last, for <see cref="MeasureInChildAsync"/> to read.</summary>
    private const string ResultPrefix = "policybot-memory:";

    public sealed record Result(long PeakRssMegabytes, long PeakManagedMegabytes, long RetainedManagedMegabytes, long ResponseCacheMegabytes, long ResponseCacheEntries, TimeSpan Elapsed, string Gc)
    {
        public string Describe() => string.Create(Culture,
            $"{PeakRssMegabytes} MB peak RSS of PolicyBot alone (simulator in another process; {Gc} GC as PolicyBot ships); managed heap peak {PeakManagedMegabytes} MB, {RetainedManagedMegabytes} MB after the passes, of which the ETag response cache ~{ResponseCacheMegabytes} MB ({ResponseCacheEntries} answers)");
    }

    /// <summary><c>memory --size N [--latency-ms L]</c>: measures in a child process and prints what it printed.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var size = int.Parse(Arg(args, "--size", "1000"), Culture);
        var latencyMs = int.Parse(Arg(args, "--latency-ms", "100"), Culture);
        var result = await MeasureInChildAsync(size, latencyMs, Console.Out);
        Console.WriteLine(string.Create(Culture, $"{size:N0} repositories: {result.Describe()}"));
        return 0;
    }

    /// <summary><c>memory-measure --size N --latency-ms L</c>: the measurement itself, in the child process.</summary>
    public static async Task<int> MeasureHereAsync(string[] args)
    {
        var size = int.Parse(Arg(args, "--size", "1000"), Culture);
        var latencyMs = int.Parse(Arg(args, "--latency-ms", "100"), Culture);
        var result = await MeasureAsync(size, latencyMs);
        Console.WriteLine(string.Create(Culture, $"{size:N0} repositories, install and reconcile in {result.Elapsed.TotalSeconds:F0} s: {result.Describe()}"));
        Console.WriteLine(string.Create(Culture, $"{ResultPrefix}{result.PeakRssMegabytes},{result.PeakManagedMegabytes},{result.RetainedManagedMegabytes},{result.ResponseCacheMegabytes},{result.ResponseCacheEntries},{result.Elapsed.TotalSeconds:F0},{result.Gc}"));
        return 0;
    }

    /// <summary>The same measurement in a fresh process of this benchmark, so that no earlier work counts in its peak.</summary>
    public static async Task<Result> MeasureInChildAsync(int size, int latencyMs, TextWriter? progress = null)
    {
        var start = ThisBenchmark("memory-measure", "--size", size.ToString(Culture), "--latency-ms", latencyMs.ToString(Culture));
        start.RedirectStandardOutput = true;
        foreach (var (name, value) in PolicyBotGcSettings())
        {
            start.Environment[name] = value;
        }

        using var child = Process.Start(start)!;
        string? line;
        Result? result = null;
        while ((line = await child.StandardOutput.ReadLineAsync()) is not null)
        {
            if (!line.StartsWith(ResultPrefix, StringComparison.Ordinal))
            {
                progress?.WriteLine(line);
            }
            else
            {
                var fields = line[ResultPrefix.Length..].Split(',');
                var f = fields[..^1].Select(v => long.Parse(v, Culture)).ToArray();
                result = new Result(f[0], f[1], f[2], f[3], f[4], TimeSpan.FromSeconds(f[5]), fields[^1]);
            }
        }

        await child.WaitForExitAsync();
        return result ?? throw new InvalidOperationException($"The memory measurement of {size} repositories printed no result (exit code {child.ExitCode}).");
    }

    /// <summary>
    /// This benchmark started again with <paramref name="arguments"/>. Under <c>dotnet PolicyBot.Benchmarks.dll</c> the
    /// process is the dotnet host, which needs the assembly first; under <c>dotnet run</c> it is the benchmark's own
    /// executable, which would take the assembly's path for a command.
    /// </summary>
    private static ProcessStartInfo ThisBenchmark(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MemoryBenchmark).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>PolicyBot's GC settings (policybot.runtimeconfig.json beside this benchmark) as the runtime's environment variables.</summary>
    private static IEnumerable<(string Name, string Value)> PolicyBotGcSettings()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "policybot.runtimeconfig.json");
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        foreach (var (property, variable) in ((string, string)[])[("System.GC.Server", "DOTNET_gcServer"), ("System.GC.Concurrent", "DOTNET_gcConcurrent"), ("System.GC.ConserveMemory", "DOTNET_GCConserveMemory")])
        {
            if (properties.TryGetProperty(property, out var value))
            {
                yield return (variable, value.ValueKind switch
                {
                    System.Text.Json.JsonValueKind.True => "1",
                    System.Text.Json.JsonValueKind.False => "0",
                    _ => value.ToString(),
                });
            }
        }
    }

    /// <summary><c>memory-simulator SCENARIO CREDENTIALS</c>: the simulator alone, as the child of a measurement.</summary>
    public static Task<int> RunSimulatorAsync(string[] args) =>
        CommandDispatcher.RunAsync(["sandbox", args[1], "--github-only", "--credentials-file", args[2], "--github-port", "0"], TextWriter.Null, Console.Error);

    private static async Task<Result> MeasureAsync(int size, int latencyMs)
    {
        var scenario = Path.Combine(Path.GetTempPath(), $"policybot-memory-{Guid.NewGuid():N}.yml");
        var credentials = scenario + ".env";
        var database = Path.ChangeExtension(scenario, ".db");
        // Memory is measured here, not pacing: a budget large enough that the rate-limit reserve never pauses the passes
        // (at 10,000 repositories a cold install spends more than GitHub's 5,000 points of one hour).
        await File.WriteAllTextAsync(scenario, ScaleBenchmark.Scenario(size, "log")
            .Replace("installation_id: 4001\n", "installation_id: 4001\nrate_limit: { core: 1000000, graphql: 1000000 }\n", StringComparison.Ordinal));
        using var simulator = Process.Start(ThisBenchmark("memory-simulator", scenario, credentials))!;
        try
        {
            var settings = await CredentialsAsync(credentials, simulator);
            var api = new Uri(settings["GitHub__ApiBaseUrl"]);
            using var control = new HttpClient { BaseAddress = api, Timeout = Timeout.InfiniteTimeSpan };

            var builder = Hosting.PolicyBotApp.CreateBuilder([]);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["GitHub:AppId"] = settings["APP_ID"],
                ["GitHub:PrivateKey"] = await File.ReadAllTextAsync(settings["PRIVATE_KEY_PATH"]),
                ["GitHub:WebhookSecret"] = settings["WEBHOOK_SECRET"],
                ["GitHub:ApiBaseUrl"] = api.AbsoluteUri,
                ["Storage:Path"] = database,
                ["GitHub:ContentCreationInterval"] = "00:00:00",
                ["GitHub:ContentCreationsPerMinute"] = "0",
                ["GitHub:ContentCreationsPerHour"] = "0",
                ["Processing:Workers"] = "4",
                ["Processing:ReconcileOnStart"] = "false",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            await using var app = Hosting.PolicyBotApp.Build(builder);
            await app.StartAsync();
            var address = app.Urls.First().TrimEnd('/');
            (await control.PutAsJsonAsync("_sandbox/webhook-url", new { url = $"{address}/api/github/webhooks" })).EnsureSuccessStatusCode();
            (await control.PostAsJsonAsync("_sandbox/faults", new { global_latency_ms = latencyMs })).EnsureSuccessStatusCode();

            var queue = app.Services.GetRequiredService<IWorkQueue>();
            using var sampler = new ManagedHeapSampler();
            var clock = Stopwatch.StartNew();
            (await control.PostAsync($"_sandbox/installations/bench", null)).EnsureSuccessStatusCode();
            await SettleAsync(control, queue);
            await app.Services.GetRequiredService<ReconcileService>().RunOnceAsync(CancellationToken.None);
            await SettleAsync(control, queue);
            var elapsed = clock.Elapsed;

            var cache = app.Services.GetRequiredService<GitHubResponseCache>();
            var retained = GC.GetTotalMemory(forceFullCollection: true);
            var info = GC.GetGCMemoryInfo();
            Console.WriteLine(string.Create(Culture,
                $"  GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, committed {info.TotalCommittedBytes / 1024 / 1024} MB, heap {info.HeapSizeBytes / 1024 / 1024} MB, fragmented {info.FragmentedBytes / 1024 / 1024} MB; prefetched repositories still held: {app.Services.GetRequiredService<Enforcement.State.PrefetchedRepositories>().Count}"));
            return new Result(PeakResidentBytes() / 1024 / 1024, sampler.Peak / 1024 / 1024, retained / 1024 / 1024, cache.EstimatedBytes / 1024 / 1024, cache.Count, elapsed,
                System.Runtime.GCSettings.IsServerGC ? "server" : "workstation");
        }
        finally
        {
            simulator.Kill(entireProcessTree: true);
            await simulator.WaitForExitAsync();
            foreach (var file in new[] { scenario, credentials, credentials + ".pem", database, database + "-wal", database + "-shm" }.Where(File.Exists))
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>The app's credentials the simulator writes (whole, by rename) once it listens.</summary>
    private static async Task<Dictionary<string, string>> CredentialsAsync(string file, Process simulator)
    {
        while (!File.Exists(file))
        {
            if (simulator.HasExited)
            {
                throw new InvalidOperationException($"The simulator exited with {simulator.ExitCode} before it was ready.");
            }

            await Task.Delay(100);
        }

        return (await File.ReadAllLinesAsync(file))
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
    }

    /// <summary>Until the simulator has sent every webhook and PolicyBot has routed and done all its work, twice over.</summary>
    private static async Task SettleAsync(HttpClient control, IWorkQueue queue)
    {
        for (var quiet = 0; quiet < 2;)
        {
            (await control.PostAsync("_sandbox/webhooks/wait", null)).EnsureSuccessStatusCode();
            var started = Stopwatch.GetTimestamp();
            await queue.WaitForIdleAsync(CancellationToken.None);
            quiet = Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1) ? quiet + 1 : 0;
        }
    }

    /// <summary>The process's peak resident set: the kernel's high-water mark where it keeps one, else .NET's figure.</summary>
    private static long PeakResidentBytes()
    {
        const string Status = "/proc/self/status";
        if (File.Exists(Status) && File.ReadLines(Status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) is { } line)
        {
            return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], Culture) * 1024;
        }

        return Process.GetCurrentProcess().PeakWorkingSet64;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    /// <summary>The most managed memory seen allocated (garbage not yet collected included), sampled every 50 ms.</summary>
    private sealed class ManagedHeapSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;
        private long _peak;

        public ManagedHeapSampler() => _sampling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                _peak = Math.Max(_peak, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(50, CancellationToken.None);
            }
        });

        public long Peak => Math.Max(_peak, GC.GetTotalMemory(forceFullCollection: false));

        public void Dispose()
        {
            _stop.Cancel();
            _sampling.Wait();
            _stop.Dispose();
        }
    }
}
