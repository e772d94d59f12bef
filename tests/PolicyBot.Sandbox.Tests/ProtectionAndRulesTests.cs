using System.Text.Json.Nodes;
using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests;

public sealed class ProtectionAndRulesTests(ProtectionAndRulesTests.RulesOrgFixture shared) : IClassFixture<ProtectionAndRulesTests.RulesOrgFixture>
{
    /// <summary>One simulator with <see cref="RulesOrg"/> for the tests that only read it.</summary>
    public sealed class RulesOrgFixture : IAsyncLifetime
    {
        public GitHubSimulator Sim { get; private set; } = null!;

        public async Task InitializeAsync() => Sim = await TestOrgs.StartAsync(yaml: RulesOrg);

        public async Task DisposeAsync() => await Sim.DisposeAsync();
    }

    private const string RulesOrg = """
        org: acme
        installation_id: 1001
        members: [alice]
        org_rulesets:
          - name: org main
            enforcement: active
            conditions:
              ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] }
              repository_name: { include: ["svc-*"], exclude: ["svc-legacy"] }
            rules:
              - { type: deletion }
          - name: org trial
            enforcement: evaluate
            conditions:
              ref_name: { include: ["~ALL"] }
              repository_name: { include: ["~ALL"] }
            rules:
              - { type: required_signatures }
        repos:
          - name: svc-a
            default_branch: trunk
            files: { README.md: "a\n" }
            rulesets:
              - name: everything
                enforcement: active
                conditions:
                  ref_name: { include: ["~ALL"], exclude: ["refs/heads/scratch/**"] }
                rules:
                  - { type: non_fast_forward }
              - name: releases
                enforcement: active
                conditions:
                  ref_name: { include: ["refs/heads/release/*"] }
                rules:
                  - type: pull_request
                    parameters: { required_approving_review_count: 2, dismiss_stale_reviews_on_push: true, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false }
              - name: disabled
                enforcement: disabled
                conditions:
                  ref_name: { include: ["~ALL"] }
                rules:
                  - { type: creation }
          - name: svc-legacy
            files: { README.md: "legacy\n" }
        """;

    private static async Task<List<(string Type, string SourceType, string Source)>> Rules(SimClient client, string repo, string branch)
    {
        var reply = await client.Get($"repos/acme/{repo}/rules/branches/{branch}");
        Assert.Equal(200, reply.Code);
        return [.. reply.Json!.AsArray().Select(r => (
            r!["type"]!.GetValue<string>(),
            r["ruleset_source_type"]!.GetValue<string>(),
            r["ruleset_source"]!.GetValue<string>()))];
    }

    [Fact]
    public async Task Effective_rules_follow_ref_and_repository_conditions_and_only_active_rulesets()
    {
        var sim = shared.Sim;
        using var bot = SimClient.AsInstallation(sim, 1001);

        var trunk = await Rules(bot, "svc-a", "trunk");
        var release = await Rules(bot, "svc-a", "release/1.0");
        var nestedRelease = await Rules(bot, "svc-a", "release/1.0/hotfix");
        var scratch = await Rules(bot, "svc-a", "scratch/idea/x");
        var legacy = await Rules(bot, "svc-legacy", "main");

        Assert.Equal([("non_fast_forward", "Repository", "acme/svc-a"), ("deletion", "Organization", "acme")], trunk);
        Assert.Equal([("non_fast_forward", "Repository", "acme/svc-a"), ("pull_request", "Repository", "acme/svc-a")], release);
        Assert.Equal([("non_fast_forward", "Repository", "acme/svc-a")], nestedRelease); // "*" stops at "/"
        Assert.Empty(scratch); // excluded, and not the default branch
        Assert.Empty(legacy); // excluded by repository_name; the evaluate-mode ruleset never counts
        var withIds = (await bot.Get("repos/acme/svc-a/rules/branches/trunk")).Json!.AsArray();
        Assert.All(withIds, r => Assert.True(r!["ruleset_id"]!.GetValue<long>() > 0));
        Assert.Equal(2, withIds.Select(r => r!["ruleset_id"]!.GetValue<long>()).Distinct().Count());
    }

