using System.Globalization;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Configuration;

/// <summary>The configuration that applies to one repository and what was wrong with its own file.</summary>
/// <param name="Config">The organisation baseline, tightened by each tier the repository takes, then by its own file where it may be.</param>
/// <param name="Findings"><see cref="PolicyIds.Config"/> findings on the repository (none when its file is absent or fine).</param>
public sealed record RepositoryConfigResult(PolicyConfig Config, IReadOnlyList<Finding> Findings)
{
    /// <summary>The names of the tiers the repository takes, in the order of the organisation file.</summary>
    public IReadOnlyList<string> Tiers { get; init; } = [];

    /// <summary>Every value of the effective baseline a repository or tier can change, with where it came from.</summary>
    public IReadOnlyList<BaselineValue> Baseline { get; init; } = [];
}

/// <summary>
/// One value of a repository's effective baseline and its sources: <c>organization</c>,
/// <c>tier:NAME</c> or <c>repository</c> (see <see cref="TierMatch.SourceOf"/>). A scalar has
/// the one source that set it last; a list merged by union, and the reviewer rules, name every
/// source that contributed entries.
/// </summary>
public sealed record BaselineValue(string Key, string Value, IReadOnlyList<string> Sources);

/// <summary>
/// Applies a repository's `.github/policybot.yml` on top of the organisation baseline. The file has
/// the organisation file's format but may only TIGHTEN (DESIGN section 2): a looser value is
/// ignored and reported as a <c>config</c> finding <c>loosens-baseline</c>; keys only the
/// organisation may set are ignored and reported as <c>not-allowed-in-repository</c>; a file that
/// with any error is not applied (its last valid version, or else the organisation baseline, applies) and each
/// error is a finding: <c>parse-error</c> (the file as a whole), <c>unknown-key</c>, <c>invalid-value</c>.
/// <para>Which direction is tighter, key by key:</para>
/// <code>
/// key                                             | a repository may set it to...         | merged value
/// ------------------------------------------------+----------------------------------------+-----------------------------
/// version                                         | 1                                      | -
/// scope.*                                         | not allowed (what is evaluated is the organisation's call)
/// exemptions                                      | not allowed (exemptions live only in the organisation file)
/// issues.repository                               | not allowed (where issues go is organisation-wide)
/// issues.label                                    | not allowed (issues are found by the organisation's label)
/// *.action (every policy)                         | the same or a higher level: off &lt; log &lt; issue &lt; fix | repository's
/// *.block_merge                                   | true                                   | repository's
/// branch_protection.branches                      | any list                               | union with the organisation's
/// branch_protection.required_approving_review_count | at least the organisation's          | repository's
/// branch_protection.dismiss_stale_reviews         | true                                   | repository's
/// branch_protection.require_code_owner_reviews    | true                                   | repository's
/// branch_protection.require_last_push_approval    | true                                   | repository's
/// branch_protection.enforce_admins                | true                                   | repository's
/// branch_protection.allow_force_pushes            | false                                  | repository's
/// branch_protection.allow_deletions               | false                                  | repository's
/// branch_protection.required_status_checks        | any list                               | union with the organisation's
/// branch_protection.allowed_bypass                | a subset of the organisation's         | repository's
/// code_owners.required                            | true                                   | repository's
/// reviewers.enabled                               | true                                   | repository's
/// reviewers.ignore_self_approval                  | true                                   | repository's
/// reviewers.ignore_contributor_approval           | true                                   | repository's
/// reviewers.invalidate_on_push                    | true                                   | repository's
/// reviewers.request_reviews                       | either (asks for reviews; judges nothing) | repository's
/// reviewers.rules                                 | extra rules                            | appended, Origin "repository"
/// registration.grace_days                         | at most the organisation's             | repository's
/// registration.required                           | any list                               | union with the organisation's
/// registration.open_pull_request                  | either (an offer of help; judges nothing) | repository's
/// external_accounts.remind_days_before            | at least the organisation's (earlier)  | repository's
/// issues.ping_after_days                          | more often: 1..organisation's; not 0 (never) unless the organisation's is 0 | repository's
/// </code>
/// A list merged by union can only add entries, so it is never reported as loosening.
/// <para>Tiers (organisation file, <c>tiers</c>) are applied first, each with the same rules: a
/// repository takes every tier it matches, and of two tiers setting one key the tighter value
/// stays. A tier value looser than the organisation's is ignored here and reported by
/// <see cref="TierLoosenings"/> when the organisation file is read.</para>
/// </summary>
public static class RepositoryConfigMerger
{
    public const string DefaultPath = ".github/policybot.yml";

