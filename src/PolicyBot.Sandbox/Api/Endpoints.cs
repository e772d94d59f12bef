using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PolicyBot.Sandbox.Auth;
using PolicyBot.Sandbox.Faults;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>Registers every simulated endpoint; each area lives in its own partial file.</summary>
internal static partial class Endpoints
{
    public static void Map(WebApplication app, SimulatorContext sim, RateLimiter rateLimiter, RequestLog requests, FaultInjector faults)
    {
        MapApp(app, sim);
        MapManifestFlow(app, sim);
        MapRateLimit(app, sim, rateLimiter);
        MapRepositories(app, sim);
        MapProtection(app, sim);
        MapOrganization(app, sim);
        MapPulls(app, sim);
        MapMergeQueues(app, sim);
        MapCheckRuns(app, sim);
        MapIssues(app, sim);
        MapUsers(app, sim);
        MapSearch(app, sim);
        MapStatuses(app, sim);
        MapCustomProperties(app, sim);
        Rulesets.Map(app, sim);
        GraphQL.GraphQLEndpoint.Map(app, sim, rateLimiter);
        MapControl(app, sim, requests, faults, rateLimiter);
        app.MapFallback(() => GitHubResults.NotFound()).WithMetadata(new AuthRequirementMetadata(AuthRequirement.None));
    }

    internal static RouteHandlerBuilder On(this IEndpointRouteBuilder app, string method, string pattern, Delegate handler, AuthRequirement requirement = AuthRequirement.InstallationOrUser) =>
        app.MapMethods(pattern, [method], handler).WithMetadata(new AuthRequirementMetadata(requirement));

