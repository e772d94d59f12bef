using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Octokit.Webhooks.AspNetCore;

namespace PolicyBot.GitHub;

public static class GitHubExtensions
{
    /// <summary>
    /// The GitHub settings alone, bound and filled from the names GitHub App tooling uses, not validated: setup
    /// mode (no app yet) reads the API root from them.
    /// </summary>
    public static IServiceCollection AddGitHubSettings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GitHubOptions>().Bind(configuration.GetSection(GitHubOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<GitHubOptions>, GitHubOptionsAliases>());
        return services;
    }

    /// <summary>GitHub App authentication and the one GitHub client pipeline.</summary>
    public static IServiceCollection AddGitHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.AddGitHubSettings(configuration);
        services.AddOptions<GitHubOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<GitHubOptions>, GitHubOptionsValidation>();

        // The webhook endpoint reads its secret from the same settings.
        services.AddOptions<GitHubWebhookOptions>()
            .Configure<IOptions<GitHubOptions>>((webhook, github) => webhook.Secret = github.Value.WebhookSecret);

        services.AddSingleton<GitHubAppJwt>();
        services.AddSingleton<AppCredentialStore>();
        services.AddSingleton<InstallationTokenCache>();
        services.TryAddSingleton<IInstallationTokenIssuer, OctokitInstallationTokenIssuer>();
        services.AddSingleton<GitHubResponseCache>();
        services.AddOptions<Budget.RateLimitBudgetOptions>().Bind(configuration.GetSection(Budget.RateLimitBudgetOptions.SectionName));
        services.AddSingleton<Budget.RateLimitBudget>();
        services.AddSingleton<ContentCreationPacing>();

        // The database's ledger (AddStorage) when PolicyBot serves; a process without storage paces alone.
        services.TryAddSingleton<IContentCreationLedger, InProcessContentCreationLedger>();
        services.AddSingleton<GitHubRetryPolicy>();
        services.AddSingleton<IGitHubClientFactory, GitHubClientFactory>();

        services.AddTransient<ContentCreationPacingHandler>();
        services.AddTransient<GitHubRequestMetricsHandler>();

        // Outermost first: retries wrap pacing, which wraps the per-attempt timeout; metrics see every attempt.
        services.AddHttpClient(GitHubClientFactory.HttpClientName)
            .AddPolicyHandler((provider, request) => provider.GetRequiredService<GitHubRetryPolicy>().For(request))
            .AddHttpMessageHandler<ContentCreationPacingHandler>()
            .AddPolicyHandler((provider, _) => provider.GetRequiredService<GitHubRetryPolicy>().Timeout)
            .AddHttpMessageHandler<GitHubRequestMetricsHandler>();

        return services;
    }
}
