using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Auth;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

internal static partial class Endpoints
{
    /// <summary>
    /// "Sign in with GitHub" through the app (OAuth web flow) and the user endpoints a dashboard needs to know who
    /// signed in and whether they belong to the organisation. The simulator approves at once: the person is the
    /// <c>login</c> query parameter of the authorize URL, else the first organisation's first admin.
    /// </summary>
    private static void MapUsers(WebApplication app, SimulatorContext sim)
    {
        app.On("GET", "/login/oauth/authorize", (HttpContext context) =>
        {
            var query = context.Request.Query;
            var redirect = query["redirect_uri"].ToString();
            if (!Uri.TryCreate(redirect, UriKind.Absolute, out var redirectUri))
            {
                return Results.Text("redirect_uri is required", "text/plain", statusCode: 400);
            }

            string? login;
            lock (sim.State.Sync)
            {
                login = query["login"].ToString() is { Length: > 0 } requested
                    ? requested
                    : sim.State.Orgs.Values.Select(o => o.Members.FirstOrDefault(m => m.Value == "admin").Key ?? o.Members.Keys.FirstOrDefault()).FirstOrDefault(l => l is not null);
                if (login is null || !sim.State.Orgs.Values.Any(o => o.Members.ContainsKey(login)))
                {
                    return Results.Text("No such person in the simulated organisations.", "text/plain", statusCode: 404);
                }

                var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
                sim.State.OAuthCodes[code] = login;
                var separator = redirectUri.Query.Length > 0 ? "&" : "?";
                var state = query["state"].ToString();
                return Results.Redirect($"{redirectUri}{separator}code={code}" + (state.Length > 0 ? $"&state={Uri.EscapeDataString(state)}" : ""));
            }
        }, AuthRequirement.None);

        app.On("POST", "/login/oauth/access_token", async (HttpContext context) =>
        {
            string? code;
            if (context.Request.HasFormContentType)
            {
                code = (await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false))["code"].ToString();
            }
            else
            {
                code = (await ReadBodyAsync(context).ConfigureAwait(false))?.Str("code") ?? context.Request.Query["code"].ToString();
            }

            JsonObject answer;
            lock (sim.State.Sync)
            {
                if (string.IsNullOrEmpty(code) || !sim.State.OAuthCodes.Remove(code, out var login))
                {
                    answer = new JsonObject
                    {
                        ["error"] = "bad_verification_code",
                        ["error_description"] = "The code passed is incorrect or expired.",
                        ["error_uri"] = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code",
                    };
                }
                else
                {
                    var token = new UserToken("ghu_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(18)), login, sim.Now.AddHours(8));
                    sim.State.UserTokens[token.Token] = token;
                    answer = new JsonObject
                    {
                        ["access_token"] = token.Token,
                        ["expires_in"] = 28800,
                        ["token_type"] = "bearer",
                        ["scope"] = "",
                    };
                }
            }

            // GitHub answers 200 even for a bad code, as JSON when asked for it, form-encoded otherwise.
            if (context.Request.Headers.Accept.ToString().Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                return GitHubResults.Json(answer);
            }

            var form = string.Join('&', answer.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value?.ToString() ?? "")}"));
            return Results.Text(form, "application/x-www-form-urlencoded");
        }, AuthRequirement.None);

        app.On("GET", "/user", (HttpContext context) =>
        {
            var caller = SimulatorContext.CallerOf(context);
            if (caller.Login is null)
            {
                return GitHubResults.Error(403, "Resource not accessible by integration");
            }

            lock (sim.State.Sync)
            {
                var user = sim.Shapes.User(caller.Login);
                user["name"] = caller.Login;
                user["email"] = null;
                user["created_at"] = Shapes.Date(sim.App.CreatedAt);
                user["updated_at"] = Shapes.Date(sim.App.CreatedAt);
                return GitHubResults.Json(user);
            }
        });

        app.On("GET", "/user/orgs", (HttpContext context) =>
        {
            var caller = SimulatorContext.CallerOf(context);
            lock (sim.State.Sync)
            {
                var orgs = caller.Login is null ? [] : sim.State.Orgs.Values.Where(o => o.Members.ContainsKey(caller.Login));
                return GitHubResults.Paged(context, orgs.Select(o => (JsonNode)sim.Shapes.Organization(o)));
            }
        });

        app.On("GET", "/user/memberships/orgs/{org}", (HttpContext context, string org) =>
        {
            var caller = SimulatorContext.CallerOf(context);
            lock (sim.State.Sync)
            {
                return caller.Login is not null && sim.State.FindOrg(org) is { } o && o.Members.TryGetValue(caller.Login, out var role)
                    ? GitHubResults.Json(OrgMembership(sim, o, caller.Login, role))
                    : GitHubResults.NotFound();
            }
        });

        app.On("GET", "/orgs/{org}/installation", (string org) => InstallationFor(sim, org), AuthRequirement.App);
        app.On("GET", "/repos/{owner}/{repo}/installation", (string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                return sim.State.FindRepo(owner, repo) is null ? GitHubResults.NotFound() : InstallationFor(sim, owner);
            }
        }, AuthRequirement.App);
    }

    private static IResult InstallationFor(SimulatorContext sim, string org)
    {
        lock (sim.State.Sync)
        {
            return sim.State.Installations.Values.FirstOrDefault(i => string.Equals(i.Account, org, StringComparison.OrdinalIgnoreCase)) is { } installation
                ? GitHubResults.Json(sim.Shapes.Installation(installation, sim.App))
                : GitHubResults.NotFound();
        }
    }
}
