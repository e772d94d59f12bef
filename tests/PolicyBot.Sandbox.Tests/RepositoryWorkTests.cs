using System.Text.Json.Nodes;
using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests;

/// <summary>Pull requests, reviews, check runs, issues and CODEOWNERS as people and the app use them.</summary>
public sealed class RepositoryWorkTests
{
    private static async Task<int> OpenPullAsync(SimClient person, string repo, string branch, string path, string content)
    {
        var main = await person.Get($"repos/acme/{repo}/git/ref/heads/main");
        await person.Post($"repos/acme/{repo}/git/refs", new { @ref = "refs/heads/" + branch, sha = main["object"]["sha"]!.GetValue<string>() });
        await person.Put($"repos/acme/{repo}/contents/{path}", new { message = "change", content = SimClient.Base64(content), branch });
        var opened = await person.Post($"repos/acme/{repo}/pulls", new { title = "Change " + path, head = branch, @base = "main" });
        Assert.Equal(201, opened.Code);
        return opened["number"].GetValue<int>();
    }

    [Fact]
    public async Task Reviews_record_the_head_commit_and_authors_cannot_approve_their_own()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bob = SimClient.AsPerson(sim, "bob");
        using var alice = SimClient.AsPerson(sim, "alice");
        var number = await OpenPullAsync(bob, "web", "feature", "index.html", "<p>hi</p>\n");
        var head = (await bob.Get($"repos/acme/web/pulls/{number}"))["head"]["sha"]!.GetValue<string>();

        var own = await bob.Post($"repos/acme/web/pulls/{number}/reviews", new { @event = "APPROVE" });
        var noBody = await alice.Post($"repos/acme/web/pulls/{number}/reviews", new { @event = "REQUEST_CHANGES" });
        var approved = await alice.Post($"repos/acme/web/pulls/{number}/reviews", new { @event = "APPROVE", body = "LGTM" });
        var comment = await alice.Post($"repos/acme/web/pulls/{number}/reviews", new { @event = "COMMENT", body = "nit" });

