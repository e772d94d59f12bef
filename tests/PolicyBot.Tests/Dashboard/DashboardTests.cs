using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Audit;
using PolicyBot.Dashboard;
using PolicyBot.Storage;
using PolicyBot.Tests.Enforcement;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Dashboard;

/// <summary>
/// The dashboard, its JSON API and CSV exports over a simulated organisation: what it shows, to whom,
/// and that untrusted repository content cannot inject markup or spreadsheet formulas.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class DashboardTests
{
    /// <summary>Expanded by the scenario parser to the date ten days from now.</summary>
    private const string RenewsOnPlaceholder = "{{today+10d}}";

    private const string Hostile = "=HYPERLINK(\"http://evil\") <script>alert(1)</script>";

    private static string Scenario()
    {
        var catalog = RegistrationTests.Indent($$"""
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata:
              name: image-gen
              description: '{{Hostile}}'
            spec:
              type: service
              lifecycle: production
              owner: group:platform
            ---
            apiVersion: backstage.io/v1alpha1
            kind: Resource
            metadata:
              name: openai-account
              annotations:
                policybot/renews-on: "{{RenewsOnPlaceholder}}"
                policybot/billing-contact: "@acme/finance"
            spec:
              type: external-account
              owner: group:platform
            """, 8);
        return AcmeScenario.With(
            """
            registration: { action: issue, open_pull_request: false }
            external_accounts: { action: log }
            """,
            $$"""
              - name: image-gen
                description: '<script>alert(2)</script>'
                files:
                  catalog-info.yaml: |
            {{catalog}}
              - name: orphan-a
              - name: orphan-b
              - name: orphan-c
            """);
    }

    [Fact]
    public async Task The_page_shows_policies_repositories_below_baseline_with_issue_links_inventory_renewals_deliveries_and_dead_letters_without_scripts()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario());
        await sandbox.InstallAsync();

        // A repository GitHub keeps failing on: its work ends as a dead letter.
        sandbox.GitHub.Faults.AddStatus("GET", "/repos/acme/orphan-c", 500, count: 1000);
        await RegistrationSteps.ReconcileAsync(sandbox, "orphan-c");
        await sandbox.SettleAsync();
        sandbox.GitHub.Faults.Clear();

        using var client = sandbox.Operator();
        using var response = await client.GetAsync("installations/1001");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var html = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<h2>Policies</h2>", html, StringComparison.Ordinal);
        Assert.Contains("Repository registration", html, StringComparison.Ordinal);

        // The organisation page links each repository to its own page, which links its issue on GitHub.
        Assert.Contains("href=\"/installations/1001/repositories/orphan-a\"", html, StringComparison.Ordinal);
        var orphanIssue = Assert.Single(await RegistrationSteps.IssuesAsync(sandbox, "orphan-a"));
        var orphanPage = await client.GetStringAsync("installations/1001/repositories/orphan-a");
        Assert.Contains($"href=\"{sandbox.GitHub.BaseUrl.GetLeftPart(UriPartial.Authority)}/acme/orphan-a/issues/{RegistrationSteps.Number(orphanIssue)}\"", orphanPage, StringComparison.Ordinal);

        var inventory = Section(html, "Registration inventory");
        Assert.Contains("acme/image-gen", inventory, StringComparison.Ordinal);
        Assert.Contains("group:platform", inventory, StringComparison.Ordinal);
        Assert.Contains("production", inventory, StringComparison.Ordinal);
        var renewsOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"openai-account {renewsOn}", inventory, StringComparison.Ordinal);

        var renewals = Section(html, "Upcoming renewals");
        Assert.Contains("openai-account", renewals, StringComparison.Ordinal);
        Assert.Contains("in 10 days", renewals, StringComparison.Ordinal);
        Assert.Contains("@acme/finance", renewals, StringComparison.Ordinal);

        Assert.Contains("href=\"/deliveries?installation=1001\"", html, StringComparison.Ordinal);
        Assert.Contains("installation.created", await client.GetStringAsync("deliveries?installation=1001"), StringComparison.Ordinal);
        Assert.Contains("href=\"/dead-letters?installation=1001\"", html, StringComparison.Ordinal);
        var dead = await client.GetStringAsync("dead-letters?installation=1001");
        Assert.Contains("evaluate-repository", dead, StringComparison.Ordinal);
        Assert.Contains("acme/orphan-c", dead, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_organisation_page_filters_and_searches_shows_actions_and_a_chart_and_each_repository_has_its_page()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario());
        await sandbox.InstallAsync();
        using var client = sandbox.Operator();

        var page = await client.GetStringAsync("installations/1001");
        // Each policy says what PolicyBot does about it.
        Assert.Matches(@"Repository registration.*?<span class=""action action-issue"">issue</span>", page);
        Assert.Matches(@"External accounts.*?<span class=""action action-log"">log</span>", page);
        // Compliance over time: today's point, drawn without scripts.
        var chart = Section(page, "Compliance over time");
        Assert.Contains("<svg", chart, StringComparison.Ordinal);
        Assert.Contains("<circle", chart, StringComparison.Ordinal);
        Assert.Matches(@"Today: \d+ of \d+ repositories meet the baseline", chart);
        Assert.Single(await sandbox.Service<IComplianceHistory>().ListAsync(1001, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1), default));

        // Filters are a GET form: by default the repositories below the baseline; search narrows by name.
        var below = Section(page, "Repositories");
        Assert.Contains("<form class=filters method=get>", below, StringComparison.Ordinal);
        Assert.Contains("acme/orphan-a", below, StringComparison.Ordinal);
        var searched = Section(await client.GetStringAsync("installations/1001?q=orphan-b"), "Repositories");
        Assert.Contains("acme/orphan-b", searched, StringComparison.Ordinal);
        Assert.DoesNotContain("acme/orphan-a", searched, StringComparison.Ordinal);
        var byTeam = Section(await client.GetStringAsync("installations/1001?state=all&team=group%3Aplatform"), "Repositories");
        Assert.Contains("acme/image-gen", byTeam, StringComparison.Ordinal);
        Assert.DoesNotContain("acme/orphan-a", byTeam, StringComparison.Ordinal);
        var byPolicy = Section(await client.GetStringAsync("installations/1001?policy=registration&state=compliant"), "Repositories");
        Assert.Contains("acme/image-gen", byPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("acme/orphan-a", byPolicy, StringComparison.Ordinal);

        // A repository's page: its baseline with actions, findings with their remediation as code, and its issue on GitHub.
        var orphan = await client.GetStringAsync("installations/1001/repositories/orphan-a");
        Assert.Contains("<h1>acme/orphan-a</h1>", orphan, StringComparison.Ordinal);
        Assert.Contains($"href=\"{sandbox.GitHub.BaseUrl.GetLeftPart(UriPartial.Authority)}/acme/orphan-a\"", orphan, StringComparison.Ordinal);
        Assert.Contains("<code>catalog-info.yaml</code>", Section(orphan, "Findings"), StringComparison.Ordinal);
        Assert.DoesNotContain("`", Section(orphan, "Findings"), StringComparison.Ordinal);
        Assert.Contains("Not registered", Section(orphan, "Registration"), StringComparison.Ordinal);
        Assert.Contains("<code>issue.created</code>", Section(orphan, "History"), StringComparison.Ordinal);
        var imageGen = await client.GetStringAsync("installations/1001/repositories/image-gen");
        Assert.Contains("openai-account", Section(imageGen, "External accounts"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("installations/1001/repositories/no-such-repo")).StatusCode);
    }

    [Fact]
    public async Task Deliveries_leave_out_PolicyBots_own_echoes_unless_asked_and_operator_pages_are_for_operators_only()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario());
        await sandbox.InstallAsync();
        using var client = sandbox.Operator();
        var bot = $"{sandbox.GitHub.AppSlug}[bot]";

        var stored = await sandbox.Service<IDeliveryStore>().ListRecentAsync(1000, null, default);
        Assert.Contains(stored, d => d.Sender == bot);
        var page = await client.GetStringAsync("deliveries");
        Assert.DoesNotContain($"<td>{bot}</td>", page, StringComparison.Ordinal);
        Assert.Contains("installation.created", page, StringComparison.Ordinal);
        Assert.Contains($"<td>{bot}</td>", await client.GetStringAsync("deliveries?own=true"), StringComparison.Ordinal);
        Assert.Contains("<h1>Audit log</h1>", await client.GetStringAsync("audit-log?installation=1001"), StringComparison.Ordinal);

        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = sandbox.Address };
        foreach (var path in new[] { "audit-log", "deliveries", "dead-letters", "installations/1001/repositories/orphan-a" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/signin", response.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task Repositories_below_the_baseline_are_paged()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(), new Dictionary<string, string?> { ["Dashboard:PageSize"] = "2" });
        await sandbox.InstallAsync();
        using var client = sandbox.Operator();

        var first = Section(await client.GetStringAsync("installations/1001"), "Repositories");
        var second = Section(await client.GetStringAsync("installations/1001?page=2"), "Repositories");

        Assert.Contains("Page 1 of 2", first, StringComparison.Ordinal);
        Assert.Contains("href=\"?page=2\"", first, StringComparison.Ordinal);
        Assert.Contains("Page 2 of 2", second, StringComparison.Ordinal);
        Assert.Contains("href=\"?page=1\"", second, StringComparison.Ordinal);
        // Four below the baseline (image-gen's account renewal is logged), two a page, each on exactly one.
        string[] below = ["acme/image-gen", "acme/orphan-a", "acme/orphan-b", "acme/orphan-c"];
        Assert.Equal(2, below.Count(o => first.Contains(o, StringComparison.Ordinal)));
        Assert.Equal(2, below.Count(o => second.Contains(o, StringComparison.Ordinal)));
        Assert.DoesNotContain(below, o => first.Contains(o, StringComparison.Ordinal) && second.Contains(o, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_inventory_is_served_as_json_and_csv_with_the_operator_token_only_and_csv_cells_cannot_run_as_formulas()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario());
        await sandbox.InstallAsync();

        using var anonymous = new HttpClient { BaseAddress = sandbox.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/inventory")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/inventory.csv")).StatusCode);
        using var wrong = new HttpClient { BaseAddress = sandbox.Address };
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("api/inventory")).StatusCode);

        using var client = sandbox.Operator();
        var inventory = JsonNode.Parse(await client.GetStringAsync("api/inventory"))!.AsArray();
        Assert.Equal(4, inventory.Count);
        var imageGen = Assert.Single(inventory, e => e!["repository"]!.GetValue<string>() == "acme/image-gen")!;
        Assert.Equal("group:platform", imageGen["owner"]!.GetValue<string>());
        Assert.Equal("production", imageGen["lifecycle"]!.GetValue<string>());
        var account = Assert.Single(imageGen["externalAccounts"]!.AsArray())!;
        Assert.Equal("openai-account", account["name"]!.GetValue<string>());
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), account["renewsOn"]!.GetValue<string>());
        Assert.Null(Assert.Single(inventory, e => e!["repository"]!.GetValue<string>() == "acme/orphan-a")!["owner"]);

        var csv = await client.GetStringAsync("api/inventory.csv");
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil\"\")", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",\"=", csv, StringComparison.Ordinal);
        Assert.Contains("acme/image-gen,group:platform,production,", csv, StringComparison.Ordinal);

        var findings = await client.GetStringAsync("api/findings.csv");
        Assert.StartsWith("repository,policy,code,", findings, StringComparison.Ordinal);
        Assert.Contains("acme/orphan-a,registration,missing,", findings, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_json_and_csv_carry_an_inventory_section()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario());
        await sandbox.InstallAsync();

        var auditor = ActivatorUtilities.CreateInstance<OrganizationAuditor>(sandbox.App.Services);
        var report = await auditor.AuditAsync("acme", CancellationToken.None);

        using var json = JsonDocument.Parse(AuditFormatter.Format(report, "json"));
        var entries = json.RootElement.GetProperty("inventory").EnumerateArray().ToList();
        Assert.Equal(["image-gen", "orphan-a", "orphan-b", "orphan-c"], entries.Select(e => e.GetProperty("repo").GetString()));
        var imageGen = entries[0];
        Assert.Equal("group:platform", imageGen.GetProperty("owner").GetString());
        Assert.Equal("production", imageGen.GetProperty("lifecycle").GetString());
        var account = Assert.Single(imageGen.GetProperty("external_accounts").EnumerateArray().ToList());
        Assert.Equal("openai-account", account.GetProperty("name").GetString());
        Assert.Equal("@acme/finance", account.GetProperty("billing_contact").GetString());

        var csv = AuditFormatter.Format(report, "csv").Split('\n');
        var row = Assert.Single(csv, l => l.StartsWith("inventory,image-gen,", StringComparison.Ordinal));
        Assert.Contains(",group:platform,production,openai-account,", row, StringComparison.Ordinal);
        Assert.Contains("'=HYPERLINK", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_send_people_to_sign_in_and_the_operator_token_signs_them_in_with_a_cookie()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario());
        await sandbox.InstallAsync();

        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies };
        using var browser = new HttpClient(handler) { BaseAddress = sandbox.Address };

        using (var page = await browser.GetAsync("installations/1001"))
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.Equal("/signin", page.Headers.Location!.OriginalString);
        }

        var form = await browser.GetStringAsync("signin");
        Assert.Contains("<form method=post action=\"/signin\">", form, StringComparison.Ordinal);
        Assert.DoesNotContain(PolicyBotSandbox.OperatorToken, form, StringComparison.Ordinal);

        using (var refused = await browser.PostAsync("signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "guess" })))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Empty(cookies.GetCookies(sandbox.Address));
        }

        using (var signedIn = await browser.PostAsync("signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = PolicyBotSandbox.OperatorToken })))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            Assert.Equal("/", signedIn.Headers.Location!.OriginalString);
            Assert.Contains(signedIn.Headers.GetValues("Set-Cookie"), c => c.Contains("httponly", StringComparison.OrdinalIgnoreCase) && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));

            // The cookie is a signed, expiring ticket: it never holds the operator token itself.
            Assert.DoesNotContain(signedIn.Headers.GetValues("Set-Cookie"), c => c.Contains(PolicyBotSandbox.OperatorToken, StringComparison.Ordinal));
        }

        using (var forged = new HttpClient { BaseAddress = sandbox.Address })
        {
            // The token itself presented as the cookie (what the cookie used to hold) is no sign-in.
            forged.DefaultRequestHeaders.Add("Cookie", $"policybot_operator={PolicyBotSandbox.OperatorToken}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("api/inventory")).StatusCode);
        }

        using (var home = await browser.GetAsync(""))
        {
            Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
            Assert.Equal("/installations/1001", home.Headers.Location!.OriginalString);
        }

        using var dashboard = await browser.GetAsync("installations/1001");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Registration inventory", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("api/inventory")).StatusCode);
    }

    [Fact]
    public async Task Sandbox_sign_in_opens_the_dashboard_without_a_token()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(), new Dictionary<string, string?> { ["Dashboard:OperatorToken"] = null }, services: SandboxMode.Register);
        await sandbox.InstallAsync();

        using var anonymous = new HttpClient { BaseAddress = sandbox.Address };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("installations/1001")).StatusCode);
        Assert.Contains("acme/image-gen", await anonymous.GetStringAsync("api/inventory"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_sign_in_cannot_be_switched_on_by_configuration()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario(), new Dictionary<string, string?> { ["Dashboard:SandboxSignIn"] = "true", ["Dashboard:OperatorToken"] = null });
        await sandbox.InstallAsync();

        using var anonymous = new HttpClient { BaseAddress = sandbox.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/inventory")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/deliveries")).StatusCode);
    }

    /// <summary>The HTML from a section's heading to the next heading.</summary>
    private static string Section(string html, string heading)
    {
        var start = html.IndexOf($"<h2>{heading}</h2>", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {heading}");
        var end = html.IndexOf("<h2>", start + 4, StringComparison.Ordinal);
        return end < 0 ? html[start..] : html[start..end];
    }
}
