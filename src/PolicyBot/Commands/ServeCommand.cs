using PolicyBot.Hosting;
using PolicyBot.Setup;

namespace PolicyBot.Commands;

/// <summary><c>policybot serve</c>: the GitHub App (webhooks, workers, reconcile).</summary>
public sealed class ServeCommand : ICliCommand
{
    public const string CommandName = "serve";

    public string Name => CommandName;

    public string Summary => "run the GitHub App: webhook receiver, workers, periodic reconcile (the default)";

    public string Help => """
        usage: policybot [serve] [--urls URLS] [--KEY VALUE ...]

        Runs the GitHub App: the webhook receiver, the workers, the periodic reconcile and the dashboard.
        Settings come from appsettings.json, environment variables (GitHub__AppId, or APP_ID, PRIVATE_KEY,
        PRIVATE_KEY_PATH, WEBHOOK_SECRET, GHE_HOST) and --KEY VALUE arguments (--GitHub:AppId 42).

          --urls URLS   where to listen, such as http://0.0.0.0:8080 (default http://localhost:5000)

        With no GitHub App configured at all (first run), it starts in setup mode: it prints a link to /setup,
        which registers the app on GitHub and stores its credentials in data/github-app.env; PolicyBot then
        starts with them, and reads that file at every later start.

        Exit codes: 0 stopped, 1 a setting is missing or invalid or the port is in use.
        """;

    public async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var app = PolicyBotApp.Build(PolicyBotApp.CreateBuilder(args));

        // First run: no GitHub App at all. Serve the setup page until /setup has stored one, then start with it.
        // Judged on the built app's configuration, which includes what a host (WebApplicationFactory) adds at build.
        if (SetupMode.IsNeeded(app.Configuration))
        {
            await app.DisposeAsync().ConfigureAwait(false);
            if (await RunSetupModeAsync(args, output, error, cancellationToken).ConfigureAwait(false) is { } exit)
            {
                return exit;
            }

            app = PolicyBotApp.Build(PolicyBotApp.CreateBuilder(args));
        }

        await using var _ = app;

        // A missing or invalid setting stops start-up with one line per problem, naming the setting.
        if (StartupChecks.Find(app.Services) is { Count: > 0 } problems)
        {
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"policybot: {problem}").ConfigureAwait(false);
            }

            return 1;
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (PortInUse.Matches(ex))
        {
            await error.WriteLineAsync($"policybot: {PortInUse.Describe(ex)}").ConfigureAwait(false);
            return 1;
        }

        // A host without addresses (a test server) has nothing to say here.
        if (SetupMode.Addresses(app) is { Count: > 0 } addresses)
        {
            await output.WriteLineAsync($"policybot: serving on {string.Join(", ", addresses)}").ConfigureAwait(false);
        }

        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Runs the setup-mode app until it stops: null when <c>/setup</c> stored credentials (start PolicyBot now),
    /// else the exit code (0 stopped before setup was done, 1 the port is in use).
    /// </summary>
    private static async Task<int?> RunSetupModeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        await using var setup = SetupMode.Build(args);
        try
        {
            await setup.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (PortInUse.Matches(ex))
        {
            await error.WriteLineAsync($"policybot: {PortInUse.Describe(ex)}").ConfigureAwait(false);
            return 1;
        }

        var address = SetupMode.Addresses(setup).FirstOrDefault() ?? "http://localhost:5000";
        await output.WriteLineAsync($"policybot: no GitHub App is configured yet (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET). Register one: open {SetupMode.Link(setup, address)}").ConfigureAwait(false);
        await setup.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested || !SetupMode.CredentialsStored(setup))
        {
            return 0;
        }

        await output.WriteLineAsync("policybot: the GitHub App is registered; starting with it.").ConfigureAwait(false);
        return null;
    }
}
