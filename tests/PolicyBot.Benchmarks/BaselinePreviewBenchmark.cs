using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.FileProviders;
using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.ExternalAccounts;
using PolicyBot.Policies.Preview;
using PolicyBot.Policies.Registration;
using PolicyBot.Policies.Reviewers;
using PolicyBot.Policies.Snapshots;
using PolicyBot.Storage;

/// <summary>
/// `--baseline-preview [--preview-repos N]`: the impact preview of a baseline change (DESIGN section 4) over N stored
/// repositories (default 10,000) in a real SQLite store: how long reading the stored states takes, how long comparing
/// every repository under both baselines takes, and the size of what the check run gets.
/// </summary>
internal static class BaselinePreviewBenchmark
{
    private const string Current = """
        version: 1
        branch_protection: { action: issue, required_approving_review_count: 1 }
        code_owners: { action: log }
        registration: { action: issue }
        external_accounts: { action: issue }
        """;

    private const string Proposed = """
        version: 1
        branch_protection: { action: fix, required_approving_review_count: 2, required_status_checks: [PolicyBot] }
        code_owners: { action: issue, required: true }
        registration: { action: issue }
        external_accounts: { action: issue, remind_days_before: [60, 30, 7] }
        tiers:
          - name: production
            match: { lifecycle: [production] }
            branch_protection: { required_approving_review_count: 3, enforce_admins: true }
        """;

    public static async Task<int> RunAsync(int repositories)
    {
        var culture = CultureInfo.InvariantCulture;
        var database = Path.Combine(Path.GetTempPath(), $"policybot-preview-bench-{Guid.NewGuid():N}.db");
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Storage:Path", database)]).Build();
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            services.AddSingleton<IConfiguration>(configuration);
            services.AddSingleton<IHostEnvironment>(new BenchmarkEnvironment(Path.GetTempPath()));
            services.AddSingleton(TimeProvider.System);
            services.AddStorage(configuration);
            await using var provider = services.BuildServiceProvider();
            await provider.GetRequiredService<IMigrationRunner>().MigrateAsync(CancellationToken.None);
            var store = provider.GetRequiredService<IEvaluationStore>();

            var clock = Stopwatch.StartNew();
            var now = DateTimeOffset.UtcNow;
            for (var i = 0; i < repositories; i++)
            {
                var state = State(i);
                await store.SaveAsync(new StoredRepositoryEvaluation(1, state.Snapshot.FullName, true, null, [], null, now) { State = state }, CancellationToken.None);
            }

            var stored = clock.Elapsed;
            var directory = new OrganizationDirectory
            {
                Login = "large",
                Members = new HashSet<string>(["alice", "bob"], StringComparer.OrdinalIgnoreCase),
                Teams = new Dictionary<string, TeamSnapshot>(StringComparer.OrdinalIgnoreCase) { ["platform"] = new("platform", null, ["alice", "bob"]) },
            };
            var current = PolicyConfigParser.Parse(Current, directory).Config!;
            var proposed = PolicyConfigParser.Parse(Proposed, directory).Config!;
            var preview = new BaselineImpactPreview(RepositoryEvaluator.Create(new RegistrationPolicy(), new ExternalAccountsPolicy()));
            var today = DateOnly.FromDateTime(now.UtcDateTime);

            Console.WriteLine(string.Create(culture, $"Baseline preview benchmark: {repositories} stored repositories, {Environment.ProcessorCount} cores"));
            Console.WriteLine();
            Console.WriteLine("run   read states (ms)  compare (ms)  render (ms)  total (ms)  summary bytes  text bytes");
            BaselineImpact? impact = null;
            for (var run = 1; run <= 3; run++)
            {
                clock.Restart();
                var states = await store.ListStatesAsync(1, CancellationToken.None);
                var read = clock.Elapsed;
                impact = preview.Compute(states.Known, current, proposed, appId: 1, today, directory);
                var compared = clock.Elapsed;
                var summary = BaselineImpactReport.Summary(impact);
                var text = BaselineImpactReport.Text(impact) ?? "";
                var rendered = clock.Elapsed;
                Console.WriteLine(string.Create(culture,
                    $"{run,3}  {read.TotalMilliseconds,16:F0}  {(compared - read).TotalMilliseconds,12:F0}  {(rendered - compared).TotalMilliseconds,11:F0}  {rendered.TotalMilliseconds,10:F0}  {CheckRunReport.Bytes(summary),13}  {CheckRunReport.Bytes(text),10}"));
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(culture, $"storing {repositories} states took {stored.TotalSeconds:F1} s ({new FileInfo(database).Length / 1024} KiB database)"));
            foreach (var policy in impact!.Policies)
            {
                Console.WriteLine(string.Create(culture,
                    $"{policy.Policy,-18} newly below {policy.NewlyBelow.Count,6}  newly meeting {policy.NewlyMeeting.Count,6}  still below {policy.StillBelow,6}  fixes {policy.Fixes.Count,6}  unknown {policy.Unknown.Count,6}"));
            }

            return 0;
        }
        finally
        {
            foreach (var file in new[] { database, database + "-wal", database + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>A repository as an evaluation stores it: registered (a third in production), protected to varying degrees.</summary>
    private static KnownRepositoryState State(int i)
    {
        var name = $"repo-{i:D5}";
        var lifecycle = i % 3 == 0 ? "production" : "experimental";
        var catalog = $"""
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata:
              name: {name}
              description: Service number {i}
            spec:
              type: service
              lifecycle: {lifecycle}
              owner: group:platform
              dependsOn: [resource:{name}-account]
            ---
            apiVersion: backstage.io/v1alpha1
            kind: Resource
            metadata:
              name: {name}-account
              annotations:
                policybot/renews-on: "{DateTime.UtcNow.AddDays(i % 90):yyyy-MM-dd}"
                policybot/billing-contact: "@large/platform"
            spec:
              type: external-account
              owner: group:platform
            """;
        var snapshot = new RepositorySnapshot
        {
            Owner = "large",
            Name = name,
            DefaultBranch = "main",
            CreatedAt = DateTimeOffset.UtcNow.AddDays(-400),
            CatalogInfo = new RepositoryFile("catalog-info.yaml", catalog, "sha"),
            Lifecycle = lifecycle,
            CodeOwners = i % 4 == 0 ? null : new CodeOwnersFile(".github/CODEOWNERS", "* @large/platform\n", []),
            TeamAccess = new Dictionary<string, RepositoryAccess>(StringComparer.OrdinalIgnoreCase) { ["platform"] = RepositoryAccess.Write },
            Branches =
            [
                new BranchProtectionState
                {
                    Branch = "main",
                    Classic = i % 5 == 0 ? null : new ClassicProtection { RequiredApprovingReviewCount = 1 + (i % 3), DismissStaleReviews = true },
                },
            ],
        };
        return new KnownRepositoryState(snapshot, FilesRead: true, BranchesReadFor: ["default"], CustomPropertiesRead: false);
    }

    private sealed class BenchmarkEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";

        public string ApplicationName { get; set; } = "benchmark";

        public string ContentRootPath { get; set; } = root;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
