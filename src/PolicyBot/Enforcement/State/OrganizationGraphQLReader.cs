using System.Text.Json;
using System.Text.Json.Nodes;
using Octokit;
using PolicyBot.GitHub.GraphQL;
using PolicyBot.Policies;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Enforcement.State;

/// <summary>
/// A repository as one page of <see cref="OrganizationGraphQLReader"/> read it: its snapshot with files, CODEOWNERS
/// errors and the protection of its default branch, and its open pull requests. <see cref="DefaultBranch"/> is null
/// when the page could not say everything (a connection was cut short): that repository is read through REST.
/// </summary>
public sealed record PrefetchedRepository(RepositorySnapshot Snapshot, BranchProtectionState? DefaultBranch, IReadOnlyList<int>? OpenPullRequests)
{
    /// <summary>What the pass learns about the organisation as it goes, shared by every repository of the pass.</summary>
    public PrefetchedOrganization Organization { get; init; } = new();
}

/// <summary>
/// Facts about an organisation that hold for all its repositories, learnt by one pass: whether its plan protects the
/// branches of private repositories. GitHub Free does not (a 403 "Upgrade to GitHub Pro" where a paid plan answers
/// 404 "Branch not protected"), and only REST tells them apart; one REST read of one private repository answers for
/// all of them, so the rest of the pass takes GraphQL's "no protection" as it is. Public repositories are protected
/// on every plan.
/// </summary>
public sealed class PrefetchedOrganization
{
    private int _privateBranchProtection;

    /// <summary>True: the plan protects private branches; false: it does not; null: not known yet.</summary>
    public bool? PrivateBranchProtection => Volatile.Read(ref _privateBranchProtection) switch
    {
        > 0 => true,
        < 0 => false,
        _ => null,
    };

    public void LearnPrivateBranchProtection(bool available) => Volatile.Write(ref _privateBranchProtection, available ? 1 : -1);

    private Lazy<Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, RepositoryAccess>>?>>? _teamAccess;
    private OrganizationPolicy? _policy;

    /// <summary>
    /// The organisation baseline the pass evaluates with, once a repository of the pass read it: the rest of the pass does
    /// not read the configuration repository again (two requests a repository). A change to it starts a new pass, with
    /// its own <see cref="PrefetchedOrganization"/>.
    /// </summary>
    public OrganizationPolicy? Policy => Volatile.Read(ref _policy);

    /// <summary>Keeps a baseline read and validated (or no file): one that could not be read is read again by the next repository.</summary>
    public void KnowPolicy(OrganizationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.State is OrganizationPolicyState.Valid or OrganizationPolicyState.NoFile)
        {
            Interlocked.CompareExchange(ref _policy, policy, null);
        }
    }

    /// <summary>
    /// Each repository's teams and their roles, read for the whole organisation in a few GraphQL queries the first time
    /// a repository of the pass needs them (GitHub's GraphQL <c>Repository</c> has no list of its teams; REST would take
    /// a call per repository). Null when GraphQL could not read it: the repository is then read through REST.
    /// </summary>
    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, RepositoryAccess>>?> TeamAccessAsync(IConnection connection, string org)
    {
        var fresh = new Lazy<Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, RepositoryAccess>>?>>(async () =>
        {
            try
            {
                // Shared by every repository of the pass: no one worker's cancellation ends it for the others.
                return await OrganizationGraphQLReader.ReadTeamAccessAsync(connection, org, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is GitHubGraphQLException or ApiException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return null;
            }
        });
        return (Interlocked.CompareExchange(ref _teamAccess, fresh, null) ?? fresh).Value;
    }
}

/// <summary>
/// Reads an organisation's repositories in pages of <see cref="PageSize"/> with one GraphQL query each: what the
/// repository policies need (files on the default branch, CODEOWNERS errors, classic protection and the rulesets
/// that apply, open pull requests), for a few points a page where REST needs several calls per repository.
/// Ruleset conditions are evaluated here, as GitHub's <c>rules/branches</c> would (see <see cref="RulesetConditions"/>).
/// </summary>
public static class OrganizationGraphQLReader
{
    /// <summary>
    /// Repositories per query. A page reads no list nested below a repository's own lists (GitHub's formula charges a
    /// nested list once per parent it could have): 100 repositories cost 3 points, and the few lists a repository's
    /// protection needs are read afterwards for those that need them, by id (<see cref="ReviewBypassQuery"/>,
    /// <see cref="RulesetDetailsQuery"/>).
    /// </summary>
    public const int PageSize = 100;

