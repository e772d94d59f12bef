namespace PolicyBot.Sandbox.Http;

/// <summary>
/// GitHub's primary rate limits: per token and resource, a fixed window — "core" 5,000 an hour, "search" 30 a minute.
/// </summary>
internal sealed class RateLimiter(TimeProvider timeProvider)
{
    public const int Limit = 5000;
    private readonly Lock _sync = new();
    private readonly Dictionary<(string Key, string Resource), Window> _windows = [];
    private readonly Dictionary<string, Queue<DateTimeOffset>> _creations = new(StringComparer.Ordinal);

    public static (int Limit, TimeSpan Window) Rules(string resource) => resource switch
    {
        "search" => (30, TimeSpan.FromMinutes(1)),
        _ => (Limit, TimeSpan.FromHours(1)),
    };

    public RateLimitState Peek(string key, string resource = "core")
    {
        lock (_sync)
        {
            var window = Current(key, resource);
            return new RateLimitState(window.Limit, Math.Max(0, window.Limit - window.Used), window.Used, window.Reset, resource);
        }
    }

    public RateLimitState Spend(string key, string resource = "core")
    {
        lock (_sync)
        {
            var window = Current(key, resource);
            window.Used = Math.Min(window.Limit, window.Used + 1);
            return new RateLimitState(window.Limit, window.Limit - window.Used, window.Used, window.Reset, resource);
        }
    }

    public void Exhaust(string key)
    {
        lock (_sync)
        {
            var window = Current(key, "core");
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
