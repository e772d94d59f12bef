using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests.GraphQL;

/// <summary>
/// The simulator's GraphQL API answers from the same state as REST, pages connections with cursors, and charges
/// GitHub's documented cost to a GraphQL budget separate from REST ("Rate limits and node limits for the GraphQL
/// API", docs.github.com: first/last 1–100 on every connection; cost = requests to fill each connection / 100, at least 1).
/// </summary>
public sealed class GraphQLTests
{
    private const string Org = """
        org: acme
        installation_id: 1001
        members: [alice, bob]
        admins: [alice]
        teams:
          - { slug: platform, members: [alice, bob] }
        rate_limit: { core: 300, graphql: 40 }
        repos:
          - name: payments
            protection:
              required_approving_review_count: 2
              required_status_checks: [PolicyBot]
            files:
              catalog-info.yaml: "kind: Component\n"
              .github/CODEOWNERS: "* @acme/platform @acme/nobody\n"
          - name: web
            rulesets:
              - name: main needs review
                target: branch
                enforcement: active
                conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } }
                bypass_actors: [{ actor_id: 5, actor_type: RepositoryRole, bypass_mode: always }]
                rules:
                  - { type: pull_request, parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: true, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false } }
                  - { type: deletion }
          - name: archive
            archived: true
        """;

    private const string RepositoriesQuery = """
        query($org: String!, $after: String) {
          rateLimit { cost remaining limit used }
          organization(login: $org) {
            repositories(first: 2, after: $after, orderBy: {field: NAME, direction: ASC}) {
              totalCount
              pageInfo { hasNextPage endCursor }
              nodes {
                name nameWithOwner isArchived databaseId
                defaultBranchRef { name target { oid } }
                catalog: object(expression: "HEAD:catalog-info.yaml") { ... on Blob { text oid } }
                codeowners { errors { line kind path source } }
                branchProtectionRules(first: 10) { nodes { pattern requiresApprovingReviews requiredApprovingReviewCount requiredStatusCheckContexts } }
                rulesets(first: 5, includeParents: true) {
                  nodes {
                    name enforcement target
                    source { __typename ... on Repository { nameWithOwner } }
                    conditions { refName { include exclude } }
                    bypassActors(first: 5) { nodes { repositoryRoleDatabaseId organizationAdmin } }
                    rules(first: 10) { nodes { type parameters { ... on PullRequestParameters { requiredApprovingReviewCount dismissStaleReviewsOnPush } } } }
                  }
                }
              }
            }
          }
        }
        """;

    [Fact]
    public async Task Organisation_repositories_page_with_cursors_and_answer_from_the_same_state_as_REST()
    {
        await using var sim = await TestOrgs.StartAsync(yaml: Org);
        using var bot = Installation(sim);

        var first = await Query(bot, RepositoriesQuery, new JsonObject { ["org"] = "acme" });
        Assert.Null(first["errors"]);
        var page = first["data"]!["organization"]!["repositories"]!;
        Assert.Equal(3, (int)page["totalCount"]!);
        Assert.True((bool)page["pageInfo"]!["hasNextPage"]!);
        var nodes = page["nodes"]!.AsArray();
        Assert.Equal(["archive", "payments"], nodes.Select(n => (string)n!["name"]!));

        var payments = nodes[1]!;
        Assert.Equal("main", (string)payments["defaultBranchRef"]!["name"]!);
        Assert.Equal(sim.Read(s => s.FindRepo("acme", "payments")!.Branches["main"]), (string)payments["defaultBranchRef"]!["target"]!["oid"]!);
        Assert.Equal("kind: Component\n", (string)payments["catalog"]!["text"]!);
        // The blob id is git's, so it equals the sha the contents API gives.
        var contents = await new SimClient(bot).Get("repos/acme/payments/contents/catalog-info.yaml");
        Assert.Equal((string)contents["sha"]!, (string)payments["catalog"]!["oid"]!);
        var error = Assert.Single(payments["codeowners"]!["errors"]!.AsArray());
        Assert.Equal(".github/CODEOWNERS", (string)error!["path"]!);
        var rule = Assert.Single(payments["branchProtectionRules"]!["nodes"]!.AsArray())!;
        Assert.Equal("main", (string)rule["pattern"]!);
        Assert.Equal(2, (int)rule["requiredApprovingReviewCount"]!);
        Assert.Equal(["PolicyBot"], rule["requiredStatusCheckContexts"]!.AsArray().Select(c => (string)c!));
        Assert.Null(nodes[0]!["catalog"]);
        Assert.Null(nodes[0]!["codeowners"]);

        var second = await Query(bot, RepositoriesQuery, new JsonObject { ["org"] = "acme", ["after"] = (string)page["pageInfo"]!["endCursor"]! });
        var web = Assert.Single(second["data"]!["organization"]!["repositories"]!["nodes"]!.AsArray())!;
        Assert.False((bool)second["data"]!["organization"]!["repositories"]!["pageInfo"]!["hasNextPage"]!);
        var ruleset = Assert.Single(web["rulesets"]!["nodes"]!.AsArray())!;
        Assert.Equal("ACTIVE", (string)ruleset["enforcement"]!);
        Assert.Equal("BRANCH", (string)ruleset["target"]!);
        Assert.Equal("Repository", (string)ruleset["source"]!["__typename"]!);
        Assert.Equal("acme/web", (string)ruleset["source"]!["nameWithOwner"]!);
        Assert.Equal(["~DEFAULT_BRANCH"], ruleset["conditions"]!["refName"]!["include"]!.AsArray().Select(c => (string)c!));
        Assert.Equal(5, (int)ruleset["bypassActors"]!["nodes"]![0]!["repositoryRoleDatabaseId"]!);
        var rules = ruleset["rules"]!["nodes"]!.AsArray();
        Assert.Equal(["PULL_REQUEST", "DELETION"], rules.Select(r => (string)r!["type"]!));
        Assert.Equal(1, (int)rules[0]!["parameters"]!["requiredApprovingReviewCount"]!);
        Assert.Null(rules[1]!["parameters"]);
    }

