namespace PolicyBot.Policies.Snapshots;

/// <summary>
/// What the policies need to know about one repository, fetched from GitHub by the Enforcement
/// layer and handed to the pure evaluators. Nothing in here performs I/O.
/// </summary>
public sealed record RepositorySnapshot
{
    /// <summary>GitHub's id of the repository, which survives renames and transfers; 0 when unknown.</summary>
    public long Id { get; init; }
    public required string Owner { get; init; }
    public required string Name { get; init; }
    public string FullName => $"{Owner}/{Name}";
    public required string DefaultBranch { get; init; }
    public string? Description { get; init; }
    public bool Archived { get; init; }
    public bool Fork { get; init; }
    public bool Private { get; init; } = true;
    public bool HasIssues { get; init; } = true;
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The login of whoever created the repository, when known (repository.created's sender).</summary>
    public string? CreatedBy { get; init; }

    /// <summary>Protection of each branch the branch_protection policy names that exists.</summary>
    public IReadOnlyList<BranchProtectionState> Branches { get; init; } = [];

    /// <summary>`.github/policybot.yml` on the default branch, if any.</summary>
    public RepositoryFile? PolicyFile { get; init; }
    /// <summary>
    /// The content of the last version of `.github/policybot.yml` that validated, as PolicyBot stored it; it applies
    /// while the file on the default branch has errors (DESIGN section 2, "Fail closed").
    /// </summary>
    public string? LastValidPolicyFile { get; init; }
    /// <summary>`catalog-info.yaml` at the root of the default branch, if any.</summary>
    public RepositoryFile? CatalogInfo { get; init; }
    /// <summary>The CODEOWNERS file GitHub uses (root, `.github/` or `docs/`), if any.</summary>
    public CodeOwnersFile? CodeOwners { get; init; }

    /// <summary>
    /// The repository's GitHub custom property values by property name; a multi-select property has
    /// several values, a property without a value is absent.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> CustomProperties { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The lifecycle of the first Component of <see cref="CatalogInfo"/> (see <c>CatalogInfoParser.LifecycleOf</c>), which tiers match on.</summary>
    public string? Lifecycle { get; init; }

    /// <summary>Each team with access to the repository and its role (<c>GET /repos/{o}/{r}/teams</c>); null when not read.</summary>
    public IReadOnlyDictionary<string, RepositoryAccess>? TeamAccess { get; init; }
}

public sealed record RepositoryFile(string Path, string Content, string? Sha = null);

/// <summary>A CODEOWNERS file and the errors GitHub reports for it (`GET /repos/{o}/{r}/codeowners/errors`).</summary>
public sealed record CodeOwnersFile(string Path, string Content, IReadOnlyList<CodeOwnersError> Errors);

public sealed record CodeOwnersError(int Line, int Column, string Kind, string Message, string? Source = null, string? Suggestion = null);
