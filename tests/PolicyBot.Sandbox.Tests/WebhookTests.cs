using System.Text.Json.Nodes;
using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests;

/// <summary>People act through the API; the webhooks GitHub would send arrive signed, in order, shaped like GitHub's.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private GitHubSimulator _sim = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _sim = await TestOrgs.StartAsync(new SimulatorOptions { WebhookSecret = "s3cret" }, install: false);
        _sim.WebhookUrl = _receiver.Url;
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    /// <summary>Webhooks delivered so far, leaving out check_suite.requested (GitHub sends one for every push).</summary>
    private async Task<List<ReceivedWebhook>> Delivered(bool withCheckSuites = false)
    {
        await _sim.WaitForWebhooksAsync(CancellationToken.None);
        return [.. _receiver.Drain().Where(h => withCheckSuites || h.Event != "check_suite")];
    }

    /// <summary>Installs the app on acme and drains installation.created, so a test sees only the webhooks it causes.</summary>
    private async Task InstallAndDrainAsync()
    {
        await _sim.InstallAsync("acme");
        await Delivered();
    }

    private static void AssertShapedLike(string fixture, ReceivedWebhook webhook, int depth = 3)
    {
        var missing = PayloadShape.MissingKeys(PayloadShape.Fixture(fixture), webhook.Payload, depth);
        Assert.True(missing.Count == 0, $"{webhook.Event}.{webhook.Action} lacks keys GitHub sends ({fixture}): {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task Nothing_is_sent_before_the_app_is_installed_and_installing_sends_installation_created()
    {
        using var alice = SimClient.AsPerson(_sim, "alice");
        await alice.Patch("repos/acme/web", new { description = "before install" });
        Assert.Empty(await Delivered());

        await _sim.InstallAsync("acme");
        var hooks = await Delivered();

        var installed = Assert.Single(hooks);
        Assert.Equal("installation", installed.Event);
        Assert.Equal("created", installed.Action);
        Assert.True(installed.SignatureValidFor("s3cret"));
        Assert.False(installed.SignatureValidFor("wrong"));
        Assert.Equal("integration", installed.TargetType);
        Assert.True(Guid.TryParse(installed.Delivery, out _));
        Assert.Equal(1001, installed.Payload["installation"]!["id"]!.GetValue<long>());
        Assert.Equal(["payments", "web"], installed.Payload["repositories"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).Order());
        AssertShapedLike("installation/created.payload.json", installed);
    }

    [Fact]
    public async Task Repository_changes_send_repository_events()
    {
        await InstallAndDrainAsync();
        using var alice = SimClient.AsPerson(_sim, "alice");

        await alice.Post("orgs/acme/repos", new { name = "new-thing", description = "fresh" });
        await alice.Patch("repos/acme/new-thing", new { description = "edited", archived = true });
        await alice.Patch("repos/acme/new-thing", new { name = "renamed-thing" });
        await alice.Delete("repos/acme/renamed-thing");
        var hooks = await Delivered();

        Assert.Equal(["created", "edited", "archived", "renamed", "deleted"], hooks.Select(h => h.Action));
        Assert.All(hooks, h => Assert.Equal("repository", h.Event));
        Assert.All(hooks, h => Assert.True(h.SignatureValidFor("s3cret")));
        Assert.All(hooks, h => Assert.Equal("alice", h.Payload["sender"]!["login"]!.GetValue<string>()));
        Assert.All(hooks, h => Assert.Equal(1001, h.Payload["installation"]!["id"]!.GetValue<long>()));
        Assert.Equal("fresh", hooks[1].Payload["changes"]!["description"]!["from"]!.GetValue<string>());
        Assert.Equal("new-thing", hooks[3].Payload["changes"]!["repository"]!["name"]!["from"]!.GetValue<string>());
        AssertShapedLike("repository/created.payload.json", hooks[0]);
        AssertShapedLike("repository/renamed.payload.json", hooks[3]);
        Assert.Equal(hooks.Count, hooks.Select(h => h.Delivery).Distinct().Count());
    }

    [Fact]
    public async Task Pushing_a_file_sends_push_with_added_modified_removed()
    {
        await InstallAndDrainAsync();
        using var bob = SimClient.AsPerson(_sim, "bob");

        var added = await bob.Put("repos/acme/web/contents/catalog-info.yaml", new { message = "Register", content = SimClient.Base64("kind: Component\n") });
        var sha = added["content"]["sha"]!.GetValue<string>();
        await bob.Put("repos/acme/web/contents/catalog-info.yaml", new { message = "Fix", content = SimClient.Base64("kind: Component\nspec: {}\n"), sha });
        var current = await bob.Get("repos/acme/web/contents/catalog-info.yaml");
        await bob.Delete("repos/acme/web/contents/catalog-info.yaml", new { message = "Drop", sha = current["sha"].GetValue<string>() });
        var hooks = await Delivered();

        Assert.Equal(3, hooks.Count);
        Assert.All(hooks, h => Assert.Equal("push", h.Event));
        Assert.Equal(["catalog-info.yaml"], hooks[0].Payload["commits"]![0]!["added"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(["catalog-info.yaml"], hooks[1].Payload["commits"]![0]!["modified"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(["catalog-info.yaml"], hooks[2].Payload["commits"]![0]!["removed"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal("refs/heads/main", hooks[0].Payload["ref"]!.GetValue<string>());
        Assert.Equal(hooks[0].Payload["after"]!.GetValue<string>(), hooks[1].Payload["before"]!.GetValue<string>());
        AssertShapedLike("push/with-organization.payload.json", hooks[0]);
    }

    [Fact]
    public async Task Pull_request_life_sends_opened_synchronize_review_and_closed_merged()
    {
        await InstallAndDrainAsync();
        using var bob = SimClient.AsPerson(_sim, "bob");
        using var alice = SimClient.AsPerson(_sim, "alice");
        var main = await bob.Get("repos/acme/web/git/ref/heads/main");
        await bob.Post("repos/acme/web/git/refs", new { @ref = "refs/heads/feature", sha = main["object"]["sha"]!.GetValue<string>() });
        await bob.Put("repos/acme/web/contents/src/app.js", new { message = "App", content = SimClient.Base64("console.log(1)\n"), branch = "feature" });
        var opened = await bob.Post("repos/acme/web/pulls", new { title = "Add app", head = "feature", @base = "main" });
        var number = opened["number"].GetValue<int>();
        await alice.Post($"repos/acme/web/pulls/{number}/reviews", new { @event = "APPROVE" });
        await bob.Put("repos/acme/web/contents/src/app.js", new
        {
            message = "Tweak",
            content = SimClient.Base64("console.log(2)\n"),
            branch = "feature",
            sha = (await bob.Get("repos/acme/web/contents/src/app.js?ref=feature"))["sha"].GetValue<string>(),
        });
        var merged = await alice.Put($"repos/acme/web/pulls/{number}/merge", new { merge_method = "merge" });
        var hooks = await Delivered();

        Assert.Equal(200, merged.Code);
        var sequence = hooks.Select(h => $"{h.Event}.{h.Action}").ToList();
        Assert.Equal(
            ["push.", "push.", "pull_request.opened", "pull_request_review.submitted", "push.", "pull_request.synchronize", "push.", "pull_request.closed"],
            sequence);
        var closed = hooks[^1].Payload["pull_request"]!;
        Assert.True(closed["merged"]!.GetValue<bool>());
        Assert.Equal("alice", closed["merged_by"]!["login"]!.GetValue<string>());
        var mergePush = hooks[^2].Payload;
        Assert.Equal("refs/heads/main", mergePush["ref"]!.GetValue<string>());
        Assert.Equal(["src/app.js"], mergePush["commits"]![0]!["added"]!.AsArray().Select(x => x!.GetValue<string>()));
        var baseFile = await bob.Get("repos/acme/web/contents/src/app.js");
        Assert.Equal("console.log(2)\n", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(baseFile["content"].GetValue<string>())));
        Assert.Equal(hooks[5].Payload["after"]!.GetValue<string>(), hooks[5].Payload["pull_request"]!["head"]!["sha"]!.GetValue<string>());
        AssertShapedLike("pull_request/opened.with-organization.payload.json", hooks[2]);
        AssertShapedLike("pull_request/synchronize.payload.json", hooks[5]);
        AssertShapedLike("pull_request/closed.with-organization.payload.json", hooks[^1]);
        AssertShapedLike("pull_request_review/submitted.with-organization.payload.json", hooks[3]);
    }

    [Fact]
    public async Task Review_dismissal_and_requested_reviewers_send_their_events()
    {
        await InstallAndDrainAsync();
        using var alice = SimClient.AsPerson(_sim, "alice");
        var reviews = await alice.Get("repos/acme/payments/pulls/7/reviews");
        var approval = reviews.Json!.AsArray().First(r => r!["user"]!["login"]!.GetValue<string>() == "alice")!;

        await alice.Put($"repos/acme/payments/pulls/7/reviews/{approval["id"]!.GetValue<long>()}/dismissals", new { message = "Needs security", @event = "DISMISS" });
        await alice.Post("repos/acme/payments/pulls/7/requested_reviewers", new { reviewers = new[] { "bob" }, team_reviewers = new[] { "security" } });
        var hooks = await Delivered();

        Assert.Equal(["pull_request_review.dismissed", "pull_request.review_requested", "pull_request.review_requested"], hooks.Select(h => $"{h.Event}.{h.Action}"));
        Assert.Equal("dismissed", hooks[0].Payload["review"]!["state"]!.GetValue<string>());
        Assert.Equal("bob", hooks[1].Payload["requested_reviewer"]!["login"]!.GetValue<string>());
        Assert.Equal("security", hooks[2].Payload["requested_team"]!["slug"]!.GetValue<string>());
        AssertShapedLike("pull_request_review/dismissed.payload.json", hooks[0]);
        AssertShapedLike("pull_request/review_requested.payload.json", hooks[1]);
    }

    [Fact]
    public async Task Protection_changes_send_branch_protection_rule_events()
    {
        await InstallAndDrainAsync();
        using var alice = SimClient.AsPerson(_sim, "alice");
        var body = new JsonObject
        {
            ["required_status_checks"] = null,
            ["enforce_admins"] = false,
            ["required_pull_request_reviews"] = new JsonObject { ["required_approving_review_count"] = 1 },
            ["restrictions"] = null,
        };

        await alice.Put("repos/acme/web/branches/main/protection", body);
        body["required_pull_request_reviews"]!["required_approving_review_count"] = 2;
        await alice.Put("repos/acme/web/branches/main/protection", body);
        await alice.Delete("repos/acme/web/branches/main/protection");
        var hooks = await Delivered();

        Assert.Equal(["created", "edited", "deleted"], hooks.Select(h => h.Action));
        Assert.All(hooks, h => Assert.Equal("branch_protection_rule", h.Event));
        Assert.Equal(1, hooks[1].Payload["changes"]!["required_approving_review_count"]!["from"]!.GetValue<int>());
        Assert.Equal(2, hooks[1].Payload["rule"]!["required_approving_review_count"]!.GetValue<int>());
        AssertShapedLike("branch_protection_rule/created.payload.json", hooks[0]);
        AssertShapedLike("branch_protection_rule/deleted.payload.json", hooks[2]);
    }

    [Fact]
    public async Task Team_membership_and_rulesets_send_their_events()
    {
        await InstallAndDrainAsync();
        using var alice = SimClient.AsPerson(_sim, "alice");

        await alice.Post("orgs/acme/teams", new { name = "Data Science" });
        await alice.Put("orgs/acme/teams/data-science/memberships/bob", new { role = "member" });
        await alice.Delete("orgs/acme/teams/data-science/memberships/bob");
        var ruleset = await alice.Post("repos/acme/web/rulesets", new JsonObject
        {
            ["name"] = "main",
            ["enforcement"] = "active",
            ["conditions"] = new JsonObject { ["ref_name"] = new JsonObject { ["include"] = new JsonArray("~DEFAULT_BRANCH") } },
            ["rules"] = new JsonArray(new JsonObject { ["type"] = "deletion" }),
        });
        await alice.Put($"repos/acme/web/rulesets/{ruleset["id"].GetValue<long>()}", new { enforcement = "evaluate" });
        await alice.Delete($"repos/acme/web/rulesets/{ruleset["id"].GetValue<long>()}");
        var hooks = await Delivered();

        Assert.Equal(
            ["team.created", "membership.added", "membership.removed", "repository_ruleset.created", "repository_ruleset.edited", "repository_ruleset.deleted"],
            hooks.Select(h => $"{h.Event}.{h.Action}"));
        Assert.Equal("active", hooks[4].Payload["changes"]!["enforcement"]!["from"]!.GetValue<string>());
        Assert.Equal("bob", hooks[1].Payload["member"]!["login"]!.GetValue<string>());
        AssertShapedLike("team/created.payload.json", hooks[0]);
        AssertShapedLike("membership/added.payload.json", hooks[1]);
    }

    [Fact]
    public async Task Check_runs_send_created_and_completed_even_for_the_apps_own_runs()
    {
        await InstallAndDrainAsync();
        using var bot = SimClient.AsInstallation(_sim, 1001);
        var head = (await bot.Get("repos/acme/payments/pulls/7"))["head"]["sha"]!.GetValue<string>();

        var run = await bot.Post("repos/acme/payments/check-runs", new { name = "PolicyBot", head_sha = head, status = "in_progress" });
        await bot.Patch($"repos/acme/payments/check-runs/{run["id"].GetValue<long>()}", new { conclusion = "failure", output = new { title = "1 rule unmet", summary = "security review" } });
        var hooks = await Delivered();

        Assert.Equal(["check_run.created", "check_run.completed"], hooks.Select(h => $"{h.Event}.{h.Action}"));
        Assert.Equal(_sim.AppId, hooks[1].Payload["check_run"]!["app"]!["id"]!.GetValue<long>());
        Assert.Equal(7, hooks[1].Payload["check_run"]!["pull_requests"]![0]!["number"]!.GetValue<int>());
        Assert.Equal("policybot[bot]", hooks[1].Payload["sender"]!["login"]!.GetValue<string>());
        AssertShapedLike("check_run/completed.with-organization.payload.json", hooks[1]);

        using var control = SimClient.For(_sim, null);
        var rerun = await control.Post($"_sandbox/repos/acme/payments/check-runs/{run["id"].GetValue<long>()}/rerequest?login=dave");
        var rerequested = Assert.Single(await Delivered());
        Assert.Equal(202, rerun.Code);
        Assert.Equal("check_run.rerequested", $"{rerequested.Event}.{rerequested.Action}");
        Assert.Equal("dave", rerequested.Payload["sender"]!["login"]!.GetValue<string>());
        AssertShapedLike("check_run/rerequested.with-organization.payload.json", rerequested);
    }

    [Fact]
    public async Task Pushes_request_a_check_suite_and_re_runs_are_rerequested()
    {
        await InstallAndDrainAsync();
        using var dave = SimClient.AsPerson(_sim, "dave");
        var file = await dave.Get("repos/acme/payments/contents/src/auth/login.cs?ref=remember-login");
        await dave.Put("repos/acme/payments/contents/src/auth/login.cs", new { message = "m", content = SimClient.Base64("v3\n"), branch = "remember-login", sha = file["sha"].GetValue<string>() });
        var hooks = await Delivered(withCheckSuites: true);
        var head = (await dave.Get("repos/acme/payments/pulls/7"))["head"]["sha"]!.GetValue<string>();
        using var control = SimClient.For(_sim, null);
        await control.Post($"_sandbox/repos/acme/payments/check-suites/{head}/rerequest?login=dave");
        var rerun = await Delivered(withCheckSuites: true);

        var suite = hooks.Single(h => h.Event == "check_suite");
        Assert.Equal("requested", suite.Action);
        Assert.Equal(head, suite.Payload["check_suite"]!["head_sha"]!.GetValue<string>());
        Assert.Equal(7, suite.Payload["check_suite"]!["pull_requests"]![0]!["number"]!.GetValue<int>());
        AssertShapedLike("check_suite/requested.with-organization.payload.json", suite);
        Assert.Equal("rerequested", Assert.Single(rerun).Action);
        Assert.Equal(suite.Payload["check_suite"]!["id"]!.GetValue<long>(), rerun[0].Payload["check_suite"]!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Uninstalling_sends_installation_deleted_and_revokes_tokens()
    {
        await InstallAndDrainAsync();
        using var bot = SimClient.AsInstallation(_sim, 1001);
        Assert.Equal(200, (await bot.Get("repos/acme/web")).Code);

        await _sim.UninstallAsync("acme");
        var hooks = await Delivered();

        Assert.Equal("installation.deleted", $"{Assert.Single(hooks).Event}.{hooks[0].Action}");
        AssertShapedLike("installation/deleted.payload.json", hooks[0]);
        Assert.Equal(401, (await bot.Get("repos/acme/web")).Code);
        using var alice = SimClient.AsPerson(_sim, "alice");
        await alice.Patch("repos/acme/web", new { description = "nobody hears this" });
        Assert.Empty(await Delivered(withCheckSuites: true));
    }

    [Fact]
    public async Task Deliveries_are_logged_with_status_and_can_be_redelivered()
    {
        _receiver.AnswerStatus = 500;
        await InstallAndDrainAsync();
        var failed = Assert.Single(_sim.Deliveries);
        Assert.Equal(500, failed.StatusCode);
        Assert.Equal("installation", failed.Event);

        _receiver.AnswerStatus = 202;
        Assert.True(_sim.Redeliver(failed.Id));
        var again = Assert.Single(await Delivered());

        Assert.Equal(failed.Id.ToString(), again.Delivery);
        Assert.Equal(2, _sim.Deliveries.Count);
        Assert.Equal(202, _sim.Deliveries[^1].StatusCode);
        Assert.True(_sim.Deliveries[^1].Redelivery);
        Assert.False(_sim.Redeliver(Guid.NewGuid()));
    }
}
