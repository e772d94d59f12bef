using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using PolicyBot.Policies;
using PolicyBot.Storage;

namespace PolicyBot.Dashboard;

/// <summary>
/// Server-rendered HTML of the dashboard: no JavaScript anywhere (filters are GET forms, the chart is SVG),
/// every value HTML-encoded; text written with `backticks` (findings, remediations) shows them as code.
/// </summary>
internal static class DashboardPage
{
    private const string Style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:78rem;padding:0 1rem;color:#1f2328}
        h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}
        th{background:#f6f8fa}.ok{color:#1a7f37}.bad{color:#cf222e}.muted{color:#656d76}code{background:#f6f8fa;padding:0 .25rem;border-radius:4px}
        nav{margin:.5rem 0 1rem}nav a{margin-right:1rem}form.filters{display:flex;gap:.75rem;flex-wrap:wrap;align-items:end;margin:.5rem 0}
        form.filters label{display:flex;flex-direction:column;font-size:.85rem}pre{white-space:pre-wrap;margin:0}
        .action{font-weight:600}.action-off{color:#656d76}.action-fix,.action-issue{color:#1a7f37}svg text{font-size:11px;fill:#656d76}
        """;

    /// <summary>The latest install or reconcile pass: how far it is, the rate-limit points it spent, when it should finish.</summary>
    private static string Progress(Enforcement.Progress.EvaluationPass pass)
    {
        var text = new StringBuilder("<p id=progress>");
        var what = pass.Reconcile ? "Reconcile" : "Evaluation of every repository";
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

    /// <param name="installUrl">The app's install page on GitHub, when its slug is known.</param>
    public static string Installations(IReadOnlyList<InstallationSummary> installations, bool operatorView, string? installUrl = null)
    {
        var html = Start("PolicyBot");
        html.Append("<h1>PolicyBot</h1>");
        Navigation(html, null, operatorView);
        if (installations.Count == 0)
        {
            html.Append(installUrl is null
                ? "<p class=muted>No repository has been evaluated yet. Install the app on an organisation (its page on GitHub, <em>Install App</em>); every repository is evaluated within minutes and appears here.</p>"
                : $"<p class=muted>No repository has been evaluated yet. <a href=\"{E(installUrl)}\">Install the app</a> on an organisation, on all repositories; every repository is evaluated within minutes and appears here.</p>");
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

    public static string Installation(InstallationOverview overview, RepositoryFilter filter, int page, int pageSize, GitHubLinks links, bool operatorView,
        Enforcement.Progress.EvaluationPass? pass = null)
    {
        var html = Start($"PolicyBot: {overview.Organization}");
        var id = overview.InstallationId.ToString(CultureInfo.InvariantCulture);
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(overview.Organization)}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=muted><a href=\"{E(links.Repository(overview.Organization))}\">{E(overview.Organization)} on GitHub</a> · installation {id}</p>");
        Navigation(html, overview.InstallationId, operatorView);

        if (overview.Work.Pending + overview.Work.Running > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p><strong>Evaluating:</strong> {overview.Work.Running} work item{(overview.Work.Running == 1 ? "" : "s")} running, {overview.Work.Pending} waiting. Refresh to see progress; {overview.Repositories} repositor{(overview.Repositories == 1 ? "y" : "ies")} evaluated so far.</p>");
        }
        else
        {
            html.Append("<p class=muted>Up to date: no evaluation is waiting.</p>");
        }

        if (pass is not null)
        {
            html.Append(Progress(pass));
        }

        html.Append(CultureInfo.InvariantCulture, $"<h2>Policies</h2><p>{overview.Repositories} repositories evaluated; {overview.BelowBaselineTotal} below the baseline.</p>");
        html.Append("<table><tr><th>Policy</th><th>Action</th><th>Repositories that meet it</th></tr>");
        foreach (var policy in overview.Policies)
        {
            var css = policy.Compliant == policy.Evaluated ? "ok" : "bad";
            var actions = string.Join(", ", policy.Actions.Select(a => $"<span class=\"action action-{E(a)}\">{E(a)}</span>"));
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(policy.Title)} <span class=muted>(<code>{E(policy.Policy)}</code>)</span></td><td>{actions}</td><td class={css}><a href=\"?policy={E(policy.Policy)}&amp;state=below\">{policy.Compliant} of {policy.Evaluated}</a></td></tr>");
        }

        html.Append("</table><p class=muted>Actions: <strong>off</strong> not evaluated · <strong>log</strong> shown here and in metrics only · <strong>issue</strong> a compliance issue in the repository · <strong>fix</strong> PolicyBot changes the setting itself.</p>");

        html.Append("<h2>Compliance over time</h2>");
        Chart(html, overview.History);

        html.Append("<h2>Repositories</h2>");
        Filters(html, overview, filter);
        if (overview.Listed.Count == 0)
        {
            html.Append(filter.EffectiveState == RepositoryFilter.Below && filter == new RepositoryFilter()
                ? "<p class=ok>Every evaluated repository meets the baseline.</p>"
                : "<p class=muted>No repository matches these filters.</p>");
        }
        else
        {
            html.Append("<table><tr><th>Repository</th><th>State</th><th>Below the baseline in</th><th>Owner</th><th>Tiers</th><th>Evaluated</th></tr>");
            foreach (var repo in overview.Listed)
            {
                var state = repo.Compliant ? "<span class=ok>meets the baseline</span>" : $"<span class=bad>{repo.Findings} finding{(repo.Findings == 1 ? "" : "s")}</span>";
                var below = string.Join(", ", repo.PoliciesBelow.Select(p => $"<code>{E(p)}</code>" + (repo.BlockingPolicies.Contains(p) ? " <strong class=bad>blocks merging</strong>" : "")));
                html.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"{E(GitHubLinks.RepositoryPage(overview.InstallationId, repo.Repository))}\">{E(repo.Repository)}</a> <a class=muted href=\"{E(links.Repository(repo.Repository))}\" title=\"on GitHub\">↗</a></td><td>{state}</td><td>{below}</td><td>{(repo.Owner is null ? "<span class=bad>none</span>" : E(repo.Owner))}</td><td>{(repo.Tiers.Count == 0 ? "<span class=muted>none</span>" : E(string.Join(", ", repo.Tiers)))}</td><td>{Time(repo.EvaluatedAt)}</td></tr>");
            }

            html.Append("</table>");
            Pager(html, filter, page, (overview.ListedTotal + pageSize - 1) / pageSize, overview.ListedTotal);
        }

        html.Append("<h2>Upcoming renewals</h2>");
        Table(html, ["Renews on", "Account", "Repository", "Billing contact", "Owner"], overview.Renewals.Select(r => new[]
        {
            $"{r.RenewsOn:yyyy-MM-dd} <span class={(r.DaysLeft < 0 ? "bad" : "muted")}>({(r.DaysLeft < 0 ? $"expired {-r.DaysLeft} days ago" : $"in {r.DaysLeft} days")})</span>",
            E(r.Account), RepositoryLink(overview.InstallationId, r.Repository), E(r.BillingContact), E(r.Owner),
        }), "No external account renews in the next 90 days.");

        html.Append("<h2>Registration inventory</h2>");
        Table(html, ["Repository", "Owner", "Lifecycle", "Description", "External accounts"], overview.Inventory.Select(i => new[]
        {
            RepositoryLink(overview.InstallationId, i.Repository), i.Owner is null ? "<span class=bad>none</span>" : E(i.Owner), E(i.Lifecycle), E(i.Description),
            string.Join("<br>", i.ExternalAccounts.Select(a => $"{E(a.Name)} {(a.RenewsOn is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")}")),
        }), "No repository is registered yet.");

        html.Append("<h2>Open pull requests</h2>");
        PullRequests(html, overview.PullRequests, links, withRepository: true);

        return End(html);
    }

    public static string Repository(RepositoryDetail detail, GitHubLinks links, bool operatorView)
    {
        var evaluation = detail.Evaluation;
        var repository = evaluation.Repository;
        var html = Start($"PolicyBot: {repository}");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(repository)}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=muted><a href=\"{E(links.Repository(repository))}\">{E(repository)} on GitHub</a> · evaluated {Time(evaluation.EvaluatedAt)}</p>");
        Navigation(html, detail.InstallationId, operatorView);

        html.Append(evaluation.Compliant
            ? "<p class=ok><strong>Meets the baseline.</strong></p>"
            : $"<p class=bad><strong>Below the baseline</strong> in {string.Join(", ", evaluation.Results.Where(r => r.Action != PolicyAction.Off && !r.Compliant).Select(r => E(PolicyIds.Title(r.Policy))))}.</p>");

        html.Append("<h2>Baseline</h2><p class=muted>Each policy's effective action for this repository: the organisation's <code>policybot.yml</code> in its <code>.github</code> repository, with what this repository's <code>.github/policybot.yml</code> may add; exemptions come from the organisation's file.</p>");
        Table(html, ["Policy", "Action", "State", "Notes"], evaluation.Results.Select(r => new[]
        {
            $"{E(PolicyIds.Title(r.Policy))} <span class=muted>(<code>{E(r.Policy)}</code>)</span>",
            $"<span class=\"action action-{E(Action(r.Action))}\">{E(Action(r.Action))}</span>" + (r.Blocking ? " <strong class=bad>blocks merging</strong>" : r.BlockMerge ? " <span class=muted>(blocks merging when not met)</span>" : ""),
            r.Action == PolicyAction.Off ? "<span class=muted>not evaluated</span>" : r.ExemptionReason is { } reason ? $"<span class=muted>exempted: {Inline(reason)}</span>" : r.Compliant ? "<span class=ok>met</span>" : $"<span class=bad>{r.Findings.Count} finding{(r.Findings.Count == 1 ? "" : "s")}</span>",
            string.Join("<br>", r.Notices.Select(Inline)),
        }), evaluation.SkipReason is { } skip ? $"Not evaluated: {skip}." : "No policy applies.");

        // Where each value of the effective baseline came from: the organisation, a tier the repository takes, or its own file.
        html.Append("<h2>Effective baseline</h2>");
        html.Append(evaluation.Baseline.Tiers.Count == 0
            ? "<p class=muted>Tiers: none.</p>"
            : $"<p>Tiers: {string.Join(", ", evaluation.Baseline.Tiers.Select(t => $"<strong>{E(t)}</strong>"))}.</p>");
        Table(html, ["Setting", "Value", "Source"], evaluation.Baseline.Values.Select(v => new[]
        {
            $"<code>{E(v.Key)}</code>",
            E(v.Value),
            E(string.Join(", ", v.Sources.Select(source => BaselineSource.Of(source).Label))),
        }), "Not recorded yet: the next evaluation records it.");

        html.Append("<h2>Findings</h2>");
        var findings = evaluation.Results.Where(r => r.Action != PolicyAction.Off).SelectMany(r => r.Findings.Select(f => (Result: r, Finding: f))).ToList();
        if (findings.Count == 0)
        {
            html.Append("<p class=ok>None.</p>");
        }
        else
        {
            html.Append("<table><tr><th>Policy</th><th>Finding</th><th>What to do</th><th>Issue</th></tr>");
            foreach (var (result, finding) in findings)
            {
                var issue = detail.Issues.FirstOrDefault(i => i.Policy == finding.Policy && (i.Subject.Length == 0 || i.Subject == finding.Subject));
                var issueLink = issue is null ? "<span class=muted>none</span>" : $"<a href=\"{E(links.Issue(issue.IssueRepository, issue.Number))}\">{E(issue.IssueRepository)}#{issue.Number}</a>";
                var onGitHub = finding.Policy == PolicyIds.BranchProtection ? $" <a href=\"{E(links.BranchSettings(repository))}\">branch settings ↗</a>" : "";
                html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(finding.Policy)}</code></td><td>{Inline(finding.Message)}</td><td>{Inline(finding.Remediation)}{onGitHub}</td><td>{issueLink}</td></tr>");
            }

            html.Append("</table>");
        }

        html.Append("<h2>Registration</h2>");
        if (evaluation.Inventory is { Registered: true } inventory)
        {
            html.Append(CultureInfo.InvariantCulture, $"<table><tr><th>Owner</th><td>{(inventory.Owner is null ? "<span class=bad>none</span>" : E(inventory.Owner))}</td></tr><tr><th>Lifecycle</th><td>{E(inventory.Lifecycle ?? "unknown")}</td></tr><tr><th>Description</th><td>{E(inventory.Description)}</td></tr></table>");
            html.Append("<h2>External accounts</h2>");
            Table(html, ["Account", "Renews on", "Billing contact", "Owner"], inventory.ExternalAccounts.Select(a => new[]
            {
                E(a.Name), a.RenewsOn is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "<span class=muted>not given</span>", E(a.BillingContact), E(a.Owner),
            }), "No external account is on record.");
        }
        else
        {
            html.Append("<p class=muted>Not registered: the repository has no <code>catalog-info.yaml</code>.</p>");
        }

        html.Append("<h2>Open pull requests</h2>");
        PullRequests(html, detail.PullRequests, links, withRepository: false);

        html.Append("<h2>History</h2>");
        AuditTable(html, detail.History, withRepository: false, detail.InstallationId, "Nothing done yet: PolicyBot has not acted on this repository.");
        return End(html);
    }

    public static string AuditLog(IReadOnlyList<AuditEntry> entries, long? installationId, bool operatorView)
    {
        var html = Start("PolicyBot: audit log");
        html.Append("<h1>Audit log</h1>");
        Navigation(html, installationId, operatorView);
        html.Append("<p class=muted>Every action PolicyBot took on GitHub, most recent first; a fix lists each setting before and after.</p>");
        AuditTable(html, entries, withRepository: true, installationId, "PolicyBot has taken no action yet.");
        return End(html);
    }

    public static string Deliveries(IReadOnlyList<DeliverySummary> deliveries, bool includingOwn, string? botLogin, long? installationId)
    {
        var html = Start("PolicyBot: deliveries");
        html.Append("<h1>Webhook deliveries</h1>");
        Navigation(html, installationId, operatorView: true);
        var query = installationId is { } id ? $"installation={id.ToString(CultureInfo.InvariantCulture)}&amp;" : "";
        html.Append(includingOwn || botLogin is null
            ? $"<p class=muted>Most recent first, including those PolicyBot's own actions caused. <a href=\"/deliveries?{query}\">Leave out PolicyBot's own</a></p>"
            : $"<p class=muted>Most recent first, leaving out the echoes of PolicyBot's own actions (sent by <code>{E(botLogin)}</code>). <a href=\"/deliveries?{query}own=true\">Show them too</a></p>");
        Table(html, ["Received", "Event", "Repository", "Sender", "State", "Work items"], deliveries.Select(d => new[]
        {
            Time(d.ReceivedAt), $"<code>{E(d.Action is null ? d.Event : $"{d.Event}.{d.Action}")}</code>", E(d.RepositoryFullName) + (d.PullRequestNumber is { } n ? $"#{n}" : ""), E(d.Sender),
            E(d.State) + (d.Error is null ? "" : $" <span class=bad>{E(d.Error)}</span>"), d.WorkItems.ToString(CultureInfo.InvariantCulture),
        }), "No deliveries yet.");
        return End(html);
    }

    public static string DeadLetters(IReadOnlyList<StoredWorkItem> deadLetters, long? installationId)
    {
        var html = Start("PolicyBot: dead letters");
        html.Append("<h1>Dead letters</h1>");
        Navigation(html, installationId, operatorView: true);
        html.Append("<p class=muted>Work set aside: transient failures that kept failing (a reconcile re-queues each a bounded number of times) and permanent ones (never retried). The reason is the last attempt's error.</p>");
        Table(html, ["Work", "Repository", "Attempts", "Parked because", "Reason", "Since"], deadLetters.Select(d => new[]
        {
            $"<code>{E(d.Item.Kind)}</code>", E(d.Item.Repository is null ? d.Item.Owner : $"{d.Item.Owner}/{d.Item.Repository}" + (d.Item.PullRequestNumber is { } n ? $"#{n}" : "")),
            d.Attempts.ToString(CultureInfo.InvariantCulture), E(ParkedBecause(d)), E(d.LastError), Time(d.UpdatedAt),
        }), "None: nothing has failed for good.");
        return End(html);
    }

    /// <summary>Why a dead letter is parked and whether a reconcile will try it again.</summary>
    private static string ParkedBecause(StoredWorkItem deadLetter)
    {
        var requeued = deadLetter.Requeues == 0 ? "" : $"; re-queued {deadLetter.Requeues} time{(deadLetter.Requeues == 1 ? "" : "s")} already";
        return deadLetter.FailureKind switch
        {
            null or "transient" => "failed every attempt (transient)" + requeued,
            "rate-limited" => "rate limited on every attempt" + requeued,
            { } kind => $"permanent failure ({kind}): never retried",
        };
    }

    public static string SignIn(string? message, bool gitHubSignIn) =>
        End(Start("PolicyBot: sign in")
            .Append("<h1>Sign in</h1>")
            .Append(message is null ? "" : $"<p class=bad>{E(message)}</p>")
            .Append(gitHubSignIn ? "<p><a href=\"/signin-github\">Sign in with GitHub</a>: members see their organisations.</p>" : "")
            .Append("<form method=post action=\"/signin\"><label>Operator token <input type=password name=token autocomplete=off></label> <button>Sign in</button></form>")
            .Append("<p class=muted>The operator token is the <code>Dashboard:OperatorToken</code> setting.</p>"));

    /// <summary>The home page of setup mode (no GitHub App configured yet): what to do next.</summary>
    public static string SetupNeeded(bool admitted, string setupCodeParameter) =>
        End(Start("PolicyBot: first run")
            .Append("<h1>PolicyBot needs its GitHub App</h1>")
            .Append("<p>PolicyBot is running, but no GitHub App is configured yet (no <code>APP_ID</code>, <code>PRIVATE_KEY</code> or <code>WEBHOOK_SECRET</code>), so it accepts no webhooks and evaluates nothing. Next:</p><ol>")
            .Append(admitted
                ? "<li><a href=\"/setup\">Register the app on GitHub</a>: PolicyBot sends GitHub its manifest, you confirm there, and PolicyBot stores the new app's credentials.</li>"
                : $"<li>Open the setup link PolicyBot printed on its console when it started (<code>/setup?{E(setupCodeParameter)}=…</code>), or sign in with the operator token (<code>Dashboard:OperatorToken</code>), to register the app on GitHub.</li>")
            .Append("<li>PolicyBot restarts with the new app by itself; its credentials stay in <code>data/github-app.env</code> and are read at every start.</li>")
            .Append("<li>Install the app on your organisation; every repository is evaluated within minutes and appears here.</li></ol>")
            .Append("<p class=muted>An app you registered yourself: set <code>APP_ID</code>, <code>PRIVATE_KEY</code> (or <code>PRIVATE_KEY_PATH</code>) and <code>WEBHOOK_SECRET</code> and restart PolicyBot instead.</p>"));

    /// <summary><c>/setup</c>: the manifest form that registers the app on GitHub (plain HTML forms, no JavaScript).</summary>
    public static string SetupStart(string manifestFile, string credentialsFile, string gitHubWeb, string? organization, string target, string manifestJson) =>
        End(Start("PolicyBot: register the GitHub App")
            .Append("<h1>Register PolicyBot on GitHub</h1>")
            .Append("<form method=get action=\"/setup\" class=filters><label>Organisation that owns the app ")
            .Append(CultureInfo.InvariantCulture, $"<input name=org value=\"{E(organization)}\" placeholder=\"your personal account when empty\"></label> <button>Choose</button></form>")
            .Append(CultureInfo.InvariantCulture, $"<p>This posts <code>{E(manifestFile)}</code> to {E(gitHubWeb)}{(organization is not null ? $" for the organisation <strong>{E(organization)}</strong>" : " for your personal account")}. GitHub asks you to confirm, creates the app and sends you back here; PolicyBot then stores the new app's credentials in <code>data/{E(credentialsFile)}</code>, never on a page or in a log.</p>")
            .Append(CultureInfo.InvariantCulture, $"<form method=post action=\"{E(target)}\">")
            .Append(CultureInfo.InvariantCulture, $"<input type=hidden name=manifest value=\"{E(manifestJson)}\">")
            .Append("<button>Register on GitHub</button></form>"));

    /// <summary>After GitHub created the app: where its credentials are and what comes next.</summary>
    public static string SetupDone(string appName, long appId, string credentialsPath, string installUrl, bool restarting, bool operatorTokenStored) =>
        End(Start("PolicyBot: registered")
            .Append(CultureInfo.InvariantCulture, $"<h1>Registered {E(appName)}</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>App id {appId}. Its private key, webhook secret and OAuth client are in <code>{E(credentialsPath)}</code> (readable by this user only), which PolicyBot reads at every start.</p>")
            .Append(operatorTokenStored ? "<p>No operator token was configured, so PolicyBot made one (<code>Dashboard__OperatorToken</code> in the same file) and signed this browser in with it.</p>" : "")
            .Append(restarting
                ? "<p>PolicyBot is restarting with the new app now.</p>"
                : "<p>PolicyBot keeps its current app until it restarts: restart it to use the new one.</p>")
            .Append(CultureInfo.InvariantCulture, $"<p>Next: <a href=\"{E(installUrl)}\">install the app</a> on your organisation, then open <a href=\"/\">the dashboard</a>.</p>"));

    /// <summary>HTML-encoded text where each `quoted` part shows as code, as on GitHub.</summary>
    internal static string Inline(string? text)
    {
        var parts = (text ?? "").Split('`');
        var html = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            // Odd parts sit between two backticks; an unpaired last backtick stays as it is.
            if (i % 2 == 1 && i < parts.Length - 1)
            {
                html.Append("<code>").Append(E(parts[i])).Append("</code>");
            }
            else
            {
                html.Append(i % 2 == 1 ? E("`") : "").Append(E(parts[i]));
            }
        }

        return html.ToString();
    }

    private static void Navigation(StringBuilder html, long? installationId, bool operatorView)
    {
        var query = installationId is { } id ? $"?installation={id.ToString(CultureInfo.InvariantCulture)}" : "";
        html.Append("<nav><a href=\"/\">Organisations</a>");
        if (installationId is { } current)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"/installations/{current}\">Organisation</a>");
        }

        if (operatorView)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"/audit-log{query}\">Audit log</a><a href=\"/deliveries{query}\">Deliveries</a><a href=\"/dead-letters{query}\">Dead letters</a>");
        }

        if (installationId is { } json)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"/api/installations/{json}\">JSON</a><a href=\"/api/findings.csv?installation={json}\">Findings (CSV)</a><a href=\"/api/inventory.csv?installation={json}\">Inventory (CSV)</a>");
        }

        html.Append("</nav>");
    }

    private static void Filters(StringBuilder html, InstallationOverview overview, RepositoryFilter filter)
    {
        html.Append("<form class=filters method=get>");
        html.Append(CultureInfo.InvariantCulture, $"<label>Search <input type=search name=q value=\"{E(filter.Query)}\" placeholder=\"repository name\"></label>");
        html.Append("<label>Policy <select name=policy><option value=\"\">any</option>");
        foreach (var policy in overview.Policies)
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(policy.Policy)}\"{(policy.Policy == filter.Policy ? " selected" : "")}>{E(policy.Title)}</option>");
        }

        html.Append("</select></label><label>Owner team <select name=team><option value=\"\">any</option>");
        foreach (var team in overview.Teams)
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(team)}\"{(string.Equals(team, filter.Team, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{E(team)}</option>");
        }

        if (overview.Tiers.Count > 0)
        {
            html.Append("</select></label><label>Tier <select name=tier><option value=\"\">any</option>");
            foreach (var tier in overview.Tiers)
            {
                html.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(tier)}\"{(string.Equals(tier, filter.Tier, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{E(tier)}</option>");
            }
        }

        html.Append("</select></label><label>State <select name=state>");
        foreach (var (value, label) in new[] { (RepositoryFilter.Below, "below the baseline"), (RepositoryFilter.Compliant, "meeting it"), (RepositoryFilter.All, "all") })
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{value}\"{(value == filter.EffectiveState ? " selected" : "")}>{label}</option>");
        }

        html.Append("</select></label><button>Filter</button> <a href=\"?\">Clear</a></form>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=muted>{overview.ListedTotal} repositor{(overview.ListedTotal == 1 ? "y" : "ies")} listed.</p>");
    }

    private static void Pager(StringBuilder html, RepositoryFilter filter, int page, int pages, int total)
    {
        if (pages <= 1)
        {
            return;
        }

        var query = string.Concat(
            filter.Query is { Length: > 0 } q ? $"q={Uri.EscapeDataString(q)}&" : "",
            filter.Policy is { Length: > 0 } p ? $"policy={Uri.EscapeDataString(p)}&" : "",
            filter.Team is { Length: > 0 } t ? $"team={Uri.EscapeDataString(t)}&" : "",
            filter.Tier is { Length: > 0 } tier ? $"tier={Uri.EscapeDataString(tier)}&" : "",
            filter.State is { Length: > 0 } s ? $"state={Uri.EscapeDataString(s)}&" : "");
        html.Append(CultureInfo.InvariantCulture, $"<p>Page {page} of {pages} ({total} in all). ");
        if (page > 1)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"?{E(query)}page={page - 1}\">Previous</a> ");
        }

        if (page < pages)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"?{E(query)}page={page + 1}\">Next</a>");
        }

        html.Append("</p>");
    }

    /// <summary>The share of evaluated repositories meeting the whole baseline, a point per stored day, as SVG; a table says the same in words.</summary>
    private static void Chart(StringBuilder html, IReadOnlyList<ComplianceDay> days)
    {
        if (days.Count == 0)
        {
            html.Append("<p class=muted>No day recorded yet.</p>");
            return;
        }

        const int Width = 720, Height = 160, Left = 40, Right = 10, Top = 10, Bottom = 24;
        var first = days[0].Day;
        var span = Math.Max(1, days[^1].Day.DayNumber - first.DayNumber);
        double X(ComplianceDay d) => Left + ((Width - Left - Right) * (d.Day.DayNumber - first.DayNumber) / (double)span);
        double Y(ComplianceDay d) => Top + ((Height - Top - Bottom) * (1 - Share(d)));
        static double Share(ComplianceDay d) => d.Repositories == 0 ? 1 : d.Compliant / (double)d.Repositories;

        var latest = days[^1];
        html.Append(CultureInfo.InvariantCulture, $"<figure><svg role=img aria-labelledby=chart-title width={Width} height={Height} viewBox=\"0 0 {Width} {Height}\" xmlns=\"http://www.w3.org/2000/svg\">");
        html.Append(CultureInfo.InvariantCulture, $"<title id=chart-title>Share of repositories meeting the baseline, {first:yyyy-MM-dd} to {latest.Day:yyyy-MM-dd}</title>");
        foreach (var percent in new[] { 0, 50, 100 })
        {
            var y = Top + ((Height - Top - Bottom) * (1 - (percent / 100.0)));
            html.Append(CultureInfo.InvariantCulture, $"<line x1={Left} x2={Width - Right} y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#eaeef2\"/><text x=0 y=\"{y + 4:0.#}\">{percent}%</text>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<text x={Left} y={Height - 6}>{first:yyyy-MM-dd}</text><text x={Width - Right - 70} y={Height - 6}>{latest.Day:yyyy-MM-dd}</text>");
        html.Append("<polyline fill=none stroke=\"#1a7f37\" stroke-width=2 points=\"")
            .AppendJoin(' ', days.Select(d => string.Create(CultureInfo.InvariantCulture, $"{X(d):0.#},{Y(d):0.#}")))
            .Append("\"/>");
        foreach (var day in days)
        {
            html.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(day):0.#}\" cy=\"{Y(day):0.#}\" r=3 fill=\"#1a7f37\"><title>{day.Day:yyyy-MM-dd}: {day.Compliant} of {day.Repositories} meet the baseline</title></circle>");
        }

        html.Append(CultureInfo.InvariantCulture, $"</svg><figcaption class=muted>Today: {latest.Compliant} of {latest.Repositories} repositories meet the baseline ({Share(latest):0%}); {days.Count} day{(days.Count == 1 ? "" : "s")} recorded.</figcaption></figure>");
    }

    private static void PullRequests(StringBuilder html, IReadOnlyList<Enforcement.StoredPullRequestEvaluation> pulls, GitHubLinks links, bool withRepository) =>
        Table(html, ["Pull request", "Check", "Unmet rules", "Head", "Evaluated"], pulls.Select(p => new[]
        {
            $"<a href=\"{E(links.PullRequest(p.Repository, p.Number))}\">{(withRepository ? E(p.Repository) : "")}#{p.Number}</a>",
            $"<span class={(p.Conclusion == "success" ? "ok" : "bad")}>{E(p.Conclusion)}</span>",
            string.Join(", ", p.UnmetRules.Select(Inline)),
            $"<a href=\"{E(links.Commit(p.Repository, p.HeadSha))}\"><code>{E(p.HeadSha[..Math.Min(7, p.HeadSha.Length)])}</code></a>",
            Time(p.EvaluatedAt),
        }), "No open pull request has been evaluated yet.");

    private static void AuditTable(StringBuilder html, IReadOnlyList<AuditEntry> entries, bool withRepository, long? installationId, string empty)
    {
        var headers = withRepository ? new[] { "When", "Repository", "Action", "Why", "Before", "After" } : ["When", "Action", "Why", "Before", "After"];
        Table(html, headers, entries.Select(a =>
        {
            var row = new List<string> { Time(a.At) };
            if (withRepository)
            {
                row.Add(a.Repository is null ? "" : installationId is null ? E(a.Repository) : RepositoryLink(a.InstallationId, a.Repository));
            }

            row.Add($"<code>{E(a.Action)}</code>" + (a.Target is null ? "" : $" {E(a.Target)}"));
            row.Add(Inline(a.Reason));
            row.Add(a.Before is null ? "" : $"<pre>{E(a.Before)}</pre>");
            row.Add(a.After is null ? "" : $"<pre>{E(a.After)}</pre>");
            return row.ToArray();
        }), empty);
    }

    private static string RepositoryLink(long installationId, string repository) =>
        $"<a href=\"{E(GitHubLinks.RepositoryPage(installationId, repository))}\">{E(repository)}</a>";

    private static string Action(PolicyAction action) => action.ToString().ToLowerInvariant();

    private static string Time(DateTimeOffset at) => $"<time datetime=\"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\">{at.UtcDateTime:yyyy-MM-dd HH:mm} UTC</time>";

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
            .Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title><link rel=icon href=\"data:,\"><style>{Style}</style></head><body>");

    private static string End(StringBuilder html) => html.Append("</body></html>").ToString();

    private static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");
}
