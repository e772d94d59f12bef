using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Preview;

/// <summary>
/// What PolicyBot knew about a repository when it last evaluated it: the snapshot the policies judged, and which parts
/// of it were read (an evaluation reads only what its configuration needs). Stored with each evaluation so that a
/// change of the organisation's baseline can be previewed without asking GitHub about every repository.
/// </summary>
/// <param name="Snapshot">The repository as evaluated.</param>
/// <param name="FilesRead">Whether its policy file, catalog-info.yaml and CODEOWNERS were read (not for a repository out of scope).</param>
/// <param name="BranchesReadFor">The <c>branches</c> entries whose protection was read; null when none was.</param>
/// <param name="CustomPropertiesRead">Whether its custom properties were read (only when a tier matches on them).</param>
public sealed record KnownRepositoryState(
    RepositorySnapshot Snapshot,
    bool FilesRead,
    IReadOnlyList<string>? BranchesReadFor,
    bool CustomPropertiesRead);