    [Fact]
    public async Task A_query_costs_GitHubs_formula_from_a_GraphQL_budget_apart_from_REST_and_the_request_log_shows_it()
    {
        await using var sim = await TestOrgs.StartAsync(yaml: Org);
        using var bot = Installation(sim);

        // repositories(first: 2): 1 request; per repository branchProtectionRules and rulesets: 2 + 2;
        // per ruleset (2 x 5) bypassActors and rules: 10 + 10. 25 requests / 100 rounds to 0: the minimum, 1.
        var answer = await Query(bot, RepositoriesQuery, new JsonObject { ["org"] = "acme" });
        Assert.Equal(1, (int)answer["data"]!["rateLimit"]!["cost"]!);
        Assert.Equal(40, (int)answer["data"]!["rateLimit"]!["limit"]!);
        Assert.Equal(39, (int)answer["data"]!["rateLimit"]!["remaining"]!);

        // 100 repositories x rulesets(first: 40) x rules(first: 100): 1 + 100 + 4,000 requests = 41 points, more than remain.
        const string Expensive = "{ organization(login: \"acme\") { repositories(first: 100) { nodes { rulesets(first: 40) { nodes { rules(first: 100) { totalCount } } } } } } }";
        var refused = await Query(bot, Expensive);
        Assert.Equal("RATE_LIMITED", (string)refused["errors"]![0]!["type"]!);
        Assert.Null(refused["data"]);

        Assert.Equal(200, (await new SimClient(bot).Get("repos/acme/payments")).Code);
        Assert.Equal((40, 1, 39), (sim.RateLimit(1001, "graphql").Limit, sim.RateLimit(1001, "graphql").Used, sim.RateLimit(1001, "graphql").Remaining));
        Assert.Equal((300, 1), (sim.RateLimit(1001).Limit, sim.RateLimit(1001).Used));

        using var control = sim.CreateClient();
        var log = (await control.GetFromJsonAsync<JsonArray>("_sandbox/requests"))!;
        Assert.Equal([1, 0, 1], log.Select(r => (int)r!["cost"]!));
        Assert.Equal(["graphql", "graphql", "core"], log.Select(r => (string)r!["resource"]!));
        var budgets = (await control.GetFromJsonAsync<JsonArray>("_sandbox/rate-limits"))!;
        var graphql = budgets.Single(b => (long?)b!["installation_id"] == 1001 && (string)b["resource"]! == "graphql")!;
        Assert.Equal((1, 39), ((int)graphql["used"]!, (int)graphql["remaining"]!));
    }

    [Fact]
    public async Task Connections_need_first_or_last_within_100_and_unknown_fields_are_refused_as_GitHub_refuses_them()
    {
        await using var sim = await TestOrgs.StartAsync(yaml: Org);
        using var bot = Installation(sim);

        var missing = await Query(bot, "{ organization(login: \"acme\") { repositories { totalCount } } }");
        Assert.Equal("MISSING_PAGINATION_BOUNDARIES", (string)missing["errors"]![0]!["type"]!);
        var excessive = await Query(bot, "{ organization(login: \"acme\") { repositories(first: 101) { totalCount } } }");
        Assert.Equal("EXCESSIVE_PAGINATION", (string)excessive["errors"]![0]!["type"]!);
        var unknown = await Query(bot, "{ organization(login: \"acme\") { notAField } }");
        Assert.NotNull(unknown["errors"]);
        Assert.Null(unknown["data"]);
        Assert.Equal(0, sim.RateLimit(1001, "graphql").Used);

        var otherOrg = await Query(bot, "{ organization(login: \"globex\") { login } }");
        Assert.Equal("NOT_FOUND", (string)otherOrg["errors"]![0]!["type"]!);
        Assert.Null(otherOrg["data"]!["organization"]);
    }

