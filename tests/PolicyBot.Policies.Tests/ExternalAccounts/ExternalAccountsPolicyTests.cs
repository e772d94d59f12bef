using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.ExternalAccounts;
using PolicyBot.Policies.Registration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests.ExternalAccounts;

public sealed class ExternalAccountsPolicyTests
{
    private static readonly DateOnly Today = new(2027, 1, 5);

    private static string Catalog(string? renewsOn, string? billingContact = "\"@acme/ml-platform\"", string type = "external-account") => $"""
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: image-gen
        spec:
          owner: group:ml-platform
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Resource
        metadata:
          name: openai-account
          annotations:
            {(renewsOn is null ? "other: x" : $"policybot/renews-on: {renewsOn}")}
            {(billingContact is null ? "another: y" : $"policybot/billing-contact: {billingContact}")}
        spec:
          type: {type}
          owner: group:ml-platform
        """;

    private static IReadOnlyList<Finding> Evaluate(string content, int remindDaysBefore = 30) =>
        ExternalAccountsPolicy.Evaluate(new ExternalAccountsConfig { RemindDaysBefore = [remindDaysBefore] }, CatalogInfoParser.Parse(content), Today);

    [Theory]
    [InlineData("\"2027-01-15\"", 30, "renewal-due", "in 10 days")]
    [InlineData("2027-01-15", 10, "renewal-due", "in 10 days")]   // within remind_days_before, inclusive
    [InlineData("2027-01-06", 30, "renewal-due", "in 1 day")]
    [InlineData("2027-01-05", 30, "renewal-due", "2027-01-05, today")]    // renews today: not expired yet
    [InlineData("2027-01-04", 30, "expired", "1 day ago")]
    [InlineData("2026-12-01", 30, "expired", "35 days ago")]
    public void Renewal_date_due_or_past_is_a_finding_per_account(string renewsOn, int remind, string code, string when)
    {
        var finding = Assert.Single(Evaluate(Catalog(renewsOn), remind));

        Assert.Equal((PolicyIds.ExternalAccounts, code, "openai-account", 13), (finding.Policy, finding.Code, finding.Subject, finding.Line));
        Assert.Contains(when, finding.Message, StringComparison.Ordinal);
        Assert.Contains("Billing contact: @acme/ml-platform; owner: group:ml-platform.", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Renew the account 'openai-account'", finding.Remediation, StringComparison.Ordinal);
        Assert.Contains("(line 13)", finding.Remediation, StringComparison.Ordinal);
        Assert.Contains("    policybot/renews-on: \"", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void Remediation_moves_the_date_forward_a_year_and_asks_for_a_billing_contact_when_none()
    {
        var finding = Assert.Single(Evaluate(Catalog("2027-01-15", billingContact: null)));
        Assert.Contains("policybot/renews-on: \"2028-01-15\"", finding.Remediation, StringComparison.Ordinal);
        Assert.Contains("Billing contact: none recorded", finding.Message, StringComparison.Ordinal);
        Assert.Contains("policybot/billing-contact", finding.Remediation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2027-02-05", 30)]  // 31 days away
    [InlineData("2027-01-15", 9)]
    public void Renewal_further_away_than_the_reminder_is_no_finding(string renewsOn, int remind)
    {
        Assert.Empty(Evaluate(Catalog(renewsOn), remind));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("soon")]
    [InlineData("2027-13-01")]
    public void Missing_or_invalid_date_is_left_to_registration(string? renewsOn)
    {
        Assert.Empty(Evaluate(Catalog(renewsOn)));
        var registration = Policies.Registration.RegistrationPolicy.Evaluate(new RegistrationConfig { Required = [] },
            new RepositorySnapshot { Owner = "acme", Name = "image-gen", DefaultBranch = "main", CatalogInfo = new RepositoryFile("catalog-info.yaml", Catalog(renewsOn)) },
            directory: null);
        Assert.Equal(renewsOn is null ? "renews-on-missing" : "renews-on-invalid", Assert.Single(registration).Code);
    }

    [Fact]
    public void Resources_that_are_not_external_accounts_are_ignored()
    {
        Assert.Empty(Evaluate(Catalog("2020-01-01", type: "database")));
    }

    [Fact]
    public void As_a_repository_policy_it_uses_the_context_date_and_skips_repositories_without_a_file()
    {
        IRepositoryPolicy policy = new ExternalAccountsPolicy();
        var repository = new RepositorySnapshot { Owner = "acme", Name = "image-gen", DefaultBranch = "main", CatalogInfo = new RepositoryFile("catalog-info.yaml", Catalog("2027-01-15")) };
        var context = new RepositoryPolicyContext(PolicyConfig.Default, repository, null, AppId: 1, Today);

        Assert.Equal(PolicyIds.ExternalAccounts, policy.Id);
        Assert.Equal("renewal-due", Assert.Single(policy.Evaluate(context)).Code);
        Assert.Empty(policy.Evaluate(context with { Today = new DateOnly(2026, 1, 1) }));
        Assert.Empty(policy.Evaluate(context with { Repository = repository with { CatalogInfo = null } }));
    }

    [Theory]
    [InlineData(40, null)]
    [InlineData(30, 30)]
    [InlineData(10, 30)]
    [InlineData(7, 7)]
    [InlineData(5, 7)]
    [InlineData(1, 1)]
    [InlineData(0, 1)]
    public void Each_remind_days_before_step_reached_is_the_findings_reminder_step(int daysLeft, int? step)
    {
        var catalog = CatalogInfoParser.Parse(Account(Today.AddDays(daysLeft)));

        var findings = ExternalAccountsPolicy.Evaluate(new ExternalAccountsConfig { RemindDaysBefore = [30, 7, 1] }, catalog, Today, "acme");

        Assert.Equal(step, findings.SingleOrDefault()?.ReminderStep);
    }

    [Fact]
    public void Reminders_mention_the_billing_contact_and_the_owner_team()
    {
        var catalog = CatalogInfoParser.Parse(Account(Today.AddDays(-2)));

        var finding = Assert.Single(ExternalAccountsPolicy.Evaluate(new ExternalAccountsConfig(), catalog, Today, "acme"));

        Assert.Equal(ExternalAccountsPolicy.Expired, finding.Code);
        Assert.Null(finding.ReminderStep);
        Assert.Equal(["@acme/finance", "@acme/ml-platform"], finding.Mentions);
    }

    private static string Account(DateOnly renewsOn) => $"""
        apiVersion: backstage.io/v1alpha1
        kind: Resource
        metadata:
          name: openai-account
          annotations:
            policybot/renews-on: "{renewsOn:yyyy-MM-dd}"
            policybot/billing-contact: "@acme/finance"
        spec:
          type: external-account
          owner: group:ml-platform
        """;

    [Fact]
    public void Past_the_per_file_limit_accounts_are_one_registration_finding_not_an_issue_each()
    {
        var lapsed = string.Concat(Enumerable.Range(0, 1000).Select(i => $"""
            ---
            apiVersion: backstage.io/v1alpha1
            kind: Resource
            metadata:
              name: account-{i}
              annotations:
                policybot/renews-on: "2020-01-01"
            spec:
              type: external-account
              owner: group:ml-platform

            """));
        var content = Catalog("\"2027-01-15\"") + "\n" + lapsed;

        Assert.Equal(RegistrationPolicy.MaxExternalAccounts, Evaluate(content).Count);
        var registration = RegistrationPolicy.Evaluate(new RegistrationConfig { Required = [] }, new RepositorySnapshot
        {
            Owner = "acme", Name = "svc", DefaultBranch = "main", CatalogInfo = new RepositoryFile("catalog-info.yaml", content),
        }, directory: null);
        var tooMany = Assert.Single(registration, f => f.Code == RegistrationPolicy.TooManyExternalAccounts);
        Assert.Contains("1001 external accounts", tooMany.Message, StringComparison.Ordinal);
        Assert.True(tooMany.Line > 0, "the finding names the line where the accounts not checked start");
    }

    [Fact]
    public void Past_the_per_file_limit_components_are_one_registration_finding()
    {
        var components = string.Concat(Enumerable.Range(0, RegistrationPolicy.MaxComponents + 5).Select(i => $"""
            ---
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata:
              name: part-{i}
              description: Part {i}
            spec:
              type: service
              lifecycle: production
              owner: group:nobody-{i}

            """));
        var registration = RegistrationPolicy.Evaluate(new RegistrationConfig(), new RepositorySnapshot
        {
            Owner = "acme", Name = "svc", DefaultBranch = "main", CatalogInfo = new RepositoryFile("catalog-info.yaml", components),
        }, new OrganizationDirectory { Login = "acme" });

        Assert.Contains($"lists {RegistrationPolicy.MaxComponents + 5} Components", Assert.Single(registration, f => f.Code == RegistrationPolicy.TooManyComponents).Message, StringComparison.Ordinal);
        // Only the first MaxComponents owners were looked up (each unknown here): the rest cost nothing.
        Assert.Equal(RegistrationPolicy.MaxComponents, registration.Count(f => f.Subject?.StartsWith("part-", StringComparison.Ordinal) == true && f.Message.Contains("nobody-", StringComparison.Ordinal)));
    }
}
