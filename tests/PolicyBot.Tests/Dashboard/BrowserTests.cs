using Microsoft.Playwright;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser: Debian's Chromium driven by Playwright (its own browser download is not
/// used: the system browser is launched by its path). Every page is opened, links are followed and filters
/// used, once with JavaScript (no console errors allowed) and once without (everything must still work).
/// </summary>
[Collection(HostCollection.Name)]
public sealed class BrowserTests
{
    /// <summary>Where Debian installs Chromium; <c>POLICYBOT_CHROMIUM</c> names another.</summary>
    private static readonly string ChromiumPath = Environment.GetEnvironmentVariable("POLICYBOT_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static string Scenario() => AcmeScenario.With(
        """
        registration: { action: issue, open_pull_request: false }
        branch_protection: { action: fix, required_approving_review_count: 1 }
        tiers:
          - name: production
            match: { lifecycle: [production] }
            branch_protection: { required_approving_review_count: 2 }
        """,
        """
          - name: orphan-a
          - name: orphan-b
          - name: billing-api
            files:
              catalog-info.yaml: |
                apiVersion: backstage.io/v1alpha1
                kind: Component
                metadata: { name: billing-api, description: Billing }
                spec: { type: service, lifecycle: production, owner: group:platform }
        """);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_page_opens_links_lead_on_and_filters_work(bool javaScript)
    {
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario());
        await sandbox.InstallAsync();
        await using var context = await browser.NewContextAsync(new() { BaseURL = sandbox.Address.AbsoluteUri, JavaScriptEnabled = javaScript });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);

        // Signing in is a plain form; the one organisation opens at once.
        await page.GotoAsync("/");
        Assert.EndsWith("/signin", page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=token]", PolicyBotSandbox.OperatorToken);
        await page.ClickAsync("button:has-text('Sign in')");
        await page.WaitForURLAsync("**/installations/1001");
        Assert.Equal("acme", await page.TextContentAsync("h1"));
        Assert.True(await page.Locator("svg circle").CountAsync() >= 1, "the compliance chart has today's point");
        Assert.Contains("issue", await page.Locator("tr:has-text('Repository registration')").InnerTextAsync(), StringComparison.Ordinal);

        // Filters: search and state, submitted as a GET form.
        await page.FillAsync("input[name=q]", "orphan-b");
        await page.SelectOptionAsync("select[name=state]", "all");
        await page.ClickAsync("button:has-text('Filter')");
        await page.WaitForURLAsync("**/installations/1001?*q=orphan-b*");
        var searched = page.Url;
        var listed = page.Locator("h2:has-text('Repositories') ~ table").First;
        Assert.Contains("acme/orphan-b", await listed.InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("acme/orphan-a", await listed.InnerTextAsync(), StringComparison.Ordinal);

        // The tier filter: only the repositories that take the tier, whatever their state.
        await page.FillAsync("input[name=q]", "");
        await page.SelectOptionAsync("select[name=tier]", "production");
        await page.ClickAsync("button:has-text('Filter')");
        await page.WaitForURLAsync("**/installations/1001?*tier=production*");
        var tiered = await page.Locator("h2:has-text('Repositories') ~ table").First.InnerTextAsync();
        Assert.Contains("acme/billing-api", tiered, StringComparison.Ordinal);
        Assert.DoesNotContain("acme/orphan-b", tiered, StringComparison.Ordinal);
        // Back to the search by its address: a history step back may be restored from the page cache without the
        // load event Playwright waits for.
        await page.GotoAsync(searched);

        // The repository's own page, from the list.
        await listed.Locator("a:text-is('acme/orphan-b')").ClickAsync();
        await page.WaitForURLAsync("**/installations/1001/repositories/orphan-b");
        Assert.Equal("acme/orphan-b", await page.TextContentAsync("h1"));
        Assert.True(await page.Locator("h2:text-is('Findings') + table code").CountAsync() >= 1, "remediations show their `code` as code");
        var history = await page.Locator("h2:text-is('History') + table").InnerTextAsync();
        Assert.Contains("branch_protection.fixed", history, StringComparison.Ordinal);
        Assert.Contains("required approving reviews: 0", history, StringComparison.Ordinal);
        Assert.Contains("required approving reviews: 1", history, StringComparison.Ordinal);
        var gitHubLink = await page.GetAttributeAsync("a:text-is('acme/orphan-b on GitHub')", "href");
        Assert.Equal($"{sandbox.GitHub.BaseUrl.GetLeftPart(UriPartial.Authority)}/acme/orphan-b", gitHubLink);

        // The operators' pages, through the navigation.
        await page.ClickAsync("nav a:text-is('Audit log')");
        Assert.Equal("Audit log", await page.TextContentAsync("h1"));
        Assert.Contains("branch_protection.fixed", await page.InnerTextAsync("table"), StringComparison.Ordinal);
        await page.ClickAsync("nav a:text-is('Deliveries')");
        Assert.Equal("Webhook deliveries", await page.TextContentAsync("h1"));
        Assert.Contains("installation.created", await page.InnerTextAsync("table"), StringComparison.Ordinal);
        await page.ClickAsync("a:text-is('Show them too')");
        Assert.Contains($"{sandbox.GitHub.AppSlug}[bot]", await page.InnerTextAsync("table"), StringComparison.Ordinal);
        await page.ClickAsync("nav a:text-is('Dead letters')");
        Assert.Equal("Dead letters", await page.TextContentAsync("h1"));
        await page.ClickAsync("nav a:text-is('Organisation')");
        Assert.Equal("acme", await page.TextContentAsync("h1"));

        Assert.Empty(errors);
    }

    private static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        // Fail, never skip: a browser test that cannot run is a failure CI must show (.ci/run installs Chromium).
        Assert.True(File.Exists(ChromiumPath), $"Chromium is not installed at {ChromiumPath}: install Debian's chromium package (apt-get install chromium), as .ci/run does, or set POLICYBOT_CHROMIUM to a Chromium executable.");
        return await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"] });
    }
}