        Assert.Equal(422, own.Code);
        Assert.Equal(422, noBody.Code);
        Assert.Equal("APPROVED", approved["state"].GetValue<string>());
        Assert.Equal(head, approved["commit_id"].GetValue<string>());
        Assert.Equal("COMMENTED", comment["state"].GetValue<string>());
    }

    [Fact]
    public async Task Pushing_to_the_head_moves_the_head_and_dismisses_stale_approvals_where_protection_says_so()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var dave = SimClient.AsPerson(sim, "dave");
        using var alice = SimClient.AsPerson(sim, "alice");
        var before = await dave.Get("repos/acme/payments/pulls/7");
        var file = await dave.Get("repos/acme/payments/contents/src/auth/login.cs?ref=remember-login");

        var pushed = await dave.Put("repos/acme/payments/contents/src/auth/login.cs", new
        {
            message = "Second thoughts",
            content = SimClient.Base64("class Login { int Days = 7; }\n"),
            branch = "remember-login",
            sha = file["sha"].GetValue<string>(),
        });
        var after = await dave.Get("repos/acme/payments/pulls/7");
        var reviews = (await dave.Get("repos/acme/payments/pulls/7/reviews")).Json!.AsArray();
        var commits = (await dave.Get("repos/acme/payments/pulls/7/commits")).Json!.AsArray();
        var conflict = await dave.Put("repos/acme/payments/contents/src/auth/login.cs", new
        {
            message = "Stale sha",
            content = SimClient.Base64("x\n"),
            branch = "remember-login",
            sha = file["sha"].GetValue<string>(),
        });

        Assert.Equal(200, pushed.Code);
        Assert.NotEqual(before["head"]["sha"]!.GetValue<string>(), after["head"]["sha"]!.GetValue<string>());
        Assert.Equal(pushed["commit"]["sha"]!.GetValue<string>(), after["head"]["sha"]!.GetValue<string>());
        Assert.Equal("DISMISSED", reviews.Single(r => r!["user"]!["login"]!.GetValue<string>() == "alice")!["state"]!.GetValue<string>());
        Assert.Equal(3, commits.Count);
        Assert.Equal(409, conflict.Code);
        // The base branch keeps its own files.
        var onMain = await alice.Get("repos/acme/payments/contents/src/auth/login.cs");
        Assert.Equal("class Login {}\n", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(onMain["content"].GetValue<string>())));
    }

    [Fact]
    public async Task A_ruleset_that_dismisses_stale_reviews_dismisses_them_on_push()
    {
        await using var sim = await GitHubSimulator.StartAsync(TestOrgs.Options());
        sim.LoadDemo();
        await sim.InstallAsync("acme");
        using var bob = sim.As("bob");

        await bob.PushFileAsync("billing-api", "src/auth/tokens.cs", "namespace Billing.Auth;\n", "rotate-tokens");
        var reviews = sim.PullRequest("acme", "billing-api", 3)!.Reviews;

        Assert.All(reviews, r => Assert.Equal("DISMISSED", r.State));
    }

    [Fact]
    public async Task A_check_bound_to_the_app_cannot_be_met_by_someone_elses_status()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var alice = SimClient.AsPerson(sim, "alice");
        using var bot = SimClient.AsInstallation(sim, 1001);
        await alice.Put("repos/acme/web/branches/main/protection", new JsonObject
        {
            ["required_status_checks"] = new JsonObject
            {
                ["strict"] = false,
                ["contexts"] = new JsonArray(),
                ["checks"] = new JsonArray(new JsonObject { ["context"] = "PolicyBot", ["app_id"] = sim.AppId }, new JsonObject { ["context"] = "ci" }),
            },
            ["enforce_admins"] = true,
            ["required_pull_request_reviews"] = null,
            ["restrictions"] = null,
        });
        using var bob = sim.As("bob");
        var number = await bob.ProposeChangeAsync("web", "change", new Dictionary<string, string> { ["a.txt"] = "a\n" }, "Change");
        var head = sim.Read(s => s.FindRepo("acme", "web")!.Branches["change"]);

        var forged = await alice.Post($"repos/acme/web/statuses/{head}", new { state = "success", context = "PolicyBot", description = "trust me" });
        var ci = await alice.Post($"repos/acme/web/statuses/{head}", new { state = "success", context = "ci" });
        var blocked = await alice.Put($"repos/acme/web/pulls/{number}/merge", new { });
        await bot.Post("repos/acme/web/check-runs", new { name = "PolicyBot", head_sha = head, conclusion = "success", output = new { title = "ok", summary = "ok" } });
        var combined = await alice.Get($"repos/acme/web/commits/{head}/status");
        var merged = await alice.Put($"repos/acme/web/pulls/{number}/merge", new { });

        Assert.Equal(201, forged.Code);
        Assert.Equal(201, ci.Code);
        Assert.Equal(405, blocked.Code);
        Assert.Contains("PolicyBot", blocked["message"].GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("success", combined["state"].GetValue<string>());
        Assert.Equal(2, combined["total_count"].GetValue<int>());
        Assert.Equal(200, merged.Code);
    }

    /// <summary>
    /// A ruleset's "Require merge queue" rule makes changes to the branch go through the merge queue
    /// (docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets#require-merge-queue):
    /// "Merge a pull request" answers 405, "merge cannot be performed" in GitHub's REST description, with the rule
    /// violation GitHub names ("Changes must be made through the merge queue"); the ruleset's bypass actors merge directly.
    /// </summary>
    [Fact]
    public async Task A_branch_whose_ruleset_requires_a_merge_queue_refuses_a_direct_merge_except_from_a_bypass_actor()
    {
        await using var sim = await TestOrgs.StartAsync(yaml: """
            org: acme
            installation_id: 1001
            members: [alice, bob]
            admins: [alice]
            teams:
              - { slug: writers, members: [bob], repos: { web: push } }
            repos:
              - name: web
                files: { README.md: "# web\n" }
                rulesets:
                  - name: queue
                    target: branch
                    enforcement: active
                    bypass_actors: [{ actor_id: 5, actor_type: RepositoryRole, bypass_mode: always }]
                    conditions:
                      ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] }
                    rules:
                      - type: merge_queue
                        parameters: { check_response_timeout_minutes: 60, grouping_strategy: ALLGREEN, max_entries_to_build: 5, max_entries_to_merge: 5, merge_method: MERGE, min_entries_to_merge: 1, min_entries_to_merge_wait_minutes: 0 }
            """);
        using var bob = SimClient.AsPerson(sim, "bob");
        using var alice = SimClient.AsPerson(sim, "alice");
        var queued = await sim.As("bob").ProposeChangeAsync("web", "queued", new Dictionary<string, string> { ["a.txt"] = "a\n" }, "Queued");
        var direct = await sim.As("bob").ProposeChangeAsync("web", "direct", new Dictionary<string, string> { ["b.txt"] = "b\n" }, "Direct");

        var refused = await bob.Put($"repos/acme/web/pulls/{queued}/merge", new { merge_method = "merge" });

        Assert.Equal(405, refused.Code);
        Assert.Equal("Repository rule violations found\n\nChanges must be made through the merge queue\n\n", refused["message"].GetValue<string>());
        Assert.False(sim.PullRequest("acme", "web", queued)!.Merged);

        // Through the queue it merges; an administrator, whom the ruleset lets bypass, merges directly.
        Assert.Equal(201, (await bob.Post($"_sandbox/repos/acme/web/merge-queue?pull_number={queued}&login=bob", new { })).Code);
        Assert.Equal(200, (await bob.Post("_sandbox/repos/acme/web/merge-queue/merge", new { })).Code);
        Assert.True(sim.PullRequest("acme", "web", queued)!.Merged);
        Assert.Equal(200, (await alice.Put($"repos/acme/web/pulls/{direct}/merge", new { merge_method = "merge" })).Code);
    }

    [Fact]
    public async Task Merging_follows_the_base_branch_protection()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);
        using var bob = SimClient.AsPerson(sim, "bob");
        using var carol = SimClient.AsPerson(sim, "carol");
        var head = (await bot.Get("repos/acme/payments/pulls/7"))["head"]["sha"]!.GetValue<string>();

        var before = await bot.Get("repos/acme/payments/pulls/7");
        var tooFewApprovals = await bob.Put("repos/acme/payments/pulls/7/merge", new { });
        await carol.Post("repos/acme/payments/pulls/7/reviews", new { @event = "APPROVE" });
        var missingCheck = await bob.Put("repos/acme/payments/pulls/7/merge", new { });
        await bot.Post("repos/acme/payments/check-runs", new { name = "PolicyBot", head_sha = head, conclusion = "success", output = new { title = "ok", summary = "ok" } });
        var wrongSha = await bob.Put("repos/acme/payments/pulls/7/merge", new { sha = "0000000000000000000000000000000000000000" });
        var merged = await bob.Put("repos/acme/payments/pulls/7/merge", new { sha = head });
        var again = await bob.Put("repos/acme/payments/pulls/7/merge", new { });
        var pull = await bot.Get("repos/acme/payments/pulls/7");
        var closedList = (await bot.Get("repos/acme/payments/pulls?state=closed")).Json!.AsArray();
        var openList = (await bot.Get("repos/acme/payments/pulls")).Json!.AsArray();

        Assert.Equal("blocked", before["mergeable_state"].GetValue<string>());
        Assert.Equal(405, tooFewApprovals.Code);
        Assert.Contains("2 approving reviews", tooFewApprovals["message"].GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(405, missingCheck.Code);
        Assert.Contains("PolicyBot", missingCheck["message"].GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(409, wrongSha.Code);
        Assert.Equal(200, merged.Code);
        Assert.Equal(405, again.Code);
        Assert.True(pull["merged"].GetValue<bool>());
        Assert.Equal("closed", pull["state"].GetValue<string>());
        Assert.Equal(merged["sha"].GetValue<string>(), pull["merge_commit_sha"]!.GetValue<string>());
        Assert.Single(closedList);
        Assert.Empty(openList);
        Assert.Equal(merged["sha"].GetValue<string>(), (await bot.Get("repos/acme/payments/branches/main"))["commit"]["sha"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pull_requests_can_be_edited_closed_and_reopened()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bob = SimClient.AsPerson(sim, "bob");
        var number = await OpenPullAsync(bob, "web", "feature", "a.txt", "a\n");

        var duplicate = await bob.Post("repos/acme/web/pulls", new { title = "again", head = "feature", @base = "main" });
        var edited = await bob.Patch($"repos/acme/web/pulls/{number}", new { title = "Renamed", body = "why" });
        var closed = await bob.Patch($"repos/acme/web/pulls/{number}", new { state = "closed" });
        var files = (await bob.Get($"repos/acme/web/pulls/{number}/files")).Json!.AsArray();
        var reopened = await bob.Patch($"repos/acme/web/pulls/{number}", new { state = "open" });

        Assert.Equal(422, duplicate.Code);
        Assert.Equal("Renamed", edited["title"].GetValue<string>());
        Assert.Equal("closed", closed["state"].GetValue<string>());
        Assert.False(closed["merged"].GetValue<bool>());
        Assert.Equal("a.txt", Assert.Single(files)!["filename"]!.GetValue<string>());
        Assert.Equal("added", files[0]!["status"]!.GetValue<string>());
        Assert.Equal("open", reopened["state"].GetValue<string>());
    }

    [Fact]
    public async Task Check_runs_are_for_apps_keep_GitHubs_limits_and_filter_by_name()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);
        using var alice = SimClient.AsPerson(sim, "alice");
        var head = (await bot.Get("repos/acme/payments/pulls/7"))["head"]["sha"]!.GetValue<string>();

        var byPerson = await alice.Post("repos/acme/payments/check-runs", new { name = "PolicyBot", head_sha = head });
        var tooLong = await bot.Post("repos/acme/payments/check-runs", new { name = "PolicyBot", head_sha = head, output = new { title = "t", summary = new string('x', 65536) } });
        var atLimit = await bot.Post("repos/acme/payments/check-runs", new { name = "PolicyBot", head_sha = head, output = new { title = "t", summary = new string('x', 65535) } });
        var unknownSha = await bot.Post("repos/acme/payments/check-runs", new { name = "PolicyBot", head_sha = "1234567890123456789012345678901234567890" });
        await bot.Post("repos/acme/payments/check-runs", new { name = "other", head_sha = head, status = "queued" });
        var second = await bot.Post("repos/acme/payments/check-runs", new { name = "PolicyBot", head_sha = head, status = "in_progress" });
        var policyBot = await bot.Get($"repos/acme/payments/commits/{head}/check-runs?check_name=PolicyBot");
        var all = await bot.Get($"repos/acme/payments/commits/{head}/check-runs?filter=all");
        var byBranch = await bot.Get("repos/acme/payments/commits/remember-login/check-runs");
        var updateTooLong = await bot.Patch($"repos/acme/payments/check-runs/{second["id"].GetValue<long>()}", new { output = new { title = "t", summary = "s", text = new string('y', 70000) } });

        Assert.Equal(403, byPerson.Code);
        Assert.Equal(422, tooLong.Code);
        Assert.Equal(201, atLimit.Code);
        Assert.Equal(422, unknownSha.Code);
        Assert.Equal(1, policyBot["total_count"].GetValue<int>()); // latest run of the name
        Assert.Equal(second["id"].GetValue<long>(), policyBot["check_runs"][0]!["id"]!.GetValue<long>());
        Assert.Equal(3, all["total_count"].GetValue<int>());
        Assert.Equal(2, byBranch["total_count"].GetValue<int>());
        Assert.Equal(422, updateTooLong.Code);
        Assert.Equal(7, second["pull_requests"][0]!["number"]!.GetValue<int>());
    }

    [Fact]
    public async Task Issues_filter_by_label_state_and_creator_and_respect_has_issues()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);
        using var alice = SimClient.AsPerson(sim, "alice");

        var first = await bot.Post("repos/acme/web/issues", new { title = "PolicyBot: Branch protection below baseline", body = "<!-- policybot:web:branch_protection -->", labels = new[] { "policybot" } });
        await alice.Post("repos/acme/web/issues", new { title = "A person's issue" });
        await bot.Patch($"repos/acme/web/issues/{first["number"].GetValue<int>()}", new { state = "closed", state_reason = "completed" });
        var openLabelled = (await bot.Get("repos/acme/web/issues?labels=policybot")).Json!.AsArray();
        var allLabelled = (await bot.Get("repos/acme/web/issues?labels=policybot&state=all")).Json!.AsArray();
        var byBot = (await bot.Get("repos/acme/web/issues?state=all&creator=policybot%5Bbot%5D")).Json!.AsArray();
        var open = (await bot.Get("repos/acme/payments/issues")).Json!.AsArray();
        var labels = (await bot.Get("repos/acme/web/labels")).Json!.AsArray();
        await alice.Patch("repos/acme/web", new { has_issues = false });
        var disabled = await bot.Post("repos/acme/web/issues", new { title = "nope" });

        Assert.Empty(openLabelled);
        var closed = Assert.Single(allLabelled)!;
        Assert.Equal("completed", closed["state_reason"]!.GetValue<string>());
        Assert.Equal("policybot[bot]", closed["user"]!["login"]!.GetValue<string>());
        Assert.Single(byBot);
        Assert.Empty(open); // pull request #7 is not an issue here
        Assert.Equal("policybot", Assert.Single(labels)!["name"]!.GetValue<string>());
        Assert.Equal(410, disabled.Code);
        Assert.Equal("Issues are disabled for this repo", disabled["message"].GetValue<string>());
    }

    [Fact]
    public async Task Issues_can_be_found_by_search_qualifiers_and_hidden_markers()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);
        await bot.Post("repos/acme/web/issues", new { title = "PolicyBot: Branch protection below baseline", body = "<!-- policybot:acme/web:branch_protection -->", labels = new[] { "policybot" } });
        await bot.Post("repos/acme/payments/issues", new { title = "PolicyBot: Registration below baseline", body = "<!-- policybot:acme/payments:registration -->", labels = new[] { "policybot" } });
        await SimClient.AsPerson(sim, "bob").Post("repos/acme/web/issues", new { title = "Branch protection question" });

        async Task<List<string>> Search(string q) =>
            [.. (await bot.Get("search/issues?q=" + Uri.EscapeDataString(q)))["items"].AsArray().Select(i => i!["title"]!.GetValue<string>())];

        Assert.Equal(["PolicyBot: Branch protection below baseline"], await Search("repo:acme/web is:issue is:open label:policybot"));
        Assert.Equal(["PolicyBot: Registration below baseline"], await Search("\"policybot:acme/payments:registration\" in:body org:acme"));
        Assert.Equal(2, (await Search("author:app/policybot is:issue")).Count);
        Assert.Equal(2, (await Search("repo:acme/web Branch protection")).Count);
        Assert.Equal(["Pull request #7"], await Search("repo:acme/payments is:pr"));
        Assert.Empty(await Search("repo:acme/web is:closed"));
    }

    [Fact]
    public async Task Contents_come_as_GitHubs_file_object_or_raw_when_asked()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);

        var file = await bot.Get("repos/acme/payments/contents/src/auth/login.cs");
        var raw = await bot.Send(HttpMethod.Get, "repos/acme/payments/contents/src/auth/login.cs", null, r => r.Headers.Accept.ParseAdd("application/vnd.github.raw+json"));
        var onHead = await bot.Get("repos/acme/payments/contents/src/auth/login.cs?ref=remember-login");
        var directory = await bot.Get("repos/acme/payments/contents/src");
        var missing = await bot.Get("repos/acme/payments/contents/nope.txt");

        Assert.Equal("file", file["type"].GetValue<string>());
        Assert.Equal("base64", file["encoding"].GetValue<string>());
        Assert.Equal("class Login {}\n", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(file["content"].GetValue<string>())));
        Assert.Equal("class Login {}\n", raw.Text);
        Assert.NotEqual(file["sha"].GetValue<string>(), onHead["sha"].GetValue<string>());
        Assert.Equal([("auth", "dir")], directory.Json!.AsArray().Select(e => (e!["name"]!.GetValue<string>(), e["type"]!.GetValue<string>())));
        Assert.Equal(404, missing.Code);
    }

    [Fact]
    public async Task An_archived_repository_is_read_only_until_unarchived()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var alice = SimClient.AsPerson(sim, "alice");
        await alice.Patch("repos/acme/web", new { archived = true });
        var protection = new JsonObject { ["required_status_checks"] = null, ["enforce_admins"] = true, ["required_pull_request_reviews"] = null, ["restrictions"] = null };

        var put = await alice.Put("repos/acme/web/branches/main/protection", protection);
        var issue = await alice.Post("repos/acme/web/issues", new { title = "x" });
        var read = await alice.Get("repos/acme/web/contents/README.md");
        var unarchived = await alice.Patch("repos/acme/web", new { archived = false });
        var putAgain = await alice.Put("repos/acme/web/branches/main/protection", protection);

        Assert.Equal(403, put.Code);
        Assert.Equal("Repository was archived so is read-only.", put["message"].GetValue<string>());
        Assert.Equal(403, issue.Code);
        Assert.Equal(200, read.Code);
        Assert.False(unarchived["archived"].GetValue<bool>());
        Assert.Equal(200, putAgain.Code);
    }

    [Fact]
    public async Task Issue_comments_can_be_listed_added_and_edited_also_on_pull_requests()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);

        var issue = await bot.Post("repos/acme/web/issues", new { title = "t" });
        var number = issue["number"].GetValue<int>();
        var comment = await bot.Post($"repos/acme/web/issues/{number}/comments", new { body = "first" });
        var edited = await bot.Patch($"repos/acme/web/issues/comments/{comment["id"].GetValue<long>()}", new { body = "first, edited" });
        var onPull = await bot.Post("repos/acme/payments/issues/7/comments", new { body = "on the pull request" });
        var list = (await bot.Get($"repos/acme/web/issues/{number}/comments")).Json!.AsArray();
        var reread = await bot.Get($"repos/acme/web/issues/{number}");

        Assert.Equal(201, comment.Code);
        Assert.Equal("first, edited", edited["body"].GetValue<string>());
        Assert.Equal(201, onPull.Code);
        Assert.Equal("first, edited", Assert.Single(list)!["body"]!.GetValue<string>());
        Assert.Equal(1, reread["comments"].GetValue<int>());
        Assert.Equal(404, (await bot.Get("repos/acme/web/issues/999/comments")).Code);
    }

    [Fact]
    public async Task CODEOWNERS_errors_name_the_line_and_column_of_unknown_owners()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var alice = SimClient.AsPerson(sim, "alice");
        await alice.Put("repos/acme/web/contents/.github/CODEOWNERS", new
        {
            message = "owners",
            content = SimClient.Base64("# owners\n*       @acme/platform\n/docs/  @acme/writers alice@example.com\n/ops/   @bob @mallory\n"),
        });

        var reply = await alice.Get("repos/acme/web/codeowners/errors");
        var errors = reply["errors"].AsArray();
        var none = await alice.Get("repos/acme/payments/codeowners/errors");

        Assert.Equal(2, errors.Count);
        Assert.Equal(3, errors[0]!["line"]!.GetValue<int>());
        Assert.Equal(9, errors[0]!["column"]!.GetValue<int>());
        Assert.Equal("Unknown owner", errors[0]!["kind"]!.GetValue<string>());
        Assert.Equal("/docs/  @acme/writers alice@example.com", errors[0]!["source"]!.GetValue<string>());
        Assert.Contains("@acme/writers", errors[0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(".github/CODEOWNERS", errors[0]!["path"]!.GetValue<string>());
        Assert.Equal(4, errors[1]!["line"]!.GetValue<int>());
        Assert.Contains("@mallory", errors[1]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(404, none.Code); // no CODEOWNERS file
    }

    [Fact]
    public async Task Team_membership_follows_nesting_and_permissions_follow_teams()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);

        var platform = (await bot.Get("orgs/acme/teams/platform/members")).Json!.AsArray().Select(m => m!["login"]!.GetValue<string>()).Order();
        var carolInPlatform = await bot.Get("orgs/acme/teams/platform/memberships/carol");
        var daveInPlatform = await bot.Get("orgs/acme/teams/platform/memberships/dave");
        var davePayments = await bot.Get("repos/acme/payments/collaborators/dave/permission");
        var daveWeb = await bot.Get("repos/acme/web/collaborators/dave/permission");
        var bobWeb = await bot.Get("repos/acme/web/collaborators/bob/permission");
        var teams = (await bot.Get("repos/acme/payments/teams")).Json!.AsArray();

        Assert.Equal(["alice", "bob", "carol"], platform);
        Assert.Equal(200, carolInPlatform.Code);
        Assert.Equal(404, daveInPlatform.Code);
        Assert.Equal("admin", davePayments["permission"].GetValue<string>());
        Assert.Equal("read", daveWeb["permission"].GetValue<string>());
        Assert.Equal("write", bobWeb["permission"].GetValue<string>());
        Assert.Equal("admin", teams.Single(t => t!["slug"]!.GetValue<string>() == "ops")!["permission"]!.GetValue<string>());
        Assert.Equal("push", teams.Single(t => t!["slug"]!.GetValue<string>() == "platform")!["permission"]!.GetValue<string>());
    }
}
