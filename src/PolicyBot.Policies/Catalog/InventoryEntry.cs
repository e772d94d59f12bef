using PolicyBot.Policies.Registration;

namespace PolicyBot.Policies.Catalog;

/// <summary>One external account of a repository's registration, for the inventory and upcoming renewals.</summary>
public sealed record ExternalAccountEntry(string Name, DateOnly? RenewsOn, string? BillingContact, string? Owner);

/// <summary>
/// A repository's registration as the dashboard, `audit` and the API list it. Built from the first
/// Component (owner, lifecycle, description) and every external-account Resource of the file.
/// </summary>
public sealed record InventoryEntry(
    string Repository,
    string? Owner,
    string? Lifecycle,
    string? Description,
    IReadOnlyList<ExternalAccountEntry> ExternalAccounts)
{
    /// <summary>True when the repository has a Component on record.</summary>
    public bool Registered { get; init; }

    /// <param name="catalog">Null when the repository has no catalog-info.yaml.</param>
    public static InventoryEntry From(string repository, CatalogInfo? catalog)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (catalog is null)
        {
            return new InventoryEntry(repository, null, null, null, []);
        }

        var component = catalog.Components.FirstOrDefault();
        var accounts = catalog.ExternalAccounts
            .Where(a => a.Name.Length > 0)
            .Select(a => new ExternalAccountEntry(
                a.Name,
                RegistrationPolicy.TryParseRenewsOn(a.Annotations.GetValueOrDefault(CatalogConventions.RenewsOnAnnotation), out var date) ? date : null,
                a.Annotations.GetValueOrDefault(CatalogConventions.BillingContactAnnotation),
                a.Owner ?? component?.Owner))
            .OrderBy(a => a.RenewsOn ?? DateOnly.MaxValue)
            .ThenBy(a => a.Name, StringComparer.Ordinal)
            .ToList();
        return new InventoryEntry(repository, component?.Owner, component?.Lifecycle, component?.Description, accounts)
        {
            Registered = component is not null,
        };
    }
}
