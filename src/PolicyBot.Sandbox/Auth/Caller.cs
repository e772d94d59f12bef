using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Auth;

/// <summary>Who made a request: the app (JWT), an installation (token), a person (sandbox:login) or nobody.</summary>
public sealed record Caller(TokenKind Kind, string? RateLimitKey, long? InstallationId = null, string? Login = null, string? Error = null)
{
    public static readonly Caller Anonymous = new(TokenKind.None, null);

    public bool IsAuthenticated => Kind != TokenKind.None && Error is null;
}

/// <summary>What an endpoint requires, as endpoint metadata.</summary>
internal enum AuthRequirement
{
    None,
    App,
    InstallationOrUser,
}