    public const string ParseErrorCode = "parse-error";
    public const string InvalidValueCode = "invalid-value";
    public const string UnknownKeyCode = "unknown-key";
    public const string LoosensBaselineCode = "loosens-baseline";
    public const string NotAllowedCode = "not-allowed-in-repository";

    private static readonly KeyRule[] Rules =
    [
        Action("branch_protection.action", c => c.BranchProtection.Action, (c, v) => c with { BranchProtection = c.BranchProtection with { Action = v } }),
        Action("code_owners.action", c => c.CodeOwners.Action, (c, v) => c with { CodeOwners = c.CodeOwners with { Action = v } }),
        Action("registration.action", c => c.Registration.Action, (c, v) => c with { Registration = c.Registration with { Action = v } }),
        Action("external_accounts.action", c => c.ExternalAccounts.Action, (c, v) => c with { ExternalAccounts = c.ExternalAccounts with { Action = v } }),

        Strict("branch_protection.block_merge", true, c => c.BranchProtection.BlockMerge, (c, v) => c with { BranchProtection = c.BranchProtection with { BlockMerge = v } }),
        Strict("code_owners.block_merge", true, c => c.CodeOwners.BlockMerge, (c, v) => c with { CodeOwners = c.CodeOwners with { BlockMerge = v } }),
        Strict("registration.block_merge", true, c => c.Registration.BlockMerge, (c, v) => c with { Registration = c.Registration with { BlockMerge = v } }),

        Union("branch_protection.branches", c => c.BranchProtection.Branches, (c, v) => c with { BranchProtection = c.BranchProtection with { Branches = v } }),
        AtLeast("branch_protection.required_approving_review_count", c => c.BranchProtection.RequiredApprovingReviewCount, (c, v) => c with { BranchProtection = c.BranchProtection with { RequiredApprovingReviewCount = v } }),
        Strict("branch_protection.dismiss_stale_reviews", true, c => c.BranchProtection.DismissStaleReviews, (c, v) => c with { BranchProtection = c.BranchProtection with { DismissStaleReviews = v } }),
        Strict("branch_protection.require_code_owner_reviews", true, c => c.BranchProtection.RequireCodeOwnerReviews, (c, v) => c with { BranchProtection = c.BranchProtection with { RequireCodeOwnerReviews = v } }),
        Strict("branch_protection.require_last_push_approval", true, c => c.BranchProtection.RequireLastPushApproval, (c, v) => c with { BranchProtection = c.BranchProtection with { RequireLastPushApproval = v } }),
        Strict("branch_protection.enforce_admins", true, c => c.BranchProtection.EnforceAdmins, (c, v) => c with { BranchProtection = c.BranchProtection with { EnforceAdmins = v } }),
        Strict("branch_protection.allow_force_pushes", false, c => c.BranchProtection.AllowForcePushes, (c, v) => c with { BranchProtection = c.BranchProtection with { AllowForcePushes = v } }),
        Strict("branch_protection.allow_deletions", false, c => c.BranchProtection.AllowDeletions, (c, v) => c with { BranchProtection = c.BranchProtection with { AllowDeletions = v } }),
        Union("branch_protection.required_status_checks", c => c.BranchProtection.RequiredStatusChecks, (c, v) => c with { BranchProtection = c.BranchProtection with { RequiredStatusChecks = v } }),
        Subset("branch_protection.allowed_bypass", c => c.BranchProtection.AllowedBypass, (c, v) => c with { BranchProtection = c.BranchProtection with { AllowedBypass = v } }),

        Strict("code_owners.required", true, c => c.CodeOwners.Required, (c, v) => c with { CodeOwners = c.CodeOwners with { Required = v } }),

        Strict("reviewers.enabled", true, c => c.Reviewers.Enabled, (c, v) => c with { Reviewers = c.Reviewers with { Enabled = v } }),
        Strict("reviewers.ignore_self_approval", true, c => c.Reviewers.IgnoreSelfApproval, (c, v) => c with { Reviewers = c.Reviewers with { IgnoreSelfApproval = v } }),
        Strict("reviewers.ignore_contributor_approval", true, c => c.Reviewers.IgnoreContributorApproval, (c, v) => c with { Reviewers = c.Reviewers with { IgnoreContributorApproval = v } }),
        Strict("reviewers.invalidate_on_push", true, c => c.Reviewers.InvalidateOnPush, (c, v) => c with { Reviewers = c.Reviewers with { InvalidateOnPush = v } }),
        Free("reviewers.request_reviews", (org, repo) => org with { Reviewers = org.Reviewers with { RequestReviews = repo.Reviewers.RequestReviews } }, c => c.Reviewers.RequestReviews),
        new("reviewers.rules", (org, repo) => (org, null), c => string.Join(", ", c.Reviewers.Rules.Select(r => r.Name)), Accumulates: true),

        AtMost("registration.grace_days", c => c.Registration.GraceDays, (c, v) => c with { Registration = c.Registration with { GraceDays = v } }),
        Union("registration.required", c => c.Registration.Required, (c, v) => c with { Registration = c.Registration with { Required = v } }),
        new("registration.owner_access", (org, repo) =>
        {
            var (o, r) = (org.Registration.OwnerAccess, repo.Registration.OwnerAccess);
            return r >= o
                ? (org with { Registration = org.Registration with { OwnerAccess = r } }, null)
                : (org, new Loosening(o.ToYaml(), r.ToYaml(), $"one of {string.Join(", ", Enum.GetValues<RepositoryAccess>().Where(a => a >= o).Select(a => a.ToYaml()))}"));
        }, c => c.Registration.OwnerAccess.ToYaml()),
        Free("registration.open_pull_request", (org, repo) => org with { Registration = org.Registration with { OpenPullRequest = repo.Registration.OpenPullRequest } }, c => c.Registration.OpenPullRequest),

        // More reminder steps only remind more, and earlier; a union never loosens.
        new("external_accounts.remind_days_before", (org, repo) => (org with
        {
            ExternalAccounts = org.ExternalAccounts with { RemindDaysBefore = [.. org.ExternalAccounts.RemindDaysBefore.Union(repo.ExternalAccounts.RemindDaysBefore).OrderDescending()] },
        }, null), c => $"[{string.Join(", ", c.ExternalAccounts.RemindDaysBefore)}]", Accumulates: true),
        PingInterval(),
    ];

