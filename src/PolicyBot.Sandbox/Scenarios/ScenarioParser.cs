using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Scenarios;

/// <summary>
/// Reads scenario files with line-numbered errors. <c>{{today}}</c>, <c>{{today+20d}}</c> and <c>{{today-3d}}</c>
/// anywhere in the text expand to dates relative to the simulator's clock, so a bundled scenario stays current.
/// </summary>
public static partial class ScenarioParser
{
    private static readonly string[] RootKeys = ["org", "installation_id", "plan", "description", "teams", "members", "admins", "public_members", "installation_permissions", "repos", "org_rulesets", "custom_properties", "rate_limit"];
    private static readonly string[] CustomPropertyKeys = ["name", "value_type", "required", "default_value", "description", "allowed_values", "values_editable_by"];
    private static readonly string[] TeamKeys = ["slug", "name", "description", "members", "maintainers", "parent", "repos"];
    private static readonly string[] RepoKeys = ["name", "default_branch", "visibility", "archived", "fork", "has_issues", "description", "created_at", "created_days_ago", "protection", "rulesets", "files", "pulls", "properties"];
    private static readonly string[] ProtectionKeys = ["required_approving_review_count", "dismiss_stale_reviews", "require_code_owner_reviews", "require_last_push_approval", "enforce_admins", "allow_force_pushes", "allow_deletions", "required_status_checks"];
    private static readonly string[] PullKeys = ["number", "author", "base", "head", "title", "body", "draft", "files", "reviews", "fork"];
    private static readonly string[] ReviewKeys = ["user", "state", "stale", "body", "submitted_at"];
    private static readonly string[] Permissions = ["pull", "triage", "push", "maintain", "admin", "read", "write"];
    private static readonly string[] ReviewStates = ["APPROVED", "CHANGES_REQUESTED", "COMMENTED"];

