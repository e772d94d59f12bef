using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PolicyBot.Dashboard;
using PolicyBot.GitHub;
using PolicyBot.SignIn;

namespace PolicyBot.Setup;

/// <summary>
/// What <c>serve</c> runs when no GitHub App is configured at all (no app id, no private key, no webhook secret):
/// not a refusal to start, but a small app whose dashboard explains the next step and whose <c>/setup</c> registers
/// the app through the manifest flow. Once <c>/setup</c> has stored the credentials it stops, and <c>serve</c> starts
/// PolicyBot itself, which reads them (<see cref="GitHubAppCredentialsFile"/>). No webhook is accepted and nothing
/// is evaluated meanwhile: without a secret a delivery cannot be verified, without a key GitHub cannot be asked.
/// </summary>
public static class SetupMode
{
    /// <summary>
    /// True when the configuration names no part of a GitHub App. A partly configured app (an id without a key)
    /// is a mistake to report, not a first run.
    /// </summary>
    public static bool IsNeeded(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new GitHubOptions();
        try
        {
            configuration.GetSection(GitHubOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException)
        {
            // A value that does not convert (GitHub:AppId=abc) is something set: the start-up checks name it.
            return false;
        }

        new GitHubOptionsAliases(configuration).PostConfigure(null, options);
        return options.AppId == 0
            && string.IsNullOrWhiteSpace(options.PrivateKey)
            && string.IsNullOrWhiteSpace(options.PrivateKeyPath)
            && string.IsNullOrEmpty(options.WebhookSecret);
    }

    /// <summary>The setup-mode app, from the same builder (settings, content root, URLs) <c>serve</c> would have used.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        GitHubAppCredentialsFile.AddTo(builder);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddGitHubSettings(builder.Configuration);
        builder.Services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.SectionName));
        builder.Services.AddGitHubSignIn(builder.Configuration);
        builder.Services.AddSingleton<DashboardAccess>();
        builder.Services.AddSingleton<SetupCode>();
        builder.Services.AddSingleton<SetupCompletion>();
        builder.Services.AddHealthChecks();

        var app = builder.Build();
        app.MapHealthChecks("/healthz");
        app.MapGet("/", (HttpContext context, DashboardAccess access, SetupCode code) =>
            TypedResults.Content(DashboardPage.SetupNeeded(access.IsOperator(context) || code.Admits(context), SetupCode.QueryName), "text/html; charset=utf-8"));

        // Not ready, and deliveries refused outright: nothing could verify their signature.
        app.MapGet("/readyz", () => TypedResults.Text("Unhealthy\nsetup: no GitHub App is configured yet; open / to register one\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapPost("/api/github/webhooks", () => TypedResults.Problem("PolicyBot has no GitHub App yet, so it cannot verify deliveries; complete /setup.", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapSetup();
        return app;
    }

    /// <summary>Where the app listens, for the printed link: a wildcard host (0.0.0.0, [::], +, *) as localhost.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return [.. addresses.Select(a => Uri.TryCreate(a.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            && (uri.Host is "0.0.0.0" or "[::]" or "::")
                ? new UriBuilder(uri) { Host = "localhost" }.Uri.GetLeftPart(UriPartial.Authority)
                : a.TrimEnd('/'))];
    }

    /// <summary>The link the console shows: the setup page with this run's code.</summary>
    public static string Link(WebApplication app, string address)
    {
        ArgumentNullException.ThrowIfNull(app);
        return $"{address}/setup?{SetupCode.QueryName}={app.Services.GetRequiredService<SetupCode>().Value}";
    }

    /// <summary>Whether <c>/setup</c> stored new credentials during this run (then <c>serve</c> starts PolicyBot with them).</summary>
    public static bool CredentialsStored(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<SetupCompletion>().CredentialsStored;
    }
}
