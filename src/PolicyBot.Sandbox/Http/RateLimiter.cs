namespace PolicyBot.Sandbox.Http;

/// <summary>
/// GitHub's primary rate limits: per installation (or person) and resource, a fixed window — "core" and "graphql"
/// 5,000 points an hour unless a scenario says otherwise (a REST call is 1 point, a GraphQL query its cost),
/// "search" 30 a minute. All tokens of one installation share its budget, as on GitHub.
/// </summary>
internal sealed class RateLimiter(TimeProvider timeProvider)
{
    public const int Limit = 5000;
    private readonly Lock _sync = new();
    private readonly Dictionary<(string Key, string Resource), Window> _windows = [];
    private readonly Dictionary<string, Queue<DateTimeOffset>> _creations = new(StringComparer.Ordinal);

    /// <summary>The hourly budget of REST calls (scenario <c>rate_limit.core</c>).</summary>
    public int CoreLimit { get; set; } = Limit;

    /// <summary>The hourly budget of GraphQL points (scenario <c>rate_limit.graphql</c>).</summary>
    public int GraphQLLimit { get; set; } = Limit;

    /// <summary>How long a core or GraphQL window lasts: an hour on GitHub; benchmarks shorten it to see resets.</summary>
    public TimeSpan WindowLength { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The rate-limit key of an installation: every token it is issued shares it.</summary>
    public static string InstallationKey(long installationId) => "installation:" + installationId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public (int Limit, TimeSpan Window) Rules(string resource) => resource switch
    {
        "search" => (30, TimeSpan.FromMinutes(1)),
        "graphql" => (GraphQLLimit, WindowLength),
        _ => (CoreLimit, WindowLength),
    };

    /// <summary>Every budget in use: key, resource and its state now.</summary>
    public IReadOnlyList<(string Key, RateLimitState State)> Snapshot()
    {
        lock (_sync)
        {
            return [.. _windows.Keys.ToList().Select(k => (k.Key, State(Current(k.Key, k.Resource), k.Resource)))];
        }
    }

    public RateLimitState Peek(string key, string resource = "core")
    {
        lock (_sync)
        {
            var window = Current(key, resource);
            return new RateLimitState(window.Limit, Math.Max(0, window.Limit - window.Used), window.Used, window.Reset, resource);
        }
    }

    public RateLimitState Spend(string key, string resource = "core", int points = 1)
    {
        lock (_sync)
        {
            var window = Current(key, resource);
            window.Used = Math.Min(window.Limit, window.Used + points);
            return State(window, resource);
        }
    }

    /// <summary>Spends <paramref name="points"/> only when that many remain; otherwise spends nothing and says so.</summary>
    public bool TrySpend(string key, string resource, int points, out RateLimitState state)
    {
        lock (_sync)
        {
            var window = Current(key, resource);
            if (window.Limit - window.Used < points)
            {
                state = State(window, resource);
                return false;
            }

            window.Used += points;
            state = State(window, resource);
            return true;
        }
    }

    private static RateLimitState State(Window window, string resource) =>
        new(window.Limit, Math.Max(0, window.Limit - window.Used), window.Used, window.Reset, resource);

    public void Exhaust(string key, string resource = "core")
    {
        lock (_sync)
        {
            var window = Current(key, resource);
            window.Used = window.Limit;
        }
    }

    public void Reset()
    {
        lock (_sync)
        {
            _windows.Clear();
            _creations.Clear();
        }
    }

    /// <summary>Records one content creation for a token; false when it is over <paramref name="perMinute"/> in the last minute or <paramref name="perHour"/> in the last hour.</summary>
    public bool TryCreateContent(string key, int perMinute, int perHour)
    {
        lock (_sync)
        {
            var now = timeProvider.GetUtcNow();
            if (!_creations.TryGetValue(key, out var recent))
            {
                recent = new Queue<DateTimeOffset>();
                _creations[key] = recent;
            }

            while (recent.Count > 0 && recent.Peek() <= now.AddHours(-1))
            {
                recent.Dequeue();
            }

            if (recent.Count >= perHour || recent.Count(at => at > now.AddMinutes(-1)) >= perMinute)
            {
                return false;
            }

            recent.Enqueue(now);
            return true;
        }
    }

    private Window Current(string key, string resource)
    {
        var now = timeProvider.GetUtcNow();
        if (!_windows.TryGetValue((key, resource), out var window) || window.Reset <= now)
        {
            var (limit, length) = Rules(resource);
            window = new Window { Reset = now.Add(length), Limit = limit };
            _windows[(key, resource)] = window;
        }

        return window;
    }

    private sealed class Window
    {
        public int Used { get; set; }
        public int Limit { get; init; }
        public DateTimeOffset Reset { get; init; }
    }
}

internal readonly record struct RateLimitState(int Limit, int Remaining, int Used, DateTimeOffset Reset, string Resource = "core");
