using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace PolicyBot.SignIn;

/// <summary>Who signed in with GitHub, and the organisations (of this app's installations) they are a member of.</summary>
/// <param name="CheckedAt">When the organisations were last confirmed with GitHub; they are checked again after <see cref="GitHubSignInOptions.MembershipRecheckInterval"/>.</param>
public sealed record GitHubSession(string Login, IReadOnlyList<string> Organizations, DateTimeOffset ExpiresAt, DateTimeOffset CheckedAt = default)
{
    public const string CookieName = "policybot_session";

    public bool MemberOf(string organization) => Organizations.Contains(organization, StringComparer.OrdinalIgnoreCase);
}

/// <summary>Reads and writes the session cookie, encrypted and signed with ASP.NET Core Data Protection.</summary>
public sealed class GitHubSessionCookie(IDataProtectionProvider dataProtection, TimeProvider timeProvider)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("PolicyBot.SignIn.GitHubSession");

    private const string RefreshedKey = "policybot.session.refreshed";

    public GitHubSession? Read(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(RefreshedKey, out var refreshed))
        {
            return refreshed as GitHubSession;
        }

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

    /// <summary>
    /// A member removed from an organisation must not keep seeing it for the rest of the session: once the membership is
    /// older than <paramref name="interval"/>, it is asked of GitHub again, and the cookie (and this request) get the answer.
    /// </summary>
    public async Task RefreshAsync(HttpContext context, TimeSpan interval, Func<string, CancellationToken, Task<IReadOnlyList<string>>> organizationsOf)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(organizationsOf);
        if (Read(context) is not { } session || timeProvider.GetUtcNow() - session.CheckedAt < interval)
        {
            return;
        }

        IReadOnlyList<string> organizations;
        try
        {
            organizations = await organizationsOf(session.Login, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Octokit.ApiException or HttpRequestException or TaskCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            // GitHub could not say: this request sees no organisation (the safe side), and the next one asks again.
            context.Items[RefreshedKey] = session with { Organizations = [] };
            return;
        }

        var current = session with { Organizations = organizations, CheckedAt = timeProvider.GetUtcNow() };
        context.Items[RefreshedKey] = current;
        Write(context, current);
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
