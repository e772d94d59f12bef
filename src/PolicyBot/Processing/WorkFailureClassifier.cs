using System.Globalization;
using System.Net;
using Octokit;
using PolicyBot.GitHub;
using PolicyBot.Storage;

namespace PolicyBot.Processing;

/// <summary>
/// Classifies what a work item threw, from typed fields only (exception types, HTTP status, rate-limit headers).
/// GitHub documents: on a secondary rate limit wait <c>Retry-After</c> when given, else until <c>x-ratelimit-reset</c>
/// when <c>x-ratelimit-remaining</c> is 0, else "wait for at least one minute before retrying"
/// (docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately).
/// </summary>
public static class WorkFailureClassifier
{
    /// <summary>The least wait after a secondary rate limit that names none.</summary>
    public static readonly TimeSpan SecondaryLimitMinimumWait = TimeSpan.FromMinutes(1);

    public static WorkFailure Classify(Exception exception, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case InstallationUnavailableException unavailable:
                return new WorkFailure(WorkFailureKind.InstallationUnavailable, null,
                    $"GitHub has no installation {unavailable.InstallationId} for this app (answered {(int)unavailable.StatusCode}): its work stops until GitHub lists it again.");

            case RateLimitExceededException primary:
                var untilReset = primary.Reset - now;
                return new WorkFailure(WorkFailureKind.RateLimited, untilReset > TimeSpan.Zero ? untilReset : TimeSpan.Zero,
                    $"The installation's rate limit is spent until {primary.Reset:u}.");

            case SecondaryRateLimitExceededException or AbuseException:
                return SecondaryLimit((ApiException)exception, now);

            case GitHub.GraphQL.GitHubGraphQLException { IsRateLimited: true }:
                // GraphQL names no reset in its error; the budget has learnt it from the answer's headers and holds
                // the next work items until then, so a minute's wait is a retry, not a busy loop.
                return new WorkFailure(WorkFailureKind.RateLimited, SecondaryLimitMinimumWait,
                    $"The installation's GraphQL rate limit is spent; waiting {SecondaryLimitMinimumWait.TotalSeconds:0} s.");

            case ApiException api:
                return ClassifyStatus(api, now);

            case HttpRequestException or TimeoutException or IOException:
                return new WorkFailure(WorkFailureKind.Transient, null, Describe(exception));

            case OperationCanceledException:
                // Not the process stopping (the worker tells that apart first): a request that timed out.
                return new WorkFailure(WorkFailureKind.Transient, null, "A request to GitHub timed out.");

            default:
                return new WorkFailure(WorkFailureKind.Transient, null, Describe(exception));
        }
    }

    private static WorkFailure ClassifyStatus(ApiException api, DateTimeOffset now)
    {
        var status = (int)api.StatusCode;
        if (status >= 500 || api.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.Unauthorized or HttpStatusCode.Conflict)
        {
            // 401: the token was refused and forgotten, the next try gets a fresh one. 409: a concurrent change.
            return new WorkFailure(WorkFailureKind.Transient, null, Describe(api));
        }

        if (IsRateLimit(api))
        {
            return SecondaryLimit(api, now);
        }

        return api.StatusCode switch
        {
            HttpStatusCode.NotFound or HttpStatusCode.Gone => new WorkFailure(WorkFailureKind.Gone, null, Describe(api)),
            HttpStatusCode.Forbidden when IsPlanLimitation(api) => new WorkFailure(WorkFailureKind.PlanLimitation, null, Describe(api)),
            HttpStatusCode.UnavailableForLegalReasons => new WorkFailure(WorkFailureKind.RepositoryUnreachable, null, Describe(api)),
            _ when status is >= 400 and < 500 => new WorkFailure(WorkFailureKind.Refused, null, Describe(api)),
            _ => new WorkFailure(WorkFailureKind.Transient, null, Describe(api)),
        };
    }

    private static WorkFailure SecondaryLimit(ApiException api, DateTimeOffset now)
    {
        TimeSpan wait;
        if (Header(api, "Retry-After") is { } retryAfter && int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            wait = TimeSpan.FromSeconds(seconds);
        }
        else if (Header(api, "x-ratelimit-remaining") == "0"
            && long.TryParse(Header(api, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            wait = DateTimeOffset.FromUnixTimeSeconds(reset) - now;
        }
        else
        {
            wait = SecondaryLimitMinimumWait;
        }

        return new WorkFailure(WorkFailureKind.RateLimited, wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            $"GitHub's secondary rate limit (HTTP {(int)api.StatusCode}); waiting {wait.TotalSeconds:0} s.");
    }

    /// <summary>
    /// A rate-limit answer (primary or secondary, 403 or 429): GitHub asks to wait, it does not refuse access. Readers
    /// that take a 403 for "no access" must let these through.
    /// </summary>
    public static bool IsRateLimit(Exception exception) =>
        exception is RateLimitExceededException or SecondaryRateLimitExceededException or AbuseException or GitHub.GraphQL.GitHubGraphQLException { IsRateLimited: true }
        || (exception is ApiException { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests } api
            && (api.StatusCode == HttpStatusCode.TooManyRequests || Header(api, "Retry-After") is not null || Header(api, "x-ratelimit-remaining") == "0"));

    /// <summary>
    /// GitHub says a plan limitation only in its message (403 "Upgrade to GitHub Pro or make this repository public to
    /// enable this feature."); the one place that reads it.
    /// </summary>
    public static bool IsPlanLimitation(ApiException exception) =>
        exception is { StatusCode: HttpStatusCode.Forbidden }
        && (exception.ApiError?.Message ?? exception.Message) is { } message
        && (message.Contains("Upgrade to GitHub Pro", StringComparison.OrdinalIgnoreCase)
            || message.Contains("make this repository public to enable this feature", StringComparison.OrdinalIgnoreCase));

    private static string? Header(ApiException api, string name)
    {
        if (api.HttpResponse?.Headers is not { } headers)
        {
            return null;
        }

        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static string Describe(Exception exception) => exception switch
    {
        ApiException api => $"GitHub answered {(int)api.StatusCode}: {Shorten(api.ApiError?.Message ?? api.Message)}",
        _ => $"{exception.GetType().Name}: {Shorten(exception.Message)}",
    };

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
