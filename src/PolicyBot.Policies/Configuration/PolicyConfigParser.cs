using System.Globalization;
using PolicyBot.Policies.Snapshots;
using PolicyBot.Policies.Yaml;
using YamlDotNet.RepresentationModel;

namespace PolicyBot.Policies.Configuration;

/// <summary>
/// Parses `policybot.yml` (DESIGN section 2) into a <see cref="PolicyConfig"/>, reporting every
/// problem with its line and key path. The same format serves the organisation file and the
/// repository file (<see cref="RepositoryConfigMerger"/> decides what a repository may set).
/// <para>Validation is strict, because a file that is half-applied silently changes the baseline
/// (DESIGN section 2, "Validation" and "Fail closed"): any error and
/// <see cref="ConfigParseResult.Config"/> is null, so the caller keeps the last file that validated
/// (or, for a repository file, the organisation baseline). Errors are:</para>
/// <list type="bullet">
/// <item>A file that cannot be used at all: not YAML, larger than <see cref="SafeYaml.DefaultMaxBytes"/>,
/// YAML aliases, a top level that is not a mapping, <c>version</c> other than 1, an empty file or one
/// holding only comments (an empty commit is far more likely a mistake than a wish for the defaults).</item>
/// <item>An unknown key at any level, with a did-you-mean hint. Every mapping is read through one
/// <c>Fields</c> call naming its keys, so a key added to the format is strict without more code.</item>
/// <item>A known key with an invalid value: wrong type, unknown action, out-of-range count, bad date,
/// a glob that can never match or would cost too much to match (<see cref="GlobPattern.Validate"/>),
/// a list longer than <see cref="MaxListEntries"/>.</item>
/// <item>With an <see cref="OrganizationDirectory"/>: a team or user that is not in the organisation.</item>
/// </list>
/// <para>No file at all (null content) is the built-in defaults, without problems. A key with no
/// value (<c>key:</c> or <c>key: ~</c>) keeps its default.</para>
/// </summary>
public static class PolicyConfigParser
{
    /// <summary>The only <c>version</c> this parser understands.</summary>
    public const int SupportedVersion = 1;

    /// <summary>GitHub accepts 0 to 6 required approving reviews in branch protection.</summary>
    public const int MaxRequiredApprovingReviewCount = 6;

    /// <summary>
    /// The most entries any list in a policy file may hold (reviewer rules, globs, teams...). A repository's file is
    /// untrusted input: without a bound, one file could make every evaluation of its pull requests arbitrarily slow.
    /// </summary>
    public const int MaxListEntries = 50;

    internal static readonly string[] TopLevelKeys =
        ["version", "scope", "branch_protection", "code_owners", "reviewers", "registration", "external_accounts", "issues", "exemptions", "tiers"];

    private static readonly string[] ScopeKeys = ["exclude", "include_archived", "include_forks"];

    private static readonly string[] BranchProtectionKeys =
    [
        "action", "block_merge", "branches", "required_approving_review_count", "dismiss_stale_reviews",
        "require_code_owner_reviews", "require_last_push_approval", "enforce_admins", "allow_force_pushes",
        "allow_deletions", "required_status_checks", "allowed_bypass",
    ];

    private static readonly string[] CodeOwnersKeys = ["action", "block_merge", "required"];
    private static readonly string[] ReviewersKeys = ["enabled", "ignore_self_approval", "ignore_contributor_approval", "invalidate_on_push", "request_reviews", "rules"];
    private static readonly string[] RuleKeys = ["name", "paths", "branches", "approvals", "from"];
    private static readonly string[] FromKeys = ["teams", "users", "code_owners"];
    private static readonly string[] RegistrationKeys = ["action", "block_merge", "grace_days", "required", "open_pull_request", "owner_access"];
    private static readonly string[] ExternalAccountsKeys = ["action", "remind_days_before"];
    private static readonly string[] IssuesKeys = ["label", "ping_after_days", "repository"];
    private static readonly string[] ExemptionKeys = ["repos", "policies", "reason", "expires"];

    /// <summary>The policies a tier may tighten, besides its name and match.</summary>
    internal static readonly string[] TierPolicySections = ["branch_protection", "code_owners", "reviewers", "registration", "external_accounts"];
    private static readonly string[] TierKeys = ["name", "match", .. TierPolicySections];
    private static readonly string[] TierMatchKeys = ["lifecycle", "properties"];

    /// <summary>Fields of a Backstage Component that registration.required may name.</summary>
    internal static readonly string[] RegistrationFields = ["owner", "lifecycle", "description", "type", "system", "title", "tags"];

    private static readonly string[] ExemptablePolicies =
        [PolicyIds.BranchProtection, PolicyIds.CodeOwners, PolicyIds.Reviewers, PolicyIds.Registration, PolicyIds.ExternalAccounts, PolicyIds.Config];

