using System.Reflection;
using Microsoft.Extensions.Options;
using Octokit;
using Octokit.Caching;
using Octokit.Internal;

namespace PolicyBot.GitHub;

/// <summary>The one way to get a GitHub client: as the app, or as one of its installations.</summary>
public interface IGitHubClientFactory
{
    /// <summary>A client authenticated with the app's JWT (for /app endpoints and installation tokens).</summary>
    IGitHubClient CreateAppClient();

    /// <summary>A client authenticated as the installation, its token cached and renewed before it expires.</summary>
    Task<IGitHubClient> CreateInstallationClientAsync(long installationId, CancellationToken cancellationToken);

    /// <summary>A client without credentials, for the few calls GitHub takes unauthenticated (the manifest conversion).</summary>
    IGitHubClient CreateAnonymousClient();

    /// <summary>A client acting as a person who signed in with GitHub (a user-to-server token).</summary>
    IGitHubClient CreateUserClient(string accessToken);
}

/// <summary>
/// Builds Octokit clients whose every request, typed or raw through <see cref="IGitHubClient.Connection"/>,
/// goes through the named <see cref="HttpClientName"/> pipeline (retries, rate limits, pacing, metrics)
/// and the ETag cache.
/// </summary>
internal sealed class GitHubClientFactory(
    IHttpMessageHandlerFactory handlers,
    IOptions<GitHubOptions> options,
    GitHubResponseCache responseCache,
    AppCredentialStore appCredentials,
    Budget.RateLimitBudget budget,
    IServiceProvider services) : IGitHubClientFactory
{
    public const string HttpClientName = "github";

    private static readonly ProductHeaderValue UserAgent = new(
        "PolicyBot",
        typeof(GitHubClientFactory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0");

    public IGitHubClient CreateAppClient() => CreateClient(appCredentials, "app");

    public IGitHubClient CreateAnonymousClient() => CreateClient(new InMemoryCredentialStore(Credentials.Anonymous), "anonymous");

    // Not cached: a person's answers must not be served to another from a shared cache.
    public IGitHubClient CreateUserClient(string accessToken) =>
        CreateClient(new InMemoryCredentialStore(new Credentials(accessToken, AuthenticationType.Bearer)), cachePartition: null);

    public async Task<IGitHubClient> CreateInstallationClientAsync(long installationId, CancellationToken cancellationToken)
    {
        // Resolved here rather than injected: the token cache itself needs an app client.
        var tokens = services.GetRequiredService<InstallationTokenCache>();

        // Fetch (or reuse) the token now, so that an unknown installation fails here and not on first use.
        try
        {
            _ = await tokens.GetTokenAsync(installationId, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (ex.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Forbidden
            && ex is not (RateLimitExceededException or SecondaryRateLimitExceededException or AbuseException))
        {
            throw new InstallationUnavailableException(installationId, ex.StatusCode, ex);
        }

        return CreateClient(
            new InstallationCredentialStore(tokens, installationId),
            $"installation:{installationId}",
            http => new Budget.RateLimitBudgetHttpClient(new TokenRefusalHttpClient(http, tokens, installationId), budget, installationId));
    }

    /// <param name="cachePartition">
    /// The ETag cache partition, or null for no cache: a user's token is used for one sign-in, so its
    /// entries would only evict the app's and installations' useful ones.
    /// </param>
    private GitHubClient CreateClient(ICredentialStore credentials, string? cachePartition, Func<IHttpClient, IHttpClient>? decorate = null)
    {
        var settings = options.Value;
        IHttpClient adapter = new HttpClientAdapter(() => handlers.CreateHandler(HttpClientName));
        var decorated = decorate?.Invoke(adapter) ?? adapter;
        var http = cachePartition is null ? decorated : new CachingHttpClient(decorated, responseCache.Partition(cachePartition));

        var connection = new Connection(UserAgent, settings.EffectiveApiBaseUrl, credentials, http, new SimpleJsonSerializer());

        // Each attempt has its own timeout in the pipeline; this bounds the whole call, waits included.
        var attempts = settings.RetryCount + 1;
        connection.SetRequestTimeout((settings.RequestTimeout * attempts) + (settings.MaxRateLimitWait * settings.RetryCount) + TimeSpan.FromMinutes(1));

        return new GitHubClient(connection);
    }
}
