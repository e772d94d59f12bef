using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests;

/// <summary>
/// Contract tests for answers where a simulator would be tempted to be kinder than GitHub: plans, deleted issues,
/// refused pushes and ref creations, secondary limits without Retry-After, the hourly content-creation limit.
/// </summary>
public sealed class RealAnswerTests
{
    private const string UpgradeMessage = "Upgrade to GitHub Pro or make this repository public to enable this feature.";

    private const string FreeOrg = """
        org: acme
        installation_id: 1001
        plan: free
        members: [alice]
        admins: [alice]
        repos:
          - name: private-one
            files: { README.md: "a\n" }
          - name: public-one
            visibility: public
            files: { README.md: "b\n" }
            protection:
              required_approving_review_count: 1
        """;

    [Fact]
    public async Task On_the_free_plan_private_repositories_refuse_protection_and_rules_with_GitHubs_403()
    {
        // GitHub Free: "Protected branches" and "Repository rules" are available in public repositories only
        // (docs.github.com/en/get-started/learning-about-github/githubs-plans#github-free-for-organizations); a private
        // repository answers 403 with the upgrade message.
        await using var sim = await TestOrgs.StartAsync(yaml: FreeOrg);
        using var bot = SimClient.AsInstallation(sim, 1001);

        var protection = await bot.Get("repos/acme/private-one/branches/main/protection");
        var put = await bot.Put("repos/acme/private-one/branches/main/protection", new
        {
            required_status_checks = (object?)null,
            enforce_admins = true,
            required_pull_request_reviews = new { required_approving_review_count = 1 },
            restrictions = (object?)null,
        });
        var rules = await bot.Get("repos/acme/private-one/rules/branches/main");
        var rulesets = await bot.Get("repos/acme/private-one/rulesets");
        var publicRules = await bot.Get("repos/acme/public-one/rules/branches/main");
        var publicProtection = await bot.Get("repos/acme/public-one/branches/main/protection");

        foreach (var refused in new[] { protection, put, rules, rulesets })
        {
            Assert.Equal(403, refused.Code);
            Assert.Equal(UpgradeMessage, refused["message"].GetValue<string>());
        }

        Assert.Equal(200, publicRules.Code);
        Assert.Equal(200, publicProtection.Code);
    }

    [Fact]
    public async Task A_deleted_issue_answers_410_and_leaves_lists_and_search()
    {
        // An owner's deletion (web UI only; docs.github.com/en/issues/tracking-your-work-with-issues/administering-issues/deleting-an-issue):
        // afterwards the REST API answers "410 Gone" for it (docs.github.com/en/rest/issues/issues#get-an-issue).
        await using var sim = await TestOrgs.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        sim.WebhookUrl = receiver.Url;
        using var bot = SimClient.AsInstallation(sim, 1001);
        var created = await bot.Post("repos/acme/web/issues", new { title = "PolicyBot: gap", labels = new[] { "policybot" } });
        var number = created["number"].GetValue<int>();
        using var sandbox = SimClient.For(sim, null);

        var deleted = await sandbox.Delete($"_sandbox/repos/acme/web/issues/{number}");
        var get = await bot.Get($"repos/acme/web/issues/{number}");
        var patch = await bot.Patch($"repos/acme/web/issues/{number}", new { state = "closed" });
        var comment = await bot.Post($"repos/acme/web/issues/{number}/comments", new { body = "still there?" });
        var list = await bot.Get("repos/acme/web/issues?state=all");
        var search = await bot.Get("search/issues?q=" + Uri.EscapeDataString("repo:acme/web is:issue PolicyBot"));
        var next = await bot.Post("repos/acme/web/issues", new { title = "another" });

        Assert.Equal(204, deleted.Code);
        Assert.Equal(410, get.Code);
        Assert.Equal("This issue was deleted", get["message"].GetValue<string>());
        Assert.Equal(410, patch.Code);
        Assert.Equal(410, comment.Code);
        Assert.DoesNotContain(list.Json!.AsArray(), i => i!["number"]!.GetValue<int>() == number);
        Assert.Equal(0, search["total_count"].GetValue<int>());
        Assert.True(next["number"].GetValue<int>() > number, "GitHub never reuses an issue number");
        await sim.WaitForWebhooksAsync();
        Assert.Contains(receiver.Drain(), h => h.Event == "issues" && h.Action == "deleted");
    }

