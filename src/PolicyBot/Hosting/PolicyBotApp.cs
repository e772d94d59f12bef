using PolicyBot.Dashboard;
using PolicyBot.Enforcement;
using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Setup;
using PolicyBot.SignIn;
using PolicyBot.Storage;
using PolicyBot.Webhooks;

namespace PolicyBot.Hosting;

/// <summary>
/// Composition of the app: one <c>Add{Feature}</c> and one <c>Map{Feature}</c> per concern.
/// Commands that run the app wired differently (such as <c>sandbox</c>) change the builder between
/// <see cref="CreateBuilder"/> and <see cref="Build"/>.
/// </summary>
public static class PolicyBotApp
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        StartupFailureLog.Register(builder);
        GitHubAppCredentialsFile.AddTo(builder);

        builder.Services.AddStorage(builder.Configuration);
        builder.Services.AddGitHub(builder.Configuration);
        builder.Services.AddProcessing(builder.Configuration);
        builder.Services.AddWebhooks(builder.Configuration);
        builder.Services.AddEnforcement(builder.Configuration);
        builder.Services.AddDashboard(builder.Configuration);
        builder.Services.AddGitHubSignIn(builder.Configuration);
        builder.Services.AddOperations();
        builder.Services.AddTelemetry(builder.Configuration);

        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var app = builder.Build();
        StartupFailureLog.Watch(app);

        app.MapWebhooks();
        app.MapOperations();
        app.MapTelemetry();
        app.MapDashboard();
        app.MapSetup();
        app.MapGitHubSignIn();

        return app;
    }
}
