using Octokit.Webhooks;
using Octokit.Webhooks.AspNetCore;

namespace PolicyBot.Webhooks;

public static class WebhookExtensions
{
    public const string Path = "/api/github/webhooks";

    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<WebhookEventProcessor, DeliveryIntake>();
        return services;
    }

    /// <summary>
    /// <c>POST /api/github/webhooks</c>: the guard checks size, headers and JSON, then the library checks
    /// the signature against <c>GitHub:WebhookSecret</c> (via <see cref="GitHubWebhookOptions"/>) and hands
    /// the delivery to <see cref="DeliveryIntake"/>.
    /// </summary>
    public static WebApplication MapWebhooks(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseWhen(
            context => HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase),
            branch => branch.UseMiddleware<WebhookIntakeGuard>());

        app.MapGitHubWebhooks(Path);
        return app;
    }
}