    /// <summary>Ids per follow-up query (<c>nodes(ids:)</c>), GitHub's page size.</summary>
    private const int IdsPerQuery = 100;

    private const int RulesetsPerRepository = 3;
    private const int RulesetsPerOrganization = 50;
    private const int RulesPerRuleset = 20;
    private const int ProtectionRulesPerRepository = 3;
    private const int ReviewBypassPerRule = 10;
    private const int BypassActorsPerRuleset = 10;
    private const int PullRequestsPerRepository = 20;

    /// <summary>The query, sent as it is; a contract test validates it against GitHub's published schema.</summary>
    public const string Query = """
        query PolicyBotOrganizationRepositories($org: String!, $first: Int!, $after: String) {
          rateLimit { cost remaining resetAt }
          organization(login: $org) {
            repositories(first: $first, after: $after, orderBy: {field: NAME, direction: ASC}) {
              totalCount
              pageInfo { hasNextPage endCursor }
              nodes {
                databaseId name description isArchived isFork isPrivate hasIssuesEnabled createdAt
                defaultBranchRef { name }
                policyFile: object(expression: "HEAD:.github/policybot.yml") { ...File }
                catalogInfo: object(expression: "HEAD:catalog-info.yaml") { ...File }
                codeOwnersGitHub: object(expression: "HEAD:.github/CODEOWNERS") { ...File }
                codeOwnersRoot: object(expression: "HEAD:CODEOWNERS") { ...File }
                codeOwnersDocs: object(expression: "HEAD:docs/CODEOWNERS") { ...File }
                codeowners { errors { line column kind message source suggestion path } }
                branchProtectionRules(first: 3) {
                  totalCount
                  nodes {
                    id pattern requiresApprovingReviews requiredApprovingReviewCount dismissesStaleReviews requiresCodeOwnerReviews
                    requireLastPushApproval isAdminEnforced allowsForcePushes allowsDeletions
                    requiresStatusChecks requiresStrictStatusChecks requiredStatusChecks { context app { databaseId } }
                    requiresLinearHistory requiresConversationResolution requiresCommitSignatures lockBranch lockAllowsFetchAndMerge blocksCreations
                    restrictsPushes restrictsReviewDismissals
                  }
                }
                rulesets(first: 3, includeParents: false) { totalCount nodes { ...RulesetSummary } }
                pullRequests(first: 20, states: [OPEN]) { totalCount nodes { number } }
              }
            }
          }
        }

        fragment File on GitObject { ... on Blob { oid text } }
        """ + RulesetSummaryFragment;

    /// <summary>The review bypass allowances of the classic rules (by id) that protect a default branch and require reviews.</summary>
    public const string ReviewBypassQuery = """
        query PolicyBotReviewBypass($ids: [ID!]!) {
          rateLimit { cost remaining resetAt }
          nodes(ids: $ids) {
            ... on BranchProtectionRule {
              id
              bypassPullRequestAllowances(first: 10) { totalCount nodes { actor { __typename ... on App { databaseId slug } ... on Team { databaseId slug } ... on User { databaseId login } } } }
            }
          }
        }
        """;

    /// <summary>The bypass lists and rules of the repository rulesets (by id) that apply to a default branch.</summary>
    public const string RulesetDetailsQuery = """
        query PolicyBotRulesetDetails($ids: [ID!]!) {
          rateLimit { cost remaining resetAt }
          nodes(ids: $ids) { ... on RepositoryRuleset { id ...RulesetDetails } }
        }
        """ + RulesetDetailsFragment;

    /// <summary>The organisation's rulesets, read once a pass: per repository they would multiply every page's cost.</summary>
    public const string OrganizationRulesetsQuery = """
        query PolicyBotOrganizationRulesets($org: String!) {
          rateLimit { cost remaining resetAt }
          organization(login: $org) {
            rulesets(first: 50, includeParents: false) { totalCount nodes { ...RulesetSummary ...RulesetDetails } }
          }
        }
        """ + RulesetSummaryFragment + RulesetDetailsFragment;

