using System.Text.Json.Nodes;
using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests;

/// <summary>
/// Repository custom properties as GitHub documents them (https://docs.github.com/rest/orgs/custom-properties,
/// https://docs.github.com/rest/repos/custom-properties and the `custom_property_values` webhook,
/// https://docs.github.com/webhooks/webhook-events-and-payloads#custom_property_values): members and the app read
/// the schema and values; only organisation owners set values unless the property lets repository admins; a
/// repository without a value has the default; every value is text (or a list of texts for multi_select).
/// </summary>
public sealed class CustomPropertyTests
{
    private const string Org = """
        org: acme
        installation_id: 1001
        members: [alice, bob, dave]
        admins: [alice]
        teams:
          - { slug: ops, members: [dave], repos: { payments: admin } }
        custom_properties:
          - { name: tier, value_type: single_select, allowed_values: [critical, standard], required: true, default_value: standard }
          - { name: domains, value_type: multi_select, allowed_values: [billing, identity, search] }
          - { name: pager, value_type: true_false, values_editable_by: org_and_repo_actors }
        repos:
          - name: payments
            properties: { tier: critical, domains: [billing, identity] }
          - name: web
        """;

    [Fact]
    public async Task Schema_and_values_are_read_by_members_and_the_app_with_defaults_for_repositories_without_a_value()
    {
        await using var sim = await TestOrgs.StartAsync(yaml: Org);
        using var bot = SimClient.AsInstallation(sim, 1001);
        using var bob = SimClient.AsPerson(sim, "bob");

        var schema = await bot.Get("orgs/acme/properties/schema");
        var values = await bob.Get("orgs/acme/properties/values");
        var web = await bot.Get("repos/acme/web/properties/values");

        Assert.Equal(["tier", "domains", "pager"], schema.Json!.AsArray().Select(p => p!["property_name"]!.GetValue<string>()));
        Assert.Equal("single_select", schema.Json!.AsArray()[0]!["value_type"]!.GetValue<string>());
        Assert.Equal("org_actors", schema.Json!.AsArray()[0]!["values_editable_by"]!.GetValue<string>());
        var payments = values.Json!.AsArray().Single(v => v!["repository_name"]!.GetValue<string>() == "payments")!;
        Assert.Equal("acme/payments", payments["repository_full_name"]!.GetValue<string>());
        Assert.Equal(
            """[{"property_name":"tier","value":"critical"},{"property_name":"domains","value":["billing","identity"]}]""",
            payments["properties"]!.ToJsonString());
        Assert.Equal("""[{"property_name":"tier","value":"standard"}]""", web.Json!.ToJsonString());
    }

    [Fact]
    public async Task An_owner_sets_values_a_repository_admin_only_where_allowed_and_each_change_sends_custom_property_values()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await TestOrgs.StartAsync(yaml: Org);
        sim.WebhookUrl = receiver.Url;
        await sim.WaitForWebhooksAsync();
        receiver.Drain();
        using var alice = SimClient.AsPerson(sim, "alice");
        using var dave = SimClient.AsPerson(sim, "dave");
        using var bot = SimClient.AsInstallation(sim, 1001);

        var repoAdminOrgOnly = await dave.Patch("repos/acme/payments/properties/values", new { properties = new[] { new { property_name = "tier", value = "standard" } } });
        var repoAdminAllowed = await dave.Patch("repos/acme/payments/properties/values", new { properties = new[] { new { property_name = "pager", value = "true" } } });
        var app = await bot.Patch("repos/acme/payments/properties/values", new { properties = new[] { new { property_name = "pager", value = "false" } } });
        var notAllowed = await alice.Patch("repos/acme/web/properties/values", new { properties = new[] { new { property_name = "tier", value = "gold" } } });
        var unknown = await alice.Patch("repos/acme/web/properties/values", new { properties = new[] { new { property_name = "colour", value = "blue" } } });
        var cannotUnsetRequired = await alice.Patch("repos/acme/web/properties/values", new JsonObject { ["properties"] = new JsonArray(new JsonObject { ["property_name"] = "tier", ["value"] = null }) });
        var owner = await alice.Patch("repos/acme/web/properties/values", new { properties = new[] { new { property_name = "tier", value = "critical" } } });
        var unchanged = await alice.Patch("repos/acme/web/properties/values", new { properties = new[] { new { property_name = "tier", value = "critical" } } });
        await sim.WaitForWebhooksAsync();
        var hooks = receiver.Drain().Where(h => h.Event == "custom_property_values").ToList();

        Assert.Equal(403, repoAdminOrgOnly.Code);
        Assert.Equal(204, repoAdminAllowed.Code);
        Assert.Equal(403, app.Code);
        Assert.Equal(422, notAllowed.Code);
        Assert.Equal(422, unknown.Code);
        Assert.Equal(422, cannotUnsetRequired.Code);
        Assert.Equal(204, owner.Code);
        Assert.Equal(204, unchanged.Code);
        Assert.Equal("""[{"property_name":"tier","value":"critical"}]""", (await bot.Get("repos/acme/web/properties/values")).Json!.ToJsonString());

        // Two changes, two deliveries; setting the value it already has sends nothing. The payload carries the keys the
        // schema of @octokit/webhooks-schemas 7.6.1 requires (custom_property_values$updated).
        Assert.Equal(2, hooks.Count);
        var web = hooks[1].Payload;
        Assert.Equal("updated", web["action"]!.GetValue<string>());
        Assert.Equal("acme/web", web["repository"]!["full_name"]!.GetValue<string>());
        Assert.Equal("acme", web["organization"]!["login"]!.GetValue<string>());
        Assert.Equal("alice", web["sender"]!["login"]!.GetValue<string>());
        Assert.Equal(1001, web["installation"]!["id"]!.GetValue<long>());
        Assert.Equal("""[{"property_name":"tier","value":"critical"}]""", web["new_property_values"]!.ToJsonString());
        Assert.Equal("""[{"property_name":"tier","value":"standard"}]""", web["old_property_values"]!.ToJsonString());
        Assert.Equal("""[{"property_name":"pager","value":null}]""", hooks[0].Payload["old_property_values"]!.ToJsonString());
    }

    [Theory]
    [InlineData("repos:\n  - { name: web, properties: { tier: gold } }\n", "not a valid value")]
    [InlineData("repos:\n  - { name: web, properties: { colour: blue } }\n", "not one of the organisation's custom_properties")]
    [InlineData("custom_properties:\n  - { name: zone, value_type: single_select }\nrepos: []\n", "needs allowed_values")]
    public void A_scenario_with_a_value_github_would_refuse_does_not_load(string tail, string message)
    {
        var yaml = "org: acme\ncustom_properties:\n  - { name: tier, value_type: single_select, allowed_values: [critical, standard] }\n" + tail;
        if (tail.StartsWith("custom_properties", StringComparison.Ordinal))
        {
            yaml = "org: acme\n" + tail;
        }

        var error = Assert.Throws<PolicyBot.Sandbox.Scenarios.ScenarioException>(() => PolicyBot.Sandbox.Scenarios.ScenarioParser.Parse(yaml, "test.yml", DateTimeOffset.UtcNow));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
