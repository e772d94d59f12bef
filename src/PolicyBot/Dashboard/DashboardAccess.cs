using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PolicyBot.Dashboard;

/// <summary>
/// Who may see organisation data: an operator with the token (header or the cookie set by <c>/signin</c>),
/// anyone in the sandbox, or a person signed in with GitHub, for the organisations they are a member of.
/// Organisation data is never served to anyone else.
/// </summary>
internal sealed class DashboardAccess(
    IOptions<DashboardOptions> options,
    SignIn.GitHubSessionCookie sessions,
    IEnumerable<SandboxMode> sandbox,
    TimeProvider timeProvider)
{
    public const string CookieName = "policybot_operator";

    /// <summary>How long an operator's sign-in at <c>/signin</c> lasts.</summary>
    public static readonly TimeSpan OperatorSessionLifetime = TimeSpan.FromHours(12);

    private const string TicketVersion = "v1";

    /// <summary>
    /// The operator cookie's value, a signed ticket: <c>v1.{expiry}.{nonce}.{HMAC-SHA256}</c>, keyed by a hash of
    /// <c>Dashboard:OperatorToken</c>. The token itself is never in it, a stolen cookie expires, changing the token signs
    /// every operator out, and every replica can check it with the setting they share (no key ring to share, unlike
    /// ASP.NET Data Protection's per-machine keys).
    /// </summary>
    public string IssueOperatorTicket(TimeSpan lifetime) =>
        CreateOperatorTicket(options.Value.OperatorToken ?? "", timeProvider.GetUtcNow() + lifetime);

    /// <summary>A ticket for <paramref name="token"/>, which need not be in the settings yet (the first run's setup makes one).</summary>
    public static string CreateOperatorTicket(string token, DateTimeOffset expiresAt)
    {
        var expires = expiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nonce = Base64Url(RandomNumberGenerator.GetBytes(16));
        var signed = $"{TicketVersion}.{expires}.{nonce}";
        return $"{signed}.{Base64Url(Sign(signed, token))}";
    }

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
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Matches(header["Bearer ".Length..].Trim(), settings.OperatorToken);
        }

        return context.Request.Cookies[CookieName] is { Length: > 0 } ticket && HoldsValidTicket(ticket, settings.OperatorToken);
    }

    /// <summary>Signed with the current token and not expired; anything else (tampered, expired, the raw token) is no sign-in.</summary>
    private bool HoldsValidTicket(string ticket, string token)
    {
        var parts = ticket.Split('.');
        if (parts is not [TicketVersion, var expires, _, var mac]
            || !long.TryParse(expires, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var expiresAt)
            || DateTimeOffset.FromUnixTimeSeconds(Math.Min(expiresAt, DateTimeOffset.MaxValue.ToUnixTimeSeconds())) <= timeProvider.GetUtcNow())
        {
            return false;
        }

        var expected = Base64Url(Sign(ticket[..ticket.LastIndexOf('.')], token));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(mac), Encoding.ASCII.GetBytes(expected));
    }

    // The key is a hash of the token, so the MAC key is never the token's own bytes; "operator-ticket" keeps it apart from any other use.
    private static byte[] Sign(string data, string token) =>
        HMACSHA256.HashData(SHA256.HashData(Encoding.UTF8.GetBytes("operator-ticket:" + token)), Encoding.UTF8.GetBytes(data));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public bool Matches(string presented, string? expected) =>
        expected is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Hash(presented), Hash(expected));

    public string? OperatorToken => options.Value.OperatorToken;

    // Hashing first makes the comparison constant-time whatever the lengths.
    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
