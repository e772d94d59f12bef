using System.Text.Json.Nodes;
using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests.Contracts;

/// <summary>
/// Drives every operation the simulator implements and checks each answer (and each request sent) against the schema
/// GitHub publishes for it; operations outside the published subset (merge, dismissals, org members list...) are exempt.
/// </summary>
public sealed class ContractTests
{
    private static readonly OpenApiContract Contract = OpenApiContract.Load();

    [Fact]
    public async Task Every_implemented_operation_answers_in_GitHubs_documented_shape()
    {
        await using var sim = await GitHubSimulator.StartAsync(TestOrgs.Options());
        sim.LoadDemo();
        await sim.InstallAsync("acme");
        using var handler = new ContractCheckingHandler(Contract);
        using var app = SimClient.AsApp(sim, handler);
        using var bot = SimClient.AsInstallation(sim, 1001, handler);
        using var alice = SimClient.AsPerson(sim, "alice", handler);
        using var carol = SimClient.AsPerson(sim, "carol", handler);
        using var dave = SimClient.AsPerson(sim, "dave", handler);

        // App and installations.
        Assert.Equal(200, (await app.Get("app")).Code);
        Assert.Equal(200, (await app.Get("app/installations")).Code);
        Assert.Equal(201, (await app.Post("app/installations/1001/access_tokens")).Code);
        Assert.Equal(201, (await SimClient.For(sim, null, handler).Post($"app-manifests/{sim.CreateManifestCode()}/conversions")).Code);
        Assert.Equal(200, (await bot.Get("installation/repositories?per_page=3")).Code);
        Assert.Equal(200, (await bot.Get("rate_limit")).Code);

        // Organisation.
        Assert.Equal(200, (await bot.Get("orgs/acme/repos")).Code);
        var created = await alice.Post("orgs/acme/repos", new { name = "contract-check", description = "made by the contract test", auto_init = true });
        Assert.Equal(201, created.Code);
        Assert.Equal(200, (await bot.Get("orgs/acme/teams")).Code);
        Assert.Equal(201, (await alice.Post("orgs/acme/teams", new { name = "Data", description = "data people", privacy = "closed" })).Code);
        Assert.Equal(200, (await bot.Get("orgs/acme/teams/platform/members")).Code);
        Assert.Equal(200, (await bot.Get("orgs/acme/teams/platform/memberships/carol")).Code);
        Assert.Equal(200, (await alice.Put("orgs/acme/teams/data/memberships/erin", new { role = "member" })).Code);
        Assert.Equal(204, (await alice.Delete("orgs/acme/teams/data/memberships/erin")).Code);
        Assert.Equal(204, (await bot.Get("orgs/acme/members/bob")).Code);
        Assert.Equal(404, (await bot.Get("orgs/acme/members/nobody")).Code);
        Assert.Equal(200, (await bot.Get("orgs/acme/rulesets")).Code);
        Assert.Equal(200, (await bot.Get("orgs/acme/properties/schema")).Code);
        Assert.Equal(200, (await bot.Get("orgs/acme/properties/values")).Code);
        Assert.Equal(200, (await bot.Get("repos/acme/payments/properties/values")).Code);
        Assert.Equal(204, (await alice.Patch("repos/acme/payments/properties/values", new { properties = new[] { new { property_name = "tier", value = "standard" } } })).Code);
        var orgRuleset = await alice.Post("orgs/acme/rulesets", new JsonObject
        {
            ["name"] = "contract org ruleset",
            ["target"] = "branch",
            ["enforcement"] = "evaluate",
            ["conditions"] = new JsonObject
            {
                ["ref_name"] = new JsonObject { ["include"] = new JsonArray("~DEFAULT_BRANCH"), ["exclude"] = new JsonArray() },
                ["repository_name"] = new JsonObject { ["include"] = new JsonArray("contract-*"), ["exclude"] = new JsonArray() },
            },
            ["rules"] = new JsonArray(new JsonObject { ["type"] = "deletion" }),
        });
        Assert.Equal(201, orgRuleset.Code);

        // Repositories.
        Assert.Equal(200, (await bot.Get("repos/acme/payments")).Code);
        Assert.Equal(200, (await alice.Patch("repos/acme/contract-check", new { description = "edited" })).Code);
        Assert.Equal(200, (await bot.Get("repos/acme/payments/branches/main")).Code);
        Assert.Equal(200, (await bot.Get("repos/acme/payments/branches/main/protection")).Code);
        Assert.Equal(404, (await bot.Get("repos/acme/scratch-notes/branches/main/protection")).Code);
        var protection = await bot.Put("repos/acme/scratch-notes/branches/main/protection", new JsonObject
        {
            ["required_status_checks"] = new JsonObject { ["strict"] = true, ["contexts"] = new JsonArray(), ["checks"] = new JsonArray(new JsonObject { ["context"] = "PolicyBot", ["app_id"] = sim.AppId }) },
            ["enforce_admins"] = true,
            ["required_pull_request_reviews"] = new JsonObject { ["dismiss_stale_reviews"] = true, ["required_approving_review_count"] = 2 },
            ["restrictions"] = null,
            ["allow_force_pushes"] = false,
            ["allow_deletions"] = false,
        });
        Assert.Equal(200, protection.Code);
        Assert.Equal(204, (await bot.Delete("repos/acme/scratch-notes/branches/main/protection")).Code);
        Assert.Equal(200, (await bot.Get("repos/acme/billing-api/rules/branches/main")).Code);
        Assert.Equal(200, (await bot.Get("repos/acme/billing-api/rulesets")).Code);
        var repoRuleset = await alice.Post("repos/acme/scratch-notes/rulesets", new JsonObject
        {
            ["name"] = "main",
            ["target"] = "branch",
            ["enforcement"] = "active",
            ["conditions"] = new JsonObject { ["ref_name"] = new JsonObject { ["include"] = new JsonArray("~DEFAULT_BRANCH"), ["exclude"] = new JsonArray() } },
            ["rules"] = new JsonArray(new JsonObject { ["type"] = "non_fast_forward" }),
        });
        Assert.Equal(201, repoRuleset.Code);
        Assert.Equal(200, (await bot.Get("repos/acme/payments/contents/catalog-info.yaml")).Code);
        Assert.Equal(200, (await bot.Get("repos/acme/payments/contents/src")).Code);
        Assert.Equal(404, (await bot.Get("repos/acme/scratch-notes/contents/catalog-info.yaml")).Code);
        var put = await alice.Put("repos/acme/scratch-notes/contents/notes/todo.md", new { message = "Add todo", content = SimClient.Base64("- write tests\n") });
        Assert.Equal(201, put.Code);
        var sha = put["content"]["sha"]!.GetValue<string>();
        Assert.Equal(200, (await alice.Put("repos/acme/scratch-notes/contents/notes/todo.md", new { message = "Edit todo", content = SimClient.Base64("- done\n"), sha })).Code);
        var current = await bot.Get("repos/acme/scratch-notes/contents/notes/todo.md");
        Assert.Equal(200, (await alice.Delete("repos/acme/scratch-notes/contents/notes/todo.md", new { message = "Remove todo", sha = current["sha"].GetValue<string>() })).Code);
        Assert.Equal(200, (await bot.Get("repos/acme/web-frontend/codeowners/errors")).Code);
        var mainRef = await bot.Get("repos/acme/scratch-notes/git/ref/heads/main");
        Assert.Equal(200, mainRef.Code);
        Assert.Equal(201, (await alice.Post("repos/acme/scratch-notes/git/refs", new { @ref = "refs/heads/feature", sha = mainRef["object"]["sha"]!.GetValue<string>() })).Code);
        Assert.Equal(200, (await bot.Get("repos/acme/payments/collaborators/dave/permission")).Code);
        Assert.Equal(200, (await bot.Get("repos/acme/payments/teams")).Code);

        // Pull requests.
        Assert.Equal(201, (await alice.Put("repos/acme/scratch-notes/contents/idea.md", new { message = "Idea", content = SimClient.Base64("idea\n"), branch = "feature" })).Code);
        var opened = await alice.Post("repos/acme/scratch-notes/pulls", new { title = "An idea", head = "feature", @base = "main", body = "Please look" });
        Assert.Equal(201, opened.Code);
        var number = opened["number"].GetValue<int>();
        Assert.Equal(200, (await bot.Get("repos/acme/scratch-notes/pulls?state=all")).Code);
        Assert.Equal(200, (await bot.Get($"repos/acme/scratch-notes/pulls/{number}")).Code);
        Assert.Equal(200, (await alice.Patch($"repos/acme/scratch-notes/pulls/{number}", new { title = "A better idea" })).Code);
        Assert.Equal(200, (await bot.Get($"repos/acme/scratch-notes/pulls/{number}/files")).Code);
        Assert.Equal(200, (await bot.Get($"repos/acme/scratch-notes/pulls/{number}/commits")).Code);
        Assert.Equal(200, (await carol.Post($"repos/acme/scratch-notes/pulls/{number}/reviews", new { @event = "APPROVE" })).Code);
        Assert.Equal(200, (await bot.Get($"repos/acme/scratch-notes/pulls/{number}/reviews")).Code);
        Assert.Equal(201, (await bot.Post($"repos/acme/scratch-notes/pulls/{number}/requested_reviewers", new { reviewers = new[] { "bob" }, team_reviewers = new[] { "security" } })).Code);
        Assert.Equal(200, (await bot.Get($"repos/acme/scratch-notes/pulls/{number}/requested_reviewers")).Code);
        Assert.Equal(200, (await bot.Delete($"repos/acme/scratch-notes/pulls/{number}/requested_reviewers", new { reviewers = new[] { "bob" } })).Code);

        // Check runs.
        var headSha = (await bot.Get($"repos/acme/scratch-notes/pulls/{number}"))["head"]["sha"]!.GetValue<string>();
        var run = await bot.Post("repos/acme/scratch-notes/check-runs", new { name = "PolicyBot", head_sha = headSha, status = "in_progress" });
        Assert.Equal(201, run.Code);
        var runId = run["id"].GetValue<long>();
        Assert.Equal(200, (await bot.Patch($"repos/acme/scratch-notes/check-runs/{runId}", new { conclusion = "success", output = new { title = "All rules met", summary = "| rule | state |" } })).Code);
        Assert.Equal(200, (await bot.Get($"repos/acme/scratch-notes/check-runs/{runId}")).Code);
        Assert.Equal(200, (await bot.Get($"repos/acme/scratch-notes/commits/{headSha}/check-runs?check_name=PolicyBot")).Code);

        // Issues, comments, labels.
        Assert.Equal(201, (await bot.Post("repos/acme/scratch-notes/labels", new { name = "policybot", color = "d73a4a", description = "Compliance" })).Code);
        Assert.Equal(200, (await bot.Get("repos/acme/scratch-notes/labels")).Code);
        var issue = await bot.Post("repos/acme/scratch-notes/issues", new { title = "PolicyBot: Branch protection below baseline", body = "<!-- policybot -->", labels = new[] { "policybot" } });
        Assert.Equal(201, issue.Code);
        var issueNumber = issue["number"].GetValue<int>();
        Assert.Equal(200, (await bot.Get("repos/acme/scratch-notes/issues?labels=policybot&state=all")).Code);
        Assert.Equal(200, (await bot.Get($"repos/acme/scratch-notes/issues/{issueNumber}")).Code);
        Assert.Equal(201, (await bot.Post($"repos/acme/scratch-notes/issues/{issueNumber}/comments", new { body = "Still failing." })).Code);
        Assert.Equal(200, (await bot.Get($"repos/acme/scratch-notes/issues/{issueNumber}/comments")).Code);
        Assert.Equal(200, (await bot.Patch($"repos/acme/scratch-notes/issues/{issueNumber}", new { state = "closed", state_reason = "completed" })).Code);

        // Destructive ones last.
        Assert.Equal(204, (await alice.Delete("orgs/acme/members/frank")).Code);
        Assert.Equal(204, (await alice.Delete("repos/acme/contract-check")).Code);
        _ = dave;

        Assert.True(handler.Violations.IsEmpty, string.Join(Environment.NewLine + Environment.NewLine, handler.Violations));
        var missing = Contract.Operations.Where(o => !handler.Covered.ContainsKey(o)).Select(o => $"{o.Method} {o.Template}").ToList();
        Assert.True(missing.Count == 0, "Operations not exercised: " + string.Join(", ", missing));
    }
}