    [Fact]
    public async Task Branch_names_with_slashes_work_encoded_or_not()
    {
        await using var sim = await TestOrgs.StartAsync(yaml: RulesOrg);
        using var alice = SimClient.AsPerson(sim, "alice");
        var trunk = await alice.Get("repos/acme/svc-a/git/ref/heads/trunk");
        await alice.Post("repos/acme/svc-a/git/refs", new { @ref = "refs/heads/release/2.0", sha = trunk["object"]["sha"]!.GetValue<string>() });

        var encoded = await alice.Get("repos/acme/svc-a/branches/release%2F2.0");
        var protect = await alice.Put("repos/acme/svc-a/branches/release%2F2.0/protection", new System.Text.Json.Nodes.JsonObject
        {
            ["required_status_checks"] = null, ["enforce_admins"] = true, ["required_pull_request_reviews"] = null, ["restrictions"] = null,
        });
        var rules = await Rules(alice, "svc-a", "release%2F2.0");
        var rulesRaw = await Rules(alice, "svc-a", "release/2.0");
        var reference = await alice.Get("repos/acme/svc-a/git/ref/heads/release/2.0");

        Assert.Equal("release/2.0", encoded["name"].GetValue<string>());
        Assert.Equal(200, protect.Code);
        Assert.NotNull(sim.Protection("acme", "svc-a", "release/2.0"));
        Assert.Equal(rulesRaw, rules);
        Assert.Contains(("pull_request", "Repository", "acme/svc-a"), rules);
        Assert.Equal("refs/heads/release/2.0", reference["ref"].GetValue<string>());
    }