    /// <summary>Key paths (or prefixes ending in '.') a repository file may not set, and why.</summary>
    private static readonly (string Path, string Why)[] OrganizationOnly =
    [
        ("scope.", "which repositories are evaluated is set only in the organisation's policybot.yml"),
        ("exemptions", "exemptions live only in the organisation's policybot.yml"),
        ("issues.repository", "where compliance issues go is set only in the organisation's policybot.yml"),
        ("issues.label", "compliance issues are found by the organisation's label, so only the organisation's policybot.yml sets it"),
        ("tiers", "tiers live only in the organisation's policybot.yml"),
    ];

    /// <summary>Merges the repository's `.github/policybot.yml` (null: none) into the organisation baseline.</summary>
    public static RepositoryConfigResult Merge(PolicyConfig organization, RepositoryFile? file, OrganizationDirectory? directory = null, string? lastValid = null) =>
        Merge(organization, file?.Content, file?.Path ?? DefaultPath, directory, lastValid);

    /// <summary>
    /// The effective baseline of <paramref name="repository"/>: the organisation's, tightened by each tier its
    /// lifecycle and custom properties match, then by its own `.github/policybot.yml` (its last valid version when
    /// the current one has errors). With <paramref name="directory"/>, teams and users the file names must exist.
    /// </summary>
    public static RepositoryConfigResult Merge(PolicyConfig organization, RepositorySnapshot repository, OrganizationDirectory? directory = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var tiers = MatchingTiers(organization, repository.Lifecycle, repository.CustomProperties);
        return Merge(organization, repository.PolicyFile?.Content, repository.PolicyFile?.Path ?? DefaultPath, directory, repository.LastValidPolicyFile, tiers);
    }

