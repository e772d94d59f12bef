using System.Text.RegularExpressions;
using PolicyBot.Sandbox.Http;

namespace PolicyBot.Sandbox.Faults;

/// <summary>
/// One injected fault: requests matching <see cref="Method"/> and <see cref="PathPattern"/> get <see cref="Latency"/>
/// added and, while <see cref="Remaining"/> is above zero, the <see cref="StatusCode"/> answer instead of the real one.
/// </summary>
/// <remarks>
/// <see cref="PathPattern"/> is a path glob ("/repos/*/*/issues", "/repos/**") or a route template
/// ("/repos/{owner}/{repo}/issues"); "*" and "{x}" match one path segment, "**" any number.
/// </remarks>
public sealed record FaultRule
{
    public string? Method { get; init; }
    public required string PathPattern { get; init; }
    public int? StatusCode { get; init; }
    /// <summary>How many matching calls get the status; -1 for every call until removed.</summary>
    public int Count { get; init; } = 1;
    public string? Message { get; init; }
    public TimeSpan? RetryAfter { get; init; }
    public TimeSpan Latency { get; init; }
}

/// <summary>
/// GitHub's secondary limit on content creation ("no more than 80 content-generating requests per minute and no more than
/// 500 content-generating requests per hour", docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api):
/// past <see cref="PerMinute"/> creations by one token within a minute, or <see cref="PerHour"/> within an hour, further
/// ones get 403; with <see cref="RetryAfter"/> unset the answer has no Retry-After, as GitHub's often has not.
/// </summary>
public sealed record ContentCreationLimit(int PerMinute = 80, TimeSpan? RetryAfter = null, int PerHour = 500);

/// <summary>Fault injection for tests and benchmarks; thread-safe.</summary>
public sealed class FaultInjector
{
    private readonly Lock _sync = new();
    private readonly List<ActiveFault> _faults = [];
    private readonly RateLimiter _rateLimiter;

    private readonly Func<string, string> _rateLimitKeyOf;

    /// <param name="rateLimiter">The budgets.</param>
    /// <param name="rateLimitKeyOf">The budget a token spends (an installation's tokens share one).</param>
    internal FaultInjector(RateLimiter rateLimiter, Func<string, string> rateLimitKeyOf)
    {
        _rateLimiter = rateLimiter;
        _rateLimitKeyOf = rateLimitKeyOf;
    }

    /// <summary>Latency added to every API call, to mimic GitHub's response times.</summary>
    public TimeSpan GlobalLatency { get; set; }

    /// <summary>When set, content creation (issues, comments, pull requests, reviews) is limited per token as GitHub does.</summary>
    public ContentCreationLimit? ContentCreation { get; set; }

    public Guid Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var fault = new ActiveFault(Guid.NewGuid(), rule, ToRegex(rule.PathPattern), rule.Count);
        lock (_sync)
        {
            _faults.Add(fault);
        }

        return fault.Id;
    }

    /// <summary>The next <paramref name="count"/> matching calls answer <paramref name="statusCode"/>.</summary>
    public Guid AddStatus(string? method, string pathPattern, int statusCode, int count = 1, string? message = null, TimeSpan? retryAfter = null) =>
        Add(new FaultRule { Method = method, PathPattern = pathPattern, StatusCode = statusCode, Count = count, Message = message, RetryAfter = retryAfter });

    /// <summary>GitHub's secondary rate limit answer: 403, with Retry-After when <paramref name="retryAfter"/> is set (GitHub may send none).</summary>
    public Guid AddSecondaryRateLimit(string? method, string pathPattern, TimeSpan? retryAfter, int count = 1) =>
        AddStatus(method, pathPattern, 403, count, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", retryAfter);

    public Guid AddLatency(string? method, string pathPattern, TimeSpan latency) =>
        Add(new FaultRule { Method = method, PathPattern = pathPattern, Latency = latency, Count = 0 });

    /// <summary>Spends the whole primary rate limit of a token (installation token, JWT or "sandbox:login").</summary>
    public void ExhaustRateLimit(string token) => _rateLimiter.Exhaust(_rateLimitKeyOf(token));

    public bool Remove(Guid id)
    {
        lock (_sync)
        {
            return _faults.RemoveAll(f => f.Id == id) > 0;
        }
    }

    public void Clear()
    {
        lock (_sync)
        {
            _faults.Clear();
        }

        GlobalLatency = TimeSpan.Zero;
        ContentCreation = null;
        _rateLimiter.Reset();
    }

    public IReadOnlyList<(Guid Id, FaultRule Rule, int Remaining)> List()
    {
        lock (_sync)
        {
            return [.. _faults.Select(f => (f.Id, f.Rule, f.Remaining))];
        }
    }

    /// <summary>Decides what happens to one call: added latency, and the injected status rule if one fires.</summary>
    internal (TimeSpan Latency, FaultRule? Status) Match(string method, string path, string? routeTemplate)
    {
        var latency = GlobalLatency;
        FaultRule? status = null;
        lock (_sync)
        {
            foreach (var fault in _faults)
            {
                if (fault.Rule.Method is { } m && !string.Equals(m, method, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!fault.Pattern.IsMatch(path) && (routeTemplate is null || !string.Equals(Normalise(fault.Rule.PathPattern), Normalise(routeTemplate), StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                latency += fault.Rule.Latency;
                if (status is null && fault.Rule.StatusCode is not null && fault.Remaining != 0)
                {
                    status = fault.Rule;
                    if (fault.Remaining > 0)
                    {
                        fault.Remaining--;
                    }
                }
            }

            _faults.RemoveAll(f => f.Rule.StatusCode is not null && f.Remaining == 0 && f.Rule.Latency == TimeSpan.Zero);
        }

        return (latency, status);
    }

    private static string Normalise(string template) => "/" + template.Trim('/');

    private static Regex ToRegex(string pattern)
    {
        var segments = Normalise(pattern).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var parts = segments.Select(s => s switch
        {
            "**" => "(?:/[^/]+)*",
            _ when s.StartsWith("{**", StringComparison.Ordinal) => "(?:/[^/]+)*",
            _ when s.StartsWith('{') && s.EndsWith('}') => "/[^/]+",
            _ => "/" + string.Concat(s.Split('*').Select(Regex.Escape).Select((p, i) => i == 0 ? p : "[^/]*" + p)),
        });
        return new Regex("^" + string.Concat(parts) + "/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    private sealed class ActiveFault(Guid id, FaultRule rule, Regex pattern, int remaining)
    {
        public Guid Id { get; } = id;
        public FaultRule Rule { get; } = rule;
        public Regex Pattern { get; } = pattern;
        public int Remaining { get; set; } = remaining;
    }
}
