using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.RegistrationSteps;

namespace PolicyBot.Tests.Enforcement;

/// <summary>`external_accounts` end to end: one reminder issue per account, never duplicated, closed when the date moves forward.</summary>
[Collection(HostCollection.Name)]
public sealed class ExternalAccountRenewalTests
{
    private static string Catalog(string openAiRenewsOn, string renderRenewsOn, string openAiDescription = "OpenAI API account") => $$"""
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: image-gen
          description: Generates images with hosted models
        spec:
          type: service
          lifecycle: production
          owner: group:platform
          dependsOn: [resource:openai-account, resource:render-hosting]
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Resource
        metadata:
          name: openai-account
          description: {{openAiDescription}}
          annotations:
            policybot/renews-on: "{{openAiRenewsOn}}"
            policybot/billing-contact: "@acme/finance"
        spec:
          type: external-account
          owner: group:platform
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Resource
        metadata:
          name: render-hosting
          description: Hosting
          annotations:
            policybot/renews-on: "{{renderRenewsOn}}"
            policybot/billing-contact: "@bob"
        spec:
          type: external-account
          owner: user:bob
        """;

    [Fact]
    public async Task An_account_renewing_soon_gets_one_reminder_however_often_it_is_evaluated_an_expired_one_its_own_and_moving_the_date_closes_it()
    {
        var seeded = RegistrationTests.Indent(Catalog("{{today+10d}}", "{{today-3d}}"), 8);
        var scenario = AcmeScenario.With(
            "external_accounts: { action: issue, remind_days_before: 30 }",
            $$"""
              - name: image-gen
                files:
                  catalog-info.yaml: |
            {{seeded}}
            """);
        await using var sandbox = await PolicyBotSandbox.StartAsync(scenario);
        await sandbox.InstallAsync();

        // Evaluated again and again: by reconciles, and by pushes that change the file but not the dates.
        for (var i = 0; i < 3; i++)
        {
            await ReconcileAsync(sandbox, "image-gen");
            await sandbox.SettleAsync();
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var dueOn = Iso(today.AddDays(10));
        var expiredOn = Iso(today.AddDays(-3));
        await sandbox.PushFileAsync("alice", "image-gen", "catalog-info.yaml", Catalog(dueOn, expiredOn, "OpenAI API account (images)"));
        await sandbox.SettleAsync();

        var issues = await IssuesAsync(sandbox, "image-gen");
        Assert.Equal(2, issues.Count);
        Assert.All(issues, i => Assert.Equal("open", State(i)));
        var reminder = Assert.Single(issues, i => Body(i).Contains("openai-account", StringComparison.Ordinal));
        Assert.Contains(dueOn, Body(reminder), StringComparison.Ordinal);
        Assert.Contains("in 10 days", Body(reminder), StringComparison.Ordinal);
        Assert.Contains("@acme/finance", Body(reminder), StringComparison.Ordinal);
        Assert.Contains("group:platform", Body(reminder), StringComparison.Ordinal);
        Assert.Empty(await CommentsAsync(sandbox, "image-gen", Number(reminder)));

        var expired = Assert.Single(issues, i => Body(i).Contains("render-hosting", StringComparison.Ordinal));
        Assert.Contains("3 days ago", Body(expired), StringComparison.Ordinal);
        Assert.Contains("@bob", Body(expired), StringComparison.Ordinal);
        var findings = (await sandbox.Service<IEvaluationStore>().GetAsync("acme/image-gen", CancellationToken.None))!
            .Results.Single(r => r.Policy == PolicyIds.ExternalAccounts).Findings;
        Assert.Equal(["expired:render-hosting", "renewal-due:openai-account"], findings.Select(f => $"{f.Code}:{f.Subject}").Order(StringComparer.Ordinal));

        // Renewed: the date moves a year forward, and only that account's issue closes.
        var renewedOn = Iso(today.AddYears(1));
        await sandbox.PushFileAsync("alice", "image-gen", "catalog-info.yaml", Catalog(renewedOn, expiredOn));
        await sandbox.SettleAsync();

        issues = await IssuesAsync(sandbox, "image-gen");
        Assert.Equal(2, issues.Count);
        Assert.Equal("closed", State(Assert.Single(issues, i => Number(i) == Number(reminder))));
        Assert.NotEmpty(await CommentsAsync(sandbox, "image-gen", Number(reminder)));
        Assert.Equal("open", State(Assert.Single(issues, i => Number(i) == Number(expired))));

        var inventory = (await sandbox.Service<IEvaluationStore>().GetAsync("acme/image-gen", CancellationToken.None))!.Inventory!;
        Assert.Equal(today.AddYears(1), inventory.ExternalAccounts.Single(a => a.Name == "openai-account").RenewsOn);
    }

    [Fact]
    public async Task Each_reminder_step_comments_once_mentioning_the_billing_contact_and_owner_and_past_the_date_the_issue_says_so_daily()
    {
        // Early in a UTC day, so the hours added below never cross midnight.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(DateTime.UtcNow.Date.AddHours(6), TimeSpan.Zero));
        var account = RegistrationTests.Indent(Catalog("{{today+10d}}", "{{today+300d}}"), 8);
        var scenario = AcmeScenario.With(
            "external_accounts: { action: issue, remind_days_before: [30, 7, 1] }\nissues: { ping_after_days: 0 }",
            $$"""
              - name: image-gen
                files:
                  catalog-info.yaml: |
            {{account}}
            """);
        await using var sandbox = await PolicyBotSandbox.StartAsync(scenario, time: clock);
        await sandbox.InstallAsync();
        var issue = Number(Assert.Single(await IssuesAsync(sandbox, "image-gen")));

        async Task<List<string>> After(TimeSpan wait)
        {
            clock.Advance(wait);
            await ReconcileAsync(sandbox, "image-gen");
            await sandbox.SettleAsync();
            return await CommentsAsync(sandbox, "image-gen", issue);
        }

        Assert.Empty(await After(TimeSpan.Zero));               // 10 days left: the issue itself is the first reminder
        var sevenDays = await After(TimeSpan.FromDays(3));      // 7 days left: the second step
        Assert.Equal(sevenDays, await After(TimeSpan.FromDays(1)));   // 6 days left: nothing new
        var oneDay = await After(TimeSpan.FromDays(5));         // 1 day left: the last step
        var expired = await After(TimeSpan.FromDays(2));        // 1 day past: the finding changes to expired
        Assert.Equal(expired, await After(TimeSpan.FromHours(1)));
        var nextDay = await After(TimeSpan.FromDays(1));        // a day later: the issue says it is overdue
        Assert.Equal(nextDay, await After(TimeSpan.FromHours(12)));   // at most once a day

        var reminder = Assert.Single(sevenDays);
        Assert.StartsWith("@acme/finance @acme/platform: Renewal reminder:", reminder, StringComparison.Ordinal);
        Assert.Contains("in 7 days", reminder, StringComparison.Ordinal);
        Assert.Equal(2, oneDay.Count);
        Assert.Contains("in 1 day.", oneDay[1], StringComparison.Ordinal);
        Assert.Equal(3, expired.Count);
        Assert.Equal(4, nextDay.Count);
        Assert.StartsWith("@acme/finance @acme/platform: Overdue:", nextDay[3], StringComparison.Ordinal);
        Assert.Contains("2 days ago", nextDay[3], StringComparison.Ordinal);
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
