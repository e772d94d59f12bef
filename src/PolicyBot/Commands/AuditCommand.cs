using Octokit;
using PolicyBot.Audit;
using PolicyBot.Hosting;

namespace PolicyBot.Commands;

/// <summary>
/// <c>policybot audit [--format table|json|csv] [--org ORG] [--sandbox [SCENARIO]]</c>: one pass over an
/// organisation without acting. Exit 0 all compliant, 1 findings, 2 error.
/// </summary>
public sealed class AuditCommand : ICliCommand
{
    public const int FindingsExitCode = 1;
    public const int ErrorExitCode = 2;

    /// <summary>Called with the simulator of <c>--sandbox</c> once it is seeded, so that tests can see every request the audit makes.</summary>
    internal Action<Sandbox.GitHubSimulator>? SandboxStarted { get; init; }

    public string Name => "audit";

    public string Summary => "one pass over an organisation without acting (--format table|json|csv, --org ORG, --sandbox [SCENARIO])";

    public string Help => """
        usage: policybot audit [--format table|json|csv] [--org ORG] [--sandbox [SCENARIO]]

        Evaluates every repository of an organisation once and prints the findings; acts on nothing.
        Needs the app's id and private key (as serve does), not the webhook secret.

          --format FORMAT     table (default), json or csv
          --org ORG           the organisation to audit (default: the app's only installation)
          --sandbox [FILE]    audit a simulated organisation: the scenario FILE, or the bundled demo

        Exit codes: 0 every repository meets the baseline, 1 findings, 2 error (bad arguments, settings, GitHub).
        """;

    public async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!TryParse(args, out var options, out var problem))
        {
            await error.WriteLineAsync($"policybot audit: {problem}").ConfigureAwait(false);
            await error.WriteLineAsync("usage: policybot audit [--format table|json|csv] [--org ORG] [--sandbox [SCENARIO]]").ConfigureAwait(false);
            return ErrorExitCode;
        }

        SandboxGitHub? sandbox = null;
        try
        {
            var builder = PolicyBotApp.CreateBuilder([]);
            // The audit reads and never receives webhooks: no webhook secret needed.
            builder.Services.Configure<GitHub.GitHubOptions>(github => github.ReceivesWebhooks = false);
            if (options.Sandbox)
            {
                if (options.Scenario is { } scenarioFile)
                {
                    _ = await InputFile.ReadTextAsync(scenarioFile, cancellationToken).ConfigureAwait(false);
                }

                sandbox = await SandboxGitHub.StartAsync(options.Scenario, port: 0, webhookSecret: null, cancellationToken).ConfigureAwait(false);
                await sandbox.Simulator.InstallAsync(sandbox.Scenario.Org, cancellationToken).ConfigureAwait(false);
                SandboxStarted?.Invoke(sandbox.Simulator);
                builder.Configuration.AddInMemoryCollection(sandbox.Settings);
            }

            // The report is the output: logs would get in the way of JSON and CSV.
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<OrganizationAuditor>();
            builder.Services.AddSingleton<Enforcement.PolicyFiles.IValidPolicyFileStore, Enforcement.PolicyFiles.InMemoryValidPolicyFileStore>();

            // The audit reads GitHub only; it never migrates or shares a database.
            builder.Services.AddSingleton<Enforcement.State.IOrganizationDirectoryVersions, Enforcement.State.OneShotDirectoryVersions>();
            builder.Services.AddSingleton<GitHub.Budget.IRateLimitStore, GitHub.Budget.OneShotRateLimitStore>();
            await using var app = PolicyBotApp.Build(builder);
            if (StartupChecks.Find(app.Services) is { Count: > 0 } problems)
            {
                foreach (var line in problems)
                {
                    await error.WriteLineAsync($"policybot: {line}").ConfigureAwait(false);
                }

                return ErrorExitCode;
            }

            await using var scope = app.Services.CreateAsyncScope();
            var report = await scope.ServiceProvider.GetRequiredService<OrganizationAuditor>().AuditAsync(options.Org, cancellationToken).ConfigureAwait(false);
            await output.WriteAsync(AuditFormatter.Format(report, options.Format)).ConfigureAwait(false);
            return report.Compliant ? 0 : FindingsExitCode;
        }
        catch (Exception ex) when (ex is AuditException or InputFileException or ApiException or HttpRequestException or IOException or UnauthorizedAccessException or Sandbox.Scenarios.ScenarioException or InvalidOperationException or FormatException)
        {
            await error.WriteLineAsync($"policybot audit: {ex.Message}").ConfigureAwait(false);
            return ErrorExitCode;
        }
        finally
        {
            if (sandbox is not null)
            {
                await sandbox.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed record AuditOptions(string Format, string? Org, bool Sandbox, string? Scenario);

    private static bool TryParse(string[] args, out AuditOptions options, out string problem)
    {
        options = new AuditOptions("table", null, false, null);
        problem = "";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--format" or "--org" when i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal):
                    problem = CommandDispatcher.MissingValue(args[i], args[i] == "--org" ? "the organisation's login" : "table, json or csv");
                    return false;
                case "--format" when AuditFormatter.Formats.Contains(args[i + 1]):
                    options = options with { Format = args[++i] };
                    break;
                case "--format":
                    problem = $"--format takes table, json or csv, not '{args[i + 1]}'";
                    return false;
                case "--org":
                    options = options with { Org = args[++i] };
                    break;
                case "--sandbox":
                    var scenario = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
                    options = options with { Sandbox = true, Scenario = scenario };
                    break;
                default:
                    problem = $"unknown argument '{args[i]}'";
                    return false;
            }
        }

        return true;
    }
}
