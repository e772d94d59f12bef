using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Policies.Configuration;

namespace PolicyBot.Policies.Tests;

public sealed class BranchProtectionFixTests
{
    private const long AppId = 4242;
    private const string ProtectionPath = "/repos/{owner}/{repo}/branches/{branch}/protection";

    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "github-openapi");

    /// <summary>The PUT request schema, made strict: no property the schema does not name may be sent.</summary>
    private static readonly Lazy<JsonSchema> PutSchema = new(() => RestRequestSchemas.For("PUT", ProtectionPath));

    /// <summary>GitHub's own example response of GET .../protection, from the OpenAPI description.</summary>
    private static JsonElement OpenApiExample()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "api.github.com.subset.json")));
        return document.RootElement.GetProperty("paths").GetProperty(ProtectionPath).GetProperty("get").GetProperty("responses")
            .GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("examples")
            .GetProperty("default").GetProperty("value").Clone();
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static readonly BranchProtectionConfig Default = new();

    private static readonly BranchProtectionConfig Strict = new()
    {
        RequiredApprovingReviewCount = 2,
        DismissStaleReviews = true,
        RequireCodeOwnerReviews = true,
        RequireLastPushApproval = true,
        EnforceAdmins = true,
        RequiredStatusChecks = ["PolicyBot", "ci/lint"],
    };

    private static readonly BranchProtectionConfig Lax = new()
    {
        RequiredApprovingReviewCount = 0,
        DismissStaleReviews = false,
        AllowForcePushes = true,
        AllowDeletions = true,
    };

    /// <summary>Strong current protection: high count, every flag, restrictions, bypasses, PolicyBot bound elsewhere.</summary>
    private const string Strong = """
        {
          "required_status_checks": { "strict": true, "contexts": ["ci/build", "PolicyBot", "any/source"],
            "checks": [ { "context": "ci/build", "app_id": 1 }, { "context": "PolicyBot", "app_id": 99 }, { "context": "any/source", "app_id": null } ] },
          "enforce_admins": { "url": "x", "enabled": true },
          "required_pull_request_reviews": {
            "dismissal_restrictions": { "users": [ { "login": "alice" } ], "teams": [ { "slug": "leads" } ], "apps": [] },
            "bypass_pull_request_allowances": { "users": [ { "login": "release-bot" } ], "teams": [], "apps": [ { "slug": "renovate" } ] },
            "dismiss_stale_reviews": true, "require_code_owner_reviews": true, "required_approving_review_count": 5, "require_last_push_approval": true },
          "restrictions": { "url": "x", "users_url": "x", "teams_url": "x", "apps_url": "x",
            "users": [ { "login": "alice" } ], "teams": [ { "slug": "platform" } ], "apps": [ { "slug": "deployer" } ] },
          "required_linear_history": { "enabled": true },
          "allow_force_pushes": { "enabled": false },
          "allow_deletions": { "enabled": false },
          "block_creations": { "enabled": true },
          "required_conversation_resolution": { "enabled": true },
          "lock_branch": { "enabled": false },
          "allow_fork_syncing": { "enabled": true }
        }
        """;

    /// <summary>Weak current protection: no reviews, force pushes and deletions allowed, admins not bound.</summary>
    private const string Weak = """
        {
          "enforce_admins": { "enabled": false },
          "allow_force_pushes": { "enabled": true },
          "allow_deletions": { "enabled": true },
          "required_linear_history": { "enabled": false }
        }
        """;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var current in new[] { "unprotected", "openapi-example", "strong", "weak" })
        {
            foreach (var baseline in new[] { "default", "strict", "lax" })
            {
                data.Add(current, baseline);
            }
        }

        return data;
    }

    private static JsonElement? Current(string name) => name switch
    {
        "unprotected" => null,
        "openapi-example" => OpenApiExample(),
        "strong" => Json(Strong),
        "weak" => Json(Weak),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static BranchProtectionConfig Baseline(string name) => name switch
    {
        "default" => Default,
        "strict" => Strict,
        "lax" => Lax,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_plan_validates_against_the_PUT_request_schema(string current, string baseline)
    {
        var plan = BranchProtectionFix.Plan(Baseline(baseline), Current(current), AppId);

        using var body = JsonDocument.Parse(plan.ToJsonString());
        var result = PutSchema.Value.Evaluate(body.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Fact]
    public void The_strict_schema_catches_a_body_the_PUT_does_not_accept()
    {
        using var body = JsonDocument.Parse("""{"required_status_checks": {"strict": true, "checks": []}, "enforce_admins": true, "required_pull_request_reviews": null, "restrictions": null, "allow_force_pushes": {"enabled": false}}""");

        Assert.False(PutSchema.Value.Evaluate(body.RootElement).IsValid);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_plan_never_loosens_and_always_meets_the_baseline(string current, string baseline)
    {
        var config = Baseline(baseline);
        var before = Strength.FromGet(Current(current));

        var after = Strength.FromPut(BranchProtectionFix.Plan(config, Current(current), AppId));

        // Never looser than what is there.
        Assert.True(after.ReviewsRequired || !before.ReviewsRequired);
        Assert.True(after.Approvals >= before.Approvals);
        Assert.True(after.DismissStale || !before.DismissStale);
        Assert.True(after.CodeOwners || !before.CodeOwners);
        Assert.True(after.LastPush || !before.LastPush);
        Assert.True(after.EnforceAdmins || !before.EnforceAdmins);
        Assert.True(!after.ForcePushes || before.ForcePushes);
        Assert.True(!after.Deletions || before.Deletions);
        Assert.True(after.ChecksRequired || !before.ChecksRequired);
        Assert.Equal(before.Strict, after.Strict);
        foreach (var (context, app) in before.Checks)
        {
            Assert.True(after.Checks.ContainsKey(context), $"check {context} was dropped");
            Assert.Equal(context == "PolicyBot" && config.RequiredStatusChecks.Contains("PolicyBot") ? AppId : app, after.Checks[context]);
        }

        Assert.Equal(before.Restrictions, after.Restrictions);
        Assert.Equal(before.DismissalRestrictions, after.DismissalRestrictions);
        Assert.Equal(before.Bypass, after.Bypass);
        Assert.Equal(before.KeptFlags, after.KeptFlags);

        // At least the baseline.
        Assert.True(after.Approvals >= config.RequiredApprovingReviewCount);
        Assert.True(after.DismissStale || !config.DismissStaleReviews);
        Assert.True(after.CodeOwners || !config.RequireCodeOwnerReviews);
        Assert.True(after.LastPush || !config.RequireLastPushApproval);
        Assert.True(after.EnforceAdmins || !config.EnforceAdmins);
        Assert.True(!after.ForcePushes || config.AllowForcePushes);
        Assert.True(!after.Deletions || config.AllowDeletions);
        foreach (var context in config.RequiredStatusChecks)
        {
            Assert.True(after.Checks.ContainsKey(context), $"check {context} is missing");
        }

        if (config.RequiredStatusChecks.Contains("PolicyBot"))
        {
            Assert.Equal(AppId, after.Checks["PolicyBot"]);
        }
    }

    [Fact]
    public void Restrictions_higher_counts_and_other_checks_are_kept_while_the_rest_is_raised()
    {
        var plan = BranchProtectionFix.Plan(Strict with { RequiredStatusChecks = ["PolicyBot"] }, Json(Strong), AppId);

        Assert.Equal(
            """{"users":["alice"],"teams":["platform"],"apps":["deployer"]}""",
            plan["restrictions"]!.ToJsonString());
        var reviews = plan["required_pull_request_reviews"]!;
        Assert.Equal(5, (int)reviews["required_approving_review_count"]!);
        Assert.Equal("""{"users":["alice"],"teams":["leads"]}""", reviews["dismissal_restrictions"]!.ToJsonString());
        Assert.Equal("""{"users":["release-bot"],"teams":[],"apps":["renovate"]}""", reviews["bypass_pull_request_allowances"]!.ToJsonString());
        Assert.Equal(
            """{"strict":true,"contexts":[],"checks":[{"context":"ci/build","app_id":1},{"context":"PolicyBot","app_id":4242},{"context":"any/source","app_id":-1}]}""",
            plan["required_status_checks"]!.ToJsonString());
        Assert.True((bool)plan["block_creations"]!);
        Assert.True((bool)plan["required_linear_history"]!);
        Assert.False((bool)plan["lock_branch"]!);
    }

    [Fact]
    public void The_openapi_example_is_raised_without_losing_its_restrictions_or_legacy_context()
    {
        var plan = BranchProtectionFix.Plan(Strict, OpenApiExample(), AppId);

        Assert.Equal("""{"users":["octocat"],"teams":["justice-league"],"apps":["octoapp"]}""", plan["restrictions"]!.ToJsonString());
        Assert.Equal(
            """[{"context":"continuous-integration/travis-ci"},{"context":"PolicyBot","app_id":4242},{"context":"ci/lint"}]""",
            plan["required_status_checks"]!["checks"]!.ToJsonString());
        Assert.False((bool)plan["allow_force_pushes"]!);
        Assert.False((bool)plan["allow_deletions"]!);
        Assert.True((bool)plan["required_conversation_resolution"]!);
    }

    [Fact]
    public void An_unprotected_branch_gets_the_baseline()
    {
        var plan = BranchProtectionFix.Plan(Default, null, AppId);

        Assert.Equal(
            """{"required_status_checks":null,"enforce_admins":false,"required_pull_request_reviews":{"dismiss_stale_reviews":true,"require_code_owner_reviews":false,"required_approving_review_count":1,"require_last_push_approval":false},"restrictions":null,"allow_force_pushes":false,"allow_deletions":false}""",
            plan.ToJsonString());
    }

    [Fact]
    public void A_weak_branch_is_raised_on_every_setting()
    {
        var plan = BranchProtectionFix.Plan(Strict, Json(Weak), AppId);

        Assert.True((bool)plan["enforce_admins"]!);
        Assert.False((bool)plan["allow_force_pushes"]!);
        Assert.False((bool)plan["allow_deletions"]!);
        Assert.Equal(2, (int)plan["required_pull_request_reviews"]!["required_approving_review_count"]!);
        Assert.Equal("""[{"context":"PolicyBot","app_id":4242},{"context":"ci/lint"}]""", plan["required_status_checks"]!["checks"]!.ToJsonString());
        Assert.False((bool)plan["required_linear_history"]!);
    }

    [Fact]
    public void A_lax_baseline_keeps_force_pushes_as_they_are()
    {
        Assert.True((bool)BranchProtectionFix.Plan(Lax, Json(Weak), AppId)["allow_force_pushes"]!);
        Assert.False((bool)BranchProtectionFix.Plan(Lax, Json(Strong), AppId)["allow_force_pushes"]!);
    }

    /// <summary>Protection reduced to what can be compared, read from a GET response or a PUT body.</summary>
    private sealed record Strength(
        bool ReviewsRequired,
        int Approvals,
        bool DismissStale,
        bool CodeOwners,
        bool LastPush,
        bool EnforceAdmins,
        bool ForcePushes,
        bool Deletions,
        bool ChecksRequired,
        bool Strict,
        Dictionary<string, long?> Checks,
        string Restrictions,
        string DismissalRestrictions,
        string Bypass,
        string KeptFlags)
    {
        private static readonly string[] Kept = ["required_linear_history", "required_conversation_resolution", "lock_branch", "block_creations", "allow_fork_syncing"];

        public static Strength FromGet(JsonElement? get)
        {
            if (get is not { } g)
            {
                return new(false, 0, false, false, false, false, true, true, false, false, [], "none", "none", "none", "-,-,-,-,-");
            }

            var reviews = Prop(g, "required_pull_request_reviews");
            var checks = Prop(g, "required_status_checks");
            var map = new Dictionary<string, long?>();
            if (checks is { } c)
            {
                foreach (var check in Prop(c, "checks")?.EnumerateArray() ?? default)
                {
                    map[check.GetProperty("context").GetString()!] = Prop(check, "app_id")?.GetInt64() ?? -1;
                }

                foreach (var context in Prop(c, "contexts")?.EnumerateArray() ?? default)
                {
                    map.TryAdd(context.GetString()!, null);
                }
            }

            return new(
                reviews is not null,
                reviews is { } r && Prop(r, "required_approving_review_count") is { } n ? n.GetInt32() : 0,
                Bool(reviews, "dismiss_stale_reviews"),
                Bool(reviews, "require_code_owner_reviews"),
                Bool(reviews, "require_last_push_approval"),
                Enabled(g, "enforce_admins"),
                Enabled(g, "allow_force_pushes"),
                Enabled(g, "allow_deletions"),
                checks is not null,
                Bool(checks, "strict"),
                map,
                Actors(Prop(g, "restrictions"), includeApps: true),
                Actors(reviews is { } rv ? Prop(rv, "dismissal_restrictions") : null, includeApps: false),
                Actors(reviews is { } rb ? Prop(rb, "bypass_pull_request_allowances") : null, includeApps: false),
                string.Join(",", Kept.Select(k => Prop(g, k) is null ? "-" : Enabled(g, k).ToString())));
        }

        public static Strength FromPut(JsonObject put)
        {
            using var document = JsonDocument.Parse(put.ToJsonString());
            var p = document.RootElement;
            var reviews = Prop(p, "required_pull_request_reviews");
            var checks = Prop(p, "required_status_checks");
            var map = new Dictionary<string, long?>();
            foreach (var check in checks is { } c ? c.GetProperty("checks").EnumerateArray() : default)
            {
                map[check.GetProperty("context").GetString()!] = Prop(check, "app_id")?.GetInt64();
            }

            return new(
                reviews is not null,
                reviews is { } r ? r.GetProperty("required_approving_review_count").GetInt32() : 0,
                Bool(reviews, "dismiss_stale_reviews"),
                Bool(reviews, "require_code_owner_reviews"),
                Bool(reviews, "require_last_push_approval"),
                Bool(p, "enforce_admins"),
                Bool(p, "allow_force_pushes"),
                Bool(p, "allow_deletions"),
                checks is not null,
                Bool(checks, "strict"),
                map,
                Actors(Prop(p, "restrictions"), includeApps: true),
                Actors(reviews is { } rv ? Prop(rv, "dismissal_restrictions") : null, includeApps: false),
                Actors(reviews is { } rb ? Prop(rb, "bypass_pull_request_allowances") : null, includeApps: false),
                string.Join(",", Kept.Select(k => Prop(p, k) is { } v ? (v.ValueKind == JsonValueKind.True).ToString() : "-")));
        }

        private static JsonElement? Prop(JsonElement? e, string name) =>
            e is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

        private static bool Bool(JsonElement? e, string name) => Prop(e, name) is { ValueKind: JsonValueKind.True };

        private static bool Enabled(JsonElement e, string name) => Prop(e, name) is { } v && Bool(v, "enabled");

        private static string Actors(JsonElement? e, bool includeApps)
        {
            if (e is not { } actors)
            {
                return "none";
            }

            static string Names(JsonElement? list, string key) => string.Join(",", (list?.EnumerateArray() ?? default)
                .Select(i => i.ValueKind == JsonValueKind.String ? i.GetString() : i.GetProperty(key).GetString()));

            var apps = Names(Prop(actors, "apps"), "slug");
            return $"users={Names(Prop(actors, "users"), "login")};teams={Names(Prop(actors, "teams"), "slug")};apps={(includeApps || apps.Length > 0 ? apps : "")}";
        }
    }
}