    [Fact]
    public async Task GitHub_Enterprise_Servers_path_answers_too_and_a_person_needs_to_sign_in()
    {
        await using var sim = await TestOrgs.StartAsync(yaml: Org);
        using var bot = Installation(sim);
        using var response = await bot.PostAsJsonAsync("api/graphql", new { query = "{ repository(owner: \"acme\", name: \"web\") { nameWithOwner isPrivate visibility } }" });
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("acme/web", (string)answer["data"]!["repository"]!["nameWithOwner"]!);
        Assert.Equal("PRIVATE", (string)answer["data"]!["repository"]!["visibility"]!);

        using var anonymous = sim.CreateClient();
        using var refused = await anonymous.PostAsJsonAsync("graphql", new { query = "{ rateLimit { cost } }" });
        Assert.Equal(401, (int)refused.StatusCode);
    }

    [Fact]
    public async Task Rules_and_rulesets_are_looked_up_by_global_id_and_each_id_counts_as_a_node_for_the_cost()
    {
        await using var sim = await TestOrgs.StartAsync(yaml: Org);
        using var bot = Installation(sim);
        var page = await Query(bot, """
            { organization(login: "acme") { repositories(first: 3, orderBy: {field: NAME, direction: ASC}) { nodes { name
              branchProtectionRules(first: 1) { nodes { id } } rulesets(first: 1) { nodes { id name } } } } } }
            """);
        var nodes = page["data"]!["organization"]!["repositories"]!["nodes"]!.AsArray();
        var ruleId = (string)nodes.Single(n => (string)n!["name"]! == "payments")!["branchProtectionRules"]!["nodes"]![0]!["id"]!;
        var rulesetId = (string)nodes.Single(n => (string)n!["name"]! == "web")!["rulesets"]!["nodes"]![0]!["id"]!;

        const string ById = """
            query($ids: [ID!]!) {
              rateLimit { cost }
              nodes(ids: $ids) {
                __typename
                ... on BranchProtectionRule { id requiredApprovingReviewCount bypassPullRequestAllowances(first: 10) { totalCount } }
                ... on RepositoryRuleset { id name rules(first: 10) { totalCount } }
              }
            }
            """;
        var found = await Query(bot, ById, new JsonObject { ["ids"] = new JsonArray(ruleId, rulesetId) });
        Assert.Null(found["errors"]);
        var byId = found["data"]!["nodes"]!.AsArray();
        Assert.Equal(("BranchProtectionRule", 2), ((string)byId[0]!["__typename"]!, (int)byId[0]!["requiredApprovingReviewCount"]!));
        Assert.Equal(("main needs review", 2), ((string)byId[1]!["name"]!, (int)byId[1]!["rules"]!["totalCount"]!));

        // GitHub's formula names connections only; each id is counted as a node the nested lists are read for, so 90 ids
        // with two nested lists each cost 180 requests, 2 points (not 2 requests, the minimum of 1).
        var many = new JsonArray([.. Enumerable.Range(0, 89).Select(_ => (JsonNode)ruleId), rulesetId]);
        Assert.Equal(2, (int)(await Query(bot, ById, new JsonObject { ["ids"] = many }))["data"]!["rateLimit"]!["cost"]!);

        // An id that names nothing the caller may see: null, with GitHub's NOT_FOUND error.
        var missing = await Query(bot, ById, new JsonObject { ["ids"] = new JsonArray("BPR_bm9uZQ") });
        Assert.Equal("NOT_FOUND", (string)missing["errors"]![0]!["type"]!);
        Assert.Null(missing["data"]!["nodes"]![0]);
    }

    private static HttpClient Installation(GitHubSimulator sim)
    {
        var client = sim.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sim.CreateInstallationToken(1001));
        return client;
    }

    private static async Task<JsonObject> Query(HttpClient client, string query, JsonObject? variables = null)
    {
        using var response = await client.PostAsJsonAsync("graphql", new JsonObject { ["query"] = query, ["variables"] = variables });
        Assert.True(200 == (int)response.StatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
