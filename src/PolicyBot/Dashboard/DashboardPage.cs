using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using PolicyBot.Storage;

namespace PolicyBot.Dashboard;

/// <summary>Server-rendered HTML of the dashboard: no JavaScript, every value HTML-encoded.</summary>
internal static class DashboardPage
{
    private const string Style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328}
        h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}
        th{background:#f6f8fa}.ok{color:#1a7f37}.bad{color:#cf222e}.muted{color:#656d76}code{background:#f6f8fa;padding:0 .25rem;border-radius:4px}
        nav a{margin-right:1rem}
        """;

    /// <summary>The latest install or reconcile pass: how far it is, the rate-limit points it spent, when it should finish.</summary>
    private static string Progress(Enforcement.Progress.EvaluationPass pass)
    {
        var text = new StringBuilder("<p id=progress>");
        var what = pass.Reason.StartsWith("reconcile", StringComparison.Ordinal) ? "Reconcile" : "Evaluation of every repository";
        text.Append(CultureInfo.InvariantCulture, $"{E(what)}: {pass.Evaluated} of {pass.Total} repositories evaluated, {pass.PointsSpent} rate-limit points spent");
        if (pass.Finished)
        {
            text.Append(" (finished).");
        }
        else
        {
            text.Append(pass.EstimatedFinish is { } finish ? $"; estimated finish {E(finish.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))}." : ".");
            if (pass.PausedUntil is { } until)
            {
                text.Append(CultureInfo.InvariantCulture, $" Paused to keep the rate-limit reserve until {E(until.ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))}.");
            }
        }

        return text.Append("</p>").ToString();
    }

    public static string Installations(IReadOnlyList<InstallationSummary> installations)
    {
        var html = Start("PolicyBot");
        html.Append("<h1>PolicyBot</h1>");
        if (installations.Count == 0)
        {
            html.Append("<p class=muted>No repository has been evaluated yet. Install the app on an organisation, or wait for the first evaluation.</p>");
        }
        else
        {
            html.Append("<table><tr><th>Organisation</th><th>Repositories</th><th>Below the baseline</th></tr>");
            foreach (var installation in installations)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/installations/{installation.InstallationId}\">{E(installation.Organization)}</a></td><td>{installation.Repositories}</td><td>{installation.BelowBaseline}</td></tr>");
            }

            html.Append("</table>");
        }

        return End(html);
    }

    public static string Installation(InstallationOverview overview, IReadOnlyList<DeliverySummary> deliveries, IReadOnlyList<StoredWorkItem> deadLetters, int page, int pageSize, Func<string, int, string> issueUrl,
        Enforcement.Progress.EvaluationPass? pass = null)
    {
        var html = Start($"PolicyBot: {overview.Organization}");
        var id = overview.InstallationId.ToString(CultureInfo.InvariantCulture);
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(overview.Organization)}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<nav><a href=\"/\">All organisations</a><a href=\"/api/installations/{id}\">JSON</a><a href=\"/api/findings.csv?installation={id}\">Findings (CSV)</a><a href=\"/api/inventory.csv?installation={id}\">Inventory (CSV)</a></nav>");

        html.Append(CultureInfo.InvariantCulture, $"<h2>Policies</h2><p>{overview.Repositories} repositories evaluated; {overview.BelowBaselineTotal} below the baseline.</p>");
        if (pass is not null)
        {
            html.Append(Progress(pass));
        }

        html.Append("<table><tr><th>Policy</th><th>Repositories that meet it</th></tr>");
        foreach (var policy in overview.Policies)
        {
            var css = policy.Compliant == policy.Evaluated ? "ok" : "bad";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(policy.Title)} <span class=muted>({E(policy.Policy)})</span></td><td class={css}>{policy.Compliant} of {policy.Evaluated}</td></tr>");
        }

        html.Append("</table><h2>Below the baseline</h2>");
        if (overview.BelowBaseline.Count == 0)
        {
            html.Append("<p class=ok>Every evaluated repository meets the baseline.</p>");
        }
        else
        {
            html.Append("<table><tr><th>Repository</th><th>Findings</th><th>Issues</th></tr>");
            foreach (var repo in overview.BelowBaseline)
            {
                var findings = string.Join("<br>", repo.Findings.Select(f =>
                    $"<code>{E(f.Policy)}/{E(f.Code)}</code> {E(f.Message)}" + (repo.BlockingPolicies.Contains(f.Policy) ? " <strong class=bad>blocks merging</strong>" : "")));
                var links = string.Join("<br>", repo.Issues.Select(i => $"<a href=\"{E(issueUrl(i.IssueRepository, i.Number))}\">{E(i.IssueRepository)}#{i.Number}</a> <span class=muted>{E(i.Subject.Length > 0 ? $"{i.Policy}: {i.Subject}" : i.Policy)}</span>"));
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(repo.Repository)}</td><td>{findings}</td><td>{links}</td></tr>");
            }

            html.Append("</table>");
            var pages = (overview.BelowBaselineTotal + pageSize - 1) / pageSize;
            if (pages > 1)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p>Page {page} of {pages}. ");
                if (page > 1)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<a href=\"?page={page - 1}\">Previous</a> ");
                }

                if (page < pages)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<a href=\"?page={page + 1}\">Next</a>");
                }

                html.Append("</p>");
            }
        }

        html.Append("<h2>Upcoming renewals</h2>");
        Table(html, ["Renews on", "Account", "Repository", "Billing contact", "Owner"], overview.Renewals.Select(r => new[]
        {
            $"{r.RenewsOn:yyyy-MM-dd} <span class={(r.DaysLeft < 0 ? "bad" : "muted")}>({(r.DaysLeft < 0 ? $"expired {-r.DaysLeft} days ago" : $"in {r.DaysLeft} days")})</span>",
            E(r.Account), E(r.Repository), E(r.BillingContact), E(r.Owner),
        }), "No external account renews in the next 90 days.");

        html.Append("<h2>Registration inventory</h2>");
        Table(html, ["Repository", "Owner", "Lifecycle", "Description", "External accounts"], overview.Inventory.Select(i => new[]
        {
            E(i.Repository), i.Owner is null ? "<span class=bad>none</span>" : E(i.Owner), E(i.Lifecycle), E(i.Description),
            string.Join("<br>", i.ExternalAccounts.Select(a => $"{E(a.Name)} {(a.RenewsOn is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")}")),
        }), "No repository is registered yet.");

        html.Append("<h2>Pull requests</h2>");
        Table(html, ["Pull request", "Conclusion", "Unmet rules", "Head"], overview.PullRequests.Select(p => new[]
        {
            $"{E(p.Repository)}#{p.Number}", $"<span class={(p.Conclusion == "success" ? "ok" : "bad")}>{E(p.Conclusion)}</span>", E(string.Join(", ", p.UnmetRules)), $"<code>{E(p.HeadSha[..Math.Min(7, p.HeadSha.Length)])}</code>",
        }), "No open pull request has been evaluated yet.");

        html.Append("<h2>Recent deliveries</h2>");
        Table(html, ["Received", "Event", "Repository", "State", "Work items"], deliveries.Select(d => new[]
        {
            d.ReceivedAt.ToString("u", CultureInfo.InvariantCulture), E(d.Action is null ? d.Event : $"{d.Event}.{d.Action}"), E(d.RepositoryFullName),
            E(d.State) + (d.Error is null ? "" : $" <span class=bad>{E(d.Error)}</span>"), d.WorkItems.ToString(CultureInfo.InvariantCulture),
        }), "No deliveries yet.");

        html.Append("<h2>Dead letters</h2>");
        Table(html, ["Work", "Repository", "Attempts", "Last error", "Since"], deadLetters.Select(d => new[]
        {
            E(d.Item.Kind), E(d.Item.Repository is null ? d.Item.Owner : $"{d.Item.Owner}/{d.Item.Repository}" + (d.Item.PullRequestNumber is { } n ? $"#{n}" : "")),
            d.Attempts.ToString(CultureInfo.InvariantCulture), E(d.LastError), d.UpdatedAt.ToString("u", CultureInfo.InvariantCulture),
        }), "None: the next reconcile retries any that appear.");

        return End(html);
    }

    public static string SignIn(string? message, bool gitHubSignIn) =>
        End(Start("PolicyBot: sign in")
            .Append("<h1>Sign in</h1>")
            .Append(message is null ? "" : $"<p class=bad>{E(message)}</p>")
            .Append(gitHubSignIn ? "<p><a href=\"/signin-github\">Sign in with GitHub</a>: members see their organisations.</p>" : "")
            .Append("<form method=post action=\"/signin\"><label>Operator token <input type=password name=token autocomplete=off></label> <button>Sign in</button></form>")
            .Append("<p class=muted>The operator token is the <code>Dashboard:OperatorToken</code> setting.</p>"));

    private static void Table(StringBuilder html, string[] headers, IEnumerable<string[]> rows, string empty)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=muted>{E(empty)}</p>");
            return;
        }

        html.Append("<table><tr>").AppendJoin("", headers.Select(h => $"<th>{E(h)}</th>")).Append("</tr>");
        foreach (var row in list)
        {
            html.Append("<tr>").AppendJoin("", row.Select(c => $"<td>{c}</td>")).Append("</tr>");
        }

        html.Append("</table>");
    }

    private static StringBuilder Start(string title) =>
        new StringBuilder("<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width\">")
            .Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title><style>{Style}</style></head><body>");

    private static string End(StringBuilder html) => html.Append("</body></html>").ToString();

    private static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");
}
