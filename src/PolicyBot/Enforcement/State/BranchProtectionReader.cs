using System.Text.Json;
using Octokit;
using PolicyBot.Policies.Snapshots;
using PolicyBot.Processing;

namespace PolicyBot.Enforcement.State;

/// <summary>
/// Reads everything that protects the branches of one repository: classic protection (with its review bypass
/// allowances) and the active ruleset rules, with each ruleset's name and bypass actors. Each ruleset is read once
/// per repository, whatever number of branches and rules name it. GitHub names bypass actors only by id: team ids
/// are resolved to slugs from the organisation's team list, and app ids by looking up the apps that
/// <c>allowed_bypass</c> names (`GET /apps/{slug}`), so that <c>app:dependabot</c> can match.
/// </summary>
internal sealed class BranchProtectionReader(IConnection connection, string owner, string repo, IReadOnlyList<string> allowedBypass)
{
    private readonly Dictionary<long, (string Name, List<BypassActor> Bypass)> _rulesets = [];
    private Dictionary<long, string>? _teamSlugs;
    private Dictionary<long, string>? _appSlugs;

    public async Task<BranchProtectionState> ReadAsync(string branch, CancellationToken cancellationToken)
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
            if (!_rulesets.TryGetValue(rulesetId, out var ruleset))
            {
                ruleset = await ReadRulesetAsync(sourceType, source, rulesetId, cancellationToken).ConfigureAwait(false);
                _rulesets[rulesetId] = ruleset;
            }

            rules.Add(ParseRule(rule, sourceType, source, rulesetId) with { RulesetName = ruleset.Name, Bypass = ruleset.Bypass });
        }

        return new BranchProtectionState { Branch = branch, Classic = classic, Rules = rules, ProtectionAvailable = available };
    }

    internal static ClassicProtection ParseClassic(JsonElement json)
    {
        var reviews = json.Object("required_pull_request_reviews");
        var checks = json.Object("required_status_checks");
        var allowances = reviews?.Object("bypass_pull_request_allowances");
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
            ReviewBypass = allowances is { } a ? ParseAllowances(a) : [],
            Response = json.Clone(),
        };
    }

    private static List<BypassActor> ParseAllowances(JsonElement allowances) =>
    [
        .. allowances.Array("users").Select(u => new BypassActor(BypassActor.User, u.Long("id"), "pull_request", u.String("login"))),
        .. allowances.Array("teams").Select(t => new BypassActor(BypassActor.Team, t.Long("id"), "pull_request", t.String("slug"))),
        .. allowances.Array("apps").Select(a => new BypassActor(BypassActor.Integration, a.Long("id"), "pull_request", a.String("slug"))),
    ];

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

    private static BranchRule ParseRule(JsonElement rule, string sourceType, string source, long rulesetId)
    {
        var type = rule.String("type") ?? "";
        var parameters = rule.Object("parameters");
        return new BranchRule
        {
            Type = type,
            RulesetSourceType = sourceType,
            RulesetSource = source,
            RulesetId = rulesetId,
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

    private static List<BypassActor> AdministratorsAssumed =>
        [new BypassActor(BypassActor.OrganizationAdmin, null, "always"), new BypassActor(BypassActor.RepositoryRole, BypassActor.AdminRoleId, "always")];

    /// <summary>
    /// A ruleset's name and bypass actors. One PolicyBot may not read, or whose bypass list GitHub withholds, is taken as
    /// bypassable by every administrator.
    /// </summary>
    private async Task<(string Name, List<BypassActor> Bypass)> ReadRulesetAsync(string sourceType, string source, long rulesetId, CancellationToken cancellationToken)
    {
        var path = sourceType == "Organization" ? $"orgs/{source}/rulesets/{rulesetId}" : $"repos/{owner}/{repo}/rulesets/{rulesetId}";
        JsonElement? ruleset;
        try
        {
            ruleset = await connection.GetAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (ForbiddenException ex) when (!WorkFailureClassifier.IsRateLimit(ex))
        {
            ruleset = null;
        }

        if (ruleset is not { } r)
        {
            // Without the ruleset we cannot tell who may bypass it; assume the weaker case for administrators.
            return ("", AdministratorsAssumed);
        }

        if (!r.TryGetProperty("bypass_actors", out _))
        {
            // GitHub leaves bypass_actors out for a caller without write access to the ruleset ("to prevent leaking
            // sensitive information", REST description of "Get an organization repository ruleset"): an app with
            // organization_administration read sees an organisation ruleset's rules but not who may bypass them.
            // Omitted is not empty: as for an unreadable ruleset, administrators are assumed able to bypass it.
            return (r.String("name") ?? "", AdministratorsAssumed);
        }

        var bypass = new List<BypassActor>();
        foreach (var actor in r.Array("bypass_actors"))
        {
            var type = actor.String("actor_type") ?? "";
            var id = actor.Long("actor_id");
            var name = (type, id) switch
            {
                (BypassActor.Team, { } teamId) => (await TeamSlugsAsync(cancellationToken).ConfigureAwait(false)).GetValueOrDefault(teamId),
                (BypassActor.Integration, { } appId) => (await AppSlugsAsync(cancellationToken).ConfigureAwait(false)).GetValueOrDefault(appId),
                _ => null,
            };
            // GitHub ignores the id of organisation owners and deploy keys ("actor_id is ignored" / "should be null").
            bypass.Add(new BypassActor(type, type is BypassActor.OrganizationAdmin or BypassActor.DeployKey ? null : id, actor.String("bypass_mode") ?? "always", name));
        }

        return (r.String("name") ?? "", bypass);
    }

    private async Task<Dictionary<long, string>> TeamSlugsAsync(CancellationToken cancellationToken) =>
        _teamSlugs ??= (await connection.GetAllAsync($"orgs/{owner}/teams", cancellationToken).ConfigureAwait(false))
            .Where(t => t.Long("id") is not null && t.String("slug") is not null)
            .GroupBy(t => t.Long("id")!.Value)
            .ToDictionary(g => g.Key, g => g.First().String("slug")!);

    private async Task<Dictionary<long, string>> AppSlugsAsync(CancellationToken cancellationToken)
    {
        if (_appSlugs is null)
        {
            _appSlugs = [];
            foreach (var slug in allowedBypass.Where(a => a.StartsWith("app:", StringComparison.Ordinal)).Select(a => a[4..]).Where(s => !s.All(char.IsAsciiDigit)))
            {
                if (await connection.GetAsync($"apps/{Uri.EscapeDataString(slug)}", cancellationToken).ConfigureAwait(false) is { } app && app.Long("id") is { } id)
                {
                    _appSlugs[id] = app.String("slug") ?? slug;
                }
            }
        }

        return _appSlugs;
    }
}