    private const string RulesetSummaryFragment = """

        fragment RulesetSummary on RepositoryRuleset {
          id databaseId name enforcement target
          source { __typename ... on Repository { nameWithOwner } ... on Organization { login } }
          conditions { refName { include exclude } repositoryName { include exclude } }
        }
        """;

    private const string RulesetDetailsFragment = """

        fragment RulesetDetails on RepositoryRuleset {
          bypassActors(first: 10) {
            totalCount
            nodes { bypassMode organizationAdmin deployKey enterpriseOwner repositoryRoleDatabaseId repositoryRoleName actor { __typename ... on App { databaseId slug } ... on Team { databaseId slug } } }
          }
          rules(first: 20) {
            totalCount
            nodes {
              type
              parameters {
                __typename
                ... on PullRequestParameters { requiredApprovingReviewCount dismissStaleReviewsOnPush requireCodeOwnerReview requireLastPushApproval }
                ... on RequiredStatusChecksParameters { requiredStatusChecks { context integrationId } }
              }
            }
          }
        }
        """;

    /// <summary>Every team of the organisation with the first page of its repositories and its role on each.</summary>
    public const string TeamRepositoriesQuery = """
        query PolicyBotTeamRepositories($org: String!, $after: String) {
          rateLimit { cost remaining resetAt }
          organization(login: $org) {
            teams(first: 100, after: $after) {
              pageInfo { hasNextPage endCursor }
              nodes { slug repositories(first: 100) { ...TeamRepositories } }
            }
          }
        }
        """ + TeamRepositoriesFragment;

    /// <summary>The next page of one team's repositories, for a team with more than a page.</summary>
    public const string TeamMoreRepositoriesQuery = """
        query PolicyBotTeamMoreRepositories($org: String!, $slug: String!, $after: String) {
          rateLimit { cost remaining resetAt }
          organization(login: $org) {
            team(slug: $slug) { repositories(first: 100, after: $after) { ...TeamRepositories } }
          }
        }
        """ + TeamRepositoriesFragment;

    private const string TeamRepositoriesFragment = """

        fragment TeamRepositories on TeamRepositoryConnection {
          pageInfo { hasNextPage endCursor }
          edges { permission node { name } }
        }
        """;

    /// <summary>
    /// Each repository's teams and their roles (as REST's <c>GET /repos/{o}/{r}/teams</c> lists them, keyed by repository
    /// name then team slug), for the whole organisation: a point per hundred teams, and one per further hundred
    /// repositories of a team.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, RepositoryAccess>>> ReadTeamAccessAsync(IConnection connection, string org, CancellationToken cancellationToken)
    {
        var access = new Dictionary<string, Dictionary<string, RepositoryAccess>>(StringComparer.OrdinalIgnoreCase);
        string? Add(string slug, JsonElement repositories)
        {
            foreach (var edge in repositories.Array("edges"))
            {
                if (edge.Object("node")?.String("name") is { } name && RepositoryAccesses.TryParse(edge.String("permission"), out var role))
                {
                    (access.TryGetValue(name, out var teams) ? teams : access[name] = new(StringComparer.OrdinalIgnoreCase))[slug] = role;
                }
            }

            return NextCursor(repositories);
        }

        string? after = null;
        do
        {
            var data = await connection.QueryAsync(TeamRepositoriesQuery, new JsonObject { ["org"] = org, ["after"] = after }, cancellationToken).ConfigureAwait(false);
            var teams = data.GetProperty("organization").GetProperty("teams");
            foreach (var team in teams.Array("nodes"))
            {
                var slug = team.String("slug") ?? "";
                var more = Add(slug, team.GetProperty("repositories"));
                while (more is not null)
                {
                    var next = await connection.QueryAsync(TeamMoreRepositoriesQuery, new JsonObject { ["org"] = org, ["slug"] = slug, ["after"] = more }, cancellationToken).ConfigureAwait(false);
                    // A team deleted meanwhile has no more repositories.
                    more = next.GetProperty("organization").Object("team") is { } found ? Add(slug, found.GetProperty("repositories")) : null;
                }
            }

            after = NextCursor(teams);
        }
        while (after is not null);

        return access.ToDictionary(a => a.Key, a => (IReadOnlyDictionary<string, RepositoryAccess>)a.Value, StringComparer.OrdinalIgnoreCase);
    }