    /// <summary>
    /// Parses a `policybot.yml`; null content (no file) yields the built-in defaults. With <paramref name="directory"/>,
    /// teams and users the file names must exist in the organisation.
    /// </summary>
    public static ConfigParseResult Parse(string? content, OrganizationDirectory? directory = null)
    {
        var document = ParseDocument(content, directory);
        return new ConfigParseResult(document.Config, document.Problems);
    }

    /// <summary>
    /// Parses a file and also records which keys it set explicitly (path → line of the key), which
    /// the repository merger needs to tell "not mentioned" from "set to the default".
    /// </summary>
    internal static PolicyFileDocument ParseDocument(string? content, OrganizationDirectory? directory = null)
    {
        if (content is null)
        {
            return new PolicyFileDocument(PolicyConfig.Default, [], new Dictionary<string, int>());
        }

        var (documents, yamlProblem) = SafeYaml.Load(content);
        if (yamlProblem is not null)
        {
            // An error found at the end of input is reported past the last line; point at the last line instead.
            var lastLine = content.TrimEnd('\n', '\r').Split('\n').Length;
            return Unusable(new ConfigProblem(Math.Min(yamlProblem.Line, lastLine), "", yamlProblem.Message));
        }

        if (documents.Count > 1)
        {
            return Unusable(new ConfigProblem(SafeYaml.LineOf(documents[1].RootNode), "", "the file must hold one YAML document, not several separated by '---'"));
        }

        if (documents.Count == 0 || Reader.IsNull(documents[0].RootNode))
        {
            return Unusable(new ConfigProblem(documents.Count == 0 ? 1 : SafeYaml.LineOf(documents[0].RootNode), "",
                "the file is empty; write at least 'version: 1' (or delete the file to use the defaults)"));
        }

        var root = documents[0].RootNode;
        if (root is not YamlMappingNode)
        {
            return Unusable(new ConfigProblem(SafeYaml.LineOf(root), "", "the file must be a YAML mapping of keys such as 'version: 1' and 'branch_protection:'"));
        }

        var reader = new Reader(directory);
        var config = reader.ReadConfig(root);
        // Problems in file order, as an editor would show them.
        var problems = reader.Problems.Concat(RepositoryConfigMerger.TierLoosenings(config)).OrderBy(p => p.Line).ToList();
        return new PolicyFileDocument(problems.Any(p => p.IsError) ? null : config, problems, reader.SetKeys);
    }

    private static PolicyFileDocument Unusable(ConfigProblem problem) =>
        new(null, [problem with { Kind = ConfigProblemKind.Unusable }], new Dictionary<string, int>());

    /// <summary>Walks the YAML tree; collects problems and the explicitly set key paths.</summary>
    private sealed class Reader(OrganizationDirectory? directory, string problemPrefix = "")
    {
        public List<ConfigProblem> Problems { get; } = [];
        public Dictionary<string, int> SetKeys { get; } = new(StringComparer.Ordinal);

        public static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

        public PolicyConfig ReadConfig(YamlNode root)
        {
            var config = PolicyConfig.Default;
            var fields = Fields(root, "", TopLevelKeys);
            if (fields is null)
            {
                return config;
            }

            if (fields.TryGetValue("version", out var version) && !IsNull(version.Value))
            {
                // `version: "1"` means the same as `version: 1`; nobody should lose their whole file over quotes.
                var value = version.Value is YamlScalarNode { Value: "1" } ? SupportedVersion : Int(version, "version", int.MinValue, int.MaxValue);
                if (value == SupportedVersion)
                {
                    MarkSet("version", version);
                }
                else if (value is not null)
                {
                    Problems.Add(new ConfigProblem(SafeYaml.LineOf(version.Value), "version", $"version {value} is not supported; this PolicyBot understands version {SupportedVersion}")
                    {
                        Kind = ConfigProblemKind.Unusable,
                    });
                }
            }

            foreach (var (key, field) in fields)
            {
                config = key switch
                {
                    "scope" => config with { Scope = ReadScope(field, config.Scope) },
                    "branch_protection" => config with { BranchProtection = ReadBranchProtection(field, config.BranchProtection) },
                    "code_owners" => config with { CodeOwners = ReadCodeOwners(field, config.CodeOwners) },
                    "reviewers" => config with { Reviewers = ReadReviewers(field, config.Reviewers) },
                    "registration" => config with { Registration = ReadRegistration(field, config.Registration) },
                    "external_accounts" => config with { ExternalAccounts = ReadExternalAccounts(field, config.ExternalAccounts) },
                    "issues" => config with { Issues = ReadIssues(field, config.Issues) },
                    "exemptions" => config with { Exemptions = ReadExemptions(field) ?? config.Exemptions },
                    "tiers" => config with { Tiers = ReadTiers(field) ?? config.Tiers },
                    _ => config,
                };
            }

            return config;
        }

