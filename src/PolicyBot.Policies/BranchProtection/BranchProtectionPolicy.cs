using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.BranchProtection;

/// <summary>
/// The <c>branch_protection</c> policy (DESIGN section 3): for each branch named by
/// <c>branches</c> that exists, the EFFECTIVE protection (<see cref="EffectiveProtection"/>) must
/// meet every baseline setting. One finding per unmet setting per branch, so an issue can say
/// exactly what changed; a branch with no protection at all gets a single <c>no-protection</c>
/// finding listing everything to set.
/// </summary>
public sealed class BranchProtectionPolicy : IRepositoryPolicy
{
    public const string PolicyBotCheck = "PolicyBot";

    public const string NoProtection = "no-protection";
    public const string ApprovalsBelowBaseline = "approvals-below-baseline";
    public const string StaleReviewsNotDismissed = "stale-reviews-not-dismissed";
    public const string CodeOwnerReviewNotRequired = "code-owner-review-not-required";
    public const string LastPushApprovalNotRequired = "last-push-approval-not-required";
    public const string AdminsNotEnforced = "admins-not-enforced";
    public const string ForcePushesAllowed = "force-pushes-allowed";
    public const string DeletionsAllowed = "deletions-allowed";
    public const string StatusCheckNotRequired = "status-check-not-required";
    public const string StatusCheckNotBoundToApp = "status-check-not-bound-to-app";
    public const string ProtectionUnavailableOnPlan = "protection-unavailable-on-plan";
    public const string BypassNotAllowed = "bypass-not-allowed";

    private const string PullRequestSection = "'Require a pull request before merging'";

    public string Id => PolicyIds.BranchProtection;

    /// <summary>
    /// The branch a branch_protection finding is about. Check findings have the subject
    /// <c>branch:context</c>; git forbids ':' in branch names, so the first ':' separates them.
    /// </summary>
    public static string? BranchOf(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        if (finding.Policy != PolicyIds.BranchProtection || finding.Subject is null)
        {
            return null;
        }

        var colon = finding.Subject.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? finding.Subject : finding.Subject[..colon];
    }

    /// <summary>
    /// Whether the <c>fix</c> action can remedy a finding by raising classic protection
    /// (<see cref="BranchProtectionFix"/>); otherwise it falls back to an issue. A plan without
    /// protection for private repositories cannot be fixed by PolicyBot.
    /// </summary>
    public static bool CanFix(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        // Raising classic protection cannot take anyone off a ruleset's bypass list.
        return finding.Policy == PolicyIds.BranchProtection && finding.Code is not (ProtectionUnavailableOnPlan or BypassNotAllowed);
    }

    public IReadOnlyList<Finding> Evaluate(RepositoryPolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Evaluate(context.Config.BranchProtection, context.Repository, context.AppId);
    }

    /// <summary>
    /// Findings for every branch of <paramref name="repository"/> that <paramref name="baseline"/>
    /// names (see <see cref="BranchSelector"/>); a named branch absent from the snapshot (it does
    /// not exist) yields nothing. The <c>PolicyBot</c> check must be bound to <paramref name="appId"/>.
    /// </summary>
    public static IReadOnlyList<Finding> Evaluate(BranchProtectionConfig baseline, RepositorySnapshot repository, long appId)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(repository);

        var named = BranchSelector.Select(baseline.Branches, repository.DefaultBranch, repository.Branches.Select(b => b.Branch));
        var findings = new List<Finding>();
        foreach (var branch in named)
        {
            var state = repository.Branches.First(b => b.Branch == branch);
            findings.AddRange(EvaluateBranch(baseline, repository, state, appId));
        }

