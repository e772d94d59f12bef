using PolicyBot.Policies.Yaml;

namespace PolicyBot.Policies.Catalog;

/// <summary>Well-known values of the Backstage descriptor format and PolicyBot's annotations on it.</summary>
public static class CatalogConventions
{
    public const string FileName = "catalog-info.yaml";
    public const string ApiVersion = "backstage.io/v1alpha1";
    public const string ExternalAccountType = "external-account";
    public const string RenewsOnAnnotation = "policybot/renews-on";
    public const string BillingContactAnnotation = "policybot/billing-contact";
    public const string RenewsOnFormat = "yyyy-MM-dd";

    /// <summary>The lifecycles PolicyBot accepts (Backstage's well-known ones).</summary>
    public static readonly IReadOnlyList<string> Lifecycles = ["experimental", "production", "deprecated"];
}

/// <summary>
/// One entity (YAML document) of a catalog-info.yaml. <see cref="Spec"/> and <see cref="Metadata"/>
/// hold the scalar fields by name; <see cref="Lines"/> maps a dotted field path
/// (`spec.owner`, `metadata.annotations.policybot/renews-on`) to the 1-based line it is on.
/// </summary>
public sealed record CatalogEntity
{
    public required string Kind { get; init; }
    public required string ApiVersion { get; init; }
    /// <summary>Empty when the document has no metadata.name (reported as a problem).</summary>
    public required string Name { get; init; }
    /// <summary>The line the document starts on.</summary>
    public int Line { get; init; }
    public string? Description { get; init; }
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    public IReadOnlyDictionary<string, string> Spec { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    public IReadOnlyDictionary<string, int> Lines { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    public string? Type => Spec.GetValueOrDefault("type");
    public string? Lifecycle => Spec.GetValueOrDefault("lifecycle");
    public string? Owner => Spec.GetValueOrDefault("owner");
    public string? System => Spec.GetValueOrDefault("system");

    public bool IsExternalAccount =>
        Kind == "Resource" && string.Equals(Type, CatalogConventions.ExternalAccountType, StringComparison.Ordinal);

    /// <summary>The line of a field, falling back to the document's first line.</summary>
    public int LineOf(string fieldPath) => Lines.TryGetValue(fieldPath, out var line) ? line : Line;
}

/// <summary>A parsed catalog-info.yaml: its Components, Resources, other entities and what is wrong with it.</summary>
public sealed record CatalogInfo
{
    public IReadOnlyList<CatalogEntity> Components { get; init; } = [];
    public IReadOnlyList<CatalogEntity> Resources { get; init; } = [];
    /// <summary>Entities of other kinds (API, System, Group, ...), kept so that nothing is silently lost.</summary>
    public IReadOnlyList<CatalogEntity> Others { get; init; } = [];
    public IReadOnlyList<YamlProblem> Problems { get; init; } = [];

    /// <summary>True when the YAML itself could not be read (no entities at all).</summary>
    public bool Unreadable { get; init; }

    public IEnumerable<CatalogEntity> ExternalAccounts => Resources.Where(r => r.IsExternalAccount);
}