        private ScopeConfig ReadScope(Field field, ScopeConfig scope)
        {
            const string Section = "scope";
            foreach (var (key, value) in Fields(field, Section, ScopeKeys) ?? [])
            {
                var path = $"{Section}.{key}";
                scope = key switch
                {
                    "exclude" => StringList(value, path, GlobPattern.Validate) is { } l ? scope with { Exclude = l } : scope,
                    "include_archived" => Bool(value, path) is { } b ? scope with { IncludeArchived = b } : scope,
                    "include_forks" => Bool(value, path) is { } b ? scope with { IncludeForks = b } : scope,
                    _ => scope,
                };
            }

            return scope;
        }

        private BranchProtectionConfig ReadBranchProtection(Field field, BranchProtectionConfig bp)
        {
            const string Section = "branch_protection";
            foreach (var (key, value) in Fields(field, Section, BranchProtectionKeys) ?? [])
            {
                var path = $"{Section}.{key}";
                bp = key switch
                {
                    "action" => Action(value, path) is { } a ? bp with { Action = a } : bp,
                    "block_merge" => Bool(value, path) is { } b ? bp with { BlockMerge = b } : bp,
                    "branches" => StringList(value, path, ValidateBranchPattern, requireNonEmpty: true) is { } l ? bp with { Branches = l } : bp,
                    "required_approving_review_count" => Int(value, path, 0, MaxRequiredApprovingReviewCount) is { } n ? bp with { RequiredApprovingReviewCount = n } : bp,
                    "dismiss_stale_reviews" => Bool(value, path) is { } b ? bp with { DismissStaleReviews = b } : bp,
                    "require_code_owner_reviews" => Bool(value, path) is { } b ? bp with { RequireCodeOwnerReviews = b } : bp,
                    "require_last_push_approval" => Bool(value, path) is { } b ? bp with { RequireLastPushApproval = b } : bp,
                    "enforce_admins" => Bool(value, path) is { } b ? bp with { EnforceAdmins = b } : bp,
                    "allow_force_pushes" => Bool(value, path) is { } b ? bp with { AllowForcePushes = b } : bp,
                    "allow_deletions" => Bool(value, path) is { } b ? bp with { AllowDeletions = b } : bp,
                    "required_status_checks" => StringList(value, path, ValidateCheckContext) is { } l ? bp with { RequiredStatusChecks = l } : bp,
                    "allowed_bypass" => StringList(value, path, BypassAllowance.Validate) is { } l ? bp with { AllowedBypass = l } : bp,
                    _ => bp,
                };
            }

            return bp;
        }

        private CodeOwnersConfig ReadCodeOwners(Field field, CodeOwnersConfig co)
        {
            const string Section = "code_owners";
            foreach (var (key, value) in Fields(field, Section, CodeOwnersKeys) ?? [])
            {
                var path = $"{Section}.{key}";
                co = key switch
                {
                    "action" => Action(value, path) is { } a ? co with { Action = a } : co,
                    "block_merge" => Bool(value, path) is { } b ? co with { BlockMerge = b } : co,
                    "required" => Bool(value, path) is { } b ? co with { Required = b } : co,
                    _ => co,
                };
            }

            return co;
        }

        private ReviewersConfig ReadReviewers(Field field, ReviewersConfig rv)
        {
            const string Section = "reviewers";
            foreach (var (key, value) in Fields(field, Section, ReviewersKeys) ?? [])
            {
                var path = $"{Section}.{key}";
                rv = key switch
                {
                    "enabled" => Bool(value, path) is { } b ? rv with { Enabled = b } : rv,
                    "ignore_self_approval" => Bool(value, path) is { } b ? rv with { IgnoreSelfApproval = b } : rv,
                    "ignore_contributor_approval" => Bool(value, path) is { } b ? rv with { IgnoreContributorApproval = b } : rv,
                    "invalidate_on_push" => Bool(value, path) is { } b ? rv with { InvalidateOnPush = b } : rv,
                    "request_reviews" => Bool(value, path) is { } b ? rv with { RequestReviews = b } : rv,
                    "rules" => ReadRules(value, path) is { } r ? rv with { Rules = r } : rv,
                    _ => rv,
                };
            }

            return rv;
        }

