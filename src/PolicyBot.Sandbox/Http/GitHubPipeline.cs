using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using PolicyBot.Sandbox.Auth;
using PolicyBot.Sandbox.Faults;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Http;

/// <summary>
/// What GitHub does around every API call: injected faults and latency, authentication, the primary rate limit
/// (a 304 costs nothing), weak ETags with 304 answers, and the request log.
/// </summary>
internal sealed partial class GitHubPipeline(
    RequestDelegate next,
    CredentialValidator credentials,
    RateLimiter rateLimiter,
    FaultInjector faults,
    RequestLog log,
    TimeProvider timeProvider,
    ILogger logger,
    SimulatorState state)
{
    public const string CallerKey = "sandbox.caller";

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/_sandbox", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        var endpoint = context.GetEndpoint();
        var template = GitHubTemplate((endpoint as RouteEndpoint)?.RoutePattern.RawText);
        var requirement = endpoint?.Metadata.GetMetadata<AuthRequirementMetadata>()?.Requirement ?? AuthRequirement.InstallationOrUser;
        var caller = credentials.Resolve(context.Request.Headers.Authorization.ToString());
        context.Items[CallerKey] = caller;
        context.Response.Headers["X-GitHub-Media-Type"] = "github.v3; format=json";
        context.Response.Headers["X-GitHub-Request-Id"] = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        context.Response.Headers["X-GitHub-Api-Version-Selected"] = "2022-11-28";

        var (latency, fault) = faults.Match(context.Request.Method, path, template);
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, context.RequestAborted).ConfigureAwait(false);
        }

        var notModified = false;
        var cost = 0;
        // GET /rate_limit is free on GitHub, and answers even when the limit is spent.
        var free = template == "/rate_limit";
        var rateKey = caller.IsAuthenticated && !free ? caller.RateLimitKey : null;
        var resource = GraphQL.GraphQLEndpoint.IsGraphQL(template) ? GraphQL.GraphQLEndpoint.Resource
            : template?.StartsWith("/search/", StringComparison.Ordinal) == true ? "search" : "core";
        if (fault is not null)
        {
            if (fault.RetryAfter is { } retry)
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            if (rateKey is not null)
            {
                SetRateHeaders(context, rateLimiter.Peek(rateKey, resource));
            }

            await GitHubResults.Error(fault.StatusCode!.Value, fault.Message ?? DefaultMessage(fault.StatusCode.Value)).ExecuteAsync(context).ConfigureAwait(false);
        }
        else if (AuthError(caller, requirement) is { } authError)
        {
            await authError.ExecuteAsync(context).ConfigureAwait(false);
        }
        else if (RenamedRepositoryUrl(context, template) is { } moved)
        {
            // GitHub keeps old names working: 301 for reads, 307 for everything else.
            context.Response.Headers.Location = moved;
            var status = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ? 301 : 307;
            await GitHubResults.Json(new System.Text.Json.Nodes.JsonObject
            {
                ["message"] = status == 301 ? "Moved Permanently" : "Temporary Redirect",
                ["url"] = moved,
                ["documentation_url"] = GitHubResults.DocumentationUrl,
            }, status).ExecuteAsync(context).ConfigureAwait(false);
        }
        else if (IsWriteToArchivedRepository(context, template))
        {
            await GitHubResults.Error(403, "Repository was archived so is read-only.").ExecuteAsync(context).ConfigureAwait(false);
        }
        else if (IsRefusedByPlan(context, template))
        {
            await GitHubResults.Error(403, "Upgrade to GitHub Pro or make this repository public to enable this feature.").ExecuteAsync(context).ConfigureAwait(false);
        }
        else if (rateKey is not null && faults.ContentCreation is { } limit && IsContentCreation(context.Request.Method, template)
            && !rateLimiter.TryCreateContent(caller.InstallationId is { } creator ? $"installation:{creator}" : rateKey, limit.PerMinute, limit.PerHour))
        {
            if (limit.RetryAfter is { } creationWait)
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(creationWait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            SetRateHeaders(context, rateLimiter.Peek(rateKey));
            await GitHubResults.Error(403, "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.")
                .ExecuteAsync(context).ConfigureAwait(false);
        }
        // GraphQL answers a spent budget itself, with GitHub's RATE_LIMITED error, once it knows the query's cost.
        else if (rateKey is not null && resource != GraphQL.GraphQLEndpoint.Resource && rateLimiter.Peek(rateKey, resource) is { Remaining: 0 } exhausted)
        {
            SetRateHeaders(context, exhausted);
            var who = caller.InstallationId is { } id ? $"installation ID {id}" : "this token";
            await GitHubResults.Error(403, $"API rate limit exceeded for {who}. If you reach out to GitHub Support for help, please include the request ID.").ExecuteAsync(context).ConfigureAwait(false);
        }
        else
        {
            notModified = await RunBufferedAsync(context, rateKey, resource).ConfigureAwait(false);
            cost = context.Items.TryGetValue(GraphQL.GraphQLEndpoint.CostKey, out var points) && points is int spent ? spent
                : rateKey is not null && resource != GraphQL.GraphQLEndpoint.Resource && !notModified ? 1 : 0;
        }

        LogAnswered(logger, context.Request.Method, path, context.Response.StatusCode, caller.IsAuthenticated ? caller.Kind : TokenKind.None);
        log.Add(new RequestRecord(
            timeProvider.GetUtcNow(),
            context.Request.Method,
            path,
            context.Request.QueryString.HasValue ? context.Request.QueryString.Value : null,
            context.Response.StatusCode,
            caller.IsAuthenticated ? caller.Kind : TokenKind.None,
            notModified,
            caller.InstallationId,
            caller.Login,
            template,
            stopwatch.Elapsed,
            resource,
            cost));
    }

    private async Task<bool> RunBufferedAsync(HttpContext context, string? rateKey, string resource)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a simulator bug answers 500 as GitHub would, and stays visible in the request log
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            buffer.SetLength(0);
            context.Response.Clear();
            await GitHubResults.Error(500, "Server Error: " + ex.GetType().Name + ": " + ex.Message).ExecuteAsync(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        var notModified = false;
        if (HttpMethods.IsGet(context.Request.Method) && context.Response.StatusCode == 200)
        {
            var etag = "W/\"" + Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray())) + "\"";
            context.Response.Headers.ETag = etag;
            var ifNoneMatch = context.Request.Headers.IfNoneMatch.ToString();
            if (!string.IsNullOrEmpty(ifNoneMatch) && ifNoneMatch.Split(',').Any(t => Matches(t.Trim(), etag)))
            {
                notModified = true;
                context.Response.StatusCode = 304;
                context.Response.ContentLength = null;
                context.Response.Headers.ContentType = default;
            }
        }

        if (rateKey is not null)
        {
            // GraphQL charged its cost before running the query.
            SetRateHeaders(context, notModified || resource == GraphQL.GraphQLEndpoint.Resource ? rateLimiter.Peek(rateKey, resource) : rateLimiter.Spend(rateKey, resource));
        }

        if (!notModified && buffer.Length > 0)
        {
            context.Response.ContentLength = buffer.Length;
            buffer.Position = 0;
            await buffer.CopyToAsync(original, context.RequestAborted).ConfigureAwait(false);
        }

        return notModified;
    }

    /// <summary>Where a request to a renamed repository's old name now lives, or null.</summary>
    private string? RenamedRepositoryUrl(HttpContext context, string? template)
    {
        if (template is null || !template.StartsWith("/repos/{owner}/{repo}", StringComparison.Ordinal)
            || context.Request.RouteValues["owner"] is not string owner || context.Request.RouteValues["repo"] is not string repo)
        {
            return null;
        }

        lock (state.Sync)
        {
            if (state.FindOrg(owner) is not { } org || org.FindRepo(repo) is not null || !org.RenamedRepos.TryGetValue(repo, out var id)
                || org.Repos.Find(r => r.Id == id) is not { } renamed)
            {
                return null;
            }

            var request = context.Request;
            var prefix = $"/repos/{owner}/{repo}";
            var path = request.Path.Value!;
            var rest = path.Length > prefix.Length ? path[prefix.Length..] : "";
            return $"{request.Scheme}://{request.Host}{request.PathBase}/repos/{org.Login}/{renamed.Name}{rest}{request.QueryString}";
        }
    }

    /// <summary>An archived repository refuses every change except editing the repository itself (to unarchive it).</summary>
    private bool IsWriteToArchivedRepository(HttpContext context, string? template)
    {
        if (HttpMethods.IsGet(context.Request.Method) || template is null || template == "/repos/{owner}/{repo}"
            || !template.StartsWith("/repos/{owner}/{repo}/", StringComparison.Ordinal)
            || context.Request.RouteValues["owner"] is not string owner || context.Request.RouteValues["repo"] is not string repo)
        {
            return false;
        }

        lock (state.Sync)
        {
            return state.FindRepo(owner, repo)?.Archived == true;
        }
    }

    /// <summary>
    /// On GitHub Free, private repositories have neither protected branches nor rulesets: GitHub answers 403
    /// "Upgrade to GitHub Pro or make this repository public to enable this feature." (docs.github.com/en/get-started/learning-about-github/githubs-plans).
    /// </summary>
    private bool IsRefusedByPlan(HttpContext context, string? template)
    {
        if (template is null
            || !(template.StartsWith("/repos/{owner}/{repo}/branches/{branch}/protection", StringComparison.Ordinal)
                || template.StartsWith("/repos/{owner}/{repo}/rules/", StringComparison.Ordinal)
                || template.StartsWith("/repos/{owner}/{repo}/rulesets", StringComparison.Ordinal))
            || context.Request.RouteValues["owner"] is not string owner || context.Request.RouteValues["repo"] is not string repo)
        {
            return false;
        }

        lock (state.Sync)
        {
            return state.FindOrg(owner) is { } org && org.FindRepo(repo) is { } found && org.PlanRefusesProtection(found);
        }
    }

    /// <summary>
    /// The requests GitHub counts as content creation for its secondary limit ("content-generating requests"): creating
    /// issues, comments, pull requests, reviews and review requests, labels, repositories, refs, files, check runs and statuses.
    /// </summary>
    private static bool IsContentCreation(string method, string? template) =>
        (HttpMethods.IsPost(method) && template is "/repos/{owner}/{repo}/issues" or "/repos/{owner}/{repo}/issues/{issue_number}/comments"
            or "/repos/{owner}/{repo}/pulls" or "/repos/{owner}/{repo}/pulls/{pull_number}/reviews" or "/orgs/{org}/repos" or "/repos/{owner}/{repo}/labels"
            or "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers" or "/repos/{owner}/{repo}/git/refs" or "/repos/{owner}/{repo}/check-runs"
            or "/repos/{owner}/{repo}/statuses/{sha}")
        || (HttpMethods.IsPut(method) && template == "/repos/{owner}/{repo}/contents/{path}");

    /// <summary>A route pattern as GitHub's documentation writes it: "{pull_number:int}" → "{pull_number}", "{**path}" → "{path}".</summary>
    internal static string? GitHubTemplate(string? pattern) =>
        pattern is null ? null : RouteParameter().Replace(pattern, m => "{" + m.Groups["name"].Value + "}");

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\*{0,2}(?<name>\w+)(?::[^}]+)?\}")]
    private static partial System.Text.RegularExpressions.Regex RouteParameter();

    private static bool Matches(string candidate, string etag) =>
        candidate == "*" || string.Equals(Strip(candidate), Strip(etag), StringComparison.Ordinal);

    private static string Strip(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;

    private static void SetRateHeaders(HttpContext context, RateLimitState state)
    {
        var headers = context.Response.Headers;
        headers["x-ratelimit-limit"] = state.Limit.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining"] = state.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-used"] = state.Used.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset"] = state.Reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-resource"] = state.Resource;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "GitHub simulator {Method} {Path}: {StatusCode} ({TokenKind})")]
    private static partial void LogAnswered(ILogger logger, string method, string path, int statusCode, TokenKind tokenKind);

    private static IResult? AuthError(Caller caller, AuthRequirement requirement)
    {
        if (caller.Error is not null && requirement != AuthRequirement.None)
        {
            return GitHubResults.Error(401, caller.Kind == TokenKind.AppJwt ? caller.Error : "Bad credentials");
        }

        return requirement switch
        {
            AuthRequirement.App when caller.Kind != TokenKind.AppJwt =>
                GitHubResults.Error(401, "A JSON web token could not be decoded"),
            AuthRequirement.InstallationOrUser when caller.Kind == TokenKind.None =>
                GitHubResults.Error(401, "Requires authentication"),
            AuthRequirement.InstallationOrUser when caller.Kind == TokenKind.AppJwt =>
                GitHubResults.Error(403, "Resource not accessible by integration"),
            _ => null,
        };
    }

    private static string DefaultMessage(int status) => status switch
    {
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Validation Failed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    };
}

internal sealed record AuthRequirementMetadata(AuthRequirement Requirement);

/// <summary>The in-process request log; keeps the most recent <see cref="Capacity"/> calls so long benchmarks stay bounded.</summary>
internal sealed class RequestLog
{
    public const int Capacity = 200_000;
    private readonly Lock _sync = new();
    private readonly List<RequestRecord> _records = [];

    public void Add(RequestRecord record)
    {
        lock (_sync)
        {
            if (_records.Count >= Capacity)
            {
                _records.RemoveRange(0, Capacity / 10);
            }

            _records.Add(record);
        }
    }

    public IReadOnlyList<RequestRecord> Snapshot()
    {
        lock (_sync)
        {
            return [.. _records];
        }
    }

    public void Clear()
    {
        lock (_sync)
        {
            _records.Clear();
        }
    }
}
