namespace PolicyBot.Sandbox.Http;

/// <summary>GitHub's primary rate limit: a fixed one-hour window per token.</summary>
internal sealed class RateLimiter(TimeProvider timeProvider)
{
    public const int Limit = 5000;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _creations = new(StringComparer.Ordinal);

    public RateLimitState Peek(string key)
    {
        lock (_sync)
        {
            var window = Current(key);
            return new RateLimitState(Limit, Math.Max(0, Limit - window.Used), window.Used, window.Reset);
        }
    }

    public RateLimitState Spend(string key)
    {
        lock (_sync)
        {
            var window = Current(key);
            window.Used = Math.Min(Limit, window.Used + 1);
            return new RateLimitState(Limit, Limit - window.Used, window.Used, window.Reset);
        }
    }

    public void Exhaust(string key)
    {
        lock (_sync)
        {
            Current(key).Used = Limit;
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

    /// <summary>Records one content creation for a token; false when it is over <paramref name="perMinute"/> in the last minute.</summary>
    public bool TryCreateContent(string key, int perMinute)
    {
        lock (_sync)
        {
            var now = timeProvider.GetUtcNow();
            if (!_creations.TryGetValue(key, out var recent))
            {
                recent = new Queue<DateTimeOffset>();
                _creations[key] = recent;
            }

            while (recent.Count > 0 && recent.Peek() <= now.AddMinutes(-1))
            {
                recent.Dequeue();
            }

            if (recent.Count >= perMinute)
            {
                return false;
            }

            recent.Enqueue(now);
            return true;
        }
    }

    private Window Current(string key)
    {
        var now = timeProvider.GetUtcNow();
        if (!_windows.TryGetValue(key, out var window) || window.Reset <= now)
        {
            window = new Window { Reset = now.AddHours(1) };
            _windows[key] = window;
        }

        return window;
    }

    private sealed class Window
    {
        public int Used { get; set; }
        public DateTimeOffset Reset { get; init; }
    }
}

internal readonly record struct RateLimitState(int Limit, int Remaining, int Used, DateTimeOffset Reset);
