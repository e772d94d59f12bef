using System.Globalization;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Registration;

namespace PolicyBot.Policies.ExternalAccounts;

/// <summary>
/// The `external_accounts` policy: every external-account Resource whose `policybot/renews-on` is
/// past (<c>expired</c>) or within <c>remind_days_before</c> days, inclusive (<c>renewal-due</c>).
/// A missing or unreadable date is a registration finding, not one of these. The finding's Subject
/// is the resource name, so each account gets its own identity (and its own issue line).
/// </summary>
public sealed class ExternalAccountsPolicy : IRepositoryPolicy
{
    public string Id => PolicyIds.ExternalAccounts;

    public IReadOnlyList<Finding> Evaluate(RepositoryPolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Repository.CatalogInfo is not { } file)
        {
            return [];
        }

        return Evaluate(context.Config.ExternalAccounts, CatalogInfoParser.Parse(file.Content), context.Today);
    }

    public static IReadOnlyList<Finding> Evaluate(ExternalAccountsConfig config, CatalogInfo catalog, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(catalog);
        var findings = new List<Finding>();
        foreach (var account in catalog.ExternalAccounts.Where(a => a.Name.Length > 0))
        {
            if (!account.Annotations.TryGetValue(CatalogConventions.RenewsOnAnnotation, out var value)
                || !RegistrationPolicy.TryParseRenewsOn(value, out var renewsOn))
            {
                continue;
            }

            var daysLeft = renewsOn.DayNumber - today.DayNumber;
            if (daysLeft > config.FirstReminderDays)
            {
                continue;
            }

            var line = account.LineOf($"metadata.annotations.{CatalogConventions.RenewsOnAnnotation}");
            var date = renewsOn.ToString(CatalogConventions.RenewsOnFormat, CultureInfo.InvariantCulture);
            var contact = account.Annotations.GetValueOrDefault(CatalogConventions.BillingContactAnnotation);
            var who = $"Billing contact: {contact ?? "none recorded"}; owner: {account.Owner ?? "none recorded"}.";
            var nextDate = renewsOn.AddYears(1).ToString(CatalogConventions.RenewsOnFormat, CultureInfo.InvariantCulture);
            var remediation =
                $"Renew the account '{account.Name}', then move its renewal date forward in {CatalogConventions.FileName} (line {line}), for example:\n\n" +
                $"```yaml\n    {CatalogConventions.RenewsOnAnnotation}: \"{nextDate}\"\n```" +
                (contact is null ? $"\n\nAlso record who pays for it: `    {CatalogConventions.BillingContactAnnotation}: \"@org/team\"`." : "");

            findings.Add(daysLeft < 0
                ? new Finding(PolicyIds.ExternalAccounts, "expired",
                    $"External account '{account.Name}' was due for renewal on {date}, {-daysLeft} day{(daysLeft == -1 ? "" : "s")} ago. {who}",
                    remediation, account.Name, line)
                : new Finding(PolicyIds.ExternalAccounts, "renewal-due",
                    $"External account '{account.Name}' renews on {date}, {(daysLeft == 0 ? "today" : $"in {daysLeft} day{(daysLeft == 1 ? "" : "s")}")}. {who}",
                    remediation, account.Name, line));
        }

        return findings;
    }
}