    [Fact]
    public async Task Repository_rulesets_list_includes_the_organisations_unless_asked_not_to()
    {
        var sim = shared.Sim;
        using var bot = SimClient.AsInstallation(sim, 1001);

        var all = (await bot.Get("repos/acme/svc-a/rulesets")).Json!.AsArray();
        var own = (await bot.Get("repos/acme/svc-a/rulesets?includes_parents=false")).Json!.AsArray();
        var orgId = all.First(r => r!["source_type"]!.GetValue<string>() == "Organization")!["id"]!.GetValue<long>();
        var detail = await bot.Get($"repos/acme/svc-a/rulesets/{orgId}");

        Assert.Equal(["disabled", "everything", "org main", "org trial", "releases"], all.Select(r => r!["name"]!.GetValue<string>()).Order());
        Assert.Equal(3, own.Count);
        Assert.Null(all[0]!["rules"]); // the list is a summary
        Assert.Equal("deletion", detail["rules"][0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_new_ruleset_takes_effect_and_bad_ones_are_refused()
    {
        await using var sim = await TestOrgs.StartAsync(yaml: RulesOrg);
        using var alice = SimClient.AsPerson(sim, "alice");

        var bad = await alice.Post("repos/acme/svc-legacy/rulesets", new { name = "x", enforcement = "sometimes" });
        var missing = await alice.Post("repos/acme/svc-legacy/rulesets", new { enforcement = "active" });
        var partialRule = await alice.Post("repos/acme/svc-legacy/rulesets", new JsonObject
        {
            ["name"] = "partial",
            ["enforcement"] = "active",
            ["rules"] = new JsonArray(new JsonObject { ["type"] = "pull_request", ["parameters"] = new JsonObject { ["required_approving_review_count"] = 1 } }),
        });
        var unknownRule = await alice.Post("repos/acme/svc-legacy/rulesets", new JsonObject
        {
            ["name"] = "unknown",
            ["enforcement"] = "active",
            ["rules"] = new JsonArray(new JsonObject { ["type"] = "no_such_rule" }),
        });
        var created = await alice.Post("repos/acme/svc-legacy/rulesets", new JsonObject
        {
            ["name"] = "protect default",
            ["enforcement"] = "active",
            ["conditions"] = new JsonObject { ["ref_name"] = new JsonObject { ["include"] = new JsonArray("~DEFAULT_BRANCH"), ["exclude"] = new JsonArray() } },
            ["rules"] = new JsonArray(new JsonObject
            {
                ["type"] = "pull_request",
                ["parameters"] = new JsonObject
                {
                    ["required_approving_review_count"] = 1,
                    ["dismiss_stale_reviews_on_push"] = true,
                    ["require_code_owner_review"] = false,
                    ["require_last_push_approval"] = false,
                    ["required_review_thread_resolution"] = false,
                },
            }),
        });

        Assert.Equal(422, bad.Code);
        Assert.Equal(422, missing.Code);
        Assert.Equal(422, partialRule.Code);
        Assert.Contains("dismiss_stale_reviews_on_push", partialRule["message"].GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(422, unknownRule.Code);
        Assert.Equal(201, created.Code);
        Assert.Equal([("pull_request", "Repository", "acme/svc-legacy")], await Rules(alice, "svc-legacy", "main"));

        await alice.Put($"repos/acme/svc-legacy/rulesets/{created["id"].GetValue<long>()}", new { enforcement = "evaluate" });
        Assert.Empty(await Rules(alice, "svc-legacy", "main"));
    }

    [Fact]
    public async Task Classic_protection_GET_and_PUT_answer_in_their_own_shapes()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);

        var unprotected = await bot.Get("repos/acme/web/branches/main/protection");
        var put = await bot.Put("repos/acme/web/branches/main/protection", new JsonObject
        {
            ["required_status_checks"] = new JsonObject { ["strict"] = false, ["contexts"] = new JsonArray("ci") },
            ["enforce_admins"] = true,
            ["required_pull_request_reviews"] = new JsonObject { ["required_approving_review_count"] = 2, ["dismiss_stale_reviews"] = true },
            ["restrictions"] = null,
            ["allow_force_pushes"] = false,
        });
        var get = await bot.Get("repos/acme/web/branches/main/protection");

        Assert.Equal(404, unprotected.Code);
        Assert.Equal("Branch not protected", unprotected["message"].GetValue<string>());
        Assert.Equal(200, put.Code);
        Assert.Null(put.Json!["enabled"]); // only GET says "enabled"
        Assert.Null(put["required_status_checks"]["enforcement_level"]);
        Assert.True(get["enabled"].GetValue<bool>());
        Assert.Equal("everyone", get["required_status_checks"]["enforcement_level"]!.GetValue<string>());
        Assert.Equal(2, get["required_pull_request_reviews"]["required_approving_review_count"]!.GetValue<int>());
        Assert.True(get["enforce_admins"]["enabled"]!.GetValue<bool>());
        Assert.Equal("ci", get["required_status_checks"]["checks"]![0]!["context"]!.GetValue<string>());
        Assert.True((await bot.Get("repos/acme/web/branches/main"))["protected"].GetValue<bool>());
    }

    [Fact]
    public async Task PUT_replaces_protection_wholesale()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);

        var put = await bot.Put("repos/acme/payments/branches/main/protection", new JsonObject
        {
            ["required_status_checks"] = null,
            ["enforce_admins"] = null,
            ["required_pull_request_reviews"] = null,
            ["restrictions"] = null,
            ["allow_force_pushes"] = true,
        });
        var get = await bot.Get("repos/acme/payments/branches/main/protection");

        Assert.Equal(200, put.Code);
        Assert.Null(get.Json!["required_pull_request_reviews"]);
        Assert.Null(get.Json!["required_status_checks"]);
        Assert.False(get["enforce_admins"]["enabled"]!.GetValue<bool>());
        Assert.True(get["allow_force_pushes"]["enabled"]!.GetValue<bool>());

        var missingKey = await bot.Put("repos/acme/payments/branches/main/protection", new { enforce_admins = true });
        Assert.Equal(422, missingKey.Code);
        Assert.Equal(204, (await bot.Delete("repos/acme/payments/branches/main/protection")).Code);
        Assert.Equal(404, (await bot.Delete("repos/acme/payments/branches/main/protection")).Code);
    }

