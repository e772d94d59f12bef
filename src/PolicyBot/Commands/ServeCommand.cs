using PolicyBot.Hosting;

namespace PolicyBot.Commands;

/// <summary><c>policybot serve</c>: the GitHub App (webhooks, workers, reconcile).</summary>
public sealed class ServeCommand : ICliCommand
{
    public const string CommandName = "serve";

    public string Name => CommandName;

    public string Summary => "run the GitHub App: webhook receiver, workers, periodic reconcile (the default)";

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

        await app.RunAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
