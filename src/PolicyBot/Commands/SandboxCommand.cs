using System.Globalization;

namespace PolicyBot.Commands;

/// <summary>
/// <c>policybot sandbox [SCENARIO] [--port N] [--github-port M]</c>: <c>serve</c> wired to the built-in
/// GitHub simulator, seeded from a scenario (the demo organisation when none is given) and installed
/// on it, so that everything is evaluated at once.
/// With <c>--github-only --credentials-file F</c> it runs only the simulator, for scale-out runs: the app's
/// credentials go to F as environment lines for <c>policybot serve</c> replicas, the app is installed when
/// <c>POST /_sandbox/installations/{org}</c> asks, and <c>PUT /_sandbox/webhook-url {"urls": [...]}</c>
/// points the webhooks at the replicas, round-robin.
/// </summary>
public sealed class SandboxCommand : ICliCommand
{
    public const int DefaultPort = 3000;
    public const int DefaultGitHubPort = 3001;

    public string Name => "sandbox";

    public string Summary => "serve against the built-in GitHub simulator, seeded from SCENARIO or the demo organisation (--port N, --github-port M; --github-only --credentials-file F runs only the simulator)";

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
        if (!TryParse(args, out var scenario, out var port, out var githubPort, out var githubOnly, out var credentialsFile, out var problem))
        {
            await error.WriteLineAsync($"policybot sandbox: {problem}").ConfigureAwait(false);
            await error.WriteLineAsync("usage: policybot sandbox [SCENARIO] [--port N] [--github-port M] [--github-only --credentials-file F]").ConfigureAwait(false);
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
        if (githubOnly)
        {
            return await RunGitHubOnlyAsync(sandbox, credentialsFile!, output, cancellationToken).ConfigureAwait(false);
        }

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
    /// Only the simulator: writes the app's credentials (the private key to a file beside F) and waits, the app not
    /// installed until a test or a person asks, so replicas can be started first and all see the installation.
    /// </summary>
    private static async Task<int> RunGitHubOnlyAsync(SandboxGitHub sandbox, string credentialsFile, TextWriter output, CancellationToken cancellationToken)
    {
        var file = Path.GetFullPath(credentialsFile);
        var keyFile = file + ".pem";
        await File.WriteAllTextAsync(keyFile, sandbox.Simulator.AppPrivateKeyPem, cancellationToken).ConfigureAwait(false);
        var api = sandbox.Simulator.BaseUrl.ToString().TrimEnd('/');

        // Written whole, then renamed: whoever waits for the file never reads half of it.
        var partial = file + ".partial";
        await File.WriteAllTextAsync(partial, string.Create(CultureInfo.InvariantCulture, $"""
            APP_ID={sandbox.Simulator.AppId}
            PRIVATE_KEY_PATH={keyFile}
            WEBHOOK_SECRET={sandbox.Simulator.WebhookSecret}
            GitHub__ApiBaseUrl={api}/

            """), cancellationToken).ConfigureAwait(false);
        File.Move(partial, file, overwrite: true);

        await output.WriteLineAsync($"""
            PolicyBot sandbox (GitHub only): organisation {sandbox.Scenario.Org} ({sandbox.Scenario.SourceName}), not installed yet
              GitHub simulator API: {api}/
              Credentials:          {file}
            Start replicas with those lines in their environment, then:
              curl -X PUT {api}/_sandbox/webhook-url -d '{"{"}"urls":["http://127.0.0.1:PORT1/api/github/webhooks","http://127.0.0.1:PORT2/api/github/webhooks"]{"}"}'
              curl -X POST {api}/_sandbox/installations/{sandbox.Scenario.Org}
            Press Ctrl+C to stop.
            """).ConfigureAwait(false);

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: the simulator stops with the command.
        }

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

    private static bool TryParse(string[] args, out string? scenario, out int port, out int githubPort, out bool githubOnly, out string? credentialsFile, out string problem)
    {
        scenario = null;
        port = DefaultPort;
        githubPort = DefaultGitHubPort;
        githubOnly = false;
        credentialsFile = null;
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
                case "--github-only":
                    githubOnly = true;
                    break;
                case "--credentials-file" when i + 1 < args.Length:
                    credentialsFile = args[i + 1];
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

        if (githubOnly != credentialsFile is not null)
        {
            problem = "--github-only and --credentials-file go together";
            return false;
        }

        return true;
    }
}
