using System.Globalization;
using Microsoft.Extensions.Options;

namespace PolicyBot.GitHub;

/// <summary>Fills <see cref="GitHubOptions"/> from the names GitHub App tooling uses, where the section leaves a value unset.</summary>
internal sealed class GitHubOptionsAliases(IConfiguration configuration) : IPostConfigureOptions<GitHubOptions>
{
    public void PostConfigure(string? name, GitHubOptions options)
    {
        if (options.AppId == 0 && configuration["APP_ID"] is { Length: > 0 } appId
            && long.TryParse(appId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            options.AppId = id;
        }

        if (string.IsNullOrWhiteSpace(options.PrivateKey) && string.IsNullOrWhiteSpace(options.PrivateKeyPath))
        {
            options.PrivateKey = NullIfEmpty(configuration["PRIVATE_KEY"]);
            options.PrivateKeyPath = NullIfEmpty(configuration["PRIVATE_KEY_PATH"]);
        }

        if (string.IsNullOrEmpty(options.WebhookSecret))
        {
            options.WebhookSecret = NullIfEmpty(configuration["WEBHOOK_SECRET"]);
        }

        if (options.ApiBaseUrl is null && configuration["GHE_HOST"] is { Length: > 0 } host
            && Uri.TryCreate($"https://{host.Trim().TrimEnd('/')}/api/v3/", UriKind.Absolute, out var enterprise))
        {
            options.ApiBaseUrl = enterprise;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>Checks the GitHub settings; each failure is one line naming the setting, never its value.</summary>
internal sealed class GitHubOptionsValidation(IConfiguration configuration, IHostEnvironment environment) : IValidateOptions<GitHubOptions>
{
    public ValidateOptionsResult Validate(string? name, GitHubOptions options)
    {
        var failures = new List<string>();

        if (options.AppId <= 0)
        {
            failures.Add(configuration["APP_ID"] is { Length: > 0 } || configuration["GitHub:AppId"] is { Length: > 0 }
                ? "GitHub:AppId (APP_ID) must be the app's numeric id."
                : "GitHub:AppId (APP_ID) is not set: the GitHub App's numeric id is required.");
        }

        if (options.ReceivesWebhooks && string.IsNullOrEmpty(options.WebhookSecret))
        {
            failures.Add("GitHub:WebhookSecret (WEBHOOK_SECRET) is not set: without it unsigned deliveries would be accepted.");
        }

        if (GitHubPrivateKey.Check(options, environment.ContentRootPath) is { } keyProblem)
        {
            failures.Add(keyProblem);
        }

        if (options.ApiBaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add("GitHub:ApiBaseUrl (GHE_HOST) must be an absolute http(s) URL.");
        }

        if (options.ContentCreationInterval < TimeSpan.Zero)
        {
            failures.Add("GitHub:ContentCreationInterval must not be negative.");
        }

        if (options.ContentCreationsPerMinute < 0 || options.ContentCreationsPerHour < 0)
        {
            failures.Add("GitHub:ContentCreationsPerMinute and GitHub:ContentCreationsPerHour must not be negative (0: no limit).");
        }

        if (options.RetryCount < 0 || options.RetryBaseDelay < TimeSpan.Zero || options.MaxRateLimitWait < TimeSpan.Zero)
        {
            failures.Add("GitHub:RetryCount, GitHub:RetryBaseDelay and GitHub:MaxRateLimitWait must not be negative.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("GitHub:RequestTimeout must be positive.");
        }

        if (options.ResponseCacheBytes < 0)
        {
            failures.Add("GitHub:ResponseCacheBytes must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