    /// <summary>
    /// Merges each of <paramref name="tiers"/> (the tiers the repository matches, see <see cref="MatchingTiers"/>),
    /// then repository policy file content (null: no file), into the organisation baseline. A file with any error is
    /// not applied at all (each error is a finding with its line): <paramref name="lastValid"/>, the last version of the
    /// file that validated, applies instead when there is one, else the baseline without it. With
    /// <paramref name="directory"/>, teams and users the file names must exist.
    /// </summary>
    public static RepositoryConfigResult Merge(PolicyConfig organization, string? content, string path = DefaultPath, OrganizationDirectory? directory = null, string? lastValid = null, IReadOnlyList<TierConfig>? tiers = null)
    {
        ArgumentNullException.ThrowIfNull(organization);
        var sources = Rules.ToDictionary(r => r.Path, _ => new List<string> { TierMatch.OrganizationSource }, StringComparer.Ordinal);
        var merged = organization;
        foreach (var tier in tiers ?? [])
        {
            var tierRules = tier.Settings.Reviewers.Rules.Select(r => r with { Origin = tier.Source }).ToList();
            merged = ApplyLayer(merged, tier.Settings, tier.SetKeys, tier.Source, tierRules, sources, onLoosening: null);
        }

        var tierNames = (tiers ?? []).Select(t => t.Name).ToList();
        if (content is null)
        {
            return Result(merged, [], tierNames, sources);
        }

        var document = PolicyConfigParser.ParseDocument(content, directory);
        if (document.Config is null)
        {
            var fallback = lastValid is not null && lastValid != content ? Merge(organization, lastValid, path, directory, null, tiers) : null;
            var applies = fallback is null
                ? "The file is not applied until it is fixed: the organisation baseline applies in full."
                : "The file is not applied until it is fixed: its last valid version still applies.";
            var errors = document.Problems.Where(p => p.IsError).Select(problem => new Finding(
                PolicyIds.Config,
                problem.Kind switch
                {
                    ConfigProblemKind.Unusable => ParseErrorCode,
                    ConfigProblemKind.UnknownKey => UnknownKeyCode,
                    _ => InvalidValueCode,
                },
                problem.Kind == ConfigProblemKind.Unusable
                    ? $"{path}{At(problem.Line)} cannot be used: {Sentence(problem.Message)} {applies}"
                    : $"{path}{At(problem.Line)}: {Key(problem.Path)}{Sentence(problem.Message)} {applies}",
                problem.Path.Length == 0
                    ? $"Fix {path}{At(problem.Line)} so that it is valid policybot.yml (check it with `policybot validate-config --repository {path}`), or delete the file."
                    : $"Correct `{problem.Path}` in {path}{At(problem.Line)} (check it with `policybot validate-config --repository {path}`).",
                Subject: problem.Path.Length == 0 ? path : problem.Path,
                Line: NullIfZero(problem.Line)));

            // The last valid version's own loosening findings still hold: it is what applies.
            return fallback is null
                ? Result(merged, [.. errors], tierNames, sources)
                : fallback with { Findings = [.. errors, .. fallback.Findings.Where(f => f.Code is LoosensBaselineCode or NotAllowedCode)] };
        }

        var findings = new List<Finding>();
        var repository = document.Config;
        foreach (var (key, line) in document.SetKeys.OrderBy(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal))
        {
            var organizationOnly = OrganizationOnly.FirstOrDefault(o => o.Path.EndsWith('.') ? key.StartsWith(o.Path, StringComparison.Ordinal) : key == o.Path);
            if (organizationOnly.Path is not null)
            {
                findings.Add(new Finding(
                    PolicyIds.Config,
                    NotAllowedCode,
                    $"{path}{At(line)} sets `{key}`, which a repository cannot set: {organizationOnly.Why}. It is ignored.",
                    $"Remove `{key}` from {path}; ask the organisation's administrators to change the organisation's policybot.yml instead.",
                    Subject: key,
                    Line: NullIfZero(line)));
            }
        }

        var repositoryRules = repository.Reviewers.Rules.Select(r => r with { Origin = TierMatch.RepositorySource }).ToList();
        merged = ApplyLayer(merged, repository, document.SetKeys, TierMatch.RepositorySource, repositoryRules, sources, (rule, line, l, baselineSource) =>
        {
            var whose = TierMatch.TierOf(baselineSource) is { } tier ? $"the baseline's `{rule}: {l.OrganizationValue}` (set by tier {tier})" : $"the organisation's `{rule}: {l.OrganizationValue}`";
            var applies = TierMatch.TierOf(baselineSource) is { } t ? $"tier {t}'s" : "the organisation's";
            findings.Add(new Finding(
                PolicyIds.Config,
                LoosensBaselineCode,
                $"{path}{At(line)} sets `{rule}: {l.RepositoryValue}`, looser than {whose}; a repository may only tighten the baseline, so {applies} value applies.",
                $"Remove `{rule}` from {path}, or set it to {l.Allowed}.",
                Subject: rule,
                Line: NullIfZero(line)));
        });

        return Result(merged, [.. findings.OrderBy(f => f.Line ?? 0)], tierNames, sources);
    }

