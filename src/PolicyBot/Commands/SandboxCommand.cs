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

    public string Help => """
        usage: policybot sandbox [SCENARIO] [--port N] [--github-port M]

        Runs PolicyBot against the built-in GitHub simulator, seeded from the scenario file SCENARIO (the bundled
        demo organisation when none is given) and installed on it, so that everything is evaluated at once.
        Prints the dashboard's address, the simulator's API address and the webhook secret.

          --port N          PolicyBot's port (default 3000; 0: any free port)
          --github-port M   the simulator's port (default 3001; 0: any free port)

        The console shows warnings and what PolicyBot does; Logging__LogLevel__Default=Information shows every detail.
        Exit codes: 0 stopped, 1 the scenario or a port cannot be used, 2 bad arguments.
        """;

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
            if (scenario is not null)
            {
                _ = await InputFile.ReadTextAsync(scenario, cancellationToken).ConfigureAwait(false);
            }

            sandbox = await SandboxGitHub.StartAsync(scenario, githubPort, string.IsNullOrEmpty(secret) ? null : secret, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (PortInUse.Matches(ex))
        {
            await error.WriteLineAsync($"policybot sandbox: the simulator's port: {PortInUse.Describe(ex)}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Sandbox.Scenarios.ScenarioException or InputFileException)
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

        (WebApplication App, Uri Address)? started;
        try
        {
            started = await sandbox.StartPolicyBotAsync(port,
        [
            new("Storage:Path", database),
            new("Storage:ConnectionString", null),
            // The simulator has no secondary rate limits unless asked; a short pace keeps the demo quick.
            new("GitHub:ContentCreationInterval", "00:00:00.100"),
        ], error, builder =>
            {
                QuietConsole(builder);
                Dashboard.SandboxMode.Register(builder);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (PortInUse.Matches(ex))
        {
            await error.WriteLineAsync($"policybot sandbox: {PortInUse.Describe(ex)}").ConfigureAwait(false);
            return 1;
        }

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

    /// <summary>
    /// The sandbox is watched by a person: warnings and what PolicyBot does to the organisation (issues, checks,
    /// fixes, sign-ins), one line each, not every delivery and work item. These are defaults placed just after
    /// appsettings files, so environment variables and arguments (<c>Logging__LogLevel__Default=Information</c>)
    /// still turn detail on.
    /// </summary>
    internal static void QuietConsole(WebApplicationBuilder builder)
    {
        var sources = builder.Configuration.Sources;
        var afterFiles = sources.Select((source, index) => (source, index)).LastOrDefault(s => s.source is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource).index + 1;
        sources.Insert(afterFiles, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:PolicyBot.Enforcement"] = "Information",
                ["Logging:LogLevel:PolicyBot.SignIn"] = "Information",
                ["Logging:Console:FormatterName"] = "simple",
                ["Logging:Console:FormatterOptions:SingleLine"] = "true",
                ["Logging:Console:FormatterOptions:IncludeScopes"] = "false",
                ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss ",
            },
        });
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
                case "--port" or "--github-port" when i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal):
                    problem = CommandDispatcher.MissingValue(args[i], "a port number from 0 to 65535 (0: any free port)");
                    return false;
                case "--port" when int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535:
                    port = p;
                    i++;
                    break;
                case "--github-port" when int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var g) && g is >= 0 and <= 65535:
                    githubPort = g;
                    i++;
                    break;
                case "--port" or "--github-port":
                    problem = $"{args[i]} takes a port number from 0 to 65535, not '{args[i + 1]}'";
                    return false;
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
