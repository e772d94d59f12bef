using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests;

public sealed class OrganizationTests
{
    [Fact]
    public async Task Teams_can_be_edited_given_repositories_and_deleted_with_their_children()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await TestOrgs.StartAsync();
        sim.WebhookUrl = receiver.Url;
        await sim.WaitForWebhooksAsync();
        receiver.Drain();
        using var alice = SimClient.AsPerson(sim, "alice");
        using var bob = SimClient.AsPerson(sim, "bob");

        var created = await alice.Post("orgs/acme/teams", new { name = "Release Managers" });
        var noRepos = await alice.Get("repos/acme/web/collaborators/dave/permission"); // ops lists only payments
        var edited = await alice.Patch("orgs/acme/teams/release-managers", new { description = "ship it" });
        await alice.Put("orgs/acme/teams/release-managers/memberships/dave", new { role = "maintainer" });
        var granted = await alice.Put("orgs/acme/teams/release-managers/repos/acme/web", new { permission = "maintain" });
        var davesPermission = await alice.Get("repos/acme/web/collaborators/dave/permission");
        await alice.Put("orgs/acme/teams/platform/repos/acme/web", new { permission = "pull" });
        var bobAfter = await alice.Get("repos/acme/web/collaborators/bob/permission");
        var bobPayments = await alice.Get("repos/acme/payments/collaborators/bob/permission");
        var refused = await bob.Delete("orgs/acme/teams/platform");
        var deleted = await alice.Delete("orgs/acme/teams/platform");
        var teams = (await alice.Get("orgs/acme/teams")).Json!.AsArray().Select(t => t!["slug"]!.GetValue<string>()).Order();
        await sim.WaitForWebhooksAsync();
        var hooks = receiver.Drain().Where(h => h.Event is "team" or "membership").Select(h => $"{h.Event}.{h.Action}").ToList();

        Assert.Equal(201, created.Code);
        Assert.Equal("read", noRepos["permission"].GetValue<string>());
        Assert.Equal("ship it", edited["description"].GetValue<string>());
        Assert.Equal(204, granted.Code);
        Assert.Equal("maintain", davesPermission["role_name"].GetValue<string>());
        Assert.Equal("read", bobAfter["permission"].GetValue<string>());
        Assert.Equal("write", bobPayments["permission"].GetValue<string>());
        Assert.Equal(403, refused.Code);
        Assert.Equal(204, deleted.Code);
        Assert.Equal(["ops", "release-managers"], teams); // security was platform's child
        Assert.Equal(
            ["team.created", "team.edited", "membership.added", "team.added_to_repository", "team.added_to_repository", "team.deleted", "team.deleted"],
            hooks);
    }

    [Fact]
    public async Task Organisation_membership_can_be_granted_and_removed()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var alice = SimClient.AsPerson(sim, "alice");
        using var bob = SimClient.AsPerson(sim, "bob");

        var added = await alice.Put("orgs/acme/memberships/erin", new { role = "member" });
        var isMember = await bob.Get("orgs/acme/members/erin");
        var members = (await bob.Get("orgs/acme/members")).Json!.AsArray().Select(m => m!["login"]!.GetValue<string>()).Order();
        var admins = (await bob.Get("orgs/acme/members?role=admin")).Json!.AsArray().Select(m => m!["login"]!.GetValue<string>());
        var refused = await bob.Delete("orgs/acme/members/erin");
        await alice.Delete("orgs/acme/members/bob");
        var platform = (await alice.Get("orgs/acme/teams/platform/members")).Json!.AsArray().Select(m => m!["login"]!.GetValue<string>()).Order();
        var bobNow = await bob.Get("repos/acme/web");

        Assert.Equal(200, added.Code);
        Assert.Equal(204, isMember.Code);
        Assert.Equal(["alice", "bob", "carol", "dave", "erin"], members);
        Assert.Equal(["alice"], admins);
        Assert.Equal(403, refused.Code);
        Assert.Equal(["alice", "carol"], platform);
        Assert.Equal(401, bobNow.Code); // bob belongs to no organisation any more
    }

    [Fact]
    public async Task Renaming_a_repository_keeps_team_access_redirects_the_old_name_and_refuses_a_taken_one()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var alice = SimClient.AsPerson(sim, "alice");

        var taken = await alice.Patch("repos/acme/payments", new { name = "web" });
        var renamed = await alice.Patch("repos/acme/payments", new { name = "card-payments" });
        var dave = await alice.Get("repos/acme/card-payments/collaborators/dave/permission");
        using var noRedirects = new HttpClientHandler { AllowAutoRedirect = false };
        using var raw = SimClient.For(sim, "Bearer sandbox:alice", noRedirects);
        var moved = await raw.Get("repos/acme/payments?x=1");
        var movedWrite = await raw.Post("repos/acme/payments/issues", new { title = "t" });
        // .NET's HttpClient drops Authorization on redirects; clients such as Octokit follow them with it, as here.
        var movedPull = await raw.Get("repos/acme/payments/pulls/7");
        var followed = await raw.Get(new Uri(movedPull.Header("Location")).PathAndQuery);

        Assert.Equal(422, taken.Code);
        Assert.Equal("acme/card-payments", renamed["full_name"].GetValue<string>());
        Assert.Equal("admin", dave["permission"].GetValue<string>());
        Assert.Equal(200, followed.Code);
        Assert.Equal(7, followed["number"].GetValue<int>());
        Assert.Equal(301, moved.Code);
        Assert.EndsWith("/repos/acme/card-payments?x=1", moved.Header("Location"), StringComparison.Ordinal);
        Assert.Equal(307, movedWrite.Code);
    }

    [Fact]
    public async Task Clients_that_address_GitHub_Enterprise_under_api_v3_reach_the_same_API()
    {
        await using var sim = await TestOrgs.StartAsync();
        using var bot = SimClient.AsInstallation(sim, 1001);

        var viaPrefix = await bot.Get("api/v3/repos/acme/web");
        var unknown = await bot.Get("api/v3/no/such/endpoint");

        Assert.Equal(200, viaPrefix.Code);
        Assert.Equal("acme/web", viaPrefix["full_name"].GetValue<string>());
        Assert.Equal(404, unknown.Code);
        Assert.Equal("Not Found", unknown["message"].GetValue<string>());
    }
}
