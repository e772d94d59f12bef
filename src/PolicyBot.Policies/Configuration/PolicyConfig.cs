namespace PolicyBot.Policies.Configuration;

/// <summary>
/// The organisation baseline (`policybot.yml` in the organisation's `.github` repository), as in
/// DESIGN section 2. The property initialisers are the built-in defaults: with no file every
/// action is <see cref="PolicyAction.Log"/>, so a fresh install reports but changes nothing.
/// </summary>
public sealed record PolicyConfig
{
    public int Version { get; init; } = 1;
    public ScopeConfig Scope { get; init; } = new();
    public BranchProtectionConfig BranchProtection { get; init; } = new();
    public CodeOwnersConfig CodeOwners { get; init; } = new();
    public ReviewersConfig Reviewers { get; init; } = new();
    public RegistrationConfig Registration { get; init; } = new();
    public ExternalAccountsConfig ExternalAccounts { get; init; } = new();
    public IssuesConfig Issues { get; init; } = new();
    public IReadOnlyList<ExemptionConfig> Exemptions { get; init; } = [];
    /// <summary>Stricter baselines for the repositories each matches (DESIGN section 2); a repository takes every tier it matches.</summary>
    public IReadOnlyList<TierConfig> Tiers { get; init; } = [];

    public static PolicyConfig Default { get; } = new();
}

public sealed record ScopeConfig
{
    public IReadOnlyList<string> Exclude { get; init; } = [];
    public bool IncludeArchived { get; init; }
    public bool IncludeForks { get; init; }
}

public sealed record BranchProtectionConfig
{
    public PolicyAction Action { get; init; } = PolicyAction.Log;
    public bool BlockMerge { get; init; }
    /// <summary>"default" is each repository's default branch; other entries are branch-name globs.</summary>
    public IReadOnlyList<string> Branches { get; init; } = ["default"];
    public int RequiredApprovingReviewCount { get; init; } = 1;
    public bool DismissStaleReviews { get; init; } = true;
    public bool RequireCodeOwnerReviews { get; init; }
    public bool RequireLastPushApproval { get; init; }
    public bool EnforceAdmins { get; init; }
    public bool AllowForcePushes { get; init; }
    public bool AllowDeletions { get; init; }
    /// <summary>Status check contexts that must be required; "PolicyBot" must be bound to this app's id.</summary>
    public IReadOnlyList<string> RequiredStatusChecks { get; init; } = [];
    /// <summary>
    /// Who may bypass the rules that make up the baseline (<see cref="BypassAllowance"/> spellings:
    /// OrganizationAdmin, DeployKey, role:NAME, team:SLUG, app:SLUG, user:LOGIN); any other bypass is a finding.
    /// </summary>
    public IReadOnlyList<string> AllowedBypass { get; init; } = [];
}

public sealed record CodeOwnersConfig
{
    public PolicyAction Action { get; init; } = PolicyAction.Log;
    public bool BlockMerge { get; init; }
    public bool Required { get; init; }
}

public sealed record ReviewersConfig
{
    public bool Enabled { get; init; } = true;
    public bool IgnoreSelfApproval { get; init; } = true;
    /// <summary>An approval from anyone who authored or committed a commit of the pull request does not count.</summary>
    public bool IgnoreContributorApproval { get; init; } = true;
    public bool InvalidateOnPush { get; init; } = true;
    public bool RequestReviews { get; init; } = true;
    public IReadOnlyList<ReviewerRuleConfig> Rules { get; init; } = [];
}

public sealed record ReviewerRuleConfig
{
    public required string Name { get; init; }
    /// <summary>The rule applies when any changed file matches; empty: always.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];
    public IReadOnlyList<string> Branches { get; init; } = ["default"];
    public int Approvals { get; init; } = 1;
    /// <summary>Null: anyone with write access may approve.</summary>
    public ReviewerSourceConfig? From { get; init; }
    /// <summary>Where the rule came from ("organization" or "repository"), for the check run summary.</summary>
    public string Origin { get; init; } = "organization";
}

public sealed record ReviewerSourceConfig
{
    public IReadOnlyList<string> Teams { get; init; } = [];
    public IReadOnlyList<string> Users { get; init; } = [];
    /// <summary>True: the owners (by CODEOWNERS) of the changed files.</summary>
    public bool CodeOwners { get; init; }
}

public sealed record RegistrationConfig
{
    public PolicyAction Action { get; init; } = PolicyAction.Log;
    /// <summary>Blocks only once <see cref="GraceDays"/> have passed since the repository was created.</summary>
    public bool BlockMerge { get; init; }
    public int GraceDays { get; init; } = 7;
    public IReadOnlyList<string> Required { get; init; } = ["owner", "lifecycle", "description"];
    public bool OpenPullRequest { get; init; } = true;
    /// <summary>The least access an owner team must have on the repository it owns.</summary>
    public RepositoryAccess OwnerAccess { get; init; } = RepositoryAccess.Write;
}

public sealed record ExternalAccountsConfig
{
    public PolicyAction Action { get; init; } = PolicyAction.Log;
    /// <summary>
    /// Days before <c>renews-on</c> at which a reminder is due, largest first (for example 30, 7, 1):
    /// the account is due for renewal from the first step on, and each later step reminds again.
    /// </summary>
    public IReadOnlyList<int> RemindDaysBefore { get; init; } = [30];

    /// <summary>The first reminder step: the account is due for renewal this many days before its date.</summary>
    public int FirstReminderDays => RemindDaysBefore.Count == 0 ? 0 : RemindDaysBefore.Max();
}

public sealed record IssuesConfig
{
    public string Label { get; init; } = "policybot";
    /// <summary>At most one reminder comment per this many days; 0: never.</summary>
    public int PingAfterDays { get; init; } = 14;
    /// <summary>Empty: issues go to the repository itself; a name: all go to that repository.</summary>
    public string Repository { get; init; } = "";
}

public sealed record ExemptionConfig
{
    public IReadOnlyList<string> Repos { get; init; } = [];
    public IReadOnlyList<string> Policies { get; init; } = [];
    public string Reason { get; init; } = "";
    public DateOnly? Expires { get; init; }
}