    [Fact]
    public async Task A_push_to_a_branch_that_requires_pull_requests_is_refused_unless_the_pusher_may_bypass()
    {
        // Classic protection "Require a pull request before merging": direct pushes are refused; admins bypass unless
        // "Do not allow bypassing the above settings" (enforce_admins) is on
        // (docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/about-protected-branches).
        // The contents API answers 409 (docs.github.com/en/rest/repos/contents#create-or-update-file-contents lists 409 Conflict),
        // the git refs API 422 (docs.github.com/en/rest/git/refs#update-a-reference lists 422).
        await using var sim = await TestOrgs.StartAsync(yaml: """
            org: acme
            installation_id: 1001
            members: [alice, bob]
            admins: [alice]
            teams:
              - { slug: platform, members: [bob] }
            repos:
              - name: strict
                protection: { required_approving_review_count: 1, enforce_admins: true }
                files: { README.md: "a\n" }
              - name: lenient
                protection: { required_approving_review_count: 1, enforce_admins: false }
                files: { README.md: "a\n" }
              - name: ruled
                files: { README.md: "a\n" }
                rulesets:
                  - name: main needs pull requests
                    enforcement: active
                    bypass_actors:
                      - { actor_id: 5, actor_type: RepositoryRole, bypass_mode: always }
                    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } }
                    rules:
                      - type: pull_request
                        parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: false, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false }
                  - name: no release branches
                    enforcement: active
                    conditions: { ref_name: { include: ["refs/heads/release/**"], exclude: [] } }
                    rules:
                      - { type: creation }
            """);
        using var alice = SimClient.AsPerson(sim, "alice");
        using var bob = SimClient.AsPerson(sim, "bob");
        using var bot = SimClient.AsInstallation(sim, 1001);
        object File(string text) => new { message = "direct", content = SimClient.Base64(text) };

        var bobStrict = await bob.Put("repos/acme/strict/contents/NEW.md", File("x"));
        var aliceStrict = await alice.Put("repos/acme/strict/contents/NEW.md", File("x"));
        var botStrict = await bot.Put("repos/acme/strict/contents/NEW.md", File("x"));
        var bobLenient = await bob.Put("repos/acme/lenient/contents/NEW.md", File("x"));
        var aliceLenient = await alice.Put("repos/acme/lenient/contents/NEW.md", File("x"));
        var bobRuled = await bob.Put("repos/acme/ruled/contents/NEW.md", File("x"));
        var aliceRuled = await alice.Put("repos/acme/ruled/contents/NEW.md", File("x"));

        var head = (await bob.Get("repos/acme/strict/git/ref/heads/main"))["object"]["sha"]!.GetValue<string>();
        var refUpdate = await bob.Patch("repos/acme/strict/git/refs/heads/main", new { sha = head });
        var ruledHead = (await bob.Get("repos/acme/ruled/git/ref/heads/main"))["object"]["sha"]!.GetValue<string>();
        var release = await bob.Post("repos/acme/ruled/git/refs", new { @ref = "refs/heads/release/1.0", sha = ruledHead });
        var feature = await bob.Post("repos/acme/ruled/git/refs", new { @ref = "refs/heads/feature/x", sha = ruledHead });

        Assert.Equal(409, bobStrict.Code);
        Assert.Equal("Changes must be made through a pull request.", bobStrict["message"].GetValue<string>());
        Assert.Equal(409, aliceStrict.Code);
        Assert.Equal(409, botStrict.Code);
        Assert.Equal(409, bobLenient.Code);
        Assert.Equal(201, aliceLenient.Code);
        Assert.Equal(409, bobRuled.Code);
        Assert.StartsWith("Repository rule violations found", bobRuled["message"].GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(201, aliceRuled.Code);
        Assert.Equal(422, refUpdate.Code);
        Assert.Equal("Protected branch update failed for refs/heads/main.", refUpdate["message"].GetValue<string>());
        Assert.Equal(422, release.Code);
        Assert.Equal("Reference update failed", release["message"].GetValue<string>());
        Assert.Equal(201, feature.Code);
    }

    [Fact]
    public async Task Content_creation_over_500_an_hour_is_refused_and_a_secondary_limit_may_name_no_wait()
    {
        // "No more than 80 content-generating requests per minute and no more than 500 content-generating requests per hour";
        // the answer may lack retry-after ("wait for at least one minute") (docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await TestOrgs.StartAsync(new SimulatorOptions { TimeProvider = time });
        sim.Faults.ContentCreation = new Faults.ContentCreationLimit(PerMinute: 3, PerHour: 5);
        using var bot = SimClient.AsInstallation(sim, 1001);

        var codes = new List<int>();
        for (var minute = 0; minute < 3; minute++)
        {
            for (var i = 0; i < 3; i++)
            {
                codes.Add((await bot.Post("repos/acme/web/issues", new { title = $"issue {minute}.{i}" })).Code);
            }

            time.Advance(TimeSpan.FromMinutes(1));
        }

        var refused = await bot.Post("repos/acme/web/issues", new { title = "over the hour" });
        time.Advance(TimeSpan.FromHours(1));
        using var renewed = SimClient.AsInstallation(sim, 1001); // the first token expired meanwhile
        var later = await renewed.Post("repos/acme/web/issues", new { title = "an hour later" });

        Assert.Equal([201, 201, 201, 201, 201, 403, 403, 403, 403], codes);
        Assert.Equal(403, refused.Code);
        Assert.Equal("", refused.Header("Retry-After"));
        Assert.Contains("secondary rate limit", refused["message"].GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(201, later.Code);
    }

    [Fact]
    public async Task Check_run_output_is_limited_in_UTF8_bytes_not_characters()
    {
        // The REST description says "Maximum length: 65535 characters" for output.summary and output.text, but GitHub
        // counts bytes: 422 "Validation Failed" with "summary exceeds a maximum bytesize of 65535" (github/docs#35252).
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);
        var head = (await bot.Get("repos/acme/payments/pulls/7"))["head"]["sha"]!.GetValue<string>();
        var multibyte = new string('é', 40_000); // 40,000 characters, 80,000 bytes

        var summary = await bot.Post("repos/acme/payments/check-runs", new { name = "PolicyBot", head_sha = head, output = new { title = "t", summary = multibyte } });
        var created = await bot.Post("repos/acme/payments/check-runs", new { name = "PolicyBot", head_sha = head, output = new { title = "t", summary = "ok" } });
        var text = await bot.Patch($"repos/acme/payments/check-runs/{created["id"].GetValue<long>()}", new { conclusion = "success", output = new { title = "t2", summary = "s", text = multibyte } });
        var fits = await bot.Post("repos/acme/payments/check-runs", new { name = "PolicyBot", head_sha = head, output = new { title = "t", summary = new string('é', 32_767) + "x" } });
        var unchanged = await bot.Get($"repos/acme/payments/check-runs/{created["id"].GetValue<long>()}");

        Assert.Equal(422, summary.Code);
        Assert.Equal("Validation Failed", summary["message"].GetValue<string>());
        Assert.Equal("summary exceeds a maximum bytesize of 65535", summary["errors"][0]!["message"]!.GetValue<string>());
        Assert.Equal(422, text.Code);
        Assert.Equal("text", text["errors"][0]!["field"]!.GetValue<string>());
        Assert.Equal(201, fits.Code); // 65,535 bytes exactly
        Assert.Equal("t", unchanged["output"]["title"]!.GetValue<string>()); // a refused update changes nothing
        Assert.Null(unchanged.Json!["conclusion"]);
    }

    [Fact]
    public async Task A_directory_listing_of_the_contents_API_stops_at_1000_entries()
    {
        // "This API has an upper limit of 1,000 files for a directory. If you need to retrieve more files, use the Git
        // Trees API" (REST description, GET /repos/{owner}/{repo}/contents/{path}); a file past the cap is still read by name.
        var files = string.Concat(Enumerable.Range(0, 1001).Select(i => $"\n      docs/f{i:D4}.md: \"x\""));
        await using var sim = await TestOrgs.StartAsync(yaml: $"""
            org: acme
            installation_id: 1001
            members: [alice]
            repos:
              - name: big
                files:{files}
                  README.md: "r"
            """);
        using var bot = SimClient.AsInstallation(sim, 1001);

        var docs = await bot.Get("repos/acme/big/contents/docs");
        var root = await bot.Get("repos/acme/big/contents/");
        var last = await bot.Get("repos/acme/big/contents/docs/f1000.md");

        Assert.Equal(1000, docs.Json!.AsArray().Count);
        Assert.DoesNotContain(docs.Json!.AsArray(), e => e!["name"]!.GetValue<string>() == "f1000.md");
        Assert.Equal(2, root.Json!.AsArray().Count);
        Assert.Equal(200, last.Code);
    }

    [Fact]
    public async Task A_concealed_members_author_association_is_CONTRIBUTOR_or_NONE_never_MEMBER()
    {
        // author_association (REST description: MEMBER "Author is a member of the organization that owns the repository")
        // is MEMBER only for a public membership; with visibility Private it is CONTRIBUTOR (actions/github-script#643),
        // NONE without commits. New memberships are private until the member publicizes them
        // (PUT /orgs/{org}/public_members/{username}, docs.github.com/en/rest/orgs/members).
        await using var sim = await TestOrgs.StartAsync(yaml: """
            org: acme
            installation_id: 1001
            teams:
              - { slug: devs, members: [bob, carol] }
            members: [alice, bob, carol]
            admins: [alice]
            public_members: [alice]
            repos:
              - name: web
                files: { README.md: "w" }
            """);
        using var alice = SimClient.AsPerson(sim, "alice");
        using var bob = SimClient.AsPerson(sim, "bob");
        using var carol = SimClient.AsPerson(sim, "carol");
        using var bot = SimClient.AsInstallation(sim, 1001);
        Assert.Equal(201, (await bob.Put("repos/acme/web/contents/bob.txt", new { message = "bob", content = Convert.ToBase64String("b"u8.ToArray()) })).Code);

        async Task<string> AssociationOf(SimClient person)
        {
            var issue = await person.Post("repos/acme/web/issues", new { title = "hello" });
            return (await bot.Get($"repos/acme/web/issues/{issue["number"].GetValue<int>()}"))["author_association"].GetValue<string>();
        }

        Assert.Equal("MEMBER", await AssociationOf(alice));
        Assert.Equal("CONTRIBUTOR", await AssociationOf(bob));
        Assert.Equal("NONE", await AssociationOf(carol));
        Assert.Equal(404, (await bot.Get("orgs/acme/public_members/carol")).Code);
        Assert.Equal(204, (await bot.Get("orgs/acme/members/carol")).Code); // the app still sees the membership itself

        Assert.Equal(403, (await alice.Put("orgs/acme/public_members/carol")).Code); // only carol may publicize hers
        Assert.Equal(204, (await carol.Put("orgs/acme/public_members/carol")).Code);
        Assert.Equal("MEMBER", await AssociationOf(carol));
        Assert.Equal(204, (await bot.Get("orgs/acme/public_members/carol")).Code);
    }

    [Fact]
    public async Task A_protection_PUT_keeps_every_field_and_GET_returns_it_and_missing_required_fields_are_422()
    {
        // "Update branch protection" (REST description): required_status_checks, enforce_admins,
        // required_pull_request_reviews and restrictions are required (each nullable); required_status_checks needs strict
        // and contexts, restrictions users and teams; the PUT replaces the whole protection, and GET reports all of it,
        // with users, teams and apps as objects. Every answer is checked against GitHub's schema.
        await using var sim = await TestOrgs.StartAsync();
        using var handler = new Contracts.ContractCheckingHandler(Contracts.OpenApiContract.Load(), strict: true);
        using var bot = SimClient.AsInstallation(sim, 1001, handler);
        const string Url = "repos/acme/web/branches/main/protection";
        var full = new System.Text.Json.Nodes.JsonObject
        {
            ["required_status_checks"] = new System.Text.Json.Nodes.JsonObject { ["strict"] = true, ["contexts"] = new System.Text.Json.Nodes.JsonArray("ci"), ["checks"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["context"] = "PolicyBot", ["app_id"] = sim.AppId }) },
            ["enforce_admins"] = true,
            ["required_pull_request_reviews"] = new System.Text.Json.Nodes.JsonObject
            {
                ["dismissal_restrictions"] = new System.Text.Json.Nodes.JsonObject { ["users"] = new System.Text.Json.Nodes.JsonArray("alice"), ["teams"] = new System.Text.Json.Nodes.JsonArray("platform") },
                ["dismiss_stale_reviews"] = true,
                ["require_code_owner_reviews"] = true,
                ["required_approving_review_count"] = 2,
                ["require_last_push_approval"] = true,
                ["bypass_pull_request_allowances"] = new System.Text.Json.Nodes.JsonObject { ["users"] = new System.Text.Json.Nodes.JsonArray("bob"), ["teams"] = new System.Text.Json.Nodes.JsonArray(), ["apps"] = new System.Text.Json.Nodes.JsonArray("dependabot") },
            },
            ["restrictions"] = new System.Text.Json.Nodes.JsonObject { ["users"] = new System.Text.Json.Nodes.JsonArray("alice"), ["teams"] = new System.Text.Json.Nodes.JsonArray("platform"), ["apps"] = new System.Text.Json.Nodes.JsonArray() },
            ["required_linear_history"] = true,
            ["allow_force_pushes"] = false,
            ["allow_deletions"] = false,
            ["block_creations"] = true,
            ["required_conversation_resolution"] = true,
            ["lock_branch"] = false,
            ["allow_fork_syncing"] = true,
        };

        Assert.Equal(200, (await bot.Put(Url, full)).Code);
        var got = await bot.Get(Url);

        Assert.Equal(200, got.Code);
        var checks = got["required_status_checks"];
        Assert.True(checks["strict"]!.GetValue<bool>());
        Assert.Equal(["ci", "PolicyBot"], checks["contexts"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(sim.AppId, checks["checks"]!.AsArray().Single(c => c!["context"]!.GetValue<string>() == "PolicyBot")!["app_id"]!.GetValue<long>());
        Assert.True(got["enforce_admins"]["enabled"]!.GetValue<bool>());
        var reviews = got["required_pull_request_reviews"];
        Assert.Equal(2, reviews["required_approving_review_count"]!.GetValue<int>());
        Assert.True(reviews["dismiss_stale_reviews"]!.GetValue<bool>() && reviews["require_code_owner_reviews"]!.GetValue<bool>() && reviews["require_last_push_approval"]!.GetValue<bool>());
        Assert.Equal("alice", reviews["dismissal_restrictions"]!["users"]![0]!["login"]!.GetValue<string>());
        Assert.Equal("platform", reviews["dismissal_restrictions"]!["teams"]![0]!["slug"]!.GetValue<string>());
        Assert.Equal("bob", reviews["bypass_pull_request_allowances"]!["users"]![0]!["login"]!.GetValue<string>());
        Assert.Equal("dependabot", reviews["bypass_pull_request_allowances"]!["apps"]![0]!["slug"]!.GetValue<string>());
        Assert.Equal("alice", got["restrictions"]["users"]![0]!["login"]!.GetValue<string>());
        Assert.Equal("platform", got["restrictions"]["teams"]![0]!["slug"]!.GetValue<string>());
        foreach (var (flag, value) in new[] { ("required_linear_history", true), ("allow_force_pushes", false), ("allow_deletions", false), ("block_creations", true), ("required_conversation_resolution", true), ("lock_branch", false), ("allow_fork_syncing", true) })
        {
            Assert.Equal(value, got[flag]["enabled"]!.GetValue<bool>());
        }

        // Missing or mistyped fields are refused with 422, and the stored protection stays as it was.
        System.Text.Json.Nodes.JsonObject Without(Action<System.Text.Json.Nodes.JsonObject> change)
        {
            var body = (System.Text.Json.Nodes.JsonObject)full.DeepClone();
            change(body);
            return body;
        }

        var refused = new[]
        {
            await bot.Put(Url, Without(b => b.Remove("restrictions"))),
            await bot.Put(Url, Without(b => b["required_status_checks"]!.AsObject().Remove("contexts"))),
            await bot.Put(Url, Without(b => b["required_status_checks"]!.AsObject().Remove("strict"))),
            await bot.Put(Url, Without(b => b["restrictions"]!.AsObject().Remove("teams"))),
            await bot.Put(Url, Without(b => b["enforce_admins"] = "yes")),
            await bot.Put(Url, Without(b => b["required_pull_request_reviews"]!["required_approving_review_count"] = "two")),
            await bot.Put(Url, Without(b => b["required_pull_request_reviews"]!["dismissal_restrictions"] = new System.Text.Json.Nodes.JsonObject { ["users"] = "alice" })),
        };
        Assert.All(refused, r => Assert.Equal(422, r.Code));
        Assert.Contains("\"contexts\" wasn't supplied", refused[1]["message"].GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(got.Json!.ToJsonString(), (await bot.Get(Url)).Json!.ToJsonString());

        // Null turns a part off, and an empty dismissal_restrictions object disables that restriction.
        var lighter = await bot.Put(Url, Without(b =>
        {
            b["restrictions"] = null;
            b["required_status_checks"] = null;
            b["required_pull_request_reviews"]!["dismissal_restrictions"] = new System.Text.Json.Nodes.JsonObject();
        }));
        Assert.Equal(200, lighter.Code);
        var after = await bot.Get(Url);
        Assert.Null(after.Json!["restrictions"]);
        Assert.Null(after.Json!["required_status_checks"]);
        Assert.Null(after["required_pull_request_reviews"].AsObject()["dismissal_restrictions"]);
        Assert.Equal("bob", after["required_pull_request_reviews"]["bypass_pull_request_allowances"]!["users"]![0]!["login"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("read", false)]
    [InlineData("write", true)]
    public async Task A_rulesets_bypass_actors_are_shown_only_to_callers_with_write_access_to_it(string organizationAdministration, bool appSeesOrgBypass)
    {
        // "To prevent leaking sensitive information, the bypass_actors property is only returned if the user making the
        // API request has write access to the ruleset" (REST description, GET /orgs/{org}/rulesets/{ruleset_id} and
        // GET /repos/{owner}/{repo}/rulesets/{ruleset_id}).
        await using var sim = await TestOrgs.StartAsync(yaml: $$"""
            org: acme
            installation_id: 1001
            installation_permissions: { organization_administration: {{organizationAdministration}} }
            teams:
              - { slug: devs, members: [bob] }
            members: [alice, bob]
            admins: [alice]
            org_rulesets:
              - name: org rules
                target: branch
                enforcement: active
                bypass_actors: [{ actor_id: 1, actor_type: OrganizationAdmin, bypass_mode: always }]
                conditions:
                  ref_name: { include: ["~ALL"], exclude: [] }
                  repository_name: { include: ["~ALL"], exclude: [] }
                rules: [{ type: deletion }]
            repos:
              - name: web
                files: { README.md: "w" }
                rulesets:
                  - name: repo rules
                    target: branch
                    enforcement: active
                    bypass_actors: [{ actor_id: 5, actor_type: RepositoryRole, bypass_mode: always }]
                    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } }
                    rules: [{ type: non_fast_forward }]
            """);
        using var bot = SimClient.AsInstallation(sim, 1001);
        using var alice = SimClient.AsPerson(sim, "alice");
        using var bob = SimClient.AsPerson(sim, "bob");
        var orgId = (await alice.Get("orgs/acme/rulesets")).Json![0]!["id"]!.GetValue<long>();
        var repoId = (await alice.Get("repos/acme/web/rulesets?includes_parents=false")).Json![0]!["id"]!.GetValue<long>();

        static bool Shows(Reply reply) => reply.Code == 200 && reply.Json!.AsObject().ContainsKey("bypass_actors") && reply.Json!.AsObject().ContainsKey("rules");

        Assert.True(Shows(await alice.Get($"orgs/acme/rulesets/{orgId}")));                 // an owner
        Assert.False(Shows(await bob.Get($"orgs/acme/rulesets/{orgId}")));                   // a member: rules, no bypass list
        Assert.Equal(200, (await bob.Get($"orgs/acme/rulesets/{orgId}")).Code);
        Assert.Equal(appSeesOrgBypass, Shows(await bot.Get($"orgs/acme/rulesets/{orgId}")));
        Assert.Equal(appSeesOrgBypass, Shows(await bot.Get($"repos/acme/web/rulesets/{orgId}")));  // through the repository too
        Assert.True(Shows(await bot.Get($"repos/acme/web/rulesets/{repoId}")));              // administration: write
        Assert.False(Shows(await bob.Get($"repos/acme/web/rulesets/{repoId}")));             // push, not admin
    }
}
