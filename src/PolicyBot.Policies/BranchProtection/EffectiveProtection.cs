using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.BranchProtection;

/// <summary>
/// What actually protects a branch: classic branch protection and the active ruleset rules
/// together, the strongest of each setting (GitHub enforces both layers, so the stricter wins).
/// <see cref="For"/> gives what still binds someone who may bypass some of those sources, so that
/// bypass is judged per setting: a deletion-only ruleset that binds administrators binds them for
/// deletion, not for required approvals.
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
    public bool ForcePushesBlocked { get; init; }
    public bool DeletionsBlocked { get; init; }
    public IReadOnlyList<RequiredStatusCheck> RequiredStatusChecks { get; init; } = [];

    /// <summary>Everything that protects the branch, for everyone who cannot bypass any of it.</summary>
    public static EffectiveProtection From(BranchProtectionState state) => For(state, BranchBypass.Nobody);

    /// <summary>What still binds someone who may bypass what <paramref name="bypass"/> says.</summary>
    public static EffectiveProtection For(BranchProtectionState state, BranchBypass bypass)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(bypass);
        var classic = bypass.Classic ? null : state.Classic;
        var classicReviews = bypass.ClassicReviews ? null : classic;
        var rules = state.Rules.Where(r => RelevantRuleTypes.Contains(r.Type) && !bypass.Rule(r)).ToList();
        var pullRequestRules = rules.Where(r => r.Type == "pull_request" && r.PullRequest is not null).Select(r => r.PullRequest!).ToList();

        var checks = (classic?.RequiredStatusChecks ?? [])
            .Concat(rules.Where(r => r.Type == "required_status_checks").SelectMany(r => r.RequiredStatusChecks))
            .Distinct()
            .ToList();

        return new EffectiveProtection
        {
            Protected = state.Classic is not null || state.Rules.Any(r => RelevantRuleTypes.Contains(r.Type)),
            RequiredApprovingReviewCount = Math.Max(
                classicReviews?.RequiredApprovingReviewCount ?? 0,
                pullRequestRules.Select(p => p.RequiredApprovingReviewCount).DefaultIfEmpty(0).Max()),
            DismissStaleReviews = (classicReviews?.DismissStaleReviews ?? false) || pullRequestRules.Any(p => p.DismissStaleReviewsOnPush),
            RequireCodeOwnerReviews = (classicReviews?.RequireCodeOwnerReviews ?? false) || pullRequestRules.Any(p => p.RequireCodeOwnerReview),
            RequireLastPushApproval = (classicReviews?.RequireLastPushApproval ?? false) || pullRequestRules.Any(p => p.RequireLastPushApproval),
            ForcePushesBlocked = (classic is not null && !classic.AllowForcePushes) || rules.Any(r => r.Type == "non_fast_forward"),
            DeletionsBlocked = (classic is not null && !classic.AllowDeletions) || rules.Any(r => r.Type == "deletion"),
            RequiredStatusChecks = checks,
        };
    }
}

/// <summary>
/// Which sources of a branch's protection someone may bypass: classic protection as a whole (administrators
/// where <c>enforce_admins</c> is off), only its required reviews (its <c>bypass_pull_request_allowances</c>),
/// and the rules of the rulesets that list them as bypass actors.
/// </summary>
public sealed record BranchBypass(bool Classic, bool ClassicReviews, Func<BranchRule, bool> Rule)
{
    public static BranchBypass Nobody { get; } = new(false, false, _ => false);
}
