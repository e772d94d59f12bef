using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PolicyBot.Audit;
using PolicyBot.Enforcement;
using PolicyBot.GitHub;
using PolicyBot.Hosting;
using PolicyBot.Storage;

namespace PolicyBot.Dashboard;

public static class DashboardExtensions
{
    private const int RecentLimit = 100;
    private const int AuditLimit = 500;

    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DashboardOptions>().Bind(configuration.GetSection(DashboardOptions.SectionName));
        services.AddSingleton<DashboardAccess>();
        services.AddSingleton<DashboardQueries>();
        services.AddSingleton<IComplianceHistory, Storage.Sqlite.SqliteComplianceHistory>();
        services.AddSingleton<IMetricsGaugeSource, ComplianceHistoryRecorder>();
        services.AddMigrations(Storage.Sqlite.DashboardMigrations.Sqlite);
        return services;
    }

    /// <summary>
    /// <c>GET /</c> and <c>/installations/{id}</c> (HTML), the same data as JSON under <c>/api/</c>, and CSV
    /// exports. Organisation data only for signed-in operators (or the sandbox).
    /// </summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapGet("/signin", (IOptions<SignIn.GitHubSignInOptions> gitHub) => Html(DashboardPage.SignIn(null, gitHub.Value.Enabled)));
        app.MapPost("/signin", async (HttpContext context, DashboardAccess access, IOptions<SignIn.GitHubSignInOptions> gitHub) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var token = form["token"].ToString();
            if (!access.Matches(token, access.OperatorToken))
            {
                return Results.Content(DashboardPage.SignIn("That token is not the operator token.", gitHub.Value.Enabled), "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
            }

            // A signed ticket, not the token: a stolen cookie expires, and never reveals the token itself.
            context.Response.Cookies.Append(DashboardAccess.CookieName, access.IssueOperatorTicket(DashboardAccess.OperatorSessionLifetime), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                MaxAge = DashboardAccess.OperatorSessionLifetime,
            });
            return Results.Redirect("/");
        }).DisableAntiforgery();

        var pages = app.MapGroup("").AddEndpointFilter(RequireSignIn);
        pages.MapGet("/", async (HttpContext context, DashboardQueries queries, DashboardAccess access, IOptions<GitHubOptions> github, CancellationToken cancellationToken) =>
        {
            var visible = access.VisibleOrganizations(context);
            var installations = (await queries.ListInstallationsAsync(cancellationToken).ConfigureAwait(false)).Where(i => Visible(visible, i.Organization)).ToList();
            return installations.Count == 1
                ? Results.Redirect($"/installations/{installations[0].InstallationId.ToString(CultureInfo.InvariantCulture)}")
                : Html(DashboardPage.Installations(installations, access.IsOperator(context), InstallUrl(github)));
        });
        pages.MapGet("/installations/{id:long}", async (HttpContext context, long id, int? page, string? q, string? policy, string? team, string? state, string? tier,
            DashboardQueries queries, DashboardAccess access, IOptions<DashboardOptions> options, IOptions<GitHubOptions> github, Enforcement.Progress.EvaluationProgress progress, CancellationToken cancellationToken) =>
        {
            var pageNumber = Math.Max(1, page ?? 1);
            var filter = new RepositoryFilter(Blank(policy), Blank(team), Blank(state), Blank(q), Blank(tier));
            var overview = await queries.GetOverviewAsync(id, filter, pageNumber, options.Value.PageSize, cancellationToken).ConfigureAwait(false);
            if (overview is null || !Visible(access.VisibleOrganizations(context), overview.Organization))
            {
                return Results.NotFound();
            }

            return Html(DashboardPage.Installation(overview, filter, pageNumber, options.Value.PageSize, Links(github), access.IsOperator(context), await progress.GetAsync(id, cancellationToken).ConfigureAwait(false)));
        });
        pages.MapGet("/installations/{id:long}/repositories/{name}", async (HttpContext context, long id, string name, DashboardQueries queries, DashboardAccess access, IOptions<GitHubOptions> github, CancellationToken cancellationToken) =>
        {
            var detail = await queries.GetRepositoryAsync(id, name, cancellationToken).ConfigureAwait(false);
            return detail is null || !Visible(access.VisibleOrganizations(context), detail.Evaluation.Repository)
                ? Results.NotFound()
                : Html(DashboardPage.Repository(detail, Links(github), access.IsOperator(context)));
        });

        // The app's own operations: operators only.
        var operatorPages = pages.MapGroup("").AddEndpointFilter(RequireOperator);
        operatorPages.MapGet("/audit-log", async (long? installation, IAuditLog auditLog, CancellationToken cancellationToken) =>
            Html(DashboardPage.AuditLog(await auditLog.ListRecentAsync(installation, AuditLimit, cancellationToken).ConfigureAwait(false), installation, operatorView: true)));
        operatorPages.MapGet("/deliveries", async (long? installation, bool? own, IDeliveryStore deliveries, IOptions<GitHubOptions> github, CancellationToken cancellationToken) =>
        {
            var bot = BotLogin(github);
            var list = await deliveries.ListRecentAsync(RecentLimit, own == true ? null : bot, cancellationToken).ConfigureAwait(false);
            return Html(DashboardPage.Deliveries(list.Where(d => installation is null || d.InstallationId is null || d.InstallationId == installation).ToList(), own == true, bot, installation));
        });
        operatorPages.MapGet("/dead-letters", async (long? installation, IWorkQueueStore workItems, CancellationToken cancellationToken) =>
        {
            var dead = await workItems.ListAsync(WorkItemStates.Dead, RecentLimit, cancellationToken).ConfigureAwait(false);
            return Html(DashboardPage.DeadLetters(dead.Where(d => installation is null || d.Item.InstallationId == installation).ToList(), installation));
        });

        var api = app.MapGroup("/api").AddEndpointFilter(RequireSignIn);
        api.MapGet("/installations", async (HttpContext context, DashboardAccess access, DashboardQueries queries, CancellationToken cancellationToken) =>
            TypedResults.Ok((await queries.ListInstallationsAsync(cancellationToken).ConfigureAwait(false)).Where(i => Visible(access.VisibleOrganizations(context), i.Organization)).ToList()));
        api.MapGet("/installations/{id:long}", async Task<Results<Ok<InstallationOverview>, NotFound>> (HttpContext context, long id, int? page, string? q, string? policy, string? team, string? state, string? tier, DashboardAccess access, DashboardQueries queries, IOptions<DashboardOptions> options, CancellationToken cancellationToken) =>
            await queries.GetOverviewAsync(id, new RepositoryFilter(Blank(policy), Blank(team), Blank(state), Blank(q), Blank(tier)), Math.Max(1, page ?? 1), options.Value.PageSize, cancellationToken).ConfigureAwait(false) is { } overview
                && Visible(access.VisibleOrganizations(context), overview.Organization)
                ? TypedResults.Ok(overview)
                : TypedResults.NotFound());
        api.MapGet("/repositories", async (HttpContext context, long? installation, DashboardAccess access, DashboardQueries queries, CancellationToken cancellationToken) =>
            TypedResults.Ok((await queries.ListEvaluationsAsync(installation, cancellationToken).ConfigureAwait(false)).Where(e => Visible(access.VisibleOrganizations(context), e.Repository)).ToList()));
        api.MapGet("/repositories/{owner}/{name}/baseline", async Task<Results<Ok<RepositoryBaseline>, NotFound>> (HttpContext context, string owner, string name, DashboardAccess access, DashboardQueries queries, CancellationToken cancellationToken) =>
            Visible(access.VisibleOrganizations(context), owner)
                && await queries.GetBaselineAsync($"{owner}/{name}", cancellationToken).ConfigureAwait(false) is { } baseline
                ? TypedResults.Ok(baseline)
                : TypedResults.NotFound());
        api.MapGet("/inventory", async (HttpContext context, long? installation, DashboardAccess access, DashboardQueries queries, CancellationToken cancellationToken) =>
            TypedResults.Ok((await queries.ListInventoryAsync(installation, cancellationToken).ConfigureAwait(false)).Where(e => Visible(access.VisibleOrganizations(context), e.Repository)).ToList()));
        api.MapGet("/inventory.csv", async (HttpContext context, long? installation, DashboardAccess access, DashboardQueries queries, CancellationToken cancellationToken) =>
        {
            var csv = new StringBuilder("repository,owner,lifecycle,description,account,renews_on,billing_contact,account_owner\n");
            foreach (var entry in (await queries.ListInventoryAsync(installation, cancellationToken).ConfigureAwait(false)).Where(e => Visible(access.VisibleOrganizations(context), e.Repository)))
            {
                List<Policies.Catalog.ExternalAccountEntry?> accounts = entry.ExternalAccounts.Count == 0 ? [null] : [.. entry.ExternalAccounts];
                foreach (var account in accounts)
                {
                    csv.AppendJoin(',', new[]
                    {
                        entry.Repository, entry.Owner, entry.Lifecycle, entry.Description, account?.Name,
                        account?.RenewsOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), account?.BillingContact, account?.Owner,
                    }.Select(AuditFormatter.Escape)).Append('\n');
                }
            }

            return TypedResults.Text(csv.ToString(), "text/csv; charset=utf-8");
        });
        api.MapGet("/findings.csv", async (HttpContext context, long? installation, DashboardAccess access, DashboardQueries queries, CancellationToken cancellationToken) =>
        {
            var csv = new StringBuilder("repository,policy,code,subject,line,action,blocking,message,remediation\n");
            foreach (var evaluation in (await queries.ListEvaluationsAsync(installation, cancellationToken).ConfigureAwait(false)).Where(e => Visible(access.VisibleOrganizations(context), e.Repository)))
            {
                foreach (var result in evaluation.Results.Where(r => r.Action != Policies.PolicyAction.Off))
                {
                    foreach (var f in result.Findings)
                    {
                        csv.AppendJoin(',', new[]
                        {
                            evaluation.Repository, f.Policy, f.Code, f.Subject, f.Line?.ToString(CultureInfo.InvariantCulture),
                            result.Action.ToString().ToLowerInvariant(), result.Blocking ? "true" : "false", f.Message, f.Remediation,
                        }.Select(AuditFormatter.Escape)).Append('\n');
                    }
                }
            }

            return TypedResults.Text(csv.ToString(), "text/csv; charset=utf-8");
        });
        // The app's own operations, for operators only.
        var operations = api.MapGroup("").AddEndpointFilter(RequireOperator);
        operations.MapGet("/deliveries", async (bool? own, IDeliveryStore deliveries, IOptions<GitHubOptions> github, CancellationToken cancellationToken) =>
            TypedResults.Ok(await deliveries.ListRecentAsync(RecentLimit, own == true ? null : BotLogin(github), cancellationToken).ConfigureAwait(false)));
        operations.MapGet("/dead-letters", async (IWorkQueueStore workItems, CancellationToken cancellationToken) =>
            TypedResults.Ok(await workItems.ListAsync(WorkItemStates.Dead, RecentLimit, cancellationToken).ConfigureAwait(false)));
        operations.MapGet("/audit-log", async (long? installation, IAuditLog auditLog, CancellationToken cancellationToken) =>
            TypedResults.Ok(await auditLog.ListRecentAsync(installation, AuditLimit, cancellationToken).ConfigureAwait(false)));

        return app;
    }

    private static async ValueTask<object?> RequireSignIn(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var access = context.HttpContext.RequestServices.GetRequiredService<DashboardAccess>();
        if (!access.IsOperator(context.HttpContext))
        {
            await RecheckMembershipAsync(context.HttpContext).ConfigureAwait(false);
        }

        if (access.IsSignedIn(context.HttpContext))
        {
            return await next(context).ConfigureAwait(false);
        }

        // Pages send people to sign in; the API answers 401 to tools.
        return context.HttpContext.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
            ? Results.Problem("Sign in with the operator token: Authorization: Bearer TOKEN.", statusCode: StatusCodes.Status401Unauthorized)
            : Results.Redirect("/signin");
    }

    /// <summary>A GitHub sign-in's organisations are confirmed again every few minutes, so a member removed loses access soon.</summary>
    private static Task RecheckMembershipAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var clients = services.GetRequiredService<GitHub.IGitHubClientFactory>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("PolicyBot.SignIn");
        return services.GetRequiredService<SignIn.GitHubSessionCookie>().RefreshAsync(
            context,
            services.GetRequiredService<IOptions<SignIn.GitHubSignInOptions>>().Value.MembershipRecheckInterval,
            (login, cancellationToken) => SignIn.GitHubSignInExtensions.OrganizationsOfAsync(clients, logger, login, cancellationToken));
    }

    private static async ValueTask<object?> RequireOperator(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.RequestServices.GetRequiredService<DashboardAccess>().IsOperator(context.HttpContext)
            ? await next(context).ConfigureAwait(false)
            : Results.Problem("Only operators see PolicyBot's own operations.", statusCode: StatusCodes.Status403Forbidden);

    /// <summary>Whether an organisation, or a repository's (owner/name), is among <paramref name="organizations"/> (null: all).</summary>
    private static bool Visible(IReadOnlyList<string>? organizations, string organizationOrRepository) =>
        organizations is null || organizations.Contains(RepositoryName.Split(organizationOrRepository).Owner, StringComparer.OrdinalIgnoreCase);

    /// <summary>github.com for the public API; the server itself for GitHub Enterprise Server (…/api/v3) and the simulator.</summary>
    internal static string WebBaseUrl(Uri apiBaseUrl) =>
        apiBaseUrl.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase)
            ? "https://github.com/"
            : $"{apiBaseUrl.GetLeftPart(UriPartial.Authority)}/";

    /// <summary>The app's install page on GitHub (<c>apps/SLUG/installations/new</c>); null when the slug is not configured.</summary>
    private static string? InstallUrl(IOptions<GitHubOptions> github) =>
        github.Value.AppSlug is { Length: > 0 } slug ? $"{WebBaseUrl(github.Value.EffectiveApiBaseUrl)}apps/{Uri.EscapeDataString(slug)}/installations/new" : null;

    private static GitHubLinks Links(IOptions<GitHubOptions> github) => new(WebBaseUrl(github.Value.EffectiveApiBaseUrl));

    /// <summary>The login GitHub shows for PolicyBot's own actions (<c>SLUG[bot]</c>); null when the app's slug is not configured.</summary>
    private static string? BotLogin(IOptions<GitHubOptions> github) => github.Value.AppSlug is { Length: > 0 } slug ? $"{slug}[bot]" : null;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static ContentHttpResult Html(string html) => TypedResults.Content(html, "text/html; charset=utf-8");
}
