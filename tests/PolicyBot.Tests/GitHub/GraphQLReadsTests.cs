using System.Text.Json;
using GraphQL;
using GraphQL.Types;
using Octokit;
using Octokit.Internal;
using PolicyBot.Enforcement.State;
using PolicyBot.Sandbox;

namespace PolicyBot.Tests.GitHub;

/// <summary>
/// What PolicyBot reads of an organisation through GraphQL equals what it reads through REST: the same files,
/// CODEOWNERS errors, classic protection and, with ruleset conditions evaluated locally, the same rules GitHub's
/// <c>GET /repos/{o}/{r}/rules/branches/{branch}</c> answers (the oracle). And every document PolicyBot sends is
/// valid against GitHub's whole published schema.
/// </summary>
public sealed class GraphQLReadsTests
{
    private const string Scenario = """
        org: acme
        installation_id: 1001
        # Write access to organisation rulesets, so that GitHub shows their bypass lists (withheld lists are
        # covered end to end by BranchProtectionEnforcementTests).
        installation_permissions: { organization_administration: write }
        members: [alice, bob]
        admins: [alice]
        teams:
          - { slug: platform, members: [alice, bob] }
        org_rulesets:
          - name: services
            target: branch
            enforcement: active
            conditions:
              ref_name: { include: ["~ALL"], exclude: ["refs/heads/experiment/**"] }
              repository_name: { include: ["svc-*"], exclude: ["svc-legacy"] }
            bypass_actors: [{ actor_id: 1, actor_type: OrganizationAdmin, bypass_mode: always }]
            rules:
              - { type: required_status_checks, parameters: { strict_required_status_checks_policy: false, required_status_checks: [{ context: PolicyBot, integration_id: 4242 }, { context: build }] } }
          - name: switched off
            target: branch
            enforcement: disabled
            conditions:
              ref_name: { include: ["~ALL"], exclude: [] }
              repository_name: { include: ["~ALL"], exclude: [] }
            rules: [{ type: deletion }]
        repos:
          - name: svc-a
            protection: { required_approving_review_count: 1, require_code_owner_reviews: true, required_status_checks: [PolicyBot] }
            files:
              catalog-info.yaml: "apiVersion: backstage.io/v1alpha1\nkind: Component\nspec:\n  lifecycle: production\n"
              CODEOWNERS: "* @acme/platform\n/docs/ @acme/ghosts\n"
              .github/policybot.yml: "version: 1\n"
          - name: svc-legacy
            rulesets:
              - name: releases only
                target: branch
                enforcement: active
                conditions: { ref_name: { include: ["release/*"], exclude: [] } }
                rules: [{ type: deletion }]
          - name: vendored
            rulesets:
              - name: exempt bots
                target: branch
                enforcement: active
                conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } }
                bypass_actors: [{ actor_id: 4, actor_type: RepositoryRole, bypass_mode: exempt }]
                rules: [{ type: deletion }]
          - name: web
            default_branch: trunk
            rulesets:
              - name: trunk
                target: branch
                enforcement: active
                conditions: { ref_name: { include: ["refs/heads/trunk"], exclude: [] } }
                bypass_actors: [{ actor_id: 5, actor_type: RepositoryRole, bypass_mode: always }]
                rules:
                  - { type: non_fast_forward }
                  - { type: pull_request, parameters: { required_approving_review_count: 2, dismiss_stale_reviews_on_push: true, require_code_owner_review: true, require_last_push_approval: false, required_review_thread_resolution: false } }
              - name: every default branch but excluded
                target: branch
                enforcement: active
                conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: ["trunk"] } }
                rules: [{ type: deletion }]
              - name: tags
                target: tag
                enforcement: active
                conditions: { ref_name: { include: ["~ALL"], exclude: [] } }
                rules: [{ type: deletion }]
            files:
              .github/CODEOWNERS: "* @acme/platform\n"
        """;