    /// <summary>
    /// GitHub's REST description answers a refused "Update branch protection" with 422 "Validation failed" and a
    /// "Validation Error Simple" body (errors are strings). Naming one required context twice, in <c>contexts</c>, in
    /// <c>checks</c> or across both, is refused with "Context must be unique per branch protection."
    /// (integrations/terraform-provider-github#3420 records GitHub's answer to a body that echoed GET's two lists).
    /// </summary>
    [Theory]
    [InlineData("""{ "strict": false, "contexts": ["ci", "ci"] }""")]
    [InlineData("""{ "strict": false, "contexts": [], "checks": [{ "context": "ci" }, { "context": "ci", "app_id": 15368 }] }""")]
    [InlineData("""{ "strict": false, "contexts": ["ci"], "checks": [{ "context": "ci", "app_id": 15368 }] }""")]
    public async Task A_required_context_named_twice_is_refused_and_the_protection_is_left_as_it_was(string requiredStatusChecks)
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);
        JsonObject Body(JsonNode? checks) => new()
        {
            ["required_status_checks"] = checks,
            ["enforce_admins"] = null,
            ["required_pull_request_reviews"] = null,
            ["restrictions"] = null,
        };
        Assert.Equal(200, (await bot.Put("repos/acme/payments/branches/main/protection", Body(JsonNode.Parse("""{ "strict": false, "contexts": ["lint"] }""")))).Code);

        var refused = await bot.Put("repos/acme/payments/branches/main/protection", Body(JsonNode.Parse(requiredStatusChecks)));

        Assert.Equal(422, refused.Code);
        Assert.Equal("Validation Failed", refused["message"].GetValue<string>());
        Assert.Equal(["Context must be unique per branch protection."], refused["errors"].AsArray().Select(e => e!.GetValue<string>()));
        var kept = await bot.Get("repos/acme/payments/branches/main/protection");
        Assert.Equal(["lint"], kept["required_status_checks"]["contexts"]!.AsArray().Select(c => c!.GetValue<string>()));

        var distinct = await bot.Put("repos/acme/payments/branches/main/protection", Body(JsonNode.Parse("""{ "strict": false, "contexts": ["ci"], "checks": [{ "context": "lint", "app_id": 15368 }] }""")));
        Assert.Equal(200, distinct.Code);
    }

    [Fact]
    public async Task Scenario_status_checks_can_be_bound_to_the_simulators_app()
    {
        await using var sim = await TestOrgs.StartAsync(TestOrgs.Options(new SimulatorOptions { AppId = 777 }), yaml: """
            org: acme
            installation_id: 1001
            members: [alice]
            repos:
              - name: a
                protection:
                  required_status_checks: [ci, { context: PolicyBot, app_id: app }, { context: lint, app_id: 15368 }]
            """);
        using var bot = SimClient.AsInstallation(sim, 1001);

        var checks = (await bot.Get("repos/acme/a/branches/main/protection"))["required_status_checks"]["checks"]!.AsArray();

        Assert.Equal(
            [("ci", (long?)null), ("PolicyBot", 777L), ("lint", 15368L)],
            checks.Select(c => (c!["context"]!.GetValue<string>(), c["app_id"]?.GetValue<long>())));
    }

    [Fact]
    public async Task Only_admins_may_change_protection()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bob = SimClient.AsPerson(sim, "bob");
        using var dave = SimClient.AsPerson(sim, "dave");
        var body = new JsonObject { ["required_status_checks"] = null, ["enforce_admins"] = false, ["required_pull_request_reviews"] = null, ["restrictions"] = null };

        Assert.Equal(403, (await bob.Put("repos/acme/payments/branches/main/protection", body)).Code);
        Assert.Equal(200, (await dave.Put("repos/acme/payments/branches/main/protection", body)).Code); // ops team has admin on payments
    }
}
