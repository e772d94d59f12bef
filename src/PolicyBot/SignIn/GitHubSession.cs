using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace PolicyBot.SignIn;

/// <summary>Who signed in with GitHub, and the organisations (of this app's installations) they are a member of.</summary>
public sealed record GitHubSession(string Login, IReadOnlyList<string> Organizations, DateTimeOffset ExpiresAt)
{
    public const string CookieName = "policybot_session";

    public bool MemberOf(string organization) => Organizations.Contains(organization, StringComparer.OrdinalIgnoreCase);
}

/// <summary>Reads and writes the session cookie, encrypted and signed with ASP.NET Core Data Protection.</summary>
public sealed class GitHubSessionCookie(IDataProtectionProvider dataProtection, TimeProvider timeProvider)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("PolicyBot.SignIn.GitHubSession");

    public GitHubSession? Read(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Cookies[GitHubSession.CookieName] is not { Length: > 0 } value)
        {
            return null;
        }

        try
        {
            var session = JsonSerializer.Deserialize<GitHubSession>(_protector.Unprotect(value));
            return session is not null && session.ExpiresAt > timeProvider.GetUtcNow() ? session : null;
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            // Tampered with, or from keys that are gone: simply not signed in.
            return null;
        }
    }

    public void Write(HttpContext context, GitHubSession session)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Append(GitHubSession.CookieName, _protector.Protect(JsonSerializer.Serialize(session)), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Expires = session.ExpiresAt,
        });
    }
}
