using Octokit.Webhooks;
using Octokit.Webhooks.AspNetCore;

namespace PolicyBot.Webhooks;

public static class WebhookExtensions
{
    public const string Path = "/api/github/webhooks";

    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<WebhookEventProcessor, DeliveryIntake>();
        services.AddOptions<WebhookIntakeOptions>().Bind(configuration.GetSection(WebhookIntakeOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<WebhookIntakeOptions>, WebhookIntakeOptionsValidation>();
        services.AddSingleton<WebhookIntakeBudget>();
        services.AddSingleton<DeliveryGroupCommit>();
        services.AddHostedService(provider => provider.GetRequiredService<DeliveryGroupCommit>());
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
            context => HttpMethods.IsPost(context.Request.Method) && IsWebhookPath(context.Request.Path),
            branch => branch.UseMiddleware<WebhookIntakeGuard>());

        app.MapGitHubWebhooks(Path);
        return app;
    }

    /// <summary>Routing takes the path with a trailing slash too, so the guard must see it as well.</summary>
    internal static bool IsWebhookPath(PathString path) =>
        path.Value is { } value && value.TrimEnd('/').Equals(Path, StringComparison.OrdinalIgnoreCase);
}
