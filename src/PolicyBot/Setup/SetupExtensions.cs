using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
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
    public const string CredentialsFile = "github-app.env";
    private const string StateCookie = "policybot_setup_state";

    public static WebApplication MapSetup(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var setup = app.MapGroup("/setup").AddEndpointFilter(async (context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<DashboardAccess>() is var access && access.IsOperator(context.HttpContext)
                ? await next(context).ConfigureAwait(false)
                : access.IsSignedIn(context.HttpContext)
                    // Signed in with GitHub is not enough: registering the app rewrites its credentials.
                    ? Results.StatusCode(StatusCodes.Status403Forbidden)
                    : Results.Redirect("/signin"));

        setup.MapGet("", (HttpContext context, string? org, IOptions<GitHubOptions> github, IHostEnvironment environment) =>
        {
            var publicBase = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
            var manifest = Manifest(Path.Combine(AppContext.BaseDirectory, ManifestFile), publicBase);
            var state = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            context.Response.Cookies.Append(StateCookie, state, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps, MaxAge = TimeSpan.FromHours(1) });

            var web = DashboardExtensions.WebBaseUrl(github.Value.EffectiveApiBaseUrl);
            var target = org is { Length: > 0 } ? $"{web}organizations/{Uri.EscapeDataString(org)}/settings/apps/new" : $"{web}settings/apps/new";
            var e = HtmlEncoder.Default;
            return TypedResults.Content($"""
                <!doctype html><html lang=en><head><meta charset=utf-8><title>PolicyBot: register the GitHub App</title></head><body>
                <h1>Register PolicyBot on GitHub</h1>
                <p>This posts <code>{ManifestFile}</code> to GitHub{(org is { Length: > 0 } ? $" for the organisation <strong>{e.Encode(org)}</strong>" : "")}. GitHub asks you to confirm, creates the app and sends you back here; PolicyBot then stores the new app's credentials in <code>data/{CredentialsFile}</code>.</p>
                <form method=post action="{e.Encode(target)}?state={state}">
                <input type=hidden name=manifest value="{e.Encode(manifest.ToJsonString())}">
                <button>Register on GitHub</button></form></body></html>
                """, "text/html; charset=utf-8");
        });

        setup.MapGet("/complete", async (HttpContext context, string? code, string? state, IGitHubClientFactory clients, IHostEnvironment environment, TimeProvider time) =>
        {
            var expected = context.Request.Cookies[StateCookie];
            if (code is not { Length: > 0 } || state is null || expected is null
                || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(state), System.Text.Encoding.UTF8.GetBytes(expected)))
            {
                return Results.Text("This link is not from the registration PolicyBot started: open /setup again.", "text/plain", statusCode: StatusCodes.Status400BadRequest);
            }

            var created = await clients.CreateAnonymousClient().GitHubApps.CreateAppFromManifest(code).ConfigureAwait(false);
            var path = Path.GetFullPath(Path.Combine("data", CredentialsFile), environment.ContentRootPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var lines = string.Join('\n',
                $"# The GitHub App registered by PolicyBot on {time.GetUtcNow():u}. Keep this file secret.",
                $"APP_ID={created.Id.ToString(CultureInfo.InvariantCulture)}",
                $"GitHub__AppSlug={created.Slug}",
                $"WEBHOOK_SECRET={created.WebhookSecret}",
                $"GITHUB_CLIENT_ID={created.ClientId}",
                $"GITHUB_CLIENT_SECRET={created.ClientSecret}",
                $"PRIVATE_KEY=\"{created.Pem.Trim().Replace("\n", "\\n", StringComparison.Ordinal)}\"",
                "");
            await File.WriteAllTextAsync(path, lines).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            context.Response.Cookies.Delete(StateCookie);
            var e = HtmlEncoder.Default;
            return Results.Content($"""
                <!doctype html><html lang=en><head><meta charset=utf-8><title>PolicyBot: registered</title></head><body>
                <h1>Registered {e.Encode(created.Name)}</h1>
                <p>App id {created.Id.ToString(CultureInfo.InvariantCulture)}. Its private key and webhook secret are in <code>{e.Encode(path)}</code> (readable by this user only).
                Set them as PolicyBot's settings (<code>APP_ID</code>, <code>PRIVATE_KEY</code>, <code>WEBHOOK_SECRET</code>), restart PolicyBot,
                then <a href="{e.Encode(created.HtmlUrl)}/installations/new">install the app</a> on your organisation.</p></body></html>
                """, "text/html; charset=utf-8");
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
