namespace PolicyBot.Policies.Snapshots;

/// <summary>
/// Everything that protects one branch: its classic branch protection and the active rules of
/// repository and organisation rulesets that apply to it (`GET /repos/{o}/{r}/rules/branches/{b}`).
/// The effective protection is the two together.
/// </summary>
public sealed record BranchProtectionState
{
    public required string Branch { get; init; }
    /// <summary>Null when GitHub answers 404 "Branch not protected".</summary>
    public ClassicProtection? Classic { get; init; }
    public IReadOnlyList<BranchRule> Rules { get; init; } = [];
    /// <summary>False when GitHub refused with 403 because the plan has no protection for private repositories.</summary>
    public bool ProtectionAvailable { get; init; } = true;
}

/// <summary>Classic branch protection as `GET /repos/{o}/{r}/branches/{b}/protection` reports it.</summary>
public sealed record ClassicProtection
{
    /// <summary>Null when pull request reviews are not required at all.</summary>
    public int? RequiredApprovingReviewCount { get; init; }
    public bool DismissStaleReviews { get; init; }
    public bool RequireCodeOwnerReviews { get; init; }
    public bool RequireLastPushApproval { get; init; }
    public bool EnforceAdmins { get; init; }
    public bool AllowForcePushes { get; init; }
    public bool AllowDeletions { get; init; }
    public IReadOnlyList<RequiredStatusCheck> RequiredStatusChecks { get; init; } = [];
    /// <summary>
    /// <c>required_pull_request_reviews.bypass_pull_request_allowances</c>: users, teams and apps that may merge without
    /// the required reviews (they bypass only the review settings); administrators bypass everything unless <see cref="EnforceAdmins"/>.
    /// </summary>
    public IReadOnlyList<BypassActor> ReviewBypass { get; init; } = [];

    /// <summary>
    /// GitHub's GET response itself, as read. The PUT that fixes a gap replaces the whole protection, so the body a
    /// remediation suggests is built from all of it (push and dismissal restrictions, the flags the baseline has no
    /// opinion on), not only from the settings above. Null for a protection not read from GitHub.
    /// </summary>
    public System.Text.Json.JsonElement? Response { get; init; }
}

/// <summary>A required status check; <paramref name="AppId"/> null or -1 means any source may satisfy it.</summary>
public sealed record RequiredStatusCheck(string Context, long? AppId);

/// <summary>One active rule from a ruleset. Only the rule types that bear on the baseline carry parameters.</summary>
public sealed record BranchRule
{
    /// <summary>GitHub's rule type: pull_request, non_fast_forward, deletion, required_status_checks, ...</summary>
    public required string Type { get; init; }
    /// <summary>"Repository" or "Organization".</summary>
    public string RulesetSourceType { get; init; } = "Repository";
    public string RulesetSource { get; init; } = "";
    public long RulesetId { get; init; }
    public string RulesetName { get; init; } = "";
    /// <summary>The ruleset's <c>bypass_actors</c>: each may bypass every rule of the ruleset.</summary>
    public IReadOnlyList<BypassActor> Bypass { get; init; } = [];
    /// <summary>True when the ruleset lets organisation owners or repository admins bypass it, so it does not bind admins.</summary>
    public bool AdminsCanBypass => Bypass.Any(a => a.IsAdministrator);
    public PullRequestRuleParameters? PullRequest { get; init; }
    public IReadOnlyList<RequiredStatusCheck> RequiredStatusChecks { get; init; } = [];
}

public sealed record PullRequestRuleParameters(
    int RequiredApprovingReviewCount,
    bool DismissStaleReviewsOnPush,
    bool RequireCodeOwnerReview,
    bool RequireLastPushApproval);
