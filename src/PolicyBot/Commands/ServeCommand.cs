using PolicyBot.Hosting;

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

        Exit codes: 0 stopped, 1 a setting is missing or invalid or the port is in use.
        """;

    public async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);

        var builder = PolicyBotApp.CreateBuilder(args);
        await using var app = PolicyBotApp.Build(builder);

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
            await app.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (PortInUse.Matches(ex))
        {
            await error.WriteLineAsync($"policybot: {PortInUse.Describe(ex)}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }
}