        private List<ReviewerRuleConfig>? ReadRules(Field field, string path)
        {
            var items = Sequence(field, path);
            if (items is null)
            {
                return null;
            }

            var rules = new List<ReviewerRuleConfig>();
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < items.Count; i++)
            {
                var itemPath = $"{path}[{i}]";
                var item = new Field(SafeYaml.LineOf(items[i]), items[i]);
                var fields = Fields(item, itemPath, RuleKeys);
                if (fields is null)
                {
                    continue;
                }

                string? name = null;
                var rule = new ReviewerRuleConfig { Name = "" };
                foreach (var (key, value) in fields)
                {
                    var keyPath = $"{itemPath}.{key}";
                    switch (key)
                    {
                        case "name":
                            name = String(value, keyPath, requireNonEmpty: true);
                            break;
                        case "paths":
                            rule = StringList(value, keyPath, GlobPattern.Validate) is { } p ? rule with { Paths = p } : rule;
                            break;
                        case "branches":
                            rule = StringList(value, keyPath, ValidateBranchPattern, requireNonEmpty: true) is { } b ? rule with { Branches = b } : rule;
                            break;
                        case "approvals":
                            rule = Int(value, keyPath, 1, 100) is { } n ? rule with { Approvals = n } : rule;
                            break;
                        case "from":
                            rule = rule with { From = ReadFrom(value, keyPath) };
                            break;
                    }
                }

                if (name is null)
                {
                    name = $"rule {i + 1}";
                    if (!fields.ContainsKey("name"))
                    {
                        Error(item, $"{itemPath}.name", $"every rule needs a name (shown on the check run); calling it '{name}'");
                    }
                }
                else if (!names.Add(name))
                {
                    Error(fields["name"].Value, $"{itemPath}.name", $"another rule is already named '{name}'; rule names must be unique");
                }

                rules.Add(rule with { Name = name });
            }

            return rules;
        }

        private ReviewerSourceConfig? ReadFrom(Field field, string path)
        {
            var fields = Fields(field, path, FromKeys);
            if (fields is null)
            {
                return null;
            }

            var source = new ReviewerSourceConfig();
            var before = Problems.Count;
            foreach (var (key, value) in fields)
            {
                var keyPath = $"{path}.{key}";
                source = key switch
                {
                    "teams" => StringList(value, keyPath, Team) is { } t ? source with { Teams = t } : source,
                    "users" => StringList(value, keyPath, User) is { } u ? source with { Users = u } : source,
                    "code_owners" => Bool(value, keyPath) is { } b ? source with { CodeOwners = b } : source,
                    _ => source,
                };
            }

            // A from whose entries were wrong already says so; an empty one is a problem of its own.
            if (source.Teams.Count == 0 && source.Users.Count == 0 && !source.CodeOwners && Problems.Count == before)
            {
                Error(field, path, "names no teams, users or code_owners: true, so nobody could approve; omit 'from' to let anyone with write access approve");
                return null;
            }

            return source;
        }

        private RegistrationConfig ReadRegistration(Field field, RegistrationConfig reg)
        {
            const string Section = "registration";
            foreach (var (key, value) in Fields(field, Section, RegistrationKeys) ?? [])
            {
                var path = $"{Section}.{key}";
                reg = key switch
                {
                    "action" => Action(value, path) is { } a ? reg with { Action = a } : reg,
                    "block_merge" => Bool(value, path) is { } b ? reg with { BlockMerge = b } : reg,
                    "grace_days" => Int(value, path, 0, 3650) is { } n ? reg with { GraceDays = n } : reg,
                    "required" => StringList(value, path, ValidateRegistrationField) is { } l ? reg with { Required = l } : reg,
                    "open_pull_request" => Bool(value, path) is { } b ? reg with { OpenPullRequest = b } : reg,
                    "owner_access" => Access(value, path) is { } a ? reg with { OwnerAccess = a } : reg,
                    _ => reg,
                };
            }

            return reg;
        }

        private ExternalAccountsConfig ReadExternalAccounts(Field field, ExternalAccountsConfig ea)
        {
            const string Section = "external_accounts";
            foreach (var (key, value) in Fields(field, Section, ExternalAccountsKeys) ?? [])
            {
                var path = $"{Section}.{key}";
                ea = key switch
                {
                    "action" => Action(value, path) is { } a ? ea with { Action = a } : ea,
                    "remind_days_before" => ReminderSteps(value, path) is { } steps ? ea with { RemindDaysBefore = steps } : ea,
                    _ => ea,
                };
            }

            return ea;
        }

        private IssuesConfig ReadIssues(Field field, IssuesConfig issues)
        {
            const string Section = "issues";
            foreach (var (key, value) in Fields(field, Section, IssuesKeys) ?? [])
            {
                var path = $"{Section}.{key}";
                issues = key switch
                {
                    "label" => String(value, path, requireNonEmpty: true, ValidateLabel) is { } s ? issues with { Label = s } : issues,
                    "ping_after_days" => Int(value, path, 0, 3650) is { } n ? issues with { PingAfterDays = n } : issues,
                    "repository" => String(value, path, requireNonEmpty: false, ValidateRepositoryName) is { } s ? issues with { Repository = s } : issues,
                    _ => issues,
                };
            }

            return issues;
        }

