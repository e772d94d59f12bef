namespace PolicyBot.Policies.Snapshots;

/// <summary>What the reviewer rules need to know about one pull request.</summary>
public sealed record PullRequestSnapshot
{
    public required int Number { get; init; }
    public required string Author { get; init; }
    public required string BaseBranch { get; init; }
    public required string HeadSha { get; init; }
    public string State { get; init; } = "open";
    public bool Draft { get; init; }
    /// <summary>
    /// The changed files' paths; a renamed file is listed under its new AND its previous path, so that moving a file
    /// out of a protected path is judged like changing it there.
    /// </summary>
    public IReadOnlyList<string> ChangedFiles { get; init; } = [];
    /// <summary>
    /// False when <see cref="ChangedFiles"/> is known to be incomplete: GitHub lists at most 3,000 files of a pull request,
    /// so a larger one may change files no rule sees; every path-scoped rule then applies.
    /// </summary>
    public bool ChangedFilesComplete { get; init; } = true;
    /// <summary>Logins of the authors and committers of the pull request's commits (GitHub users only), when read.</summary>
    public IReadOnlyList<string> Contributors { get; init; } = [];
    /// <summary>Every review in submission order, as `GET /repos/{o}/{r}/pulls/{n}/reviews` lists them.</summary>
    public IReadOnlyList<ReviewSnapshot> Reviews { get; init; } = [];
    public IReadOnlyList<string> RequestedUsers { get; init; } = [];
    public IReadOnlyList<string> RequestedTeams { get; init; } = [];
    /// <summary>The pull request's own `.github/policybot.yml` when it changes that file: validated, never used to judge.</summary>
    public RepositoryFile? ProposedPolicyFile { get; init; }
}

/// <summary>
/// One review. <paramref name="State"/> is GitHub's: APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING.
/// <paramref name="AuthorAssociation"/> (OWNER, MEMBER, COLLABORATOR, ...) stands for write access when a rule names no
/// reviewers and <see cref="CanWrite"/> is unknown.
/// </summary>
public sealed record ReviewSnapshot(
    long Id,
    string User,
    string State,
    string CommitId,
    DateTimeOffset SubmittedAt,
    string AuthorAssociation = "MEMBER")
{
    /// <summary>
    /// Whether the reviewer can push to the repository (push, maintain or admin), as the collaborator permission
    /// endpoint says; null when it was not asked. Read-only members and collaborators have the association
    /// MEMBER or COLLABORATOR too, so only this tells write access apart.
    /// </summary>
    public bool? CanWrite { get; init; }
}
