using System.Security.Cryptography;
using System.Text;

namespace PolicyBot.Setup;

/// <summary>
/// The one-time code that opens <c>/setup</c> while PolicyBot runs in setup mode (no GitHub App yet, and maybe no
/// operator token either). <c>serve</c> prints the link with it on its console, as Jenkins does with its initial
/// password: whoever can read the console of the process is its operator. It lives only in memory, for this run.
/// </summary>
internal sealed class SetupCode
{
    public const string CookieName = "policybot_setup";

    /// <summary>The query parameter of the printed link (not <c>code</c>: GitHub's redirect back uses that for its own).</summary>
    public const string QueryName = "setup_code";

    public SetupCode()
        : this(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)))
    {
    }

    private SetupCode(string value) => Value = value;

    public string Value { get; }

    /// <summary>
    /// Whether the request carries the code, in <c>?setup_code=</c> (the printed link; remembered in a cookie for the
    /// rest of the flow, GitHub's redirect back included) or in that cookie.
    /// </summary>
    public bool Admits(HttpContext context)
    {
        if (Matches(context.Request.Query[QueryName].ToString()))
        {
            // Lax: the cookie comes along on GitHub's top-level redirect back to /setup/complete.
            context.Response.Cookies.Append(CookieName, Value, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps, MaxAge = TimeSpan.FromHours(1) });
            return true;
        }

        return Matches(context.Request.Cookies[CookieName]);
    }

    private bool Matches(string? presented) =>
        presented is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(Value)));
}