    [Fact]
    public async Task A_GraphQL_page_reads_what_REST_reads_with_ruleset_conditions_evaluated_as_GitHub_does()
    {
        await using var sim = await GitHubSimulator.StartAsync(new SimulatorOptions());
        sim.Load(Scenario, "graphql-reads.yml");
        await sim.InstallAsync("acme");
        var client = Client(sim);
        // Bypass by a team and by an app, named by id as GitHub's rulesets API takes them.
        var platform = await client.Connection.GetAsync("orgs/acme/teams/platform", default);
        await client.Connection.Post<object>(new Uri("repos/acme/svc-a/rulesets", UriKind.Relative), new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = "release managers",
            ["target"] = "branch",
            ["enforcement"] = "active",
            ["conditions"] = new System.Text.Json.Nodes.JsonObject { ["ref_name"] = new System.Text.Json.Nodes.JsonObject { ["include"] = new System.Text.Json.Nodes.JsonArray("~DEFAULT_BRANCH"), ["exclude"] = new System.Text.Json.Nodes.JsonArray() } },
            ["bypass_actors"] = new System.Text.Json.Nodes.JsonArray(
                new System.Text.Json.Nodes.JsonObject { ["actor_id"] = platform!.Value.GetProperty("id").GetInt64(), ["actor_type"] = "Team", ["bypass_mode"] = "pull_request" },
                new System.Text.Json.Nodes.JsonObject { ["actor_id"] = 29110, ["actor_type"] = "Integration", ["bypass_mode"] = "always" }),
            ["rules"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["type"] = "deletion" }),
        }.ToJsonString(), "application/json", "application/json");

        // Classic protection with everything a remediation's PUT must keep: review bypass by a user, a team and an app,
        // checks bound to an app, the flags the baseline has no opinion on. And one that restricts pushes (a list the
        // page does not read, so its remediation reads REST).
        await client.Connection.Put<object>(new Uri("repos/acme/svc-legacy/branches/main/protection", UriKind.Relative), """
            {
              "required_status_checks": { "strict": true, "contexts": [], "checks": [{ "context": "build", "app_id": 15368 }, { "context": "lint" }] },
              "enforce_admins": true,
              "required_pull_request_reviews": {
                "dismiss_stale_reviews": true, "require_code_owner_reviews": false, "required_approving_review_count": 2, "require_last_push_approval": true,
                "bypass_pull_request_allowances": { "users": ["bob"], "teams": ["platform"], "apps": ["dependabot"] }
              },
              "restrictions": null,
              "required_linear_history": true, "allow_force_pushes": false, "allow_deletions": true, "block_creations": true,
              "required_conversation_resolution": true, "lock_branch": false, "allow_fork_syncing": true
            }
            """);
        await client.Connection.Put<object>(new Uri("repos/acme/web/branches/trunk/protection", UriKind.Relative), """
            { "required_status_checks": null, "enforce_admins": false, "required_pull_request_reviews": null, "restrictions": { "users": ["alice"], "teams": [] } }
            """);

        var organizationRulesets = await OrganizationGraphQLReader.ReadOrganizationRulesetsAsync(client.Connection, "acme", default);
        sim.ClearRequests();
        var page = await OrganizationGraphQLReader.ReadPageAsync(client.Connection, "acme", null, organizationRulesets, default);
        Assert.Null(page.NextCursor);
        // The page (up to 100 repositories with three lists each: 301 requests, 3 points), then by id the review bypass of
        // the two classic rules that require reviews, and the bypass lists and rules of the three repository rulesets that
        // apply to a default branch (not "releases only", the excluded one, tags).
        Assert.Equal([3, 1, 1], sim.Requests.Where(r => r.Resource == "graphql").Select(r => r.Cost));
        Assert.Equal(5, page.Cost);
        Assert.Equal(["svc-a", "svc-legacy", "vendored", "web"], page.Repositories.Select(r => r.Snapshot.Name));
        // GraphQL has no "exempt" bypass mode: that repository's protection is left to REST.
        Assert.Null(page.Repositories[2].DefaultBranch);

        foreach (var fromGraphQL in page.Repositories)
        {
            var snapshot = fromGraphQL.Snapshot;
            var fromRest = await RepositoryStateReader.ReadFilesAsync(client, snapshot with { PolicyFile = null, CatalogInfo = null, CodeOwners = null }, default);
            Assert.Equal(Json(fromRest.PolicyFile), Json(snapshot.PolicyFile));
            Assert.Equal(Json(fromRest.CatalogInfo), Json(snapshot.CatalogInfo));
            Assert.Equal(Json(fromRest.CodeOwners), Json(snapshot.CodeOwners));
            Assert.Equal(fromRest.Lifecycle, snapshot.Lifecycle);

            // The oracle knows the app's name because the baseline names it (it looks apps up by slug); GraphQL names every one.
            if (fromGraphQL.DefaultBranch is null)
            {
                continue;
            }

            var oracle = await new BranchProtectionReader(client.Connection, "acme", snapshot.Name, ["app:dependabot"]).ReadAsync(snapshot.DefaultBranch, default);
            var local = Assert.IsType<Policies.Snapshots.BranchProtectionState>(fromGraphQL.DefaultBranch);
            Assert.Equal(Json(oracle.Classic is { } classic ? classic with { Response = null } : null), Json(local.Classic is { } read ? read with { Response = null } : null));
            // The remediation built from the page's read is the one built from REST's answer, to the byte.
            if (local.Classic is { Response: not null })
            {
                var baseline = new Policies.Configuration.BranchProtectionConfig { RequiredApprovingReviewCount = 3, RequiredStatusChecks = ["PolicyBot"], EnforceAdmins = true };
                Assert.Equal(
                    Policies.BranchProtection.BranchProtectionFix.PlanFor(baseline, oracle.Classic, 4242).ToJsonString(),
                    Policies.BranchProtection.BranchProtectionFix.PlanFor(baseline, local.Classic, 4242).ToJsonString());
            }
            Assert.Equal(oracle.Rules.Select(Json).Order(StringComparer.Ordinal), local.Rules.Select(Json).Order(StringComparer.Ordinal));
        }

        var legacy = page.Repositories[1].DefaultBranch!.Classic!;
        Assert.NotNull(legacy.Response);
        Assert.Equal(["User bob", "Team platform", "Integration dependabot"], legacy.ReviewBypass.Select(a => $"{a.ActorType} {a.Name}"));
        Assert.Contains(legacy.RequiredStatusChecks, c => c is { Context: "build", AppId: 15368 });
        // Push restrictions: no answer to build a remediation from, so the assessor reads REST for one.
        Assert.Null(page.Repositories[3].DefaultBranch!.Classic!.Response);

        // The cases are there: an org ruleset by name, an excluded repository, ~DEFAULT_BRANCH with an exclusion, bypass.
        var svcA = page.Repositories[0].DefaultBranch!.Rules;
        Assert.Equal(2, svcA.Single(r => r.Type == "required_status_checks").RequiredStatusChecks.Count);
        Assert.Equal("OrganizationAdmin", Assert.Single(svcA.Single(r => r.Type == "required_status_checks").Bypass).ActorType);
        Assert.Equal(["Team platform pull_request", "Integration dependabot always"], svcA.Single(r => r.Type == "deletion").Bypass.Select(a => $"{a.ActorType} {a.Name} {a.Mode}"));
        Assert.Empty(page.Repositories[1].DefaultBranch!.Rules);
        var web = page.Repositories[3].DefaultBranch!.Rules;
        Assert.Equal(["non_fast_forward", "pull_request"], web.Select(r => r.Type).Order(StringComparer.Ordinal));
        Assert.True(web.Single(r => r.Type == "pull_request").AdminsCanBypass);
        Assert.Equal("trunk", web.Single(r => r.Type == "pull_request").RulesetName);
        Assert.Single(page.Repositories[0].Snapshot.CodeOwners!.Errors);
        Assert.Equal("production", page.Repositories[0].Snapshot.Lifecycle);
    }

    [Fact]
    public async Task Team_access_read_for_the_whole_organisation_is_what_REST_lists_for_each_repository()
    {
        // A team on every repository (more than a page of them), teams on a few with each role, a child team, a team on none.
        var repos = string.Concat(Enumerable.Range(0, 103).Select(i => $"\n  - name: r-{i:D3}"));
        await using var sim = await GitHubSimulator.StartAsync(new SimulatorOptions());
        sim.Load($$"""
            org: acme
            installation_id: 1001
            members: [alice, bob]
            admins: [alice]
            teams:
              - { slug: everyone, members: [alice, bob] }
              - { slug: platform, members: [alice], repos: { r-001: admin, r-002: pull, r-003: triage, r-004: push } }
              - { slug: web, parent: platform, members: [bob], repos: { r-004: maintain } }
              - { slug: idle, members: [bob], repos: { r-050: pull } }
            repos:{{repos}}
            """, "team-access.yml");
        await sim.InstallAsync("acme");
        var client = Client(sim);
        using (var admin = sim.CreateClient("alice"))
        {
            (await admin.DeleteAsync(new Uri("orgs/acme/teams/idle/repos/acme/r-050", UriKind.Relative))).EnsureSuccessStatusCode();
        }

        sim.ClearRequests();
        var access = await OrganizationGraphQLReader.ReadTeamAccessAsync(client.Connection, "acme", default);

        // Two queries, a point each: the teams with a page of repositories each, then the rest of `everyone`'s.
        var queries = sim.Requests.Where(r => r.Resource == "graphql").ToList();
        Assert.Equal([1, 1], queries.Select(r => r.Cost));
        for (var i = 0; i < 103; i++)
        {
            var name = $"r-{i:D3}";
            var oracle = await RepositoryStateReader.ReadTeamAccessAsync(client, new Policies.Snapshots.RepositorySnapshot { Owner = "acme", Name = name, DefaultBranch = "main" }, default);
            var read = access.GetValueOrDefault(name) ?? new Dictionary<string, Policies.RepositoryAccess>();
            Assert.Equal(oracle.OrderBy(a => a.Key, StringComparer.Ordinal), read.OrderBy(a => a.Key, StringComparer.Ordinal));
        }

        Assert.Equal(Policies.RepositoryAccess.Maintain, access["r-004"]["web"]);
        Assert.Equal(Policies.RepositoryAccess.Write, access["r-004"]["platform"]);
        Assert.Equal(Policies.RepositoryAccess.Triage, access["r-003"]["platform"]);
        Assert.Equal(Policies.RepositoryAccess.Write, access["r-102"]["everyone"]);
        Assert.DoesNotContain("idle", access["r-050"].Keys);
    }

    [Fact]
    public async Task Every_document_PolicyBot_sends_is_valid_against_GitHubs_whole_schema()
    {
        var published = GraphQLParser.Parser.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "github-graphql", "schema.graphql")));
        // GitHub's published file declares one field twice (EnterpriseOwnerInfo.repositoryDeployKeySetting); GraphQL.NET
        // refuses that, so keep each field's first declaration, which is all validation needs.
        foreach (var type in published.Definitions.OfType<GraphQLParser.AST.GraphQLObjectTypeDefinition>().Where(t => t.Fields is not null))
        {
            type.Fields!.Items = [.. type.Fields.Items.DistinctBy(f => f.Name.StringValue)];
        }

        using var writer = new StringWriter();
        await new GraphQLParser.Visitors.SDLPrinter().PrintAsync(published, writer);
        // Validation only: nothing is resolved, so every object type may claim any value.
        var schema = Schema.For(writer.ToString(), builder => builder.Types.ForAll(type => type.IsTypeOfFunc = _ => true));
        foreach (var scalar in published.Definitions.OfType<GraphQLParser.AST.GraphQLScalarTypeDefinition>())
        {
            schema.RegisterType(new StringScalar(scalar.Name.StringValue));
        }

        schema.Initialize();
        foreach (var document in new[] { OrganizationGraphQLReader.Query, OrganizationGraphQLReader.OrganizationRulesetsQuery, OrganizationGraphQLReader.TeamRepositoriesQuery, OrganizationGraphQLReader.TeamMoreRepositoriesQuery,
            OrganizationGraphQLReader.ReviewBypassQuery, OrganizationGraphQLReader.RulesetDetailsQuery })
        {
            var result = await new DocumentExecuter().ExecuteAsync(new ExecutionOptions
            {
                Schema = schema,
                Query = document,
                Variables = new GraphQL.Inputs(new Dictionary<string, object?> { ["org"] = "acme", ["first"] = 50, ["slug"] = "platform", ["ids"] = new object[] { "BPR_1" } }),
            });
            Assert.True(result.Executed, "invalid: " + string.Join("; ", result.Errors?.Select(e => e.Message) ?? []));
        }
    }

    private static GitHubClient Client(GitHubSimulator sim) =>
        new(new Connection(new ProductHeaderValue("policybot-tests"), sim.BaseUrl, new InMemoryCredentialStore(new Credentials(sim.CreateInstallationToken(1001), AuthenticationType.Bearer))));

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    private sealed class StringScalar : ScalarGraphType
    {
        public StringScalar(string name) => Name = name;

        public override object? ParseLiteral(GraphQLParser.AST.GraphQLValue value) => value is GraphQLParser.AST.GraphQLStringValue s ? (string)s.Value : null;

        public override object? ParseValue(object? value) => value;

        public override object? Serialize(object? value) => value?.ToString();
    }
}
