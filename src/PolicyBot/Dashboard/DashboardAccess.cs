using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PolicyBot.Dashboard;

/// <summary>
/// Who may see organisation data: an operator with the token (header or the cookie set by <c>/signin</c>),
/// anyone in the sandbox, or a person signed in with GitHub, for the organisations they are a member of.
/// Organisation data is never served to anyone else.
/// </summary>
internal sealed class DashboardAccess(IOptions<DashboardOptions> options, SignIn.GitHubSessionCookie sessions, IEnumerable<SandboxMode> sandbox)
{
    public const string CookieName = "policybot_operator";

    /// <summary>Signed in as an operator (or in the sandbox), or with GitHub.</summary>
    public bool IsSignedIn(HttpContext context) => IsOperator(context) || sessions.Read(context) is not null;

    /// <summary>
    /// The organisations whose data this person may see: null for an operator (all of them), else the
    /// organisations the GitHub sign-in found them a member of.
    /// </summary>
    public IReadOnlyList<string>? VisibleOrganizations(HttpContext context) =>
        IsOperator(context) ? null : sessions.Read(context)?.Organizations ?? [];

    /// <summary>An operator (token or sandbox): sees every organisation and the app's own operations (deliveries, dead letters, audit log).</summary>
    public bool IsOperator(HttpContext context)
    {
        // Registered by code only (policybot sandbox), never by configuration.
        if (sandbox.Any())
        {
            return true;
        }

        var settings = options.Value;

        if (string.IsNullOrEmpty(settings.OperatorToken))
        {
            return false;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : context.Request.Cookies[CookieName];
        return presented is not null && Matches(presented, settings.OperatorToken);
    }

    public bool Matches(string presented, string? expected) =>
        expected is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Hash(presented), Hash(expected));

    public string? OperatorToken => options.Value.OperatorToken;

    // Hashing first makes the comparison constant-time whatever the lengths.
    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
