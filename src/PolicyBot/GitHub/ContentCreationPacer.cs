using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PolicyBot.GitHub;

/// <summary>
/// Keeps the content-creating requests of one installation within GitHub's documented secondary limits
/// ("no more than 80 content-generating requests per minute and no more than 500 content-generating
/// requests per hour", docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits):
/// each waits until it is at least <see cref="GitHubOptions.ContentCreationInterval"/> after the previous one
/// and the last minute and hour leave room for it. The installation is told apart by its token's installation
/// (tokens rotate hourly, the hourly limit does not), else by the token's hash: no token is kept in the clear.
/// The window lives in <see cref="IContentCreationLedger"/>, the database when PolicyBot serves: replicas share one
/// installation's limits, and a restart keeps the hour's count. Nothing of it is kept per process.
/// </summary>
public sealed class ContentCreationPacing(IOptions<GitHubOptions> options, TimeProvider timeProvider, IContentCreationLedger ledger, InstallationTokenCache? tokens = null)
{
    /// <summary>
    /// What GitHub counts as content creation: every POST that makes something (issues, comments, pull requests,
    /// reviews, review requests, labels, refs and git objects, check runs, repositories) and writing a file.
    /// Asking for an installation token creates nothing anyone sees.
    /// </summary>
    internal static bool IsContentCreation(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath.TrimEnd('/') ?? string.Empty;
        if (request.Method == HttpMethod.Post)
        {
            return !path.EndsWith("/access_tokens", StringComparison.Ordinal)
                && !path.EndsWith("/graphql", StringComparison.Ordinal)
                && !path.EndsWith("/login/oauth/access_token", StringComparison.Ordinal)
                && !path.Contains("/app-manifests/", StringComparison.Ordinal);
        }

        return request.Method == HttpMethod.Put && path.Contains("/contents/", StringComparison.Ordinal);
    }

    internal async Task WaitTurnAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var limits = new ContentCreationLimits(settings.ContentCreationInterval, settings.ContentCreationsPerMinute, settings.ContentCreationsPerHour);
        if (limits.None)
        {
            return;
        }

        // The slot is reserved before the wait, so requests waiting at once (in this process or another) queue in order;
        // one cancelled while waiting leaves its slot unused, which errs on the side of GitHub's limit.
        var at = await ledger.ReserveAsync(KeyOf(request), limits, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var wait = at - timeProvider.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private string KeyOf(HttpRequestMessage request)
    {
        var credential = request.Headers.Authorization?.Parameter ?? string.Empty;
        return tokens?.InstallationOf(credential) is { } installationId
            ? "installation:" + installationId.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credential)));
    }
}

/// <summary>The pipeline step that applies <see cref="ContentCreationPacing"/>.</summary>
internal sealed class ContentCreationPacingHandler(ContentCreationPacing pacing) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (ContentCreationPacing.IsContentCreation(request))
        {
            await pacing.WaitTurnAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Counts every request that reaches GitHub, by method and status, each in its own span.</summary>
internal sealed class GitHubRequestMetricsHandler(Hosting.PolicyBotMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var activity = Hosting.PolicyBotActivities.Source.StartActivity($"GitHub {request.Method.Method}", System.Diagnostics.ActivityKind.Client);
        activity?.SetTag("http.request.method", request.Method.Method);
        activity?.SetTag("url.path", request.RequestUri?.AbsolutePath);
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            metrics.GitHubRequest(request.Method.Method, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            activity?.SetTag("http.response.status_code", status);
            if (status >= 400)
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
            }

            return response;
        }
        catch (HttpRequestException ex)
        {
            metrics.GitHubRequest(request.Method.Method, "error");
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }
}
