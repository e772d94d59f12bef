using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.BranchProtection;

/// <summary>
/// What actually protects a branch: classic branch protection and the active ruleset rules
/// together, the strongest of each setting (GitHub enforces both layers, so the stricter wins).
/// </summary>
public sealed record EffectiveProtection
{
    /// <summary>Rule types that bear on the baseline; others (creation, update, signatures...) are ignored here.</summary>
    public static readonly IReadOnlySet<string> RelevantRuleTypes =
        new HashSet<string>(StringComparer.Ordinal) { "pull_request", "non_fast_forward", "deletion", "required_status_checks" };

    /// <summary>False when neither classic protection nor any relevant rule applies.</summary>
    public bool Protected { get; init; }
    /// <summary>0 when no pull request (or no approval) is required.</summary>
    public int RequiredApprovingReviewCount { get; init; }
    public bool DismissStaleReviews { get; init; }
    public bool RequireCodeOwnerReviews { get; init; }
    public bool RequireLastPushApproval { get; init; }
    public bool EnforceAdmins { get; init; }
    public bool ForcePushesBlocked { get; init; }
    public bool DeletionsBlocked { get; init; }
    public IReadOnlyList<RequiredStatusCheck> RequiredStatusChecks { get; init; } = [];

    /// <summary>
    /// Combines classic protection and rules. Admins count as bound when classic protection
    /// enforces admins, or when any relevant rule comes from a ruleset admins cannot bypass: a
    /// ruleset without an admin bypass binds admins just as <c>enforce_admins</c> does.
    /// </summary>
    public static EffectiveProtection From(BranchProtectionState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var classic = state.Classic;
        var rules = state.Rules.Where(r => RelevantRuleTypes.Contains(r.Type)).ToList();
        var pullRequestRules = rules.Where(r => r.Type == "pull_request" && r.PullRequest is not null).Select(r => r.PullRequest!).ToList();

        var checks = (classic?.RequiredStatusChecks ?? [])
            .Concat(rules.Where(r => r.Type == "required_status_checks").SelectMany(r => r.RequiredStatusChecks))
            .Distinct()
            .ToList();

        return new EffectiveProtection
        {
            Protected = classic is not null || rules.Count > 0,
            RequiredApprovingReviewCount = Math.Max(
                classic?.RequiredApprovingReviewCount ?? 0,
                pullRequestRules.Select(p => p.RequiredApprovingReviewCount).DefaultIfEmpty(0).Max()),
            DismissStaleReviews = (classic?.DismissStaleReviews ?? false) || pullRequestRules.Any(p => p.DismissStaleReviewsOnPush),
            RequireCodeOwnerReviews = (classic?.RequireCodeOwnerReviews ?? false) || pullRequestRules.Any(p => p.RequireCodeOwnerReview),
            RequireLastPushApproval = (classic?.RequireLastPushApproval ?? false) || pullRequestRules.Any(p => p.RequireLastPushApproval),
            EnforceAdmins = (classic?.EnforceAdmins ?? false) || rules.Any(r => !r.AdminsCanBypass),
            ForcePushesBlocked = (classic is not null && !classic.AllowForcePushes) || rules.Any(r => r.Type == "non_fast_forward"),
            DeletionsBlocked = (classic is not null && !classic.AllowDeletions) || rules.Any(r => r.Type == "deletion"),
            RequiredStatusChecks = checks,
        };
    }
}
