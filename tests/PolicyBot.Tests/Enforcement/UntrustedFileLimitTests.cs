using PolicyBot.Policies;
using PolicyBot.Policies.Registration;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.BranchProtectionScenario;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// Issue 9 item 5: an untrusted file cannot starve the organisation. A catalog-info.yaml may ask PolicyBot to track only
/// so many external accounts (one finding beyond), and the issues it does create cost one listing of labelled issues per
/// evaluation, not one per issue created.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class UntrustedFileLimitTests
{
    private static string CatalogWithLapsedAccounts(int accounts) => """
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: svc
          description: The service
        spec:
          type: service
          lifecycle: production
          owner: group:platform

        """ + string.Concat(Enumerable.Range(0, accounts).Select(i => $"""
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Resource
        metadata:
          name: account-{i:D4}
          annotations:
            policybot/renews-on: "2020-01-01"
            policybot/billing-contact: "@acme/platform"
        spec:
          type: external-account
          owner: group:platform

        """));

    [Fact]
    public async Task A_catalog_of_a_thousand_lapsed_accounts_opens_at_most_the_limit_of_issues_after_one_listing_and_says_so()
    {
        var scenario = AcmeScenario.With("external_accounts: { action: issue }\nregistration: { action: log }", """
              - name: svc
                files: { README.md: "# svc" }
            """);
        await using var sandbox = await PolicyBotSandbox.StartAsync(scenario);
        await sandbox.InstallAsync();
        sandbox.GitHub.ClearRequests();

        var catalog = CatalogWithLapsedAccounts(1_000);
        Assert.InRange(catalog.Length, 200_000, PolicyBot.Policies.Yaml.SafeYaml.DefaultMaxBytes); // as measured in the issue: 221 KB, under the size limit
        await sandbox.PushFileAsync("bob", "svc", "catalog-info.yaml", catalog);
        await sandbox.SettleAsync();

        // One issue per account up to the limit; the rest is one registration finding naming where it starts.
        Assert.Equal(RegistrationPolicy.MaxExternalAccounts, Issues(sandbox, "svc", PolicyIds.ExternalAccounts).Count);
        var tooMany = Assert.Single(await FindingsAsync(sandbox, "svc", PolicyIds.Registration), f => f.Code == RegistrationPolicy.TooManyExternalAccounts);
        Assert.Contains("1000 external accounts", tooMany.Message, StringComparison.Ordinal);

        // Looking for issues PolicyBot's records lost: one listing of the labelled issues for the whole evaluation, not
        // one before each of the 50 issues it created.
        var created = sandbox.GitHub.Requests.Count(r => r.Method == "POST" && r.Path == "/repos/acme/svc/issues");
        Assert.Equal(RegistrationPolicy.MaxExternalAccounts, created);
        var listings = sandbox.GitHub.Requests.Count(r => r.Method == "GET" && r.Path == "/repos/acme/svc/issues");
        Assert.Equal(1, listings);
        Assert.DoesNotContain(sandbox.GitHub.Requests, r => r.Path.StartsWith("/search/", StringComparison.Ordinal));
    }
}