    public static string DemoYaml()
    {
        using var stream = typeof(ScenarioParser).Assembly.GetManifestResourceStream("PolicyBot.Sandbox.Scenarios.demo.yml")
            ?? throw new InvalidOperationException("The demo scenario is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static Scenario Parse(string yaml, string sourceName, DateTimeOffset today)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var text = ExpandDates(yaml, today);
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            throw new ScenarioException(sourceName, ex.Start.Line, ex.Start.Column, ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet reports some malformed documents this way; the parser's position says where it gave up.
            var at = parser.Current?.Start;
            throw new ScenarioException(sourceName, at?.Line ?? 1, at?.Column ?? 1, "not valid YAML: " + ex.Message);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ScenarioException(sourceName, 1, 1, "a scenario must be a mapping with at least 'org'");
        }

        var p = new Reader(sourceName);
        p.CheckKeys(root, RootKeys, "scenario");
        var org = p.RequiredString(root, "org");
        var installationId = p.Long(root, "installation_id") ?? 1001;
        var plan = p.String(root, "plan") ?? "enterprise";
        if (plan is not ("free" or "team" or "enterprise"))
        {
            throw p.Error(p.Child(root, "plan")!, $"plan must be free, team or enterprise, not '{plan}'");
        }
        var members = p.StringList(root, "members");
        var admins = p.StringList(root, "admins");
        foreach (var (admin, node) in p.StringListWithNodes(root, "admins"))
        {
            if (!members.Contains(admin, StringComparer.OrdinalIgnoreCase))
            {
                throw p.Error(node, $"admin '{admin}' is not in members");
            }
        }

        foreach (var (member, node) in p.StringListWithNodes(root, "public_members"))
        {
            if (!members.Contains(member, StringComparer.OrdinalIgnoreCase))
            {
                throw p.Error(node, $"public member '{member}' is not in members");
            }
        }

        var teams = new List<ScenarioTeam>();
        var teamNodes = new List<(ScenarioTeam Team, YamlMappingNode Node)>();
        foreach (var node in p.Sequence(root, "teams"))
        {
            var t = p.Mapping(node, "team");
            p.CheckKeys(t, TeamKeys, "team");
            var slug = p.RequiredString(t, "slug");
            if (teams.Any(x => string.Equals(x.Slug, slug, StringComparison.OrdinalIgnoreCase)))
            {
                throw p.Error(t, $"duplicate team '{slug}'");
            }

            foreach (var (member, memberNode) in p.StringListWithNodes(t, "members").Concat(p.StringListWithNodes(t, "maintainers")))
            {
                if (!members.Contains(member, StringComparer.OrdinalIgnoreCase))
                {
                    throw p.Error(memberNode, $"team '{slug}' member '{member}' is not in members");
                }
            }

            var repos = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (p.Child(t, "repos") is { } reposNode)
            {
                foreach (var (key, value) in p.Mapping(reposNode, "team repos").Children)
                {
                    var permission = p.Scalar(value, "permission");
                    if (!Permissions.Contains(permission))
                    {
                        throw p.Error(value, $"unknown permission '{permission}' (expected one of {string.Join(", ", Permissions)})");
                    }

                    repos[p.Scalar(key, "repository")] = permission;
                }
            }

            var team = new ScenarioTeam(slug, p.String(t, "name") ?? slug, p.String(t, "description"), p.String(t, "parent"),
                p.StringList(t, "members"), p.StringList(t, "maintainers"), repos);
            teams.Add(team);
            teamNodes.Add((team, t));
        }

        foreach (var (team, node) in teamNodes)
        {
            if (team.Parent is { } parent && !teams.Any(x => string.Equals(x.Slug, parent, StringComparison.OrdinalIgnoreCase)))
            {
                throw p.Error(p.Child(node, "parent")!, $"team '{team.Slug}' has unknown parent team '{parent}'");
            }
        }

        var customProperties = ParseCustomProperties(p, root);
        var repoList = new List<ScenarioRepo>();
        foreach (var node in p.Sequence(root, "repos"))
        {
            var repoNode = p.Mapping(node, "repo");
            repoList.Add(ParseRepo(p, repoNode, members, repoList, today) with { Properties = ParseProperties(p, repoNode, customProperties) });
        }

        foreach (var (team, node) in teamNodes)
        {
            if (p.Child(node, "repos") is YamlMappingNode reposNode)
            {
                foreach (var key in reposNode.Children.Keys)
                {
                    var name = p.Scalar(key, "repository");
                    if (!repoList.Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)))
                    {
                        throw p.Error(key, $"team '{team.Slug}' lists unknown repo '{name}'");
                    }
                }
            }
        }

        var orgRulesets = p.Child(root, "org_rulesets") is { } rulesetsNode ? p.JsonArray(rulesetsNode, "org_rulesets") : [];
        ScenarioRateLimit? rateLimit = null;
        if (p.Child(root, "rate_limit") is { } rateNode)
        {
            var m = p.Mapping(rateNode, "rate_limit");
            p.CheckKeys(m, ["core", "graphql"], "rate_limit");
            int Budget(string key)
            {
                var value = p.Long(m, key) ?? 5000;
                return value is >= 1 and <= 1_000_000 ? (int)value : throw p.Error(p.Child(m, key)!, $"rate_limit.{key} must be between 1 and 1000000");
            }

            rateLimit = new ScenarioRateLimit(Budget("core"), Budget("graphql"));
        }