        return findings;
    }

    private static List<Finding> EvaluateBranch(BranchProtectionConfig baseline, RepositorySnapshot repository, BranchProtectionState state, long appId)
    {
        var branch = state.Branch;
        var effective = EffectiveProtection.From(state);
        var api = $"`PUT /repos/{repository.FullName}/branches/{branch}/protection`";

        // The PUT replaces the whole protection, so the remediation gives all of it: what the branch has, raised to the
        // baseline (the body the fix action would send), never a fragment GitHub would refuse or that would drop settings.
        var body = Body(BranchProtectionFix.PlanFor(baseline, state.Classic, appId));
        var settings = $"Settings → Branches → the branch protection rule for `{branch}`";
        var gaps = Gaps(baseline, effective, branch, appId);
        var bypass = new List<Finding>();
        if (effective.Protected && state.ProtectionAvailable)
        {
            gaps.AddRange(AdministratorGaps(baseline, state, gaps));
            bypass.AddRange(BypassFindings(baseline, repository, state, gaps, appId));
        }
        else if (baseline.EnforceAdmins)
        {
            gaps.Add(AdministratorGap("lets repository administrators bypass its protection"));
        }

        if (gaps.Count == 0)
        {
            return bypass;
        }

        if (!state.ProtectionAvailable)
        {
            return
            [
                new Finding(
                    PolicyIds.BranchProtection,
                    ProtectionUnavailableOnPlan,
                    $"`{branch}` cannot be protected: {repository.FullName} is private and GitHub refuses branch protection for private repositories on the organisation's plan, so nothing enforces reviews on `{branch}` (missing: {string.Join(", ", gaps.Select(g => g.Summary))}).",
                    $"Make {repository.FullName} public, or upgrade the organisation to a plan with branch protection for private repositories (GitHub Team or Enterprise) and then set the protection; or protect `{branch}` with rulesets where the plan offers them; or exempt {repository.Name} from branch_protection in the organisation's policybot.yml with a reason.",
                    Subject: branch),
            ];
        }

        if (!effective.Protected)
        {
            return
            [
                new Finding(
                    PolicyIds.BranchProtection,
                    NoProtection,
                    $"`{branch}` has no branch protection and no ruleset applies to it: anyone with write access can push to it directly. The baseline requires {string.Join(", ", gaps.Select(g => g.Summary))}.",
                    $"In {settings.Replace("the branch protection rule for", "add a branch protection rule for", StringComparison.Ordinal)}: {string.Join("; ", gaps.Select(g => g.Ui))}. "
                    + $"Through the REST API: {api} with the body `{body}`. "
                    + "Or set `branch_protection.action: fix` in the organisation's policybot.yml and PolicyBot sets it.",
                    Subject: branch),
            ];
        }

        return
        [
            .. gaps.Select(g => new Finding(
                PolicyIds.BranchProtection,
                g.Code,
                $"`{branch}` {g.Problem}.",
                $"In {settings}: {g.Ui}. Through the REST API: {api} with the body `{body}` (the PUT replaces the whole protection, so this is all of it: what `{branch}` has now, with {g.Api}). Or use {g.Ruleset}.",
                Subject: g.Subject ?? branch)),
            .. bypass,
        ];
    }

    /// <summary>The baseline settings <paramref name="effective"/> does not meet, in a fixed order.</summary>
    private static List<Gap> Gaps(BranchProtectionConfig baseline, EffectiveProtection effective, string branch, long appId)
    {
        var gaps = new List<Gap>();

        if (baseline.RequiredApprovingReviewCount > effective.RequiredApprovingReviewCount)
        {
            var now = effective.RequiredApprovingReviewCount == 0
                ? "does not require approving reviews before merging"
                : $"requires {Reviews(effective.RequiredApprovingReviewCount)} before merging";
            gaps.Add(new Gap(
                ApprovalsBelowBaseline,
                $"{now}; the baseline requires {Reviews(baseline.RequiredApprovingReviewCount)}",
                $"{Reviews(baseline.RequiredApprovingReviewCount)}",
                $"tick {PullRequestSection} and set 'Required number of approvals before merging' to {N(baseline.RequiredApprovingReviewCount)}",
                $"`required_pull_request_reviews.required_approving_review_count: {N(baseline.RequiredApprovingReviewCount)}`",
                $"a ruleset's 'Require a pull request before merging' rule with {N(baseline.RequiredApprovingReviewCount)} required approvals"));
        }

        if (baseline.DismissStaleReviews && !effective.DismissStaleReviews)
        {
            gaps.Add(new Gap(
                StaleReviewsNotDismissed,
                "keeps approvals after new commits are pushed, so a change can be merged on an approval of an earlier version; the baseline dismisses stale approvals",
                "stale approvals dismissed on push",
                $"under {PullRequestSection} tick 'Dismiss stale pull request approvals when new commits are pushed'",
                "`required_pull_request_reviews.dismiss_stale_reviews: true`",
                "a ruleset's pull request rule with 'Dismiss stale pull request approvals when new commits are pushed'"));
        }

        if (baseline.RequireCodeOwnerReviews && !effective.RequireCodeOwnerReviews)
        {
            gaps.Add(new Gap(
                CodeOwnerReviewNotRequired,
                "does not require a review from the code owners of the changed files; the baseline does",
                "review from code owners",
                $"under {PullRequestSection} tick 'Require review from Code Owners'",
                "`required_pull_request_reviews.require_code_owner_reviews: true`",
                "a ruleset's pull request rule with 'Require review from Code Owners'"));
        }

        if (baseline.RequireLastPushApproval && !effective.RequireLastPushApproval)
        {
            gaps.Add(new Gap(
                LastPushApprovalNotRequired,
                "lets whoever pushed last approve their own push; the baseline requires the most recent push to be approved by someone else",
                "approval of the most recent push",
                $"under {PullRequestSection} tick 'Require approval of the most recent reviewable push'",
                "`required_pull_request_reviews.require_last_push_approval: true`",
                "a ruleset's pull request rule with 'Require approval of the most recent reviewable push'"));
        }

        if (!baseline.AllowForcePushes && !effective.ForcePushesBlocked)
        {
            gaps.Add(new Gap(
                ForcePushesAllowed,
                "allows force pushes, which can rewrite reviewed history; the baseline blocks them",
                "force pushes blocked",
                "untick 'Allow force pushes'",
                "`allow_force_pushes: false`",
                "a ruleset with the 'Block force pushes' rule"));
        }

        if (!baseline.AllowDeletions && !effective.DeletionsBlocked)
        {
            gaps.Add(new Gap(
                DeletionsAllowed,
                "can be deleted by anyone with write access; the baseline blocks deletion",
                "deletion blocked",
                "untick 'Allow deletions'",
                "`allow_deletions: false`",
                "a ruleset with the 'Restrict deletions' rule"));
        }

        foreach (var context in baseline.RequiredStatusChecks)
        {
            var bound = context == PolicyBotCheck;
            var matching = effective.RequiredStatusChecks.Where(c => c.Context == context).ToList();
            var check = bound
                ? $"{{\"context\": \"{context}\", \"app_id\": {appId.ToString(CultureInfo.InvariantCulture)}}}"
                : $"{{\"context\": \"{context}\"}}";
            if (matching.Count == 0)
            {
                gaps.Add(new Gap(
                    StatusCheckNotRequired,
                    $"does not require the `{context}` status check to pass before merging; the baseline does",
                    bound ? $"the `{context}` check from the PolicyBot app" : $"the `{context}` check",
                    $"tick 'Require status checks to pass before merging' and add `{context}`" + (bound ? " with the PolicyBot app as its source" : ""),
                    $"`required_status_checks.checks` including `{check}` next to the checks already required",
                    $"a ruleset's 'Require status checks to pass' rule listing `{context}`",
                    Subject: $"{branch}:{context}"));
            }
            else if (bound && !matching.Any(c => c.AppId == appId))
            {
                var source = matching[0].AppId is null or -1 ? "any source" : $"the app with id {matching[0].AppId}";
                gaps.Add(new Gap(
                    StatusCheckNotBoundToApp,
                    $"requires the `{context}` check from {source}, so something other than PolicyBot could post a passing `{context}` status; the baseline requires it from this app (id {appId})",
                    $"the `{context}` check from the PolicyBot app",
                    $"under 'Require status checks to pass before merging' set the source of `{context}` to the PolicyBot app",
                    $"`required_status_checks.checks` including `{check}` in place of the unbound entry",
                    $"a ruleset's 'Require status checks to pass' rule listing `{context}` with the PolicyBot app as its source",
                    Subject: $"{branch}:{context}"));
            }
        }

        return gaps;
    }

    /// <summary>
    /// Where the baseline binds administrators (<c>enforce_admins</c>), the settings they can bypass: judged per
    /// setting, from only the sources that bind them (classic protection with enforce_admins, rulesets without an
    /// administrator bypass actor that the baseline does not allow). One gap naming every such setting.
    /// </summary>
    private static IEnumerable<Gap> AdministratorGaps(BranchProtectionConfig baseline, BranchProtectionState state, List<Gap> gaps)
    {
        if (!baseline.EnforceAdmins)
        {
            yield break;
        }

        var administrators = new BranchBypass(
            Classic: state.Classic is { EnforceAdmins: false },
            ClassicReviews: false,
            Rule: r => r.Bypass.Any(a => a.IsAdministrator && !BypassAllowance.Allows(baseline.AllowedBypass, a)));
        var skipped = Skipped(baseline, state, administrators, gaps);
        if (skipped.Count == 0)
        {
            yield break;
        }

        yield return AdministratorGap($"lets repository administrators bypass {Join(skipped.Select(g => g.Summary))} ({Sources(state, administrators)})");
    }

    private static Gap AdministratorGap(string problem) => new(
        AdminsNotEnforced,
        problem + "; the baseline applies it to administrators too",
        "rules enforced for administrators",
        "tick 'Do not allow bypassing the above settings'",
        "`enforce_admins: true`",
        "rulesets whose bypass lists do not include organisation owners or the Repository admin role");

    /// <summary>
    /// Every bypass the baseline does not allow (<c>allowed_bypass</c>), other than administrators (whom
    /// <c>enforce_admins</c> speaks for): a ruleset's bypass actor of any type, or one of classic protection's
    /// review bypass allowances. One finding per actor, naming what they can skip and where to remove them; an
    /// actor whose bypass skips nothing the baseline asks for (another source still imposes it on them) is no finding.
    /// </summary>
    private static IEnumerable<Finding> BypassFindings(BranchProtectionConfig baseline, RepositorySnapshot repository, BranchProtectionState state, List<Gap> gaps, long appId)
    {
        var actors = state.Rules.Where(r => EffectiveProtection.RelevantRuleTypes.Contains(r.Type)).SelectMany(r => r.Bypass)
            .Concat(state.Classic is { RequiredApprovingReviewCount: not null } classic ? classic.ReviewBypass : [])
            .Where(a => !a.IsAdministrator && !BypassAllowance.Allows(baseline.AllowedBypass, a))
            .GroupBy(a => (a.ActorType, a.ActorId, a.Name?.ToLowerInvariant()))
            .Select(g => g.OrderBy(a => a.Mode == "pull_request" ? 1 : 0).First());
        foreach (var actor in actors)
        {
            bool Same(BypassActor a) => a.ActorType == actor.ActorType && a.ActorId == actor.ActorId
                && string.Equals(a.Name, actor.Name, StringComparison.OrdinalIgnoreCase);
            var theirs = new BranchBypass(
                Classic: false,
                ClassicReviews: state.Classic?.ReviewBypass.Any(Same) ?? false,
                Rule: r => r.Bypass.Any(Same));
            var skipped = Skipped(baseline, state, theirs, gaps);
            if (skipped.Count == 0)
            {
                continue;
            }

            var who = actor.Describe();
            var allowance = BypassAllowance.For(actor);
            var where = Sources(state, theirs);
            var rulesets = state.Rules.Where(r => r.Bypass.Any(Same)).GroupBy(r => (r.RulesetSourceType, r.RulesetSource, r.RulesetId)).Select(g => g.First())
                .Select(r => r.RulesetSourceType == "Organization"
                    ? $"the organisation ruleset '{r.RulesetName}' (Organization settings → Repository → Rulesets, or `PUT /orgs/{r.RulesetSource}/rulesets/{r.RulesetId.ToString(CultureInfo.InvariantCulture)}` with the body `{BypassActorsWithout(r, Same)}`)"
                    : $"the repository ruleset '{r.RulesetName}' (Settings → Rules → Rulesets, or `PUT /repos/{repository.FullName}/rulesets/{r.RulesetId.ToString(CultureInfo.InvariantCulture)}` with the body `{BypassActorsWithout(r, Same)}`)")
                .ToList();
            if (theirs.ClassicReviews)
            {
                rulesets.Add($"classic branch protection of `{state.Branch}` (Settings → Branches: untick them under 'Allow specified actors to bypass required pull requests', or {Api(repository, state.Branch)} with the body `{Body(BranchProtectionFix.PlanWithout(baseline, state.Classic, appId, actor))}`, which keeps the rest of the protection)");
            }

            yield return new Finding(
                PolicyIds.BranchProtection,
                BypassNotAllowed,
                $"`{state.Branch}` can be bypassed by {who} ({actor.DescribeMode()}), skipping {Join(skipped.Select(g => g.Summary))} ({where}); the baseline does not allow {who} to bypass it.",
                $"Remove {who} from the bypass list of {Join(rulesets)}. If this bypass is intended, add `{allowance}` to `branch_protection.allowed_bypass` in the organisation's policybot.yml.",
                Subject: $"{state.Branch}:bypass:{allowance}");
        }

        static string Api(RepositorySnapshot repository, string branch) => $"`PUT /repos/{repository.FullName}/branches/{branch}/protection`";
    }

    /// <summary>
    /// The body of a ruleset update that keeps every bypass actor of <paramref name="rule"/>'s ruleset but those matching
    /// <paramref name="remove"/> (the update changes only the fields it sends).
    /// </summary>
    private static string BypassActorsWithout(BranchRule rule, Func<BypassActor, bool> remove) =>
        Body(new JsonObject
        {
            ["bypass_actors"] = new JsonArray([.. rule.Bypass.Where(a => !remove(a)).Select(a => (JsonNode)new JsonObject
            {
                ["actor_id"] = a.ActorId,
                ["actor_type"] = a.ActorType,
                ["bypass_mode"] = a.Mode,
            })]),
        });

    private static readonly JsonSerializerOptions BodyFormat = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A request body as people copy it: compact JSON, on one line, without escapes of characters HTML would mind.</summary>
    private static string Body(JsonObject body) => body.ToJsonString(BodyFormat);

    /// <summary>Summaries of the baseline settings met for everyone but not for someone who may bypass what <paramref name="bypass"/> says.</summary>
    private static List<Gap> Skipped(BranchProtectionConfig baseline, BranchProtectionState state, BranchBypass bypass, List<Gap> gaps)
    {
        var unmet = gaps.Select(g => g.Code + "|" + g.Subject).ToHashSet(StringComparer.Ordinal);
        return [.. Gaps(baseline, EffectiveProtection.For(state, bypass), state.Branch, appId: AnyApp)
            .Where(g => !unmet.Contains(g.Code + "|" + g.Subject) && g.Code != StatusCheckNotBoundToApp)];
    }

    /// <summary>An app id no check is bound to: <see cref="Skipped"/> only asks whether a check is required at all.</summary>
    private const long AnyApp = long.MinValue;

    /// <summary>The sources someone may bypass, for people: "classic protection; ruleset 'Release' (acme)".</summary>
    private static string Sources(BranchProtectionState state, BranchBypass bypass)
    {
        var sources = new List<string>();
        if (bypass.Classic && state.Classic is not null)
        {
            sources.Add("classic branch protection without 'Do not allow bypassing the above settings'");
        }
        else if (bypass.ClassicReviews && state.Classic is not null)
        {
            sources.Add("classic branch protection's 'Allow specified actors to bypass required pull requests'");
        }

        sources.AddRange(state.Rules.Where(r => EffectiveProtection.RelevantRuleTypes.Contains(r.Type) && bypass.Rule(r))
            .Select(RulesetLabel).Distinct(StringComparer.Ordinal));
        return string.Join("; ", sources);
    }

    private static string RulesetLabel(BranchRule rule) =>
        rule.RulesetSourceType == "Organization"
            ? $"organisation ruleset '{rule.RulesetName}' of {rule.RulesetSource}"
            : $"repository ruleset '{rule.RulesetName}'";

    private static string Join(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : $"{string.Join(", ", list.Take(list.Count - 1))} and {list[^1]}";
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Reviews(int count) => count == 1 ? "1 approving review" : $"{N(count)} approving reviews";

    /// <summary>One unmet baseline setting: what is wrong, and where to change it in the UI, the API and rulesets.</summary>
    private sealed record Gap(string Code, string Problem, string Summary, string Ui, string Api, string Ruleset, string? Subject = null);
}