    private static string? NextCursor(JsonElement connection) =>
        connection.GetProperty("pageInfo") is var pageInfo && pageInfo.GetProperty("hasNextPage").GetBoolean() ? pageInfo.GetProperty("endCursor").GetString() : null;

    /// <summary>One page: the repositories read, the cursor of the next page (null on the last) and the points it cost.</summary>
    public sealed record Page(IReadOnlyList<PrefetchedRepository> Repositories, string? NextCursor, int Cost);

    /// <summary>The organisation's rulesets, or null when there are more than one query returns (then rules come from REST).</summary>
    public static async Task<IReadOnlyList<JsonElement>?> ReadOrganizationRulesetsAsync(IConnection connection, string org, CancellationToken cancellationToken)
    {
        var data = await connection.QueryAsync(OrganizationRulesetsQuery, new JsonObject { ["org"] = org }, cancellationToken).ConfigureAwait(false);
        var rulesets = data.GetProperty("organization").GetProperty("rulesets");
        return (rulesets.Long("totalCount") ?? 0) > RulesetsPerOrganization ? null : [.. rulesets.Array("nodes").Select(r => r.Clone())];
    }

    /// <summary>
    /// One page of repositories, with the lists their default branch's protection needs read by id afterwards: the review
    /// bypass allowances of a classic rule that requires reviews, the bypass actors and rules of a repository ruleset that
    /// applies. A repository whose lists could not be read (a rule deleted meanwhile) is left to REST.
    /// </summary>
    public static async Task<Page> ReadPageAsync(IConnection connection, string org, string? after, IReadOnlyList<JsonElement>? organizationRulesets, CancellationToken cancellationToken)
    {
        var data = await connection.QueryAsync(Query, new JsonObject { ["org"] = org, ["first"] = PageSize, ["after"] = after }, cancellationToken).ConfigureAwait(false);
        var cost = Cost(data);
        var connectionJson = data.GetProperty("organization").GetProperty("repositories");
        var nodes = connectionJson.GetProperty("nodes").EnumerateArray().Where(n => n.ValueKind == JsonValueKind.Object).ToList();

        var reviewBypassIds = new List<string>();
        var rulesetIds = new List<string>();
        foreach (var node in nodes)
        {
            var branch = DefaultBranchOf(node);
            if (node.Object("branchProtectionRules") is { } classicRules && ClassicRuleFor(classicRules, branch) is { } rule
                && rule.Bool("requiresApprovingReviews") && rule.String("id") is { } ruleId)
            {
                reviewBypassIds.Add(ruleId);
            }

            if (node.Object("rulesets") is { } rulesets)
            {
                rulesetIds.AddRange(rulesets.Array("nodes").Where(r => AppliesToBranch(r, branch)).Select(r => r.String("id")).OfType<string>());
            }
        }

        var details = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        cost += await ReadByIdAsync(connection, ReviewBypassQuery, reviewBypassIds, details, cancellationToken).ConfigureAwait(false);
        cost += await ReadByIdAsync(connection, RulesetDetailsQuery, rulesetIds, details, cancellationToken).ConfigureAwait(false);

        var repositories = nodes.Select(n => Parse(org, WithDetails(n, details), organizationRulesets)).ToList();
        return new Page(repositories, NextCursor(connectionJson), cost);
    }

    private static int Cost(JsonElement data) =>
        data.TryGetProperty("rateLimit", out var rate) && rate.ValueKind == JsonValueKind.Object ? (int)(rate.Long("cost") ?? 0) : 0;

