using System.Collections.Concurrent;
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
/// Per process: each replica paces its own requests (README, "Running several replicas", says to lengthen the
/// interval by the number of replicas); a request GitHub still refuses is retried after the wait it asks for.
/// </summary>
public sealed class ContentCreationPacing(IOptions<GitHubOptions> options, TimeProvider timeProvider, InstallationTokenCache? tokens = null)
{
    private const int MaxIdleGates = 1024;
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.Ordinal);

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
        if (settings.ContentCreationInterval <= TimeSpan.Zero && settings.ContentCreationsPerMinute <= 0 && settings.ContentCreationsPerHour <= 0)
        {
            return;
        }

        PruneIdleGates();
        var gate = _gates.GetOrAdd(KeyOf(request), _ => new Gate());
        await gate.Turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wait = gate.NextAllowed(timeProvider.GetUtcNow(), settings) - timeProvider.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            gate.Record(timeProvider.GetUtcNow());
        }
        finally
        {
            gate.Turn.Release();
        }
    }

    /// <summary>Tokens rotate hourly: forget the gates that have been quiet for an hour.</summary>
    private void PruneIdleGates()
    {
        if (_gates.Count < MaxIdleGates)
        {
            return;
        }

        var quietSince = timeProvider.GetUtcNow() - Hour;
        foreach (var (key, gate) in _gates)
        {
            if (gate.Last < quietSince && gate.Turn.CurrentCount == 1)
            {
                _gates.TryRemove(key, out _);
            }
        }
    }

    private string KeyOf(HttpRequestMessage request)
    {
        var credential = request.Headers.Authorization?.Parameter ?? string.Empty;
        return tokens?.InstallationOf(credential) is { } installationId
            ? "installation:" + installationId.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credential)));
    }

    /// <summary>One installation's turn-taking and the creations of its last hour (a pure window, tested on its own).</summary>
    internal sealed class Gate
    {
        // The creations of the last hour, oldest first: at most ContentCreationsPerHour of them.
        private readonly Queue<DateTimeOffset> _lastHour = new();

        public SemaphoreSlim Turn { get; } = new(1, 1);

        public DateTimeOffset Last { get; private set; } = DateTimeOffset.MinValue;

        /// <summary>The earliest moment the next creation keeps within every limit.</summary>
        public DateTimeOffset NextAllowed(DateTimeOffset now, GitHubOptions settings)
        {
            while (_lastHour.Count > 0 && _lastHour.Peek() <= now - Hour)
            {
                _lastHour.Dequeue();
            }

            var next = settings.ContentCreationInterval > TimeSpan.Zero && Last != DateTimeOffset.MinValue ? Last + settings.ContentCreationInterval : now;
            if (settings.ContentCreationsPerHour > 0 && _lastHour.Count >= settings.ContentCreationsPerHour)
            {
                next = Max(next, _lastHour.ElementAt(_lastHour.Count - settings.ContentCreationsPerHour) + Hour);
            }

            if (settings.ContentCreationsPerMinute > 0)
            {
                var lastMinute = _lastHour.Where(at => at > now - Minute).ToList();
                if (lastMinute.Count >= settings.ContentCreationsPerMinute)
                {
                    next = Max(next, lastMinute[lastMinute.Count - settings.ContentCreationsPerMinute] + Minute);
                }
            }

            return next;
        }

        public void Record(DateTimeOffset at)
        {
            Last = at;
            _lastHour.Enqueue(at);
        }

        private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
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
