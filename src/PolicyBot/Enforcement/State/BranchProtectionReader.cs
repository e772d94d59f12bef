using System.Text.Json;
using Octokit;
using PolicyBot.Policies.Snapshots;
using PolicyBot.Processing;

namespace PolicyBot.Enforcement.State;

/// <summary>
/// Reads everything that protects a branch: classic protection and the active ruleset rules,
/// plus, per ruleset, whether repository admins may bypass it.
/// </summary>
internal static class BranchProtectionReader
{
    /// <summary>GitHub's built-in repository role id of "admin" in a ruleset's bypass_actors.</summary>
    private const long AdminRepositoryRoleId = 5;

    public static async Task<BranchProtectionState> ReadAsync(IConnection connection, string owner, string repo, string branch, CancellationToken cancellationToken)
    {
        var escaped = Uri.EscapeDataString(branch);
        ClassicProtection? classic = null;
        var available = true;
        try
        {
            if (await connection.GetAsync($"repos/{owner}/{repo}/branches/{escaped}/protection", cancellationToken).ConfigureAwait(false) is { } json)
            {
                classic = ParseClassic(json);
            }
        }
        catch (ForbiddenException ex) when (WorkFailureClassifier.IsPlanLimitation(ex))
        {
            available = false;
        }

        var rules = new List<BranchRule>();
        var bypassByRuleset = new Dictionary<long, bool>();
        IReadOnlyList<JsonElement> activeRules;
        try
        {
            activeRules = await connection.GetAllAsync($"repos/{owner}/{repo}/rules/branches/{escaped}", cancellationToken).ConfigureAwait(false);
        }
        catch (ForbiddenException ex) when (WorkFailureClassifier.IsPlanLimitation(ex))
        {
            // GitHub Free refuses rules of private repositories as it refuses classic protection: nothing protects the branch.
            return new BranchProtectionState { Branch = branch, Classic = classic, Rules = rules, ProtectionAvailable = false };
        }

        foreach (var rule in activeRules)
        {
            var rulesetId = rule.Long("ruleset_id") ?? 0;
            var sourceType = rule.String("ruleset_source_type") ?? "Repository";
            var source = rule.String("ruleset_source") ?? $"{owner}/{repo}";
            if (!bypassByRuleset.TryGetValue(rulesetId, out var adminsCanBypass))
            {
                adminsCanBypass = await AdminsCanBypassAsync(connection, owner, repo, sourceType, source, rulesetId, cancellationToken).ConfigureAwait(false);
                bypassByRuleset[rulesetId] = adminsCanBypass;
            }

            rules.Add(ParseRule(rule, sourceType, source, rulesetId, adminsCanBypass));
        }

        return new BranchProtectionState { Branch = branch, Classic = classic, Rules = rules, ProtectionAvailable = available };
    }

    internal static ClassicProtection ParseClassic(JsonElement json)
    {
        var reviews = json.Object("required_pull_request_reviews");
        var checks = json.Object("required_status_checks");
        return new ClassicProtection
        {
            RequiredApprovingReviewCount = reviews is { } r ? (int)(r.Long("required_approving_review_count") ?? 0) : null,
            DismissStaleReviews = reviews?.Bool("dismiss_stale_reviews") ?? false,
            RequireCodeOwnerReviews = reviews?.Bool("require_code_owner_reviews") ?? false,
            RequireLastPushApproval = reviews?.Bool("require_last_push_approval") ?? false,
            EnforceAdmins = json.Object("enforce_admins")?.Bool("enabled") ?? false,
            AllowForcePushes = json.Object("allow_force_pushes")?.Bool("enabled") ?? false,
            AllowDeletions = json.Object("allow_deletions")?.Bool("enabled") ?? false,
            RequiredStatusChecks = checks is { } c ? ParseClassicChecks(c) : [],
        };
    }

    private static List<RequiredStatusCheck> ParseClassicChecks(JsonElement checks)
    {
        // `checks` carries the app binding; `contexts` is the older, unbound list of the same names.
        var result = checks.Array("checks").Select(c => new RequiredStatusCheck(c.String("context") ?? "", c.Long("app_id"))).ToList();
        foreach (var context in checks.Array("contexts").Select(c => c.GetString() ?? ""))
        {
            if (!result.Exists(c => c.Context == context))
            {
                result.Add(new RequiredStatusCheck(context, null));
            }
        }

        return result;
    }

    private static BranchRule ParseRule(JsonElement rule, string sourceType, string source, long rulesetId, bool adminsCanBypass)
    {
        var type = rule.String("type") ?? "";
        var parameters = rule.Object("parameters");
        return new BranchRule
        {
            Type = type,
            RulesetSourceType = sourceType,
            RulesetSource = source,
            RulesetId = rulesetId,
            AdminsCanBypass = adminsCanBypass,
            PullRequest = type == "pull_request" && parameters is { } p
                ? new PullRequestRuleParameters(
                    (int)(p.Long("required_approving_review_count") ?? 0),
                    p.Bool("dismiss_stale_reviews_on_push"),
                    p.Bool("require_code_owner_review"),
                    p.Bool("require_last_push_approval"))
                : null,
            RequiredStatusChecks = type == "required_status_checks" && parameters is { } s
                ? s.Array("required_status_checks").Select(c => new RequiredStatusCheck(c.String("context") ?? "", c.Long("integration_id"))).ToList()
                : [],
        };
    }

    private static async Task<bool> AdminsCanBypassAsync(IConnection connection, string owner, string repo, string sourceType, string source, long rulesetId, CancellationToken cancellationToken)
    {
        var path = sourceType == "Organization" ? $"orgs/{source}/rulesets/{rulesetId}" : $"repos/{owner}/{repo}/rulesets/{rulesetId}";
        JsonElement? ruleset;
        try
        {
            ruleset = await connection.GetAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (ForbiddenException ex) when (!WorkFailureClassifier.IsRateLimit(ex))
        {
            // Without permission to read the ruleset we cannot tell; assume the weaker case.
            return true;
        }

        return ruleset is not { } r || r.Array("bypass_actors").Any(a =>
            a.String("actor_type") == "OrganizationAdmin" ||
            (a.String("actor_type") == "RepositoryRole" && a.Long("actor_id") == AdminRepositoryRoleId));
    }
}
