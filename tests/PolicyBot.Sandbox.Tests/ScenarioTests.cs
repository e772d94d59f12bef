using PolicyBot.Sandbox.Scenarios;
using PolicyBot.Sandbox.Tests.Support;

namespace PolicyBot.Sandbox.Tests;

public sealed class ScenarioTests
{
    private static readonly DateTimeOffset Today = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("org: acme\nmembers: [alice]\nrepos:\n  - name: a\n    colour: blue\n", 5, "unknown key 'colour' in repo")]
    [InlineData("org: acme\nmembers: [alice]\nteams:\n  - { slug: t, members: [alice, zed] }\n", 4, "team 't' member 'zed' is not in members")]
    [InlineData("org: acme\nmembers: [alice]\nteams:\n  - { slug: t, members: [alice] }\n  - slug: u\n    parent: ghosts\n", 6, "team 'u' has unknown parent team 'ghosts'")]
    [InlineData("org: acme\nmembers: [alice]\nteams:\n  - slug: t\n    repos: { nowhere: push }\nrepos:\n  - name: a\n", 5, "team 't' lists unknown repo 'nowhere'")]
    [InlineData("org: acme\nmembers: [alice]\nrepos:\n  - name: a\n  - name: b\n  - name: a\n", 6, "duplicate repo 'a'")]
    [InlineData("org: acme\nmembers: [alice]\nrepos:\n  - name: a\n    pulls:\n      - author: bob\n", 6, "pull request author 'bob' is not in members")]
    [InlineData("org: acme\nmembers: [alice]\nrepos:\n  - name: a\n    pulls:\n      - author: alice\n        base: develop\n        files: [x]\n", 7, "pull request base 'develop' is not a branch")]
    [InlineData("org: acme\nmembers: [alice]\nrepos:\n  - name: a\n    pulls:\n      - author: alice\n", 6, "changes no files")]
    [InlineData("org: acme\nmembers: [alice]\nrepos:\n  - name: a\n    protection:\n      required_approving_review_count: two\n", 6, "must be a whole number")]
    [InlineData("org: acme\nmembers: [alice\nrepos: []\n", 2, "")]
    [InlineData("members: [alice]\n", 1, "'org' is required")]
    [InlineData("org: acme\nmembers: [alice]\nrepos:\n  - name: a\n    rulesets:\n      - name: r\n        enforcement: active\n        rules: [{ type: pull_request }]\n", 6, "Invalid rule 'pull_request'")]
    public void A_bad_scenario_names_the_file_line_and_problem(string yaml, int line, string problem)
    {
        var error = Assert.Throws<ScenarioException>(() => ScenarioParser.Parse(yaml, "bad.yml", Today));

        Assert.Equal("bad.yml", error.SourceName);
        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"bad.yml({line},", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Relative_dates_expand_against_the_simulators_today()
    {
        var scenario = ScenarioParser.Parse("""
            org: acme
            members: [alice]
            repos:
              - name: a
                created_days_ago: 3
                files:
                  catalog-info.yaml: 'renews-on: "{{today+20d}}" checked: {{today}} was: {{ today - 2d }}'
              - name: b
                created_at: 2020-01-02
            """, "dates.yml", Today);

        Assert.Equal(Today.AddDays(-3), scenario.Repos[0].CreatedAt);
        Assert.Equal("renews-on: \"2026-12-17\" checked: 2026-11-27 was: 2026-11-25", scenario.Repos[0].Files["catalog-info.yaml"]);
        Assert.Equal(new DateTimeOffset(2020, 1, 2, 0, 0, 0, TimeSpan.Zero), scenario.Repos[1].CreatedAt);
    }

    [Fact]
    public async Task The_demo_organisation_loads_with_every_interesting_state()
    {
        await using var sim = await GitHubSimulator.StartAsync(TestOrgs.Options());
        var demo = sim.LoadDemo();
        await sim.InstallAsync("acme");
        using var bot = SimClient.AsInstallation(sim, 1001);

        Assert.Equal("acme", demo.Org);
        Assert.Contains(demo.Repos, r => r.Archived);
        Assert.Contains(demo.Repos, r => !r.HasIssues);
        Assert.Contains(demo.Repos, r => r.Protection is null && r.Rulesets.Count == 0 && !r.Files.ContainsKey("catalog-info.yaml"));
        Assert.Contains(demo.Repos, r => r.Protection is { RequiredApprovingReviewCount: 1, AllowForcePushes: true });
        Assert.Contains(demo.Repos, r => r.Protection is null && r.Rulesets.Count > 0);
        var policy = await bot.Get("repos/acme/.github/contents/policybot.yml");
        var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(policy["content"].GetValue<string>()));
        Assert.Contains("security review", text, StringComparison.Ordinal);
        Assert.Contains("action: issue", text, StringComparison.Ordinal);
        var imageGen = demo.Repos.Single(r => r.Name == "image-gen").Files["catalog-info.yaml"];
        var renewsOn = DateTimeOffset.Parse(System.Text.RegularExpressions.Regex.Match(imageGen, @"renews-on: ""([\d-]+)""").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange((renewsOn - DateTimeOffset.UtcNow).TotalDays, 1, 30);
        Assert.Contains("policybot/renews-on: \"" + DateTimeOffset.UtcNow.AddDays(-10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), demo.Repos.Single(r => r.Name == "analytics").Files["catalog-info.yaml"], StringComparison.Ordinal);
        Assert.Contains(demo.Repos, r => r.Files.ContainsKey(".github/policybot.yml"));

        // Pull request #7 changes auth code and is approved only outside the security team (carol's approval is stale).
        var reviews = (await bot.Get("repos/acme/payments/pulls/7/reviews")).Json!.AsArray();
        var head = (await bot.Get("repos/acme/payments/pulls/7"))["head"]["sha"]!.GetValue<string>();
        var current = reviews.Where(r => r!["commit_id"]!.GetValue<string>() == head).Select(r => r!["user"]!["login"]!.GetValue<string>()).Order();
        Assert.Equal(["alice", "bob"], current);
        var files = (await bot.Get("repos/acme/payments/pulls/7/files")).Json!.AsArray();
        Assert.Equal("src/auth/login.cs", Assert.Single(files)!["filename"]!.GetValue<string>());
    }

    [Fact]
    public async Task Loading_the_same_organisation_twice_is_refused()
    {
        await using var sim = await GitHubSimulator.StartAsync(TestOrgs.Options());
        sim.Load(TestOrgs.Small, "one.yml");

        var error = Assert.Throws<ScenarioException>(() => sim.Load(TestOrgs.Small, "two.yml"));

        Assert.Contains("already loaded", error.Message, StringComparison.Ordinal);
        var clash = Assert.Throws<ScenarioException>(() => sim.Load(TestOrgs.Other.Replace("2002", "1001", StringComparison.Ordinal), "three.yml"));
        Assert.Contains("installation_id 1001", clash.Message, StringComparison.Ordinal);
    }
}
