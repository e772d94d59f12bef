using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PolicyBot.GitHub;

/// <summary>
/// Spaces content-creating requests (issues, comments, pull requests, refs, file contents) of one
/// installation at least <see cref="GitHubOptions.ContentCreationInterval"/> apart, as GitHub's
/// secondary rate limits ask. The installation is told apart by its token, which is hashed: no token
/// is kept in the clear. Per process: each replica has tokens of its own, so replicas pace apart (README,
/// "Running several replicas", says to lengthen the interval by the number of replicas). Losing it on a
/// restart costs at most one early request, which GitHub answers with a retry-after the client honours.
/// </summary>
public sealed class ContentCreationPacing(IOptions<GitHubOptions> options, TimeProvider timeProvider)
{
    private const int MaxIdleGates = 1024;

    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    internal static bool IsContentCreation(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath.TrimEnd('/') ?? string.Empty;
        if (request.Method == HttpMethod.Post)
        {
            return path.EndsWith("/issues", StringComparison.Ordinal)
                || path.EndsWith("/comments", StringComparison.Ordinal)
                || path.EndsWith("/pulls", StringComparison.Ordinal)
                || path.EndsWith("/git/refs", StringComparison.Ordinal);
        }

        return request.Method == HttpMethod.Put && path.Contains("/contents/", StringComparison.Ordinal);
    }

    internal async Task WaitTurnAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var interval = options.Value.ContentCreationInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        PruneIdleGates();
        var gate = _gates.GetOrAdd(KeyOf(request), _ => new Gate());
        await gate.Turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wait = gate.NextAllowed - timeProvider.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            gate.NextAllowed = timeProvider.GetUtcNow() + interval;
        }
        finally
        {
            gate.Turn.Release();
        }
    }

    /// <summary>Tokens rotate hourly: forget the gates of tokens that have been quiet for a while.</summary>
    private void PruneIdleGates()
    {
        if (_gates.Count < MaxIdleGates)
        {
            return;
        }

        var quietSince = timeProvider.GetUtcNow() - TimeSpan.FromMinutes(1);
        foreach (var (key, gate) in _gates)
        {
            if (gate.NextAllowed < quietSince && gate.Turn.CurrentCount == 1)
            {
                _gates.TryRemove(key, out _);
            }
        }
    }

    private static string KeyOf(HttpRequestMessage request)
    {
        var credential = request.Headers.Authorization?.Parameter ?? string.Empty;
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credential)));
    }

    private sealed class Gate
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);

        public DateTimeOffset NextAllowed { get; set; } = DateTimeOffset.MinValue;
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
