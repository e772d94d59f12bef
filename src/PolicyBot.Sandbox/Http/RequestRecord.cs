using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Http;

/// <summary>One API call the simulator answered.</summary>
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
    TimeSpan Duration);
