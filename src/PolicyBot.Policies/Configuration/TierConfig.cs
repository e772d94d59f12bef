namespace PolicyBot.Policies.Configuration;

/// <summary>
/// One entry of <c>tiers</c> in the organisation's policybot.yml: which repositories it matches and
/// the values it tightens for them. <see cref="Settings"/> holds the tier's values over the built-in
/// defaults; only the keys in <see cref="SetKeys"/> were written in the tier, and only those apply.
/// </summary>
public sealed record TierConfig
{
    public required string Name { get; init; }
    public TierMatch Match { get; init; } = new();
    public PolicyConfig Settings { get; init; } = PolicyConfig.Default;
    /// <summary>Key paths the tier set (relative, such as <c>branch_protection.enforce_admins</c>) with the line of each in the organisation file.</summary>
    public IReadOnlyDictionary<string, int> SetKeys { get; init; } = new Dictionary<string, int>();
    public int Line { get; init; }

    /// <summary>How a tier is named as the source of a value or a reviewer rule.</summary>
    public string Source => TierMatch.SourceOf(Name);
}

/// <summary>
/// What a repository must have to take a tier: every condition given holds (a lifecycle in
/// <see cref="Lifecycle"/>, and for each property one of its listed values). A tier with no
/// condition matches nothing, so a missing <c>match</c> never tightens every repository by accident.
/// </summary>
public sealed record TierMatch
{
    /// <summary>Lifecycles of the repository's catalog-info.yaml Component (<c>spec.lifecycle</c>).</summary>
    public IReadOnlyList<string> Lifecycle { get; init; } = [];
    /// <summary>GitHub repository custom property name → accepted values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Properties { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

    public bool IsEmpty => Lifecycle.Count == 0 && Properties.Count == 0;

    public const string OrganizationSource = "organization";
    public const string RepositorySource = "repository";
    private const string TierPrefix = "tier:";

    public static string SourceOf(string tierName) => TierPrefix + tierName;

    /// <summary>The tier name of a source written by <see cref="SourceOf"/>, or null for the organisation or repository.</summary>
    public static string? TierOf(string source) =>
        source.StartsWith(TierPrefix, StringComparison.Ordinal) ? source[TierPrefix.Length..] : null;

    /// <summary>
    /// Whether a repository with <paramref name="lifecycle"/> (null: not registered) and custom
    /// <paramref name="properties"/> (name → values; a multi-select has several) takes this tier.
    /// Values compare without regard to case, so <c>Production</c> and <c>production</c> are one lifecycle.
    /// </summary>
    public bool Matches(string? lifecycle, IReadOnlyDictionary<string, IReadOnlyList<string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        if (IsEmpty)
        {
            return false;
        }

        if (Lifecycle.Count > 0 && (lifecycle is null || !Lifecycle.Contains(lifecycle, StringComparer.OrdinalIgnoreCase)))
        {
            return false;
        }

        foreach (var (name, accepted) in Properties)
        {
            var actual = properties.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
            if (actual is null || !actual.Any(v => accepted.Contains(v, StringComparer.OrdinalIgnoreCase)))
            {
                return false;
            }
        }

        return true;
    }
}
