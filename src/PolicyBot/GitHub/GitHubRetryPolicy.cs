using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace PolicyBot.GitHub;

/// <summary>
/// The retry and timeout policies of the <c>github</c> HTTP pipeline: jittered exponential backoff on
/// 5xx, 408, network errors and timeouts; on a secondary rate limit (403/429 with <c>Retry-After</c>)
/// wait that long; on an exhausted primary limit (403/429 with <c>x-ratelimit-remaining: 0</c>) wait
/// until <c>x-ratelimit-reset</c>. A wait longer than <see cref="GitHubOptions.MaxRateLimitWait"/>
/// is not taken: the response goes back to the caller, and the work item is retried later. A POST is
/// retried on rate-limit refusals only (see <see cref="CreateRetry"/>).
/// </summary>
internal sealed partial class GitHubRetryPolicy
{
    private readonly GitHubOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<GitHubRetryPolicy> _logger;

    public GitHubRetryPolicy(IOptions<GitHubOptions> options, TimeProvider timeProvider, ILogger<GitHubRetryPolicy> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;

        Retry = Policy<HttpResponseMessage>
            .Handle<HttpRequestException>()
            .Or<TimeoutRejectedException>()
            .OrResult(ShouldRetry)
            .WaitAndRetryAsync(
                _options.RetryCount,
                (attempt, outcome, _) => DelayFor(attempt, outcome.Result),
                (outcome, delay, attempt, _) =>
                {
                    Log.Retrying(_logger, attempt, outcome.Result is { } r ? (int)r.StatusCode : 0, outcome.Exception?.GetType().Name, delay);

                    // The failed response is not handed to anyone: free its connection now.
                    outcome.Result?.Dispose();
                    return Task.CompletedTask;
                });

        // A POST creates something (an issue, a comment, a pull request, a check run): GitHub often does the
        // work and still answers 502 or never answers, so retrying it here would create it twice. Only a
        // rate-limit answer says for sure that nothing was done; anything else fails the work item, whose
        // own retry looks for what exists first.
        CreateRetry = Policy<HttpResponseMessage>
            .HandleResult(IsRateLimitRefusal)
            .WaitAndRetryAsync(
                _options.RetryCount,
                (attempt, outcome, _) => DelayFor(attempt, outcome.Result),
                (outcome, delay, attempt, _) =>
                {
                    Log.Retrying(_logger, attempt, (int)outcome.Result.StatusCode, null, delay);
                    outcome.Result.Dispose();
                    return Task.CompletedTask;
                });

        Timeout = Policy.TimeoutAsync<HttpResponseMessage>(_options.RequestTimeout, TimeoutStrategy.Optimistic);
    }

    /// <summary>Retries on 5xx, timeouts, network errors and rate limits: for requests safe to repeat.</summary>
    public IAsyncPolicy<HttpResponseMessage> Retry { get; }

    /// <summary>Retries only rate-limit refusals: for POST, which GitHub may have carried out despite an error.</summary>
    public IAsyncPolicy<HttpResponseMessage> CreateRetry { get; }

    /// <summary>The retry policy for <paramref name="request"/>.</summary>
    public IAsyncPolicy<HttpResponseMessage> For(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // An installation token creates nothing anyone sees: asking again is harmless.
        var createsContent = request.Method == HttpMethod.Post
            && request.RequestUri?.AbsolutePath.EndsWith("/access_tokens", StringComparison.Ordinal) != true;
        return createsContent ? CreateRetry : Retry;
    }

    public IAsyncPolicy<HttpResponseMessage> Timeout { get; }

    private bool IsRateLimitRefusal(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests
        && (RateLimitDelay(response) is { } wait ? wait <= _options.MaxRateLimitWait : response.StatusCode == HttpStatusCode.TooManyRequests);

    private bool ShouldRetry(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
        {
            return true;
        }

        if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests)
        {
            if (RateLimitDelay(response) is { } wait)
            {
                return wait <= _options.MaxRateLimitWait;
            }

            // A 429 says "too many" even without saying how long to wait; a bare 403 is a refusal.
            return response.StatusCode == HttpStatusCode.TooManyRequests;
        }

        return false;
    }

    private TimeSpan DelayFor(int attempt, HttpResponseMessage? response)
    {
        if (response is not null && RateLimitDelay(response) is { } wait)
        {
            return wait;
        }

        // Full exponential growth with ±50 % jitter, so that many workers do not retry in step.
        var exponential = _options.RetryBaseDelay * Math.Pow(2, attempt - 1);
        return exponential * (0.5 + Random.Shared.NextDouble());
    }

    /// <summary>How long GitHub asks us to wait, or null when the response is no rate-limit answer.</summary>
    internal TimeSpan? RateLimitDelay(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests))
        {
            return null;
        }

        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (retryAfter.Date is { } date)
            {
                var untilDate = date - _timeProvider.GetUtcNow();
                return untilDate < TimeSpan.Zero ? TimeSpan.Zero : untilDate;
            }
        }

        if (Header(response, "x-ratelimit-remaining") == "0"
            && long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            // One second more: the reset time is whole seconds, and the limit must be renewed when we call.
            var untilReset = DateTimeOffset.FromUnixTimeSeconds(reset) - _timeProvider.GetUtcNow() + TimeSpan.FromSeconds(1);
            return untilReset < TimeSpan.Zero ? TimeSpan.Zero : untilReset;
        }

        return null;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "GitHub request failed (status {StatusCode}, {Exception}); retry {Attempt} in {Delay}.")]
        public static partial void Retrying(ILogger logger, int attempt, int statusCode, string? exception, TimeSpan delay);
    }
}