        return new Scenario(sourceName, org, installationId, p.String(root, "description"), members, admins, teams, repoList, orgRulesets, plan)
        {
            RateLimit = rateLimit,
            CustomProperties = customProperties,
            PublicMembers = p.StringList(root, "public_members"),
            OrganizationAdministration = ParseInstallationPermissions(p, root),
        };
    }

    /// <summary>The installation's permissions that differ from the app's defaults; only <c>organization_administration</c> (read or write).</summary>
    private static string ParseInstallationPermissions(Reader p, YamlMappingNode root)
    {
        if (p.Child(root, "installation_permissions") is not { } node)
        {
            return "read";
        }

        var m = p.Mapping(node, "installation_permissions");
        p.CheckKeys(m, ["organization_administration"], "installation_permissions");
        var value = p.String(m, "organization_administration") ?? "read";
        return value is "read" or "write"
            ? value
            : throw p.Error(p.Child(m, "organization_administration")!, $"organization_administration must be read or write, not '{value}'");
    }

    /// <summary>The organisation's schema, checked as GitHub checks a definition (a select needs allowed values, a required property a default).</summary>
    private static List<SimCustomProperty> ParseCustomProperties(Reader p, YamlMappingNode root)
    {
        var result = new List<SimCustomProperty>();
        foreach (var node in p.Sequence(root, "custom_properties"))
        {
            var m = p.Mapping(node, "custom property");
            p.CheckKeys(m, CustomPropertyKeys, "custom property");
            var name = p.RequiredString(m, "name");
            if (result.Any(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw p.Error(m, $"duplicate custom property '{name}'");
            }

            var valueType = p.String(m, "value_type") ?? "string";
            if (!SimCustomProperty.ValueTypes.Contains(valueType))
            {
                throw p.Error(p.Child(m, "value_type")!, $"value_type must be one of {string.Join(", ", SimCustomProperty.ValueTypes)}, not '{valueType}'");
            }

            var select = valueType is "single_select" or "multi_select";
            var allowed = p.Child(m, "allowed_values") is not null ? p.StringList(m, "allowed_values") : null;
            if (select != (allowed is { Count: > 0 }))
            {
                throw p.Error(m, select ? $"custom property '{name}' is a {valueType} and needs allowed_values" : $"custom property '{name}' is a {valueType}; only selects have allowed_values");
            }

            var editableBy = p.String(m, "values_editable_by") ?? "org_actors";
            if (editableBy is not ("org_actors" or "org_and_repo_actors"))
            {
                throw p.Error(p.Child(m, "values_editable_by")!, "values_editable_by must be org_actors or org_and_repo_actors");
            }

            var property = new SimCustomProperty
            {
                Name = name,
                ValueType = valueType,
                Required = p.Bool(m, "required") ?? false,
                DefaultValue = p.Child(m, "default_value") is { } d ? PropertyValue(p, d) : null,
                Description = p.String(m, "description"),
                AllowedValues = allowed,
                ValuesEditableBy = editableBy,
            };
            if (property.Required && property.DefaultValue is null)
            {
                throw p.Error(m, $"custom property '{name}' is required and needs a default_value");
            }

            if (property.DefaultValue is not null && property.Reject(property.DefaultValue) is { } problem)
            {
                throw p.Error(p.Child(m, "default_value")!, problem);
            }

            result.Add(property);
        }

        return result;
    }

    /// <summary>GitHub holds every custom property value as text (true_false too: "true"), or a list of texts.</summary>
    private static JsonNode? PropertyValue(Reader p, YamlNode node) => node switch
    {
        YamlSequenceNode s => new System.Text.Json.Nodes.JsonArray([.. s.Children.Select(c => (JsonNode?)JsonValue.Create(p.Scalar(c, "value")))]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        _ => JsonValue.Create(p.Scalar(node, "value")),
    };

    private static Dictionary<string, JsonNode> ParseProperties(Reader p, YamlMappingNode repo, IReadOnlyList<SimCustomProperty> schema)
    {
        var result = new Dictionary<string, JsonNode>(StringComparer.OrdinalIgnoreCase);
        if (p.Child(repo, "properties") is not { } node)
        {
            return result;
        }

        foreach (var (key, value) in p.Mapping(node, "properties").Children)
        {
            var name = p.Scalar(key, "custom property name");
            var property = schema.FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw p.Error(key, $"'{name}' is not one of the organisation's custom_properties");
            var json = PropertyValue(p, value) ?? throw p.Error(value, $"give a value for '{name}'");
            if (property.Reject(json) is { } problem)
            {
                throw p.Error(value, problem);
            }

            result[property.Name] = json;
        }

        return result;
    }

    private static ScenarioRepo ParseRepo(Reader p, YamlMappingNode r, IReadOnlyList<string> members, List<ScenarioRepo> existing, DateTimeOffset today)
    {
        p.CheckKeys(r, RepoKeys, "repo");
        var name = p.RequiredString(r, "name");
        if (existing.Any(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw p.Error(r, $"duplicate repo '{name}'");
        }

        var visibility = p.String(r, "visibility") ?? "private";
        if (visibility is not ("private" or "public" or "internal"))
        {
            throw p.Error(p.Child(r, "visibility")!, $"visibility must be private, public or internal, not '{visibility}'");
        }

        var createdAt = today.AddDays(-30);
        if (p.Long(r, "created_days_ago") is { } daysAgo)
        {
            createdAt = today.AddDays(-daysAgo);
        }
        else if (p.String(r, "created_at") is { } created)
        {
            createdAt = p.Date(p.Child(r, "created_at")!, created);
        }

        ScenarioProtection? protection = null;
        if (p.Child(r, "protection") is { } protectionNode && protectionNode is not YamlScalarNode { Value: null or "" or "null" })
        {
            var m = p.Mapping(protectionNode, "protection");
            p.CheckKeys(m, ProtectionKeys, "protection");
            protection = new ScenarioProtection(
                (int?)p.Long(m, "required_approving_review_count"),
                p.Bool(m, "dismiss_stale_reviews") ?? false,
                p.Bool(m, "require_code_owner_reviews") ?? false,
                p.Bool(m, "require_last_push_approval") ?? false,
                p.Bool(m, "enforce_admins") ?? false,
                p.Bool(m, "allow_force_pushes") ?? false,
                p.Bool(m, "allow_deletions") ?? false,
                p.Child(m, "required_status_checks") is null ? null : [.. p.Sequence(m, "required_status_checks").Select(item => StatusCheck(p, item))]);
        }

        var files = p.StringMap(r, "files");
        var defaultBranch = p.String(r, "default_branch") ?? "main";
        var pulls = new List<ScenarioPull>();
        foreach (var node in p.Sequence(r, "pulls"))
        {
            var m = p.Mapping(node, "pull");
            p.CheckKeys(m, PullKeys, "pull");
            var number = (int)(p.Long(m, "number") ?? (pulls.Count == 0 ? 1 : pulls.Max(x => x.Number) + 1));
            if (pulls.Any(x => x.Number == number))
            {
                throw p.Error(m, $"duplicate pull request number {number} in repo '{name}'");
            }

            var author = p.RequiredString(m, "author");
            if (!members.Contains(author, StringComparer.OrdinalIgnoreCase))
            {
                throw p.Error(p.Child(m, "author")!, $"pull request author '{author}' is not in members");
            }

            var pullFiles = new Dictionary<string, string>(StringComparer.Ordinal);
            if (p.Child(m, "files") is YamlSequenceNode list)
            {
                foreach (var item in list)
                {
                    var path = p.Scalar(item, "file");
                    pullFiles[path] = (files.TryGetValue(path, out var before) ? before : "") + $"// changed in pull request #{number}\n";
                }
            }
            else
            {
                pullFiles = new Dictionary<string, string>(p.StringMap(m, "files"), StringComparer.Ordinal);
            }

            var reviews = new List<ScenarioReview>();
            foreach (var reviewNode in p.Sequence(m, "reviews"))
            {
                var rm = p.Mapping(reviewNode, "review");
                p.CheckKeys(rm, ReviewKeys, "review");
                var user = p.RequiredString(rm, "user");
                if (!members.Contains(user, StringComparer.OrdinalIgnoreCase))
                {
                    throw p.Error(p.Child(rm, "user")!, $"reviewer '{user}' is not in members");
                }

                var state = (p.String(rm, "state") ?? "APPROVED").ToUpperInvariant();
                if (!ReviewStates.Contains(state))
                {
                    throw p.Error(p.Child(rm, "state")!, $"review state must be APPROVED, CHANGES_REQUESTED or COMMENTED, not '{state}'");
                }

                var submitted = p.String(rm, "submitted_at") is { } s ? p.Date(p.Child(rm, "submitted_at")!, s) : (DateTimeOffset?)null;
                reviews.Add(new ScenarioReview(user, state, p.Bool(rm, "stale") ?? false, p.String(rm, "body"), submitted));
            }

            var baseBranch = p.String(m, "base") ?? defaultBranch;
            if (baseBranch != defaultBranch)
            {
                throw p.Error(p.Child(m, "base")!, $"pull request base '{baseBranch}' is not a branch of '{name}' (a scenario repository has only its default branch '{defaultBranch}')");
            }

            var head = p.String(m, "head") ?? $"pull-{number}";
            if (head == defaultBranch || pulls.Any(x => x.Head == head))
            {
                throw p.Error(p.Child(m, "head") ?? m, $"pull request head branch '{head}' is already used in '{name}'");
            }

            if (pullFiles.Count == 0)
            {
                throw p.Error(m, $"pull request #{number} changes no files (give 'files')");
            }

            pulls.Add(new ScenarioPull(number, author, baseBranch, head,
                p.String(m, "title") ?? $"Pull request #{number}", p.String(m, "body"), p.Bool(m, "draft") ?? false, pullFiles, reviews, p.Bool(m, "fork") ?? false));
        }

        var rulesets = p.Child(r, "rulesets") is { } rulesetsNode ? p.JsonArray(rulesetsNode, "rulesets") : [];
        return new ScenarioRepo(name, defaultBranch, visibility, p.Bool(r, "archived") ?? false, p.Bool(r, "fork") ?? false,
            p.Bool(r, "has_issues") ?? true, p.String(r, "description"), createdAt, protection, rulesets, files, pulls);
    }

    /// <summary>"ci" (any app may post it), or { context: PolicyBot, app_id: app } (only the simulator's app), or { context: ci, app_id: 123 }.</summary>
    private static ScenarioStatusCheck StatusCheck(Reader p, YamlNode item)
    {
        if (item is YamlScalarNode)
        {
            return new ScenarioStatusCheck(p.Scalar(item, "a required status check"));
        }

        var m = p.Mapping(item, "a required status check");
        p.CheckKeys(m, ["context", "app_id"], "required status check");
        var context = p.RequiredString(m, "context");
        return p.String(m, "app_id") switch
        {
            null => new ScenarioStatusCheck(context),
            "app" => new ScenarioStatusCheck(context, BoundToApp: true),
            _ => new ScenarioStatusCheck(context, AppId: p.Long(m, "app_id")),
        };
    }

    private static string ExpandDates(string yaml, DateTimeOffset today) =>
        DatePlaceholder().Replace(yaml, m =>
        {
            var days = m.Groups["days"].Success ? int.Parse(m.Groups["days"].Value, CultureInfo.InvariantCulture) : 0;
            if (m.Groups["sign"].Value == "-")
            {
                days = -days;
            }

            return today.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        });

    [GeneratedRegex(@"\{\{\s*today\s*(?:(?<sign>[+-])\s*(?<days>\d+)\s*d)?\s*\}\}")]
    private static partial Regex DatePlaceholder();

    /// <summary>Typed access to YAML nodes that reports the line and column of what is wrong.</summary>
    private sealed class Reader(string sourceName)
    {
        public ScenarioException Error(YamlNode node, string problem) =>
            new(sourceName, node.Start.Line, node.Start.Column, problem);

        public void CheckKeys(YamlMappingNode node, string[] allowed, string what)
        {
            foreach (var key in node.Children.Keys)
            {
                var name = Scalar(key, "key");
                if (!allowed.Contains(name, StringComparer.Ordinal))
                {
                    throw Error(key, $"unknown key '{name}' in {what} (expected one of: {string.Join(", ", allowed)})");
                }
            }
        }

        public YamlNode? Child(YamlMappingNode node, string key) =>
            node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        public YamlMappingNode Mapping(YamlNode node, string what) =>
            node as YamlMappingNode ?? throw Error(node, $"{what} must be a mapping");

        public string Scalar(YamlNode node, string what) =>
            node is YamlScalarNode { Value: { } value } ? value : throw Error(node, $"{what} must be a single value");

        public IEnumerable<YamlNode> Sequence(YamlMappingNode node, string key) => Child(node, key) switch
        {
            null => [],
            YamlScalarNode { Value: null or "" or "null" or "~" } => [],
            YamlSequenceNode s => s.Children,
            var other => throw Error(other, $"'{key}' must be a list"),
        };

        public string? String(YamlMappingNode node, string key) =>
            Child(node, key) is { } value ? (value is YamlScalarNode { Value: null or "~" } ? null : Scalar(value, $"'{key}'")) : null;

        public string RequiredString(YamlMappingNode node, string key) =>
            String(node, key) is { Length: > 0 } value ? value : throw Error(node, $"'{key}' is required");

        public long? Long(YamlMappingNode node, string key)
        {
            if (String(node, key) is not { } text)
            {
                return null;
            }

            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Error(Child(node, key)!, $"'{key}' must be a whole number, not '{text}'");
        }

        public bool? Bool(YamlMappingNode node, string key)
        {
            if (String(node, key) is not { } text)
            {
                return null;
            }

            return text switch
            {
                "true" or "True" or "yes" => true,
                "false" or "False" or "no" => false,
                _ => throw Error(Child(node, key)!, $"'{key}' must be true or false, not '{text}'"),
            };
        }

        public DateTimeOffset Date(YamlNode node, string text) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
                ? value
                : throw Error(node, $"'{text}' is not a date");

        public List<string> StringList(YamlMappingNode node, string key) => [.. StringListWithNodes(node, key).Select(x => x.Value)];

        public IEnumerable<(string Value, YamlNode Node)> StringListWithNodes(YamlMappingNode node, string key) =>
            Sequence(node, key).Select(item => (Scalar(item, $"an item of '{key}'"), item)).ToList();

        public Dictionary<string, string> StringMap(YamlMappingNode node, string key)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Child(node, key) is not { } value || value is YamlScalarNode { Value: null or "" or "~" })
            {
                return map;
            }

            foreach (var (k, v) in Mapping(value, $"'{key}'").Children)
            {
                map[Scalar(k, "path")] = v is YamlScalarNode { Value: null } ? "" : Scalar(v, "file content");
            }

            return map;
        }

        /// <summary>A list of rulesets in GitHub's JSON shape, each checked as GitHub checks a new ruleset.</summary>
        public JsonArray JsonArray(YamlNode node, string what)
        {
            if (node is YamlScalarNode { Value: null or "" or "~" or "null" })
            {
                return [];
            }

            if (node is not YamlSequenceNode sequence)
            {
                throw Error(node, $"'{what}' must be a list");
            }

            var array = new System.Text.Json.Nodes.JsonArray();
            foreach (var item in sequence)
            {
                if (ToJson(item) is not JsonObject ruleset)
                {
                    throw Error(item, $"each of '{what}' must be a mapping in GitHub's ruleset shape");
                }

                if (PolicyBot.Sandbox.Api.Rulesets.Validate(ruleset, creating: true) is { } problem)
                {
                    throw Error(item, $"ruleset: {problem.Replace("Invalid request.\n\n", "", StringComparison.Ordinal)}");
                }

                array.Add(ruleset);
            }

            return array;
        }

        public JsonNode? ToJson(YamlNode node) => node switch
        {
            YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(Scalar(c.Key, "key"), ToJson(c.Value)))),
            YamlSequenceNode s => new System.Text.Json.Nodes.JsonArray([.. s.Children.Select(ToJson)]),
            YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded } q => JsonValue.Create(q.Value),
            YamlScalarNode { Value: null or "~" or "null" } => null,
            YamlScalarNode { Value: "true" } => JsonValue.Create(true),
            YamlScalarNode { Value: "false" } => JsonValue.Create(false),
            YamlScalarNode sc when long.TryParse(sc.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            YamlScalarNode sc => JsonValue.Create(sc.Value),
            _ => throw Error(node, "unsupported YAML node"),
        };
    }
}
