using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PolicyBot.Dashboard;

/// <summary>
/// Who may see organisation data: an operator with the token (header or the session cookie set by
/// <c>/signin</c>), or anyone in the sandbox. Organisation data is never served to anyone else.
/// </summary>
internal sealed class DashboardAccess(IOptions<DashboardOptions> options)
{
    public const string CookieName = "policybot_operator";

    public bool IsSignedIn(HttpContext context)
    {
        var settings = options.Value;
        if (settings.SandboxSignIn)
        {
            return true;
        }

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
