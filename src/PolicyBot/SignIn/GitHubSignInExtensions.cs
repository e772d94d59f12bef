using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Octokit;
using PolicyBot.Dashboard;
using PolicyBot.GitHub;

namespace PolicyBot.SignIn;

/// <summary>
/// "Sign in with GitHub" through the app (GitHub's OAuth web flow): the person is sent to GitHub, comes
/// back with a code that PolicyBot exchanges for a user token, and PolicyBot records who they are and
/// which of its installations' organisations they are a member of (asked with the installation's own
/// token, so a person cannot claim an organisation they do not belong to).
/// </summary>
public static partial class GitHubSignInExtensions
{
    private const string StateCookie = "policybot_signin_state";

    public static IServiceCollection AddGitHubSignIn(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GitHubSignInOptions>()
            .Bind(configuration.GetSection(GitHubOptions.SectionName))
            .PostConfigure(options =>
            {
                options.ClientId ??= configuration["GITHUB_CLIENT_ID"];
                options.ClientSecret ??= configuration["GITHUB_CLIENT_SECRET"];
            });
        services.AddDataProtection();
        services.AddSingleton<GitHubSessionCookie>();
        return services;
    }

    public static WebApplication MapGitHubSignIn(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapGet("/signin-github", (HttpContext context, IOptions<GitHubSignInOptions> options, IOptions<GitHubOptions> github) =>
        {
            if (!options.Value.Enabled)
            {
                return Results.Text("Sign in with GitHub is not configured (GitHub:ClientId and GitHub:ClientSecret).", "text/plain", statusCode: StatusCodes.Status404NotFound);
            }

            var state = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            context.Response.Cookies.Append(StateCookie, state, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps, MaxAge = TimeSpan.FromMinutes(10) });
            var callback = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/signin-github/callback";
            var web = DashboardExtensions.WebBaseUrl(github.Value.EffectiveApiBaseUrl);
            return Results.Redirect($"{web}login/oauth/authorize?client_id={Uri.EscapeDataString(options.Value.ClientId!)}&redirect_uri={Uri.EscapeDataString(callback)}&state={state}");
        });

        app.MapGet("/signin-github/callback", async (HttpContext context, string? code, string? state, IOptions<GitHubSignInOptions> options,
            IGitHubClientFactory clients, GitHubSessionCookie sessions, TimeProvider time, ILoggerFactory loggers) =>
        {
            var expected = context.Request.Cookies[StateCookie];
            context.Response.Cookies.Delete(StateCookie);
            if (!options.Value.Enabled || code is not { Length: > 0 } || state is null || expected is null
                || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(state), System.Text.Encoding.UTF8.GetBytes(expected)))
            {
                return Results.Text("This sign-in did not start here: sign in again.", "text/plain", statusCode: StatusCodes.Status400BadRequest);
            }

            var token = await clients.CreateAnonymousClient().Oauth
                .CreateAccessToken(new OauthTokenRequest(options.Value.ClientId, options.Value.ClientSecret, code)).ConfigureAwait(false);
            if (string.IsNullOrEmpty(token.AccessToken))
            {
                return Results.Text($"GitHub refused the sign-in: {token.ErrorDescription ?? token.Error}", "text/plain", statusCode: StatusCodes.Status401Unauthorized);
            }

            var login = (await clients.CreateUserClient(token.AccessToken).User.Current().ConfigureAwait(false)).Login;
            var logger = loggers.CreateLogger("PolicyBot.SignIn");
            var organizations = await OrganizationsOfAsync(clients, logger, login, context.RequestAborted).ConfigureAwait(false);
            sessions.Write(context, new GitHubSession(login, organizations, time.GetUtcNow().Add(options.Value.SessionLifetime), time.GetUtcNow()));
            LogSignedIn(logger, login, organizations.Count);
            return Results.Redirect("/");
        });

        app.MapPost("/signout", (HttpContext context) =>
        {
            context.Response.Cookies.Delete(GitHubSession.CookieName);
            context.Response.Cookies.Delete(DashboardAccess.CookieName);
            return Results.Redirect("/signin");
        }).DisableAntiforgery();

        return app;
    }

    /// <summary>The organisations (of this app's installations) <paramref name="login"/> is a member of, asked with each installation's token.</summary>
    internal static async Task<IReadOnlyList<string>> OrganizationsOfAsync(IGitHubClientFactory clients, ILogger logger, string login, CancellationToken cancellationToken)
    {
        var organizations = new List<string>();
        foreach (var installation in await clients.CreateAppClient().GitHubApps.GetAllInstallationsForCurrent().ConfigureAwait(false))
        {
            var org = installation.Account.Login;
            try
            {
                var client = await clients.CreateInstallationClientAsync(installation.Id, cancellationToken).ConfigureAwait(false);
                if (await client.Organization.Member.CheckMember(org, login).ConfigureAwait(false))
                {
                    organizations.Add(org);
                }
            }
            catch (Exception exception) when (exception is ApiException or HttpRequestException or InstallationUnavailableException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // One suspended or failing installation must not stop sign-in to the others: its
                // organisation is left out of this session, the safe side.
                LogMembershipUnknown(logger, exception, org, installation.Id);
            }
        }

        return organizations;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check membership in {Organization} (installation {InstallationId}); it is left out of this sign-in")]
    private static partial void LogMembershipUnknown(ILogger logger, Exception exception, string organization, long installationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Login} signed in with GitHub; member of {Count} organisation(s) with PolicyBot installed")]
    private static partial void LogSignedIn(ILogger logger, string login, int count);
}