    /// <summary>Reads a JSON object body; null when the body is not a JSON object.</summary>
    internal static async Task<JsonObject?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            return node as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The common shape of a simulated write: a body that is not a JSON object is refused before any lookup
    /// (as GitHub does), and the rest runs under the state lock so it sees and changes one consistent state.
    /// </summary>
    internal static async Task<IResult> WithBodyAsync(this SimulatorContext sim, HttpContext context, Func<JsonObject, IResult> handle)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return BadJson();
        }

        lock (sim.State.Sync)
        {
            return handle(body);
        }
    }

    /// <summary>
    /// Route values keep an encoded "/" (%2F) as it came; GitHub accepts branch names and paths either way, so decode them.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    internal static string? Unescape(string? value) => value is null ? null : Uri.UnescapeDataString(value);

    internal static IResult BadJson() => GitHubResults.Error(400, "Problems parsing JSON");

    internal static string? Str(this JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>
    /// A PATCH's new value for a field that cannot be cleared: the body's string when it differs from
    /// <paramref name="current"/>, recorded as GitHub's <c>changes.{field}.from</c> for the edited webhook.
    /// </summary>
    internal static string Edit(this JsonObject body, string field, string current, JsonObject changes)
    {
        if (body.Str(field) is not { } value || value == current)
        {
            return current;
        }

        changes[field] = new JsonObject { ["from"] = current };
        return value;
    }

    /// <summary>As <see cref="Edit"/>, for a field the body may clear: it changes whenever the body names it (null clears it).</summary>
    internal static string? EditOptional(this JsonObject body, string field, string? current, JsonObject changes)
    {
        var value = body.Str(field);
        if (!body.ContainsKey(field) || value == current)
        {
            return current;
        }

        changes[field] = new JsonObject { ["from"] = current };
        return value;
    }

    internal static bool? Bool(this JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    internal static int? Int(this JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    /// <summary>GitHub's own apps, with their ids on github.com.</summary>
    internal static readonly GitHubAppIdentity[] WellKnownApps =
    [
        new(29110, "dependabot", "Dependabot", "github", new DateTimeOffset(2019, 4, 16, 0, 0, 0, TimeSpan.Zero)),
        new(15368, "github-actions", "GitHub Actions", "github", new DateTimeOffset(2018, 7, 30, 0, 0, 0, TimeSpan.Zero)),
    ];

    private static void MapApp(WebApplication app, SimulatorContext sim)
    {
        app.On("GET", "/app", () =>
        {
            lock (sim.State.Sync)
            {
                return GitHubResults.Json(sim.Shapes.App(sim.App));
            }
        }, AuthRequirement.App);

        // Public: any app by its slug. Besides the simulator's own, GitHub's apps that rulesets commonly let bypass.
        app.On("GET", "/apps/{app_slug}", (string app_slug) =>
        {
            lock (sim.State.Sync)
            {
                var known = WellKnownApps.Prepend(sim.App).FirstOrDefault(a => string.Equals(a.Slug, app_slug, StringComparison.OrdinalIgnoreCase));
                return known is null ? GitHubResults.NotFound() : GitHubResults.Json(sim.Shapes.App(known));
            }
        });

        app.On("GET", "/app/installations", (HttpContext context) =>
        {
            lock (sim.State.Sync)
            {
                return GitHubResults.Paged(context, sim.State.Installations.Values.OrderBy(i => i.Id).Select(i => (JsonNode)sim.Shapes.Installation(i, sim.App)));
            }
        }, AuthRequirement.App);

        app.On("GET", "/app/installations/{installation_id:long}", (long installation_id) =>
        {
            lock (sim.State.Sync)
            {
                return sim.State.Installations.TryGetValue(installation_id, out var installation)
                    ? GitHubResults.Json(sim.Shapes.Installation(installation, sim.App))
                    : GitHubResults.NotFound();
            }
        }, AuthRequirement.App);

        app.On("POST", "/app/installations/{installation_id:long}/access_tokens", (long installation_id) =>
        {
            lock (sim.State.Sync)
            {
                if (!sim.State.Installations.TryGetValue(installation_id, out var installation))
                {
                    return GitHubResults.NotFound();
                }

                if (installation.SuspendedAt is not null)
                {
                    return GitHubResults.Error(403, "This installation has been suspended");
                }

                var token = IssueToken(sim, installation_id);
                return GitHubResults.Json(new JsonObject
                {
                    ["token"] = token.Token,
                    ["expires_at"] = Shapes.Date(token.ExpiresAt),
                    ["permissions"] = sim.Shapes.AppPermissions(),
                    ["repository_selection"] = installation.RepositorySelection,
                }, 201);
            }
        }, AuthRequirement.App);

        app.On("GET", "/installation/repositories", (HttpContext context) =>
        {
            var caller = SimulatorContext.CallerOf(context);
            if (caller.Kind != TokenKind.Installation)
            {
                return GitHubResults.Error(403, "You must authenticate with an installation access token in order to list repositories for an installation.");
            }

            lock (sim.State.Sync)
            {
                if (!sim.State.Installations.TryGetValue(caller.InstallationId!.Value, out var installation))
                {
                    return GitHubResults.Error(401, "Bad credentials");
                }

                var repos = sim.State.FindOrg(installation.Account)?.Repos ?? [];
                var page = GitHubResults.Page(context, repos.OrderBy(r => r.Id).Select(r => (JsonNode)sim.Shapes.Repository(r, full: false)));
                return GitHubResults.Json(new JsonObject
                {
                    ["total_count"] = repos.Count,
                    ["repository_selection"] = installation.RepositorySelection,
                    ["repositories"] = page,
                });
            }
        });

        app.On("POST", "/app-manifests/{code}/conversions", (string code) =>
        {
            lock (sim.State.Sync)
            {
                if (!sim.State.ManifestCodes.Remove(code, out _))
                {
                    return GitHubResults.NotFound();
                }

                var body = sim.Shapes.App(sim.App);
                body["client_id"] = Auth.CredentialValidator.ClientId(sim.App.AppId);
                body["client_secret"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
                body["webhook_secret"] = sim.Webhooks.Secret;
                body["pem"] = sim.AppPrivateKeyPem;
                return GitHubResults.Json(body, 201);
            }
        }, AuthRequirement.None);
    }

    /// <summary>
    /// The web side of GitHub's App Manifest flow: the form a user posts the manifest to. The simulator confirms at once
    /// and redirects to the manifest's redirect_url with a one-time code for POST /app-manifests/{code}/conversions.
    /// </summary>
    private static void MapManifestFlow(WebApplication app, SimulatorContext sim)
    {
        async Task<IResult> Handle(HttpContext context)
        {
            var manifestText = context.Request.HasFormContentType
                ? (await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false))["manifest"].ToString()
                : context.Request.Query["manifest"].ToString();
            JsonObject? manifest;
            try
            {
                manifest = JsonNode.Parse(manifestText) as JsonObject;
            }
            catch (JsonException)
            {
                manifest = null;
            }

            if (manifest?.Str("redirect_url") is not { } redirect || !Uri.TryCreate(redirect, UriKind.Absolute, out var redirectUri))
            {
                return Results.Text("The manifest is not valid JSON or has no redirect_url.", "text/plain", statusCode: 422);
            }

            var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
            lock (sim.State.Sync)
            {
                sim.State.ManifestCodes[code] = sim.App.AppId;
            }

            var state = context.Request.Query["state"].ToString();
            var separator = redirectUri.Query.Length > 0 ? "&" : "?";
            var target = $"{redirectUri}{separator}code={code}" + (state.Length > 0 ? $"&state={Uri.EscapeDataString(state)}" : "");
            return Results.Redirect(target);
        }

        app.On("POST", "/settings/apps/new", Handle, AuthRequirement.None);
        app.On("GET", "/settings/apps/new", Handle, AuthRequirement.None);
        app.On("POST", "/organizations/{org}/settings/apps/new", Handle, AuthRequirement.None);
        app.On("GET", "/organizations/{org}/settings/apps/new", Handle, AuthRequirement.None);
    }

    private static void MapRateLimit(WebApplication app, SimulatorContext sim, RateLimiter rateLimiter)
    {
        app.On("GET", "/rate_limit", (HttpContext context) =>
        {
            var caller = SimulatorContext.CallerOf(context);
            JsonObject Rate(string resource)
            {
                var state = caller.IsAuthenticated && caller.RateLimitKey is { } key
                    ? rateLimiter.Peek(key, resource)
                    : new RateLimitState(resource == "search" ? 10 : resource == "graphql" ? 0 : 60, resource == "search" ? 10 : resource == "graphql" ? 0 : 60, 0, sim.Now.AddHours(1), resource);
                return new JsonObject
                {
                    ["limit"] = state.Limit,
                    ["remaining"] = state.Remaining,
                    ["reset"] = state.Reset.ToUnixTimeSeconds(),
                    ["used"] = state.Used,
                    ["resource"] = resource,
                };
            }

            var core = Rate("core");
            return GitHubResults.Json(new JsonObject
            {
                ["resources"] = new JsonObject
                {
                    ["core"] = core,
                    ["search"] = Rate("search"),
                    ["graphql"] = Rate("graphql"),
                },
                ["rate"] = core.DeepClone(),
            });
        }, AuthRequirement.None);
    }

    /// <summary>Creates the installation for an organisation and sends installation.created. Call under the lock.</summary>
    public static SimInstallation Install(SimulatorContext sim, string orgLogin)
    {
        var org = sim.State.FindOrg(orgLogin) ?? throw new InvalidOperationException($"Unknown organisation '{orgLogin}'.");
        var id = org.InstallationId != 0 ? org.InstallationId : sim.State.NextId();
        org.InstallationId = id;
        if (sim.State.Installations.TryGetValue(id, out var existing))
        {
            return existing;
        }

        var installation = new SimInstallation { Id = id, Account = org.Login, CreatedAt = sim.Now };
        sim.State.Installations[id] = installation;
        var admin = org.Members.FirstOrDefault(m => m.Value == "admin").Key ?? org.Members.Keys.FirstOrDefault() ?? org.Login;
        var payload = new JsonObject
        {
            ["action"] = "created",
            ["installation"] = sim.Shapes.Installation(installation, sim.App),
            ["repositories"] = new JsonArray([.. org.Repos.OrderBy(r => r.Id).Select(r => (JsonNode)RepoRef(r))]),
            ["requester"] = null,
            ["sender"] = sim.Shapes.User(admin),
        };
        sim.Webhooks.Enqueue("installation", payload);
        return installation;
    }

    /// <summary>Removes the app from an organisation: installation.deleted, and its tokens stop working. Call under the lock.</summary>
    public static bool Uninstall(SimulatorContext sim, string orgLogin)
    {
        var org = sim.State.FindOrg(orgLogin);
        var installation = sim.State.Installations.Values.FirstOrDefault(i => string.Equals(i.Account, orgLogin, StringComparison.OrdinalIgnoreCase));
        if (org is null || installation is null)
        {
            return false;
        }

        var admin = org.Members.FirstOrDefault(m => m.Value == "admin").Key ?? org.Login;
        sim.Webhooks.Enqueue("installation", new JsonObject
        {
            ["action"] = "deleted",
            ["installation"] = sim.Shapes.Installation(installation, sim.App),
            ["repositories"] = new JsonArray([.. org.Repos.OrderBy(r => r.Id).Select(r => (JsonNode)RepoRef(r))]),
            ["sender"] = sim.Shapes.User(admin),
        });
        sim.State.Installations.Remove(installation.Id);
        foreach (var token in sim.State.Tokens.Where(t => t.Value.InstallationId == installation.Id).Select(t => t.Key).ToList())
        {
            sim.State.Tokens.Remove(token);
        }

        return true;
    }

    /// <summary>
    /// An organisation owner suspends (or unsuspends) the app: installation.suspend or .unsuspend; while
    /// suspended its tokens stop working and no new ones are issued. False when not installed or already so. Call under the lock.
    /// </summary>
    public static bool SetSuspended(SimulatorContext sim, string orgLogin, bool suspended)
    {
        var org = sim.State.FindOrg(orgLogin);
        var installation = sim.State.Installations.Values.FirstOrDefault(i => string.Equals(i.Account, orgLogin, StringComparison.OrdinalIgnoreCase));
        if (org is null || installation is null || (installation.SuspendedAt is not null) == suspended)
        {
            return false;
        }

        var admin = org.Members.FirstOrDefault(m => m.Value == "admin").Key ?? org.Login;
        installation.SuspendedAt = suspended ? sim.Now : null;
        installation.SuspendedBy = suspended ? admin : null;
        if (suspended)
        {
            foreach (var token in sim.State.Tokens.Where(t => t.Value.InstallationId == installation.Id).Select(t => t.Key).ToList())
            {
                sim.State.Tokens.Remove(token);
            }
        }

        sim.Webhooks.Enqueue("installation", new JsonObject
        {
            ["action"] = suspended ? "suspend" : "unsuspend",
            ["installation"] = sim.Shapes.Installation(installation, sim.App),
            ["repositories"] = new JsonArray([.. org.Repos.OrderBy(r => r.Id).Select(r => (JsonNode)RepoRef(r))]),
            ["sender"] = sim.Shapes.User(admin),
        });
        return true;
    }

    internal static JsonObject RepoRef(SimRepo repo) => new()
    {
        ["id"] = repo.Id,
        ["node_id"] = Shapes.NodeId("R", repo.Id),
        ["name"] = repo.Name,
        ["full_name"] = repo.FullName,
        ["private"] = repo.Private,
    };

    /// <summary>Issues a one-hour installation token. Call under the lock.</summary>
    public static InstallationToken IssueToken(SimulatorContext sim, long installationId)
    {
        var token = new InstallationToken(
            "ghs_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(27)).Replace('+', 'A').Replace('/', 'B'),
            installationId,
            sim.Now.AddHours(1));
        sim.State.Tokens[token.Token] = token;
        return token;
    }

    private static void MapControl(WebApplication app, SimulatorContext sim, RequestLog requests, FaultInjector faults, RateLimiter rateLimiter)
    {
        app.MapGet("/_sandbox", () => GitHubResults.Json(new JsonObject
        {
            ["app_id"] = sim.App.AppId,
            ["app_slug"] = sim.App.Slug,
            ["webhook_url"] = sim.Webhooks.Url?.ToString(),
            ["api_url"] = sim.Shapes.Api,
        }));

        app.MapGet("/_sandbox/deliveries", () => GitHubResults.Json(new JsonArray([.. sim.Webhooks.Deliveries.Select(d => (JsonNode)new JsonObject
        {
            ["id"] = d.Id.ToString(),
            ["event"] = d.Event,
            ["action"] = d.Action,
            ["status_code"] = d.StatusCode,
            ["duration_ms"] = Math.Round(d.Duration.TotalMilliseconds, 1),
            ["delivered_at"] = Shapes.Date(d.DeliveredAt),
            ["error"] = d.Error,
            ["redelivery"] = d.Redelivery,
        })])));

        app.MapPost("/_sandbox/deliveries/{id:guid}/redeliver", (Guid id) =>
            sim.Webhooks.Redeliver(id) ? Results.Accepted() : GitHubResults.NotFound());

        app.MapPost("/_sandbox/webhooks/wait", async (CancellationToken cancellationToken) =>
        {
            await sim.Webhooks.WaitForIdleAsync(cancellationToken).ConfigureAwait(false);
            return Results.NoContent();
        });

        app.MapMethods("/_sandbox/webhook-url", ["PUT"], async (HttpContext context) =>
        {
            // {"url": U} for one receiver, {"urls": [U, ...]} for several behind a round-robin load balancer.
            var body = await ReadBodyAsync(context).ConfigureAwait(false);
            if (body?["urls"] is JsonArray urls)
            {
                var parsed = new List<Uri>();
                foreach (var entry in urls)
                {
                    if (entry?.GetValueKind() != System.Text.Json.JsonValueKind.String || !Uri.TryCreate(entry.GetValue<string>(), UriKind.Absolute, out var uri))
                    {
                        return GitHubResults.Error(400, "urls must be absolute URLs");
                    }

                    parsed.Add(uri);
                }

                sim.Webhooks.Urls = parsed;
                return Results.NoContent();
            }

            var url = body?.Str("url");
            sim.Webhooks.Url = string.IsNullOrEmpty(url) ? null : new Uri(url);
            return Results.NoContent();
        });

        app.MapGet("/_sandbox/requests", () => GitHubResults.Json(new JsonArray([.. requests.Snapshot().Select(r => (JsonNode)new JsonObject
        {
            ["at"] = Shapes.Date(r.At),
            ["method"] = r.Method,
            ["path"] = r.Path,
            ["query"] = r.Query,
            ["status"] = r.StatusCode,
            ["token_kind"] = r.TokenKind.ToString(),
            ["not_modified"] = r.NotModified,
            ["installation_id"] = r.InstallationId,
            ["login"] = r.Login,
            ["route"] = r.RouteTemplate,
            ["duration_ms"] = Math.Round(r.Duration.TotalMilliseconds, 1),
            ["resource"] = r.Resource,
            ["cost"] = r.Cost,
        })])));

        // Each budget in use: installation (or person), resource, points used and remaining in the current window.
        app.MapGet("/_sandbox/rate-limits", () => GitHubResults.Json(new JsonArray([.. rateLimiter.Snapshot()
            .Where(b => b.Key.StartsWith("installation:", StringComparison.Ordinal) || b.Key.StartsWith("sandbox:", StringComparison.Ordinal))
            .OrderBy(b => b.Key, StringComparer.Ordinal).ThenBy(b => b.State.Resource, StringComparer.Ordinal)
            .Select(b => (JsonNode)new JsonObject
            {
                ["installation_id"] = b.Key.StartsWith("installation:", StringComparison.Ordinal) ? long.Parse(b.Key["installation:".Length..], CultureInfo.InvariantCulture) : null,
                ["login"] = b.Key.StartsWith("sandbox:", StringComparison.Ordinal) ? b.Key["sandbox:".Length..] : null,
                ["resource"] = b.State.Resource,
                ["limit"] = b.State.Limit,
                ["used"] = b.State.Used,
                ["remaining"] = b.State.Remaining,
                ["reset"] = b.State.Reset.ToUnixTimeSeconds(),
            })])));

        app.MapDelete("/_sandbox/requests", () =>
        {
            requests.Clear();
            return Results.NoContent();
        });

        app.MapGet("/_sandbox/faults", () => GitHubResults.Json(new JsonArray([.. faults.List().Select(f => (JsonNode)FaultJson(f.Id, f.Rule, f.Remaining))])));

        // Body: { "method": "GET", "path": "/repos/*/*/issues", "status": 403, "count": 1, "message": "...",
        //         "retry_after": 60, "latency_ms": 200 } or { "global_latency_ms": 100 } or { "exhaust_token": "ghs_..." }
        //         or { "content_creation_per_minute": 80, "retry_after": 60 } (0 switches it off).
        app.MapPost("/_sandbox/faults", async (HttpContext context) =>
        {
            var body = await ReadBodyAsync(context).ConfigureAwait(false);
            if (body is null)
            {
                return BadJson();
            }

            if (body.Int("global_latency_ms") is { } global)
            {
                faults.GlobalLatency = TimeSpan.FromMilliseconds(global);
                return Results.NoContent();
            }

            if (body.Int("content_creation_per_minute") is { } perMinute)
            {
                faults.ContentCreation = perMinute <= 0 ? null : new ContentCreationLimit(perMinute, body.Int("retry_after") is { } wait ? TimeSpan.FromSeconds(wait) : null, body.Int("content_creation_per_hour") ?? 500);
                return Results.NoContent();
            }

            if (body.Str("exhaust_token") is { } token)
            {
                faults.ExhaustRateLimit(token);
                return Results.NoContent();
            }

            var path = body.Str("path");
            if (path is null)
            {
                return GitHubResults.Validation("path is required", "Fault", "path", "missing_field");
            }

            var rule = new FaultRule
            {
                Method = body.Str("method"),
                PathPattern = path,
                StatusCode = body.Int("status"),
                Count = body.Int("count") ?? (body.Int("status") is null ? 0 : 1),
                Message = body.Str("message"),
                RetryAfter = body.Int("retry_after") is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                Latency = TimeSpan.FromMilliseconds(body.Int("latency_ms") ?? 0),
            };
            var id = faults.Add(rule);
            return GitHubResults.Json(FaultJson(id, rule, rule.Count), 201);
        });

        app.MapDelete("/_sandbox/faults", () =>
        {
            faults.Clear();
            return Results.NoContent();
        });

        app.MapDelete("/_sandbox/faults/{id:guid}", (Guid id) => faults.Remove(id) ? Results.NoContent() : GitHubResults.NotFound());

        // An owner deletes an issue in the web UI; ?login= names who (default: an organisation owner).
        app.MapDelete("/_sandbox/repos/{owner}/{repo}/issues/{number:int}", (string owner, string repo, int number, HttpContext context) =>
            DeleteIssue(sim, owner, repo, number, context.Request.Query["login"].ToString() is { Length: > 0 } login ? login : null));

        app.MapPost("/_sandbox/repos/{owner}/{repo}/check-runs/{id:long}/rerequest", (string owner, string repo, long id, HttpContext context) =>
        {
            lock (sim.State.Sync)
            {
                return Rerequest(sim, owner, repo, id, RerequestingLogin(sim, context, owner))
                    ? Results.Accepted()
                    : GitHubResults.NotFound();
            }
        });

        app.MapPost("/_sandbox/repos/{owner}/{repo}/check-suites/{sha}/rerequest", (string owner, string repo, string sha, HttpContext context) =>
        {
            lock (sim.State.Sync)
            {
                return RerequestSuite(sim, owner, repo, sha, RerequestingLogin(sim, context, owner))
                    ? Results.Accepted()
                    : GitHubResults.NotFound();
            }
        });

        // GitHub offers draft changes only in its web UI and GraphQL; people in the sandbox do it here.
        // (The slim host has no regex route constraints, so the change is checked here.)
        app.MapPost("/_sandbox/repos/{owner}/{repo}/pulls/{number:int}/{change}", (string owner, string repo, int number, string change, HttpContext context) =>
        {
            if (change is not ("ready_for_review" or "convert_to_draft"))
            {
                return GitHubResults.NotFound();
            }

            lock (sim.State.Sync)
            {
                if (sim.State.FindOrg(owner) is not { } org || org.FindRepo(repo) is not { } r || r.Pulls.Find(p => p.Number == number) is not { } pull || pull.State != "open")
                {
                    return GitHubResults.NotFound();
                }

                var login = context.Request.Query["login"].ToString();
                var draft = change == "convert_to_draft";
                if (pull.Draft != draft)
                {
                    pull.Draft = draft;
                    pull.UpdatedAt = sim.Now;
                    Pulls.Send(sim, org, r, pull, sim.State.EnsureAccount(login.Length > 0 ? login : pull.AuthorLogin), change);
                }

                return GitHubResults.Json(PullShapes.Pull(sim, r, pull));
            }
        });

        app.MapDelete("/_sandbox/installations/{org}", (string org) =>
        {
            lock (sim.State.Sync)
            {
                return Uninstall(sim, org) ? Results.NoContent() : GitHubResults.NotFound();
            }
        });

        app.MapPut("/_sandbox/installations/{org}/suspended", (string org) =>
        {
            lock (sim.State.Sync)
            {
                return SetSuspended(sim, org, suspended: true) ? Results.NoContent() : GitHubResults.NotFound();
            }
        });

        app.MapDelete("/_sandbox/installations/{org}/suspended", (string org) =>
        {
            lock (sim.State.Sync)
            {
                return SetSuspended(sim, org, suspended: false) ? Results.NoContent() : GitHubResults.NotFound();
            }
        });

        app.MapPost("/_sandbox/installations/{org}", (string org) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.State.FindOrg(org) is null)
                {
                    return GitHubResults.NotFound();
                }

                var installation = Install(sim, org);
                return GitHubResults.Json(new JsonObject { ["id"] = installation.Id }, 201);
            }
        });
    }

    /// <summary>Who presses "Re-run" in the sandbox: ?login=, else the organisation's first member, else the owner. Call under the lock.</summary>
    private static string RerequestingLogin(SimulatorContext sim, HttpContext context, string owner)
    {
        var login = context.Request.Query["login"].ToString();
        return login.Length > 0 ? login : sim.State.FindOrg(owner)?.Members.Keys.FirstOrDefault() ?? owner;
    }

    private static JsonObject FaultJson(Guid id, FaultRule rule, int remaining) => new()
    {
        ["id"] = id.ToString(),
        ["method"] = rule.Method,
        ["path"] = rule.PathPattern,
        ["status"] = rule.StatusCode,
        ["remaining"] = remaining,
        ["message"] = rule.Message,
        ["retry_after"] = rule.RetryAfter is { } r ? (int)r.TotalSeconds : null,
        ["latency_ms"] = rule.Latency.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
    };
}
