using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Octokit;
using PolicyBot.Dashboard;
using PolicyBot.GitHub;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyBot.Setup;

/// <summary>
/// <c>GET /setup</c>: registers a GitHub App from <c>app-manifest.yml</c> through GitHub's App Manifest
/// flow. The operator posts the manifest to GitHub (a plain form, no JavaScript), GitHub creates the app
/// and redirects to <c>/setup/complete</c> with a one-time code, which PolicyBot exchanges for the new
/// app's id, key and webhook secret and writes to a file under <c>data/</c> (never to a page or a log).
/// </summary>
public static class SetupExtensions
{
    public const string ManifestFile = "app-manifest.yml";
    public const string CredentialsFile = GitHubAppCredentialsFile.FileName;
    private const string StateCookie = "policybot_setup_state";

    public static WebApplication MapSetup(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var setup = app.MapGroup("/setup").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var access = http.RequestServices.GetRequiredService<DashboardAccess>();
            if (access.IsOperator(http) || http.RequestServices.GetService<SetupCode>()?.Admits(http) == true)
            {
                return await next(context).ConfigureAwait(false);
            }

            // In setup mode the home page says where the code is; signed in with GitHub is not enough: registering
            // the app rewrites its credentials.
            return http.RequestServices.GetService<SetupCode>() is not null ? Results.Redirect("/")
                : access.IsSignedIn(http) ? Results.StatusCode(StatusCodes.Status403Forbidden)
                : Results.Redirect("/signin");
        });

        setup.MapGet("", (HttpContext context, string? org, IOptions<GitHubOptions> github) =>
        {
            var publicBase = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
            var manifest = Manifest(Path.Combine(AppContext.BaseDirectory, ManifestFile), publicBase);
            var state = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            context.Response.Cookies.Append(StateCookie, state, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps, MaxAge = TimeSpan.FromHours(1) });

            var web = DashboardExtensions.WebBaseUrl(github.Value.EffectiveApiBaseUrl);
            var organization = org is { Length: > 0 } ? org.Trim() : null;
            var target = organization is not null ? $"{web}organizations/{Uri.EscapeDataString(organization)}/settings/apps/new" : $"{web}settings/apps/new";
            return TypedResults.Content(DashboardPage.SetupStart(ManifestFile, GitHubAppCredentialsFile.FileName, web, organization, $"{target}?state={state}", manifest.ToJsonString()), "text/html; charset=utf-8");
        });

        setup.MapGet("/complete", async (HttpContext context, string? code, string? state, IOptions<GitHubOptions> github, IOptions<DashboardOptions> dashboard,
            IHostEnvironment environment, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var expected = context.Request.Cookies[StateCookie];
            if (code is not { Length: > 0 } || state is null || expected is null
                || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(state), System.Text.Encoding.UTF8.GetBytes(expected)))
            {
                return Results.Text("This link is not from the registration PolicyBot started: open /setup again.", "text/plain", statusCode: StatusCodes.Status400BadRequest);
            }

            // The one call GitHub takes without credentials; in setup mode there are none yet to build the app's client from.
            var client = context.RequestServices.GetService<IGitHubClientFactory>()?.CreateAnonymousClient()
                ?? new GitHubClient(new ProductHeaderValue("PolicyBot"), github.Value.EffectiveApiBaseUrl);
            GitHubAppFromManifest created;
            try
            {
                created = await client.GitHubApps.CreateAppFromManifest(code).ConfigureAwait(false);
            }
            catch (NotFoundException)
            {
                return Results.Text("GitHub does not know this code: it is used once and expires after an hour. Open /setup again.", "text/plain", statusCode: StatusCodes.Status400BadRequest);
            }

            // Whoever completed the setup stays the operator after the restart: when no operator token is configured,
            // one is made, stored beside the credentials and kept in this browser's operator cookie.
            var operatorToken = dashboard.Value.OperatorToken is { Length: > 0 } ? null : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            var path = GitHubAppCredentialsFile.PathFor(environment.ContentRootPath);

            // Registering again keeps the operator token an earlier setup made: it may be the only one there is.
            var kept = GitHubAppCredentialsFile.Read(path).TryGetValue($"{DashboardOptions.SectionName}:{nameof(DashboardOptions.OperatorToken)}", out var earlier) ? earlier : null;
            await GitHubAppCredentialsFile.WriteAsync(path, created, operatorToken ?? kept, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            context.Response.Cookies.Delete(StateCookie);
            context.Response.Cookies.Delete(SetupCode.CookieName);
            if (operatorToken is not null)
            {
                // The cookie holds a signed ticket for the new token, as /signin's does, never the token itself.
                context.Response.Cookies.Append(DashboardAccess.CookieName, DashboardAccess.CreateOperatorTicket(operatorToken, time.GetUtcNow() + DashboardAccess.OperatorSessionLifetime), new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Lax,
                    Secure = context.Request.IsHttps,
                    MaxAge = DashboardAccess.OperatorSessionLifetime,
                });
            }

            // In setup mode PolicyBot restarts with the new app as soon as this page is sent; a running PolicyBot keeps
            // its current app until it is restarted.
            var completion = context.RequestServices.GetService<SetupCompletion>();
            completion?.Stored(context);
            var install = $"{created.HtmlUrl.TrimEnd('/')}/installations/new";
            return Results.Content(DashboardPage.SetupDone(created.Name, created.Id, path, install, restarting: completion is not null, operatorTokenStored: operatorToken is not null), "text/html; charset=utf-8");
        });

        return app;
    }

    /// <summary>The manifest as GitHub takes it, pointed at where this PolicyBot is served.</summary>
    internal static JsonObject Manifest(string manifestPath, string publicBase)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(manifestPath)));
        var manifest = ToJson(stream.Documents[0].RootNode)!.AsObject();
        manifest["url"] = publicBase;
        manifest["hook_attributes"]!["url"] = $"{publicBase}/api/github/webhooks";
        manifest["redirect_url"] = $"{publicBase}/setup/complete";
        manifest["callback_urls"] = new JsonArray($"{publicBase}/signin-github");
        return manifest;
    }

    /// <summary>YAML to JSON with YAML's plain-scalar types (booleans and numbers stay what they are; quoted text stays text).</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } b => JsonValue.Create(b.Value == "true"),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "null" or "~" or "" } => null,
        YamlScalarNode { Style: ScalarStyle.Plain } n when long.TryParse(n.Value, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };
}
