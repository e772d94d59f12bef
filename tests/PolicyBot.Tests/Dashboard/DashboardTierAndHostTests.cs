using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Dashboard;
using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Dashboard;

/// <summary>
/// The organisation page's tier filter, and links to GitHub on the configured host: on GitHub Enterprise Server
/// (<c>GHE_HOST</c>) every repository, organisation and issue link goes to that server, never to github.com.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class DashboardTierAndHostTests : IDisposable
{
    private const string Token = "operator";

    private readonly TempDirectory _directory = new();

    private PolicyBotFactory Start()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:OperatorToken"] = Token,

            // No API root of our own: GHE_HOST says where GitHub is, as an Enterprise Server operator sets it.
            ["GitHub:ApiBaseUrl"] = null,
            ["GHE_HOST"] = "ghe.example.com",
        };
        return new PolicyBotFactory(_directory.DatabasePath, settings);
    }

    private static async Task SaveAsync(IEvaluationStore store, string repository, bool compliant, params string[] tiers)
    {
        IReadOnlyList<Finding> findings = compliant ? [] : [new Finding(PolicyIds.BranchProtection, "no-protection", "`main` has no branch protection.", "Protect `main`.", "main")];
        await store.SaveAsync(new StoredRepositoryEvaluation(1001, repository, true, null,
            [new PolicyResult(PolicyIds.BranchProtection, PolicyAction.Issue, false, findings)], null, DateTimeOffset.UtcNow)
        {
            Baseline = new EffectiveBaseline(tiers, []),
        }, default);
    }

    [Fact]
    public async Task The_tier_filter_lists_the_repositories_of_a_tier_and_links_go_to_the_Enterprise_server()
    {
        await using var factory = Start();
        var store = factory.Services.GetRequiredService<IEvaluationStore>();
        await SaveAsync(store, "acme/payments", compliant: false, "production", "critical");
        await SaveAsync(store, "acme/ledger", compliant: true, "critical");
        await SaveAsync(store, "acme/website", compliant: false);
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Token);

        // The filter offers every tier a repository takes, and the list says each repository's tiers.
        var page = await client.GetStringAsync("/installations/1001?state=all");
        Assert.Contains("<select name=tier><option value=\"\">any</option><option value=\"critical\">critical</option><option value=\"production\">production</option></select>", page, StringComparison.Ordinal);
        Assert.Contains("<td>production, critical</td>", page, StringComparison.Ordinal);

        var critical = await client.GetStringAsync("/installations/1001?state=all&tier=critical");
        Assert.Contains("acme/payments", critical, StringComparison.Ordinal);
        Assert.Contains("acme/ledger", critical, StringComparison.Ordinal);
        Assert.DoesNotContain("acme/website", critical, StringComparison.Ordinal);
        Assert.Contains("<option value=\"critical\" selected>", critical, StringComparison.Ordinal);

        // With the default state, the critical repositories below the baseline; the JSON API filters alike.
        var below = await client.GetStringAsync("/installations/1001?tier=CRITICAL");
        Assert.Contains("1 repository listed", below, StringComparison.Ordinal);
        var overview = await client.GetFromJsonAsync<InstallationOverview>("/api/installations/1001?tier=production&state=all");
        Assert.Equal(["acme/payments"], overview!.Listed.Select(r => r.Repository));
        Assert.Equal(["critical", "production"], overview.Tiers);

        // Links to GitHub go to the Enterprise server: the organisation, each repository, and from a repository's page.
        Assert.Contains("href=\"https://ghe.example.com/acme\"", page, StringComparison.Ordinal);
        Assert.Contains("href=\"https://ghe.example.com/acme/payments\"", page, StringComparison.Ordinal);
        var repository = await client.GetStringAsync("/installations/1001/repositories/payments");
        Assert.Contains("href=\"https://ghe.example.com/acme/payments\"", repository, StringComparison.Ordinal);
        Assert.DoesNotContain("github.com/", page + repository, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