    /// <summary>Reads nodes by id, a hundred a query, into <paramref name="details"/>; returns the points spent.</summary>
    private static async Task<int> ReadByIdAsync(IConnection connection, string query, List<string> ids, Dictionary<string, JsonElement> details, CancellationToken cancellationToken)
    {
        var cost = 0;
        foreach (var chunk in ids.Chunk(IdsPerQuery))
        {
            try
            {
                var data = await connection.QueryAsync(query, new JsonObject { ["ids"] = new JsonArray([.. chunk.Select(id => (JsonNode)id)]) }, cancellationToken).ConfigureAwait(false);
                cost += Cost(data);
                foreach (var node in data.GetProperty("nodes").EnumerateArray().Where(n => n.ValueKind == JsonValueKind.Object))
                {
                    if (node.String("id") is { } id)
                    {
                        details[id] = node;
                    }
                }
            }
            catch (GitHubGraphQLException ex) when (ex.Types.All(t => t == "NOT_FOUND"))
            {
                // A rule or ruleset deleted since the page: its repository, without the lists, is read through REST.
            }
        }

        return cost;
    }

    /// <summary>The repository node with the lists read by id put in place, as one query reading everything would give it.</summary>
    private static JsonElement WithDetails(JsonElement node, Dictionary<string, JsonElement> details)
    {
        bool HasDetails(string list) => node.Object(list)?.Array("nodes").Any(n => n.String("id") is { } id && details.ContainsKey(id)) == true;
        if (!HasDetails("branchProtectionRules") && !HasDetails("rulesets"))
        {
            return node;
        }

        var merged = JsonNode.Parse(node.GetRawText())!.AsObject();
        foreach (var list in new[] { "branchProtectionRules", "rulesets" })
        {
            foreach (var item in (merged[list]?["nodes"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if ((string?)item["id"] is { } id && details.TryGetValue(id, out var detail))
                {
                    foreach (var property in detail.EnumerateObject().Where(p => p.Name != "id"))
                    {
                        item[property.Name] = JsonNode.Parse(property.Value.GetRawText());
                    }
                }
            }
        }

        return JsonSerializer.SerializeToElement(merged);
    }

    private static string DefaultBranchOf(JsonElement node) => node.Object("defaultBranchRef")?.String("name") ?? "main";

    /// <summary>The classic rule that protects <paramref name="branch"/>: the one named after it, else the first whose pattern matches.</summary>
    private static JsonElement? ClassicRuleFor(JsonElement classicRules, string branch)
    {
        var candidates = classicRules.Array("nodes").ToList();
        var rule = candidates.FirstOrDefault(r => r.String("pattern") == branch) is { ValueKind: JsonValueKind.Object } exact ? exact
            : candidates.FirstOrDefault(r => RulesetConditions.RefNameMatches([r.String("pattern") ?? ""], [], branch, branch));
        return rule.ValueKind == JsonValueKind.Object ? rule : null;
    }

    /// <summary>Whether a ruleset is enforced on branches and its ref name condition selects <paramref name="branch"/> (the default branch).</summary>
    private static bool AppliesToBranch(JsonElement ruleset, string branch) =>
        ruleset.String("enforcement") == "ACTIVE" && ruleset.String("target") is null or "BRANCH"
        && ruleset.Object("conditions")?.Object("refName") is { } refName
        && RulesetConditions.RefNameMatches(Strings(refName, "include"), Strings(refName, "exclude"), branch, defaultBranch: branch);

    internal static PrefetchedRepository Parse(string org, JsonElement node, IReadOnlyList<JsonElement>? organizationRulesets)
    {
        var name = node.String("name") ?? "";
        var defaultBranch = DefaultBranchOf(node);
        var snapshot = new RepositorySnapshot
        {
            Id = node.Long("databaseId") ?? 0,
            Owner = org,
            Name = name,
            DefaultBranch = defaultBranch,
            Description = node.String("description"),
            Archived = node.Bool("isArchived"),
            Fork = node.Bool("isFork"),
            Private = node.Bool("isPrivate"),
            HasIssues = node.Bool("hasIssuesEnabled"),
            CreatedAt = node.String("createdAt") is { } created ? DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture) : default,
            PolicyFile = File(node, "policyFile", RepositoryStateReader.RepositoryPolicyPath),
            CatalogInfo = File(node, "catalogInfo", RepositoryStateReader.CatalogInfoPath),
            CodeOwners = CodeOwners(node),
        };
        snapshot = snapshot with { Lifecycle = Policies.Catalog.CatalogInfoParser.LifecycleOf(snapshot.CatalogInfo?.Content) };

        var pulls = node.Object("pullRequests") is { } pr && (pr.Long("totalCount") ?? 0) <= PullRequestsPerRepository
            ? pr.Array("nodes").Select(p => (int)(p.Long("number") ?? 0)).ToList()
            : null;
        return new PrefetchedRepository(snapshot, organizationRulesets is null ? null : Protection(org, name, defaultBranch, node, organizationRulesets), pulls);
    }

    private static RepositoryFile? File(JsonElement node, string alias, string path) =>
        node.Object(alias) is { } blob && blob.String("text") is { } text ? new RepositoryFile(path, text, blob.String("oid")) : null;

    /// <summary>The file GitHub uses is the first of .github/, the root and docs/ (the order GitHub looks in).</summary>
    private static CodeOwnersFile? CodeOwners(JsonElement node)
    {
        var aliases = new[] { "codeOwnersGitHub", "codeOwnersRoot", "codeOwnersDocs" };
        for (var i = 0; i < aliases.Length; i++)
        {
            if (File(node, aliases[i], RepositoryStateReader.CodeOwnersPaths[i]) is { } file)
            {
                var errors = node.Object("codeowners") is { } codeowners
                    ? codeowners.Array("errors").Select(e => new CodeOwnersError(
                        (int)(e.Long("line") ?? 0), (int)(e.Long("column") ?? 0), e.String("kind") ?? "", e.String("message") ?? e.String("kind") ?? "",
                        e.String("source"), e.String("suggestion"))).ToList()
                    : [];
                return new CodeOwnersFile(file.Path, file.Content, errors);
            }
        }

        return null;
    }

    /// <summary>The default branch's protection, or null when a list was cut short and only REST can tell.</summary>
    private static BranchProtectionState? Protection(string org, string repository, string branch, JsonElement node, IReadOnlyList<JsonElement> organizationRulesets)
    {
        if (node.Object("branchProtectionRules") is not { } classicRules || (classicRules.Long("totalCount") ?? 0) > ProtectionRulesPerRepository
            || node.Object("rulesets") is not { } rulesets || (rulesets.Long("totalCount") ?? 0) > RulesetsPerRepository)
        {
            return null;
        }

        var classic = ClassicRuleFor(classicRules, branch);

        var rules = new List<BranchRule>();
        foreach (var ruleset in rulesets.Array("nodes").Concat(organizationRulesets))
        {
            var conditions = ruleset.Object("conditions");
            var source = ruleset.Object("source");
            var sourceType = source?.String("__typename") == "Organization" ? "Organization" : "Repository";
            if (sourceType == "Organization")
            {
                // An organisation ruleset selects repositories by name here; by id or property only REST can tell.
                if (conditions?.Object("repositoryName") is not { } byName)
                {
                    return null;
                }

                if (!RulesetConditions.RepositoryNameMatches(Strings(byName, "include"), Strings(byName, "exclude"), repository))
                {
                    continue;
                }
            }

            if (!AppliesToBranch(ruleset, branch))
            {
                continue;
            }

            if (ruleset.Object("rules") is not { } ruleList || (ruleList.Long("totalCount") ?? 0) > RulesPerRuleset)
            {
                return null;
            }

            List<BypassActor> bypass;
            if (ruleset.TryGetProperty("bypassActors", out var withheld) && withheld.ValueKind == JsonValueKind.Null)
            {
                // GitHub withholds the bypass list from a caller without write access to the ruleset, as REST does:
                // withheld is not empty, so administrators are assumed able to bypass it.
                bypass = BranchProtectionReader.AdministratorsAssumed;
            }
            else if (ruleset.Object("bypassActors") is not { } bypassList || (bypassList.Long("totalCount") ?? 0) > BypassActorsPerRuleset
                || RulesetBypass(bypassList) is not { } listed)
            {
                return null;
            }
            else
            {
                bypass = listed;
            }

            var sourceName = sourceType == "Organization" ? source?.String("login") ?? org : source?.String("nameWithOwner") ?? $"{org}/{repository}";
            foreach (var rule in ruleList.Array("nodes"))
            {
                var type = (rule.String("type") ?? "").ToLowerInvariant();
                var parameters = rule.Object("parameters");
                rules.Add(new BranchRule
                {
                    Type = type,
                    RulesetSourceType = sourceType,
                    RulesetSource = sourceName,
                    RulesetId = ruleset.Long("databaseId") ?? 0,
                    RulesetName = ruleset.String("name") ?? "",
                    Bypass = bypass,
                    PullRequest = type == "pull_request" && parameters is { } p
                        ? new PullRequestRuleParameters(
                            (int)(p.Long("requiredApprovingReviewCount") ?? 0),
                            p.Bool("dismissStaleReviewsOnPush"),
                            p.Bool("requireCodeOwnerReview"),
                            p.Bool("requireLastPushApproval"))
                        : null,
                    RequiredStatusChecks = type == "required_status_checks" && parameters is { } s
                        ? s.Array("requiredStatusChecks").Select(c => new RequiredStatusCheck(c.String("context") ?? "", c.Long("integrationId"))).ToList()
                        : [],
                });
            }
        }

        ClassicProtection? classicProtection = null;
        if (classic is { } classicRule && (classicProtection = Classic(classicRule)) is null)
        {
            return null;
        }

        return new BranchProtectionState
        {
            Branch = branch,
            Classic = classicProtection,
            Rules = rules,
        };
    }

    /// <summary>
    /// A ruleset's bypass actors as REST's <c>bypass_actors</c> names them (GitHub ignores the id of organisation owners
    /// and deploy keys), or null when one cannot be told apart here (no mode, as for "exempt", or an actor GraphQL
    /// does not name): then REST reads the repository.
    /// </summary>
    private static List<BypassActor>? RulesetBypass(JsonElement bypassList)
    {
        var result = new List<BypassActor>();
        foreach (var node in bypassList.Array("nodes"))
        {
            var mode = node.String("bypassMode") switch
            {
                "ALWAYS" => "always",
                "PULL_REQUEST" => "pull_request",
                _ => null,
            };
            var actor = node.Object("actor");
            BypassActor? parsed = (node.Bool("organizationAdmin"), node.Bool("deployKey"), node.Long("repositoryRoleDatabaseId"), actor?.String("__typename")) switch
            {
                (_, _, _, _) when mode is null => null,
                (true, _, _, _) => new BypassActor(BypassActor.OrganizationAdmin, null, mode),
                (_, true, _, _) => new BypassActor(BypassActor.DeployKey, null, mode),
                (_, _, { } role, _) => new BypassActor(BypassActor.RepositoryRole, role, mode, IsBuiltInRole(role) ? null : node.String("repositoryRoleName")),
                (_, _, _, "Team") => new BypassActor(BypassActor.Team, actor!.Value.Long("databaseId"), mode, actor.Value.String("slug")),
                (_, _, _, "App") => new BypassActor(BypassActor.Integration, actor!.Value.Long("databaseId"), mode, actor.Value.String("slug")),
                _ => null,
            };
            if (parsed is null)
            {
                return null;
            }

            result.Add(parsed);
        }

        return result;
    }

    private static bool IsBuiltInRole(long id) => id is BypassActor.AdminRoleId or BypassActor.MaintainRoleId or BypassActor.WriteRoleId;

    /// <summary>
    /// A classic rule as REST's <c>GET .../branches/{branch}/protection</c> would answer it, read by the same code as that
    /// answer, so that a remediation (the PUT body that keeps everything else of the protection) is built from GraphQL's
    /// read alone. Null when the review bypass list was cut short or names an actor GraphQL does not name (REST reads
    /// the repository then). Push and review-dismissal restrictions are lists that would multiply every page's cost and
    /// that only a remediation needs: when the rule has any, the answer is not kept (<see cref="ClassicProtection.Response"/>
    /// null) and a remediation reads the protection through REST.
    /// </summary>
    private static ClassicProtection? Classic(JsonElement rule)
    {
        if (ReviewBypass(rule) is not { } reviewBypass)
        {
            return null;
        }

        static JsonObject Enabled(bool value) => new() { ["enabled"] = value };
        var response = new JsonObject();
        if (rule.Bool("requiresStatusChecks"))
        {
            var checks = rule.Array("requiredStatusChecks").ToList();
            response["required_status_checks"] = new JsonObject
            {
                ["strict"] = rule.Bool("requiresStrictStatusChecks"),
                ["contexts"] = new JsonArray([.. checks.Select(c => (JsonNode?)c.String("context"))]),
                ["checks"] = new JsonArray([.. checks.Select(c => (JsonNode)new JsonObject { ["context"] = c.String("context"), ["app_id"] = c.Object("app")?.Long("databaseId") })]),
            };
        }

        if (rule.Bool("requiresApprovingReviews"))
        {
            var reviews = new JsonObject
            {
                ["dismiss_stale_reviews"] = rule.Bool("dismissesStaleReviews"),
                ["require_code_owner_reviews"] = rule.Bool("requiresCodeOwnerReviews"),
                ["required_approving_review_count"] = rule.Long("requiredApprovingReviewCount") ?? 0,
                ["require_last_push_approval"] = rule.Bool("requireLastPushApproval"),
            };
            if (reviewBypass.Count > 0)
            {
                JsonArray Actors(string type, string key) =>
                    [.. reviewBypass.Where(a => a.ActorType == type).Select(a => (JsonNode)new JsonObject { [key] = a.Name, ["id"] = a.ActorId })];
                reviews["bypass_pull_request_allowances"] = new JsonObject
                {
                    ["users"] = Actors(BypassActor.User, "login"),
                    ["teams"] = Actors(BypassActor.Team, "slug"),
                    ["apps"] = Actors(BypassActor.Integration, "slug"),
                };
            }

            response["required_pull_request_reviews"] = reviews;
        }

        response["required_signatures"] = Enabled(rule.Bool("requiresCommitSignatures"));
        response["enforce_admins"] = Enabled(rule.Bool("isAdminEnforced"));
        response["required_linear_history"] = Enabled(rule.Bool("requiresLinearHistory"));
        response["allow_force_pushes"] = Enabled(rule.Bool("allowsForcePushes"));
        response["allow_deletions"] = Enabled(rule.Bool("allowsDeletions"));
        response["block_creations"] = Enabled(rule.Bool("blocksCreations"));
        response["required_conversation_resolution"] = Enabled(rule.Bool("requiresConversationResolution"));
        response["lock_branch"] = Enabled(rule.Bool("lockBranch"));
        response["allow_fork_syncing"] = Enabled(rule.Bool("lockAllowsFetchAndMerge"));
        var classic = BranchProtectionReader.ParseClassic(JsonSerializer.SerializeToElement(response));
        return rule.Bool("restrictsPushes") || rule.Bool("restrictsReviewDismissals") ? classic with { Response = null } : classic;
    }

    /// <summary>Classic protection's review bypass allowances, or null when the list was cut short or names an unknown actor.</summary>
    private static List<BypassActor>? ReviewBypass(JsonElement rule)
    {
        // Allowances let actors skip required reviews: a rule that requires none has none to read (REST shows none).
        if (!rule.Bool("requiresApprovingReviews"))
        {
            return [];
        }

        if (rule.Object("bypassPullRequestAllowances") is not { } allowances || (allowances.Long("totalCount") ?? 0) > ReviewBypassPerRule)
        {
            return null;
        }

        var result = new List<BypassActor>();
        foreach (var actor in allowances.Array("nodes").Select(n => n.Object("actor")))
        {
            BypassActor? parsed = actor?.String("__typename") switch
            {
                "User" => new BypassActor(BypassActor.User, actor.Value.Long("databaseId"), "pull_request", actor.Value.String("login")),
                "Team" => new BypassActor(BypassActor.Team, actor.Value.Long("databaseId"), "pull_request", actor.Value.String("slug")),
                "App" => new BypassActor(BypassActor.Integration, actor.Value.Long("databaseId"), "pull_request", actor.Value.String("slug")),
                _ => null,
            };
            if (parsed is null)
            {
                return null;
            }

            result.Add(parsed);
        }

        return result;
    }

    private static List<string> Strings(JsonElement element, string property) =>
        [.. element.Array(property).Select(s => s.GetString()).OfType<string>()];
}
