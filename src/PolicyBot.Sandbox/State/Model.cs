using System.Text.Json.Nodes;

namespace PolicyBot.Sandbox.State;

/// <summary>A GitHub account (user, organisation or bot) known to the simulator.</summary>
public sealed class SimAccount
{
    public required long Id { get; init; }
    public required string Login { get; init; }
    public required string Type { get; init; } // User | Organization | Bot
}

public sealed class SimTeam
{
    public required long Id { get; init; }
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public string? ParentSlug { get; set; }
    public string Privacy { get; set; } = "closed";
    /// <summary>Direct members (login → role "member" or "maintainer").</summary>
    public Dictionary<string, string> Members { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Repository permissions (repository name → pull, triage, push, maintain or admin); used when <see cref="ExplicitRepos"/>.</summary>
    public Dictionary<string, string> Repos { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// False: the team has push on every repository of the organisation (a scenario team that lists no repos).
    /// True: exactly <see cref="Repos"/>, as for a team created through the API.
    /// </summary>
    public bool ExplicitRepos { get; set; }
}

/// <summary>An immutable commit: the whole tree of files at that point.</summary>
public sealed class SimCommit
{
    public required string Sha { get; init; }
    public string? ParentSha { get; init; }
    public required IReadOnlyDictionary<string, string> Files { get; init; }
    public required string Message { get; init; }
    public required string AuthorLogin { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
}

public sealed class SimProtection
{
    /// <summary>Whether pull request reviews are required at all (required_pull_request_reviews is not null).</summary>
    public bool RequirePullRequestReviews { get; set; }
    public int RequiredApprovingReviewCount { get; set; }
    public bool DismissStaleReviews { get; set; }
    public bool RequireCodeOwnerReviews { get; set; }
    public bool RequireLastPushApproval { get; set; }
    public bool EnforceAdmins { get; set; }
    public bool AllowForcePushes { get; set; }
    public bool AllowDeletions { get; set; }
    public bool RequiredLinearHistory { get; set; }
    public bool RequiredConversationResolution { get; set; }
    public bool LockBranch { get; set; }
    public bool RequiredSignatures { get; set; }
    public bool BlockCreations { get; set; }
    public bool AllowForkSyncing { get; set; }
    public required long Id { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public bool StrictStatusChecks { get; set; }
    /// <summary>Required status checks (context, app id or null); null list = no status check requirement.</summary>
    public List<(string Context, long? AppId)>? RequiredStatusChecks { get; set; }
    /// <summary>Who may push (user logins, team slugs, app slugs); null = no push restrictions.</summary>
    public (List<string> Users, List<string> Teams, List<string> Apps)? Restrictions { get; set; }
    /// <summary>Who may dismiss reviews (<c>dismissal_restrictions</c>); null = everyone with write access.</summary>
    public (List<string> Users, List<string> Teams, List<string> Apps)? DismissalRestrictions { get; set; }
    /// <summary>Who may merge without the required reviews (<c>bypass_pull_request_allowances</c>); null = nobody.</summary>
    public (List<string> Users, List<string> Teams, List<string> Apps)? BypassAllowances { get; set; }
}

public sealed class SimRuleset
{
    public required long Id { get; init; }
    public required string Name { get; set; }
    public string Target { get; set; } = "branch";
    public required string SourceType { get; init; } // Repository | Organization
    public required string Source { get; init; }     // full name or org login
    public string Enforcement { get; set; } = "active";
    public JsonArray BypassActors { get; set; } = [];
    public JsonObject Conditions { get; set; } = [];
    public JsonArray Rules { get; set; } = [];
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class SimReview
{
    public required long Id { get; init; }
    public required string UserLogin { get; init; }
    public required string State { get; set; } // APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED
    public string Body { get; set; } = "";
    public required string CommitId { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
}

public sealed class SimPull
{
    public required long Id { get; init; }
    public required int Number { get; init; }
    public required string Title { get; set; }
    public string? Body { get; set; }
    public required string AuthorLogin { get; init; }
    public required string Base { get; set; }
    public required string Head { get; init; }
    public string State { get; set; } = "open";
    public bool Draft { get; set; }
    /// <summary>Opened from a fork: its head lives in someone else's repository, so GitHub links no check suite to it.</summary>
    public bool FromFork { get; init; }
    public bool Merged { get; set; }
    public string? MergedBy { get; set; }
    public string? MergeCommitSha { get; set; }
    /// <summary>Base sha at the time the pull request was opened (the merge base).</summary>
    public required string BaseSha { get; set; }
    /// <summary>The head sha when the pull request was closed or merged.</summary>
    public string? HeadShaAtClose { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public DateTimeOffset? MergedAt { get; set; }
    public List<SimReview> Reviews { get; } = [];
    public List<string> RequestedReviewers { get; } = [];
    public List<string> RequestedTeams { get; } = [];
    public List<string> Labels { get; } = [];
    /// <summary>Conversation comments (the pull request's issue comments).</summary>
    public List<SimComment> Comments { get; } = [];
}

public sealed class SimIssue
{
    public required long Id { get; init; }
    public required int Number { get; init; }
    public required string Title { get; set; }
    public string? Body { get; set; }
    public required string AuthorLogin { get; init; }
    public string State { get; set; } = "open";
    public string? StateReason { get; set; }
    public List<string> Labels { get; } = [];
    public List<string> Assignees { get; } = [];
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public List<SimComment> Comments { get; } = [];
}

public sealed class SimComment
{
    public required long Id { get; init; }
    public required string AuthorLogin { get; init; }
    public required string Body { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class SimLabel
{
    public required long Id { get; init; }
    public required string Name { get; set; }
    public string Color { get; set; } = "ededed";
    public string? Description { get; set; }
}

public sealed class SimCheckRun
{
    public required long Id { get; init; }
    public required string Name { get; set; }
    public required string HeadSha { get; init; }
    public required long AppId { get; init; }
    public string Status { get; set; } = "queued";
    public string? Conclusion { get; set; }
    public string? ExternalId { get; set; }
    public string? DetailsUrl { get; set; }
    public string? Title { get; set; }
    public string? Summary { get; set; }
    public string? Text { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public long CheckSuiteId { get; init; }
}

/// <summary>A commit status (the older statuses API): anyone with write access can post one under any context.</summary>
public sealed class SimStatus
{
    public required long Id { get; init; }
    public required string Sha { get; init; }
    public required string Context { get; init; }
    public required string State { get; init; } // error | failure | pending | success
    public string? Description { get; init; }
    public string? TargetUrl { get; init; }
    public required string CreatorLogin { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

public sealed class SimRepo
{
    public required long Id { get; init; }
    public required string Name { get; set; }
    public required string Owner { get; init; }
    public string FullName => $"{Owner}/{Name}";
    public string? Description { get; set; }
    public string? Homepage { get; set; }
    public bool Private { get; set; } = true;
    public string Visibility { get; set; } = "private";
    public bool Fork { get; set; }
    public bool Archived { get; set; }
    public bool HasIssues { get; set; } = true;
    public bool HasProjects { get; set; } = true;
    public bool HasWiki { get; set; } = true;
    public required string DefaultBranch { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset PushedAt { get; set; }
    public Dictionary<string, string> Branches { get; } = new(StringComparer.Ordinal); // name → head sha
    public Dictionary<string, SimProtection> Protection { get; } = new(StringComparer.Ordinal);
    public List<SimRuleset> Rulesets { get; } = [];
    /// <summary>Custom property values explicitly set: property name → a string, or a list for multi_select.</summary>
    public Dictionary<string, JsonNode> Properties { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<SimPull> Pulls { get; } = [];
    public List<SimIssue> Issues { get; } = [];
    public List<SimLabel> Labels { get; } = [];
    public List<SimCheckRun> CheckRuns { get; } = [];
    public List<SimStatus> Statuses { get; } = [];
    /// <summary>The merge queue, front first: each group's pull request, base branch, temporary branch and head commit.</summary>
    public List<SimMergeGroup> MergeQueue { get; } = [];
    /// <summary>The app's check suite per head sha.</summary>
    public Dictionary<string, long> CheckSuites { get; } = new(StringComparer.Ordinal);
    /// <summary>Next issue/pull request number (they share one sequence as on GitHub).</summary>
    public int NextNumber { get; set; } = 1;

    /// <summary>Numbers of issues an owner deleted: GitHub answers 410 Gone for them and never reuses the number.</summary>
    public HashSet<int> DeletedIssues { get; } = [];
}

public sealed record SimMergeGroup(int Number, string Base, string Branch, string HeadSha);

public sealed class SimInstallation
{
    public required long Id { get; init; }
    public required string Account { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string RepositorySelection { get; set; } = "all";

    /// <summary>When an organisation owner suspended the app (GitHub's <c>suspended_at</c>); null while active.</summary>
    public DateTimeOffset? SuspendedAt { get; set; }

    public string? SuspendedBy { get; set; }
}

public enum TokenKind
{
    None,
    AppJwt,
    Installation,
    /// <summary>"sandbox:&lt;login&gt;": a person, as tests and scripts play them.</summary>
    Sandbox,
    /// <summary>A user-to-server token ("ghu_...") from the OAuth sign-in flow: the app acting for a signed-in person.</summary>
    UserToServer,
}

public sealed record InstallationToken(string Token, long InstallationId, DateTimeOffset ExpiresAt);

public sealed record UserToken(string Token, string Login, DateTimeOffset ExpiresAt);