    /// <summary>Whether any tier matches on custom properties; only then are a repository's properties read.</summary>
    public static bool MatchesOnProperties(PolicyConfig organization)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return organization.Tiers.Any(t => t.Match.Properties.Count > 0);
    }

    /// <summary>The tiers of <paramref name="organization"/> that a repository with this lifecycle and these custom properties takes, in file order.</summary>
    public static IReadOnlyList<TierConfig> MatchingTiers(PolicyConfig organization, string? lifecycle, IReadOnlyDictionary<string, IReadOnlyList<string>> properties)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return [.. organization.Tiers.Where(t => t.Match.Matches(lifecycle, properties))];
    }

    /// <summary>
    /// The values of each tier that are looser than the organisation's own (ignored when the tiers
    /// are applied), as warnings on the organisation file with the tier's key path and line.
    /// </summary>
    public static IReadOnlyList<ConfigProblem> TierLoosenings(PolicyConfig organization)
    {
        ArgumentNullException.ThrowIfNull(organization);
        var problems = new List<ConfigProblem>();
        for (var i = 0; i < organization.Tiers.Count; i++)
        {
            var tier = organization.Tiers[i];
            foreach (var rule in Rules)
            {
                if (tier.SetKeys.TryGetValue(rule.Path, out var line) && rule.Apply(organization, tier.Settings).Loosening is { } l)
                {
                    problems.Add(new ConfigProblem(
                        line,
                        $"tiers[{i}].{rule.Path}",
                        $"{l.RepositoryValue} is looser than the organisation's {l.OrganizationValue}; a tier may only tighten the baseline, so it is ignored (use {l.Allowed})",
                        ConfigProblemSeverity.Warning));
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// Applies the keys one layer (a tier or the repository file) set, rule by rule, and records the
    /// layer as the source of each value it changed. <paramref name="onLoosening"/> hears of each
    /// looser value with the source of the value that stays; null ignores them.
    /// </summary>
    private static PolicyConfig ApplyLayer(
        PolicyConfig merged,
        PolicyConfig layer,
        IReadOnlyDictionary<string, int> setKeys,
        string source,
        IReadOnlyList<ReviewerRuleConfig> layerRules,
        Dictionary<string, List<string>> sources,
        Action<string, int, Loosening, string>? onLoosening)
    {
        foreach (var rule in Rules)
        {
            if (!setKeys.TryGetValue(rule.Path, out var line))
            {
                continue;
            }

            var before = rule.Show(merged);
            var (result, loosening) = rule.Apply(merged, layer);
            if (rule.Path == "reviewers.rules" && layerRules.Count > 0)
            {
                result = result with { Reviewers = result.Reviewers with { Rules = [.. result.Reviewers.Rules, .. layerRules] } };
            }

            if (rule.Show(result) != before)
            {
                if (rule.Accumulates)
                {
                    if (!sources[rule.Path].Contains(source))
                    {
                        sources[rule.Path].Add(source);
                    }
                }
                else
                {
                    sources[rule.Path] = [source];
                }
            }

            if (loosening is { } l)
            {
                onLoosening?.Invoke(rule.Path, line, l, sources[rule.Path][^1]);
            }

            merged = result;
        }

        return merged;
    }

    private static RepositoryConfigResult Result(PolicyConfig config, IReadOnlyList<Finding> findings, IReadOnlyList<string> tiers, Dictionary<string, List<string>> sources) =>
        new(config, findings)
        {
            Tiers = tiers,
            Baseline = [.. Rules.Select(r => new BaselineValue(r.Path, r.Show(config), sources[r.Path]))],
        };

    private static string Sentence(string text) =>
        text.Length > 0 && text[^1] is '.' or '?' or '!' ? text : text + ".";

    private static string At(int line) => line > 0 ? $" line {line}" : "";

    private static int? NullIfZero(int line) => line > 0 ? line : null;

    private static string Key(string path) => path.Length == 0 ? "" : $"{path}: ";

    private static string Format(bool value) => value ? "true" : "false";

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static KeyRule Strict(string path, bool stricter, Func<PolicyConfig, bool> get, Func<PolicyConfig, bool, PolicyConfig> set) =>
        new(path, (org, repo) =>
        {
            var (o, r) = (get(org), get(repo));
            return r == stricter || r == o
                ? (set(org, r), null)
                : (org, new Loosening(Format(o), Format(r), Format(stricter)));
        }, c => Format(get(c)));

    private static KeyRule AtLeast(string path, Func<PolicyConfig, int> get, Func<PolicyConfig, int, PolicyConfig> set) =>
        new(path, (org, repo) =>
        {
            var (o, r) = (get(org), get(repo));
            return r >= o ? (set(org, r), null) : (org, new Loosening(Format(o), Format(r), $"at least {Format(o)}"));
        }, c => Format(get(c)));

    private static KeyRule AtMost(string path, Func<PolicyConfig, int> get, Func<PolicyConfig, int, PolicyConfig> set) =>
        new(path, (org, repo) =>
        {
            var (o, r) = (get(org), get(repo));
            return r <= o ? (set(org, r), null) : (org, new Loosening(Format(o), Format(r), $"at most {Format(o)}"));
        }, c => Format(get(c)));

    private static KeyRule Action(string path, Func<PolicyConfig, PolicyAction> get, Func<PolicyConfig, PolicyAction, PolicyConfig> set) =>
        new(path, (org, repo) =>
        {
            var (o, r) = (get(org), get(repo));
            if (r >= o)
            {
                return (set(org, r), null);
            }

            var allowed = Enum.GetValues<PolicyAction>().Where(a => a >= o).Select(a => a.ToYaml());
            return (org, new Loosening(o.ToYaml(), r.ToYaml(), $"one of {string.Join(", ", allowed)}"));
        }, c => get(c).ToYaml());

    private static KeyRule Union(string path, Func<PolicyConfig, IReadOnlyList<string>> get, Func<PolicyConfig, IReadOnlyList<string>, PolicyConfig> set) =>
        new(path, (org, repo) => (set(org, [.. get(org).Union(get(repo), StringComparer.Ordinal)]), null), c => $"[{string.Join(", ", get(c))}]", Accumulates: true);

    /// <summary>A list of allowances: a repository may drop entries, never add one the organisation does not allow.</summary>
    private static KeyRule Subset(string path, Func<PolicyConfig, IReadOnlyList<string>> get, Func<PolicyConfig, IReadOnlyList<string>, PolicyConfig> set) =>
        new(path, (org, repo) =>
        {
            var (o, r) = (get(org), get(repo));
            var extra = r.Where(v => !o.Contains(v, StringComparer.OrdinalIgnoreCase)).ToList();
            return extra.Count == 0
                ? (set(org, r), null)
                : (org, new Loosening(List(o), List(r), $"a subset of the organisation's {List(o)} (without {string.Join(", ", extra)})"));
        }, c => List(get(c)));

    private static string List(IReadOnlyList<string> values) => $"[{string.Join(", ", values)}]";

    private static KeyRule Free(string path, Func<PolicyConfig, PolicyConfig, PolicyConfig> apply, Func<PolicyConfig, bool> get) =>
        new(path, (org, repo) => (apply(org, repo), null), c => Format(get(c)));

    /// <summary>Reminders more often are tighter; 0 means never, the loosest of all.</summary>
    private static KeyRule PingInterval() =>
        new("issues.ping_after_days", (org, repo) =>
        {
            var (o, r) = (org.Issues.PingAfterDays, repo.Issues.PingAfterDays);
            var tighter = o == 0 || (r > 0 && r <= o);
            return tighter
                ? (org with { Issues = org.Issues with { PingAfterDays = r } }, null)
                : (org, new Loosening(Format(o), Format(r), $"a number from 1 to {Format(o)}"));
        }, c => Format(c.Issues.PingAfterDays));

    private sealed record Loosening(string OrganizationValue, string RepositoryValue, string Allowed);

    /// <summary>
    /// One key a repository or tier may set: applies its value to the merged config, or says how it
    /// loosens; <see cref="Show"/> writes the merged value as policybot.yml would. A key that
    /// <see cref="Accumulates"/> (lists merged by union, reviewer rules) has every contributor as its source.
    /// </summary>
    private sealed record KeyRule(
        string Path,
        Func<PolicyConfig, PolicyConfig, (PolicyConfig Merged, Loosening? Loosening)> Apply,
        Func<PolicyConfig, string> Show,
        bool Accumulates = false);
}
