using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Http;

/// <summary>One API call the simulator answered; <see cref="Cost"/> is the points it spent of <see cref="Resource"/>'s budget (REST 1, a 304 0, GraphQL its cost).</summary>
public sealed record RequestRecord(
    DateTimeOffset At,
    string Method,
    string Path,
    string? Query,
    int StatusCode,
    TokenKind TokenKind,
    bool NotModified,
    long? InstallationId,
    string? Login,
    string? RouteTemplate,
    TimeSpan Duration,
    string Resource = "core",
    int Cost = 0);
