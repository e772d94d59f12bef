using System.Globalization;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Registration;

namespace PolicyBot.Policies.ExternalAccounts;

/// <summary>
/// The `external_accounts` policy: every external-account Resource whose `policybot/renews-on` is
/// past (<c>expired</c>) or within the first <c>remind_days_before</c> step, inclusive (<c>renewal-due</c>,
/// with the step reached in <see cref="Finding.ReminderStep"/>, so each later step reminds again). Both
/// mention the account's billing contact and owner, for the reminders posted on its issue.
/// A missing or unreadable date is a registration finding, not one of these. The finding's Subject
/// is the resource name, so each account gets its own identity (and its own issue line).
/// </summary>
public sealed class ExternalAccountsPolicy : IRepositoryPolicy
{
    public const string RenewalDue = "renewal-due";
    public const string Expired = "expired";

    public string Id => PolicyIds.ExternalAccounts;

    public IReadOnlyList<Finding> Evaluate(RepositoryPolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Repository.CatalogInfo is not { } file)
        {
            return [];
        }

        return Evaluate(context.Config.ExternalAccounts, CatalogInfoParser.Parse(file.Content), context.Today, context.Repository.Owner);
    }

    /// <param name="organization">The organisation's login, to mention an owner team as <c>@org/team</c>; null: not mentioned.</param>
    public static IReadOnlyList<Finding> Evaluate(ExternalAccountsConfig config, CatalogInfo catalog, DateOnly today, string? organization = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(catalog);
        var findings = new List<Finding>();
        // Beyond the per-file limit the accounts are one registration finding, not an issue each.
        foreach (var account in catalog.ExternalAccounts.Take(RegistrationPolicy.MaxExternalAccounts).Where(a => a.Name.Length > 0))
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

            var mentions = new[] { Mention(contact, organization), Mention(account.Owner, organization) }.OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            findings.Add(daysLeft < 0
                ? new Finding(PolicyIds.ExternalAccounts, Expired,
                    $"External account '{account.Name}' was due for renewal on {date}, {-daysLeft} day{(daysLeft == -1 ? "" : "s")} ago. {who}",
                    remediation, account.Name, line) { Mentions = mentions }
                : new Finding(PolicyIds.ExternalAccounts, RenewalDue,
                    $"External account '{account.Name}' renews on {date}, {(daysLeft == 0 ? "today" : $"in {daysLeft} day{(daysLeft == 1 ? "" : "s")}")}. {who}",
                    remediation, account.Name, line) { Mentions = mentions, ReminderStep = config.RemindDaysBefore.Where(s => daysLeft <= s).DefaultIfEmpty(config.FirstReminderDays).Min() });
        }

        return findings;
    }

    /// <summary>
    /// A billing contact or owner as a mention: <c>@team</c> or <c>@org/team</c> as written; <c>group:team</c> →
    /// <c>@org/team</c>; <c>user:login</c> or a bare login → <c>@login</c>. Null when there is nobody to mention.
    /// </summary>
    private static string? Mention(string? who, string? organization)
    {
        var text = who?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text.StartsWith('@'))
        {
            return text;
        }

        if (!OwnerReference.TryParse(text, out var owner, out _) || !string.Equals(owner!.Namespace, "default", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return owner.Kind == OwnerKind.Group
            ? organization is null ? null : $"@{organization}/{owner.Name}"
            : $"@{owner.Name}";
    }
}