        private List<ExemptionConfig>? ReadExemptions(Field field)
        {
            const string Path = "exemptions";
            var items = Sequence(field, Path);
            if (items is null)
            {
                return null;
            }

            var exemptions = new List<ExemptionConfig>();
            for (var i = 0; i < items.Count; i++)
            {
                var itemPath = $"{Path}[{i}]";
                var item = new Field(SafeYaml.LineOf(items[i]), items[i]);
                var before = Problems.Count(p => p.IsError);
                var fields = Fields(item, itemPath, ExemptionKeys);
                if (fields is null)
                {
                    continue;
                }

                var exemption = new ExemptionConfig();
                foreach (var (key, value) in fields)
                {
                    var keyPath = $"{itemPath}.{key}";
                    exemption = key switch
                    {
                        "repos" => StringList(value, keyPath, GlobPattern.Validate, requireNonEmpty: true) is { } r ? exemption with { Repos = r } : exemption,
                        "policies" => StringList(value, keyPath, ValidateExemptablePolicy, requireNonEmpty: true) is { } p ? exemption with { Policies = p } : exemption,
                        "reason" => String(value, keyPath, requireNonEmpty: true) is { } s ? exemption with { Reason = s } : exemption,
                        "expires" => Date(value, keyPath) is { } d ? exemption with { Expires = d } : exemption,
                        _ => exemption,
                    };
                }

                foreach (var required in new[] { "repos", "policies", "reason" })
                {
                    if (!fields.ContainsKey(required))
                    {
                        Error(item, $"{itemPath}.{required}", $"an exemption needs '{required}'");
                    }
                }

                if (Problems.Count(p => p.IsError) > before)
                {
                    continue;
                }

                exemptions.Add(exemption);
            }

            return exemptions;
        }

        /// <summary>
        /// Each tier's policy sections are read by a reader of their own, with the same rules as the
        /// organisation's sections, so the tier's set keys are the plain key paths the merger knows
        /// and its problems carry the tier's path (<c>tiers[0].branch_protection...</c>). Unknown keys
        /// in a tier are errors: a misspelt key there silently leaves a stricter tier weaker. A tier
        /// without a usable name or match is not applied; otherwise a key with an invalid value is
        /// skipped and the rest of the tier applies, as in the organisation's own sections.
        /// </summary>
        private List<TierConfig>? ReadTiers(Field field)
        {
            const string Path = "tiers";
            var items = Sequence(field, Path);
            if (items is null)
            {
                return null;
            }

            var tiers = new List<TierConfig>();
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < items.Count; i++)
            {
                var itemPath = $"{Path}[{i}]";
                var item = new Field(SafeYaml.LineOf(items[i]), items[i]);
                var fields = Fields(item, itemPath, TierKeys);
                if (fields is null)
                {
                    continue;
                }

                var tierReader = new Reader(directory, $"{problemPrefix}{itemPath}.");
                string? name = null;
                if (!fields.TryGetValue("name", out var nameField))
                {
                    Error(item, $"{itemPath}.name", "a tier needs a 'name' (shown as the source of the values it sets)");
                }
                else if ((name = String(nameField, $"{itemPath}.name", requireNonEmpty: true)) is not null && !names.Add(name))
                {
                    Error(nameField, $"{itemPath}.name", $"another tier is already named '{name}'; tier names must be unique");
                    name = null;
                }

                TierMatch? match = null;
                if (!fields.TryGetValue("match", out var matchField))
                {
                    Error(item, $"{itemPath}.match", "a tier needs 'match' (lifecycle and/or properties) saying which repositories take it");
                }
                else
                {
                    match = tierReader.ReadTierMatch(matchField);
                }

                var settings = tierReader.ReadPolicySections(fields);
                Problems.AddRange(tierReader.Problems);
                if (name is null || match is null)
                {
                    Error(item, itemPath, "this tier is not applied until its name and match are fixed");
                    continue;
                }

                tiers.Add(new TierConfig { Name = name, Match = match, Settings = settings, SetKeys = tierReader.SetKeys, Line = item.Line });
            }

