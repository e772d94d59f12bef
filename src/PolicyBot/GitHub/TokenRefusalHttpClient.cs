using System.Net;
using Octokit;
using Octokit.Internal;

namespace PolicyBot.GitHub;

/// <summary>
/// Forgets an installation's cached token when GitHub answers 401 with it (revoked, or the app was
/// re-installed), so the next request of that installation gets a fresh token instead of failing
/// until the old one would have expired.
/// </summary>
internal sealed class TokenRefusalHttpClient(IHttpClient inner, InstallationTokenCache tokens, long installationId) : IHttpClient
{
    public async Task<IResponse> Send(IRequest request, CancellationToken cancellationToken, Func<object, object>? preprocessResponseBody = null)
    {
        var response = await inner.Send(request, cancellationToken, preprocessResponseBody).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            tokens.Invalidate(installationId);
        }

        return response;
    }

    public void SetRequestTimeout(TimeSpan timeout) => inner.SetRequestTimeout(timeout);

    public void Dispose() => inner.Dispose();
}
