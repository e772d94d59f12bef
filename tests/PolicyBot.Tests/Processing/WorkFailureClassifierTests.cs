using System.Net;
using Octokit;
using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Tests.Processing;

/// <summary>
/// The classification table. GitHub's answers as documented: a secondary rate limit is 403 or 429 and may come without
/// Retry-After ("wait for at least one minute before retrying",
/// docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately);
/// a deleted issue answers 410 Gone (docs.github.com/en/rest/issues/issues#get-an-issue); a free plan's private
/// repository answers 403 "Upgrade to GitHub Pro…" on branch protection and rules.
/// </summary>
public sealed class WorkFailureClassifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, WorkFailureKind, bool, int?> Table() => new()
    {
        { "502", WorkFailureKind.Transient, false, null },
        { "503", WorkFailureKind.Transient, false, null },
        { "408", WorkFailureKind.Transient, false, null },
        { "401", WorkFailureKind.Transient, false, null },
        { "network", WorkFailureKind.Transient, false, null },
        { "timeout", WorkFailureKind.Transient, false, null },
        { "bug", WorkFailureKind.Transient, false, null },
        { "secondary-with-retry-after", WorkFailureKind.RateLimited, false, 30 },
        { "secondary-without-retry-after", WorkFailureKind.RateLimited, false, 60 },
        { "429-without-retry-after", WorkFailureKind.RateLimited, false, 60 },
        { "graphql-rate-limited", WorkFailureKind.RateLimited, false, 60 },
        { "graphql-not-found", WorkFailureKind.Transient, false, null },
        { "primary", WorkFailureKind.RateLimited, false, 600 },
        { "404", WorkFailureKind.Gone, true, null },
        { "410", WorkFailureKind.Gone, true, null },
        { "plan", WorkFailureKind.PlanLimitation, true, null },
        { "no-permission", WorkFailureKind.Refused, true, null },
        { "422", WorkFailureKind.Refused, true, null },
        { "451", WorkFailureKind.RepositoryUnreachable, true, null },
        { "unknown-installation", WorkFailureKind.InstallationUnavailable, true, null },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_failure_is_transient_or_permanent(string failure, WorkFailureKind kind, bool permanent, int? waitSeconds)
    {
        var classified = WorkFailureClassifier.Classify(Build(failure), Now);

        Assert.Equal(kind, classified.Kind);
        Assert.Equal(permanent, classified.IsPermanent);
        Assert.Equal(waitSeconds is { } s ? TimeSpan.FromSeconds(s) : null, classified.RetryAfter);
        Assert.False(string.IsNullOrWhiteSpace(classified.Reason));
    }

    [Fact]
    public void A_plan_limitation_is_told_from_a_missing_permission()
    {
        Assert.True(WorkFailureClassifier.IsPlanLimitation((ApiException)Build("plan")));
        Assert.False(WorkFailureClassifier.IsPlanLimitation((ApiException)Build("no-permission")));
    }

    private static Exception Build(string failure) => failure switch
    {
        "502" => new ApiException(Response(HttpStatusCode.BadGateway, "Server Error")),
        "503" => new ApiException(Response(HttpStatusCode.ServiceUnavailable, "Service Unavailable")),
        "408" => new ApiException(Response(HttpStatusCode.RequestTimeout, "Timeout")),
        "401" => new AuthorizationException(Response(HttpStatusCode.Unauthorized, "Bad credentials")),
        "network" => new HttpRequestException("Connection refused"),
        "timeout" => new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout"),
        "bug" => new InvalidOperationException("Sequence contains no elements"),
        "secondary-with-retry-after" => new ForbiddenException(Response(HttpStatusCode.Forbidden, "You have exceeded a secondary rate limit.", ("Retry-After", "30"))),
        "secondary-without-retry-after" => new SecondaryRateLimitExceededException(Response(HttpStatusCode.Forbidden, "You have exceeded a secondary rate limit.", ("x-ratelimit-remaining", "4000"))),
        "429-without-retry-after" => new ApiException(Response(HttpStatusCode.TooManyRequests, "Too Many Requests")),
        "graphql-rate-limited" => new PolicyBot.GitHub.GraphQL.GitHubGraphQLException(["RATE_LIMITED"], "API rate limit already exceeded for installation ID 1001."),
        "graphql-not-found" => new PolicyBot.GitHub.GraphQL.GitHubGraphQLException(["NOT_FOUND"], "Could not resolve to a node with the global id."),
        "primary" => new RateLimitExceededException(Response(HttpStatusCode.Forbidden, "API rate limit exceeded for installation ID 1001.",
            ("x-ratelimit-limit", "5000"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", Now.AddMinutes(10).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)))),
        "404" => new NotFoundException(Response(HttpStatusCode.NotFound, "Not Found")),
        "410" => new ApiException(Response(HttpStatusCode.Gone, "This issue was deleted")),
        "plan" => new ForbiddenException(Response(HttpStatusCode.Forbidden, "Upgrade to GitHub Pro or make this repository public to enable this feature.")),
        "no-permission" => new ForbiddenException(Response(HttpStatusCode.Forbidden, "Resource not accessible by integration")),
        "422" => new ApiValidationException(Response(HttpStatusCode.UnprocessableEntity, "Validation Failed")),
        "451" => new ApiException(Response((HttpStatusCode)451, "Repository access blocked")),
        "unknown-installation" => new InstallationUnavailableException(1001, HttpStatusCode.NotFound, new NotFoundException(Response(HttpStatusCode.NotFound, "Not Found"))),
        _ => throw new ArgumentOutOfRangeException(nameof(failure)),
    };

    private static GitHubResponse Response(HttpStatusCode status, string message, params (string Name, string Value)[] headers) =>
        new(status, $$"""{"message":"{{message}}","documentation_url":"https://docs.github.com/rest"}""",
            headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase));

    /// <summary>An answer as Octokit hands it to its exceptions (its own Response type is internal).</summary>
    private sealed class GitHubResponse(HttpStatusCode status, string body, Dictionary<string, string> headers) : IResponse
    {
        public object Body { get; } = body;

        public IReadOnlyDictionary<string, string> Headers { get; } = headers;

        public ApiInfo ApiInfo { get; } = new(new Dictionary<string, Uri>(), [], [], "", new RateLimit(headers));

        public HttpStatusCode StatusCode { get; } = status;

        public string ContentType { get; } = "application/json";
    }
}