            return tiers;
        }

        private PolicyConfig ReadPolicySections(Dictionary<string, Field> fields)
        {
            var config = PolicyConfig.Default;
            foreach (var (key, field) in fields)
            {
                config = key switch
                {
                    "branch_protection" => config with { BranchProtection = ReadBranchProtection(field, config.BranchProtection) },
                    "code_owners" => config with { CodeOwners = ReadCodeOwners(field, config.CodeOwners) },
                    "reviewers" => config with { Reviewers = ReadReviewers(field, config.Reviewers) },
                    "registration" => config with { Registration = ReadRegistration(field, config.Registration) },
                    "external_accounts" => config with { ExternalAccounts = ReadExternalAccounts(field, config.ExternalAccounts) },
                    _ => config,
                };
            }

            return config;
        }

        /// <summary>Null when the match is unusable (reported); a usable match names at least one condition.</summary>
        private TierMatch? ReadTierMatch(Field field)
        {
            const string Path = "match";
            var fields = Fields(field, Path, TierMatchKeys);
            if (fields is null)
            {
                Error(field, Path, "must name a lifecycle and/or properties, such as { lifecycle: [production] }");
                return null;
            }

            var match = new TierMatch();
            var ok = true;
            if (fields.TryGetValue("lifecycle", out var lifecycle))
            {
                var list = StringList(lifecycle, $"{Path}.lifecycle", null, requireNonEmpty: true);
                ok &= list is not null;
                match = match with { Lifecycle = list ?? [] };
            }

            if (fields.TryGetValue("properties", out var properties))
            {
                var read = ReadMatchProperties(properties, $"{Path}.properties");
                ok &= read is not null;
                match = match with { Properties = read ?? match.Properties };
            }

            if (ok && match.IsEmpty)
            {
                Error(field, Path, "must name a lifecycle and/or properties, such as { lifecycle: [production] }");
                return null;
            }

            return ok ? match : null;
        }

        /// <summary>Property name → accepted values; a single value may be written without a list.</summary>
        private Dictionary<string, IReadOnlyList<string>>? ReadMatchProperties(Field field, string path)
        {
            if (field.Value is not YamlMappingNode mapping || mapping.Children.Count == 0)
            {
                Error(field, path, "must be a mapping of custom property names to the values that match, such as { tier: [critical] }");
                return null;
            }

            var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            var ok = true;
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                var line = SafeYaml.LineOf(keyNode);
                if (keyNode is not YamlScalarNode { Value: { Length: > 0 } name })
                {
                    Error(line, path, "property names must be plain names");
                    ok = false;
                    continue;
                }

                var keyPath = $"{path}.{name}";
                var value = new Field(line, valueNode);
                var values = valueNode is YamlScalarNode && !IsNull(valueNode)
                    ? String(value, keyPath, requireNonEmpty: true) is { } single ? [single] : null
                    : StringList(value, keyPath, null, requireNonEmpty: true);
                if (values is null)
                {
                    if (IsNull(valueNode))
                    {
                        Error(value, keyPath, "must name the values that match, such as [critical]");
                    }

                    ok = false;
                    continue;
                }

                result[name] = values;
            }

            return ok ? result : null;
        }

        private RepositoryAccess? Access(Field field, string path)
        {
            if (IsNull(field.Value))
            {
                return null;
            }

            if (field.Value is YamlScalarNode { Value: { } text } && RepositoryAccesses.TryParse(text, out var access))
            {
                MarkSet(path, field);
                return access;
            }

            Error(field, path, $"must be one of read, triage, write, maintain, admin, not {Describe(field.Value)}");
            return null;
        }

        /// <summary>One number of days, or a list of them (each step reminds again); largest first.</summary>
        private List<int>? ReminderSteps(Field field, string path)
        {
            if (IsNull(field.Value))
            {
                return null;
            }

            if (field.Value is not YamlSequenceNode sequence)
            {
                return Int(field, path, 0, 3650) is { } days ? [days] : null;
            }

            var steps = new List<int>();
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                var item = new Field(SafeYaml.LineOf(sequence.Children[i]), sequence.Children[i]);
                if (Int(item, $"{path}[{i}]", 0, 3650) is not { } days)
                {
                    return null;
                }

                steps.Add(days);
            }

            if (steps.Count == 0)
            {
                Error(field, path, "must name at least one number of days, such as [30, 7, 1]");
                return null;
            }

            MarkSet(path, field);
            return [.. steps.Distinct().OrderDescending()];
        }

        // ---- primitive readers: each returns null (and reports) when the value is unusable ----

        /// <summary>The known keys of a mapping with their key lines; an unknown key is an error.</summary>
        private Dictionary<string, Field>? Fields(Field field, string path, IReadOnlyList<string> known)
        {
            if (IsNull(field.Value))
            {
                return null;
            }

            if (field.Value is not YamlMappingNode mapping)
            {
                Error(field, path, $"must be a mapping of keys ({string.Join(", ", known)})");
                return null;
            }

            var result = new Dictionary<string, Field>(StringComparer.Ordinal);
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                var line = SafeYaml.LineOf(keyNode);
                if (keyNode is not YamlScalarNode { Value: { } key })
                {
                    Error(line, path, "keys must be plain names");
                    continue;
                }

                var keyPath = path.Length == 0 ? key : $"{path}.{key}";
                if (!known.Contains(key, StringComparer.Ordinal))
                {
                    var hint = Closest(key, known) is { } guess ? $"; did you mean '{guess}'?" : $"; known keys: {string.Join(", ", known)}";
                    Problems.Add(new ConfigProblem(line, problemPrefix + keyPath, $"unknown key '{key}'{hint}") { Kind = ConfigProblemKind.UnknownKey });
                    continue;
                }

                result[key] = new Field(line, valueNode);
            }

            return result;
        }

        private Dictionary<string, Field>? Fields(YamlNode root, string path, IReadOnlyList<string> known) =>
            Fields(new Field(SafeYaml.LineOf(root), root), path, known);

        private List<YamlNode>? Sequence(Field field, string path)
        {
            if (IsNull(field.Value))
            {
                MarkSet(path, field);
                return [];
            }

            if (field.Value is not YamlSequenceNode sequence)
            {
                Error(field, path, "must be a list (one '- ' item per line)");
                return null;
            }

            if (sequence.Children.Count > MaxListEntries)
            {
                Error(field, path, $"lists at most {MaxListEntries} entries (this one has {sequence.Children.Count})");
                return null;
            }

            MarkSet(path, field);
            return [.. sequence.Children];
        }

        private bool? Bool(Field field, string path)
        {
            if (IsNull(field.Value))
            {
                return null;
            }

            if (field.Value is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: { } text })
            {
                if (text is "true" or "True" or "TRUE")
                {
                    MarkSet(path, field);
                    return true;
                }

                if (text is "false" or "False" or "FALSE")
                {
                    MarkSet(path, field);
                    return false;
                }
            }

            Error(field, path, $"must be true or false, not {Describe(field.Value)}");
            return null;
        }

        private int? Int(Field field, string path, int min, int max)
        {
            if (IsNull(field.Value))
            {
                return null;
            }

            if (field.Value is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: { } text }
                && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                if (number < min)
                {
                    Error(field, path, min == 0 ? $"must not be negative (got {number})" : $"must be at least {min} (got {number})");
                    return null;
                }

                if (number > max)
                {
                    Error(field, path, $"must be at most {max} (got {number})");
                    return null;
                }

                MarkSet(path, field);
                return (int)number;
            }

            Error(field, path, $"must be a whole number, not {Describe(field.Value)}");
            return null;
        }

        private PolicyAction? Action(Field field, string path)
        {
            if (IsNull(field.Value))
            {
                return null;
            }

            if (field.Value is YamlScalarNode { Value: { } text } && PolicyActions.TryParse(text, out var action))
            {
                MarkSet(path, field);
                return action;
            }

            Error(field, path, $"must be one of off, log, issue, fix, not {Describe(field.Value)}");
            return null;
        }

        private string? String(Field field, string path, bool requireNonEmpty, Func<string, string?>? validate = null)
        {
            if (IsNull(field.Value) && requireNonEmpty)
            {
                return null;
            }

            if (IsNull(field.Value))
            {
                MarkSet(path, field);
                return "";
            }

            if (field.Value is not YamlScalarNode { Value: { } text })
            {
                Error(field, path, $"must be a text value, not {Describe(field.Value)}");
                return null;
            }

            if (requireNonEmpty && string.IsNullOrWhiteSpace(text))
            {
                Error(field, path, "must not be empty");
                return null;
            }

            if (validate?.Invoke(text) is { } problem)
            {
                Error(field, path, problem);
                return null;
            }

            MarkSet(path, field);
            return text;
        }

        private List<string>? StringList(Field field, string path, Func<string, string?>? validate, bool requireNonEmpty = false)
        {
            if (IsNull(field.Value))
            {
                return null;
            }

            if (field.Value is not YamlSequenceNode sequence)
            {
                Error(field, path, $"must be a list such as [a, b], not {Describe(field.Value)}");
                return null;
            }

            if (sequence.Children.Count > MaxListEntries)
            {
                Error(field, path, $"lists at most {MaxListEntries} entries (this one has {sequence.Children.Count})");
                return null;
            }

            var items = new List<string>();
            var ok = true;
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                var item = sequence.Children[i];
                var itemLine = SafeYaml.LineOf(item);
                if (item is not YamlScalarNode { Value: { } text } || IsNull(item) || string.IsNullOrWhiteSpace(text))
                {
                    Error(itemLine, $"{path}[{i}]", $"must be a non-empty text value, not {Describe(item)}");
                    ok = false;
                    continue;
                }

                if (validate?.Invoke(text) is { } problem)
                {
                    Error(itemLine, $"{path}[{i}]", $"'{text}': {problem}");
                    ok = false;
                    continue;
                }

                if (!items.Contains(text, StringComparer.Ordinal))
                {
                    items.Add(text);
                }
            }

            if (!ok)
            {
                return null;
            }

            if (requireNonEmpty && items.Count == 0)
            {
                Error(field, path, "must name at least one entry");
                return null;
            }

            MarkSet(path, field);
            return items;
        }

        private DateOnly? Date(Field field, string path)
        {
            if (IsNull(field.Value))
            {
                return null;
            }

            if (field.Value is YamlScalarNode { Value: { } text }
                && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                MarkSet(path, field);
                return date;
            }

            Error(field, path, $"must be a date written YYYY-MM-DD, such as 2027-06-30, not {Describe(field.Value)}");
            return null;
        }

        /// <summary>
        /// A team named as reviewers or owners: 'security', 'acme/security' or '@acme/security'. With the organisation's
        /// directory it must exist there, so that a typo does not leave a rule nobody can satisfy.
        /// </summary>
        public string? Team(string team)
        {
            var parts = team.TrimStart('@').Split('/');
            if (parts is not { Length: 1 or 2 } || !parts.All(p => p.Length > 0 && !p.Any(char.IsWhiteSpace)))
            {
                return "must be a team slug such as 'security' or 'acme/security'";
            }

            if (directory is null)
            {
                return null;
            }

            if (parts.Length == 2 && !string.Equals(parts[0], directory.Login, StringComparison.OrdinalIgnoreCase))
            {
                return $"names a team of '{parts[0]}', not of this organisation ({directory.Login})";
            }

            var slug = parts[^1];
            return directory.Teams.ContainsKey(slug)
                ? null
                : $"there is no team '{slug}' in {directory.Login}" + (Closest(slug, [.. directory.Teams.Keys]) is { } guess ? $"; did you mean '{guess}'?" : "");
        }

        /// <summary>A GitHub login named as a reviewer or owner; with the directory, a member of the organisation.</summary>
        public string? User(string user)
        {
            var login = user.TrimStart('@');
            if (login.Length == 0 || !login.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return "must be a GitHub login such as 'alice'";
            }

            return directory is null || directory.Members.Contains(login)
                ? null
                : $"'{login}' is not a member of {directory.Login}" + (Closest(login, [.. directory.Members]) is { } guess ? $"; did you mean '{guess}'?" : "");
        }

        private void MarkSet(string path, Field field) => SetKeys[path] = field.Line;

        private void Error(Field field, string path, string message) => Error(field.Line, path, message);

        private void Error(YamlNode node, string path, string message) => Error(SafeYaml.LineOf(node), path, message);

        private void Error(int line, string path, string message) => Problems.Add(new ConfigProblem(line, problemPrefix + path, message));

        private static string Describe(YamlNode node) => node switch
        {
            YamlMappingNode => "a mapping",
            YamlSequenceNode => "a list",
            YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when IsNull(s) => "an empty value",
            YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: var v } => $"'{v}'",
            YamlScalarNode { Value: var v } => $"the quoted text \"{v}\"",
            _ => "this value",
        };

        internal static string? Closest(string key, IReadOnlyList<string> known)
        {
            if (known.Count == 0)
            {
                return null;
            }

            var best = known.Select(k => (k, d: Distance(key.ToLowerInvariant(), k.ToLowerInvariant()))).MinBy(x => x.d);
            return best.d <= Math.Max(2, key.Length / 4) ? best.k : null;
        }

        private static int Distance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (var j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                }

                (previous, current) = (current, previous);
            }

            return previous[b.Length];
        }
    }

    /// <summary>The known name closest to <paramref name="key"/> when it is close enough to be a typo of it, for did-you-mean hints.</summary>
    internal static string? Closest(string key, IReadOnlyList<string> known) => Reader.Closest(key, known);

    internal static string? ValidateBranchPattern(string pattern) =>
        pattern == "default" ? null : GlobPattern.Validate(pattern);

    private static string? ValidateCheckContext(string context) =>
        context.Length > 255 ? "a status check context is at most 255 characters" : null;

    private static string? ValidateRegistrationField(string field) =>
        RegistrationFields.Contains(field, StringComparer.Ordinal)
            ? null
            : $"is not a catalog-info.yaml field PolicyBot checks; use any of {string.Join(", ", RegistrationFields)}";

    private static string? ValidateExemptablePolicy(string policy) =>
        ExemptablePolicies.Contains(policy, StringComparer.Ordinal)
            ? null
            : $"is not a policy; use any of {string.Join(", ", ExemptablePolicies)}";

    private static string? ValidateLabel(string label) =>
        label.Length > 50 ? "GitHub labels are at most 50 characters" : null;

    // "." and ".." are path segments, not names: GitHub refuses them as repository names, and in a URL they would
    // climb out of /repos/{owner}/ (".." turns POST /repos/acme/../issues into POST /repos/issues).
    private static string? ValidateRepositoryName(string name) =>
        name.Length == 0 || (name.Length <= 100 && name is not ("." or "..") && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            ? null
            : "must be a repository name of this organisation (letters, digits, '-', '_', '.'; not '.' or '..'), or empty";

    /// <summary>One key's value with the line of its key.</summary>
    private readonly record struct Field(int Line, YamlNode Value);
}

/// <summary>A parsed policy file and the key paths it set explicitly, with the line of each key.</summary>
internal sealed record PolicyFileDocument(
    PolicyConfig? Config,
    IReadOnlyList<ConfigProblem> Problems,
    IReadOnlyDictionary<string, int> SetKeys);
