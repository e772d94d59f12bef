using System.Globalization;

namespace PolicyBot.Commands;

/// <summary>
/// <c>policybot sandbox [SCENARIO] [--port N] [--github-port M]</c>: <c>serve</c> wired to the built-in
/// GitHub simulator, seeded from a scenario (the demo organisation when none is given) and installed
/// on it, so that everything is evaluated at once.
/// </summary>
public sealed class SandboxCommand : ICliCommand
{
    public const int DefaultPort = 3000;
    public const int DefaultGitHubPort = 3001;

    public string Name => "sandbox";

    public string Summary => "serve against the built-in GitHub simulator, seeded from SCENARIO or the demo organisation (--port N, --github-port M)";

    public async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!TryParse(args, out var scenario, out var port, out var githubPort, out var problem))
        {
            await error.WriteLineAsync($"policybot sandbox: {problem}").ConfigureAwait(false);
            await error.WriteLineAsync("usage: policybot sandbox [SCENARIO] [--port N] [--github-port M]").ConfigureAwait(false);
            return CommandDispatcher.UsageExitCode;
        }

        // The webhook secret is the configured one when set, else the simulator's fresh one.
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var secret = configuration["GitHub:WebhookSecret"] is { Length: > 0 } configured ? configured : configuration["WEBHOOK_SECRET"];
        SandboxGitHub sandbox;
        try
        {
            sandbox = await SandboxGitHub.StartAsync(scenario, githubPort, string.IsNullOrEmpty(secret) ? null : secret, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Sandbox.Scenarios.ScenarioException)
        {
            await error.WriteLineAsync($"policybot sandbox: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        await using var sandboxScope = sandbox;

        // The simulated organisation is new at every start, so PolicyBot's records start afresh with it.
        var database = Path.GetFullPath(Path.Combine("data", "sandbox.db"));
        foreach (var file in new[] { database, database + "-wal", database + "-shm" }.Where(File.Exists))
        {
            File.Delete(file);
        }

        var started = await sandbox.StartPolicyBotAsync(port,
        [
            new("Storage:Path", database),
            new("Storage:ConnectionString", null),
            // The simulator has no secondary rate limits unless asked; a short pace keeps the demo quick.
            new("GitHub:ContentCreationInterval", "00:00:00.100"),
        ], error, Dashboard.SandboxMode.Register, cancellationToken).ConfigureAwait(false);
        if (started is not { } running)
        {
            return 1;
        }

        await using var app = running.App;
        var address = running.Address.ToString().TrimEnd('/');
        await sandbox.Simulator.InstallAsync(sandbox.Scenario.Org, cancellationToken).ConfigureAwait(false);

        var api = sandbox.Simulator.BaseUrl.ToString().TrimEnd('/');
        var member = sandbox.Scenario.Members.FirstOrDefault() ?? "octocat";
        await output.WriteLineAsync($"""
            PolicyBot sandbox: organisation {sandbox.Scenario.Org} ({sandbox.Scenario.SourceName}), installation {sandbox.Scenario.InstallationId.ToString(CultureInfo.InvariantCulture)}
              Dashboard:            {address}/
              GitHub simulator API: {api}/
              Webhook secret:       {sandbox.Simulator.WebhookSecret}
            Act as a member of the organisation, for example:
              curl -H "Authorization: Bearer sandbox:{member}" -X POST {api}/orgs/{sandbox.Scenario.Org}/repos -d '{"{"}"name":"my-service","auto_init":true{"}"}'
            Press Ctrl+C to stop.
            """).ConfigureAwait(false);

        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static bool TryParse(string[] args, out string? scenario, out int port, out int githubPort, out string problem)
    {
        scenario = null;
        port = DefaultPort;
        githubPort = DefaultGitHubPort;
        problem = "";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535:
                    port = p;
                    i++;
                    break;
                case "--github-port" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var g) && g is >= 0 and <= 65535:
                    githubPort = g;
                    i++;
                    break;
                case var arg when !arg.StartsWith("--", StringComparison.Ordinal) && scenario is null:
                    scenario = arg;
                    break;
                default:
                    problem = $"unexpected argument '{args[i]}'";
                    return false;
            }
        }

        return true;
    }
}
