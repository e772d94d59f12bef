using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.BranchProtection;

/// <summary>
/// The <c>fix</c> action for branch protection, as a pure plan: the body of
/// <c>PUT /repos/{owner}/{repo}/branches/{branch}/protection</c> that raises the branch's classic
/// protection to the baseline, merged into what is there and NEVER loosening anything.
/// <para>
/// The PUT replaces the whole protection, so everything the GET reports is carried over:
/// push restrictions (users, teams, apps), dismissal restrictions, bypass allowances, required
/// checks with their app ids, <c>strict</c>, and the flags the baseline has no opinion on
/// (<c>required_linear_history</c>, <c>required_conversation_resolution</c>, <c>lock_branch</c>,
/// <c>block_creations</c>, <c>allow_fork_syncing</c>). Every setting the baseline knows is
/// combined with the current one in its stricter direction: counts take the maximum, "require"
/// flags are OR-ed, "allow" flags are AND-ed, checks are a union.
/// </para>
/// </summary>
public static class BranchProtectionFix
{
    /// <summary>Flags the baseline has no opinion on: copied from the GET as they are.</summary>
    private static readonly string[] KeptFlags =
        ["required_linear_history", "required_conversation_resolution", "lock_branch", "block_creations", "allow_fork_syncing"];

    /// <summary>
    /// The PUT body. <paramref name="current"/> is GitHub's <c>GET .../protection</c> response, or
    /// null when the branch is not protected (404 "Branch not protected").
    /// </summary>
    public static JsonObject Plan(BranchProtectionConfig baseline, JsonElement? current, long appId)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        var now = current is { ValueKind: JsonValueKind.Object } c ? c : (JsonElement?)null;

        var body = new JsonObject
        {
            ["required_status_checks"] = StatusChecks(baseline, Property(now, "required_status_checks"), appId),
            ["enforce_admins"] = baseline.EnforceAdmins || Enabled(Property(now, "enforce_admins")),
            ["required_pull_request_reviews"] = PullRequestReviews(baseline, Property(now, "required_pull_request_reviews")),
            ["restrictions"] = Restrictions(Property(now, "restrictions")),
            // An unprotected branch allows force pushes and deletions today, so the baseline decides.
            ["allow_force_pushes"] = baseline.AllowForcePushes && (now is null || Enabled(Property(now, "allow_force_pushes"))),
            ["allow_deletions"] = baseline.AllowDeletions && (now is null || Enabled(Property(now, "allow_deletions"))),
        };

        foreach (var flag in KeptFlags)
        {
            if (Property(now, flag) is { } value)
            {
                body[flag] = Enabled(value);
            }
        }

        return body;
    }

    /// <summary>
    /// The PUT body for a branch whose classic protection the evaluation read as <paramref name="classic"/> (null: not
    /// protected): from GitHub's own response where there is one, else from the typed settings (a snapshot not read
    /// from GitHub, which knows no push restrictions).
    /// </summary>
    public static JsonObject PlanFor(BranchProtectionConfig baseline, ClassicProtection? classic, long appId) =>
        Plan(baseline, classic is null ? null : classic.Response ?? AsResponse(classic), appId);

    /// <summary>
    /// What <see cref="PlanFor"/> would change on a branch whose classic protection PolicyBot read earlier (null: none), in
    /// the words of <see cref="BranchProtectionSummary"/>: the same plan the fix PUTs, so a preview says what a fix would do.
    /// </summary>
    public static IReadOnlyList<(string Setting, string Before, string After)> Changes(BranchProtectionConfig baseline, ClassicProtection? classic, long appId)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        var before = classic is null ? (JsonElement?)null : classic.Response ?? AsResponse(classic);
        using var after = JsonDocument.Parse(PlanFor(baseline, classic, appId).ToJsonString());
        return BranchProtectionSummary.Changes(before, after.RootElement);
    }

    /// <summary>
    /// The PUT body that also takes <paramref name="actor"/> off the classic review bypass allowances (a bypass the
    /// baseline does not allow), and otherwise is <see cref="PlanFor"/>'s.
    /// </summary>
    public static JsonObject PlanWithout(BranchProtectionConfig baseline, ClassicProtection? classic, long appId, BypassActor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var body = PlanFor(baseline, classic, appId);
        var list = actor.ActorType switch
        {
            BypassActor.User => "users",
            BypassActor.Team => "teams",
            _ => "apps",
        };
        if (body["required_pull_request_reviews"]?["bypass_pull_request_allowances"]?[list] is JsonArray names)
        {
            foreach (var name in names.Where(n => string.Equals((string?)n, actor.Name, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                names.Remove(name);
            }
        }

        return body;
    }

    /// <summary>The typed settings in the shape of GitHub's GET response.</summary>
    private static JsonElement AsResponse(ClassicProtection classic)
    {
        var response = new JsonObject
        {
            ["enforce_admins"] = new JsonObject { ["enabled"] = classic.EnforceAdmins },
            ["allow_force_pushes"] = new JsonObject { ["enabled"] = classic.AllowForcePushes },
            ["allow_deletions"] = new JsonObject { ["enabled"] = classic.AllowDeletions },
        };
        if (classic.RequiredStatusChecks.Count > 0)
        {
            response["required_status_checks"] = new JsonObject
            {
                ["checks"] = new JsonArray([.. classic.RequiredStatusChecks.Select(c => (JsonNode)new JsonObject { ["context"] = c.Context, ["app_id"] = c.AppId is null or -1 ? null : c.AppId })]),
            };
        }

        if (classic.RequiredApprovingReviewCount is { } count)
        {
            JsonArray Named(string type, string key) =>
                [.. classic.ReviewBypass.Where(a => a.ActorType == type && a.Name is not null).Select(a => (JsonNode)new JsonObject { [key] = a.Name })];
            response["required_pull_request_reviews"] = new JsonObject
            {
                ["required_approving_review_count"] = count,
                ["dismiss_stale_reviews"] = classic.DismissStaleReviews,
                ["require_code_owner_reviews"] = classic.RequireCodeOwnerReviews,
                ["require_last_push_approval"] = classic.RequireLastPushApproval,
                ["bypass_pull_request_allowances"] = new JsonObject
                {
                    ["users"] = Named(BypassActor.User, "login"),
                    ["teams"] = Named(BypassActor.Team, "slug"),
                    ["apps"] = Named(BypassActor.Integration, "slug"),
                },
            };
        }

        return JsonSerializer.SerializeToElement(response);
    }

    private static JsonObject? StatusChecks(BranchProtectionConfig baseline, JsonElement? current, long appId)
    {
        // Each entry: context -> app id (null: let GitHub pick, as for a bare legacy context).
        var checks = new List<(string Context, long? AppId)>();
        if (current is { } existing)
        {
            if (Property(existing, "checks") is { ValueKind: JsonValueKind.Array } list)
            {
                foreach (var check in list.EnumerateArray())
                {
                    if (Text(check, "context") is { } context && !checks.Exists(c => c.Context == context))
                    {
                        // GET reports "any source" as app_id null; the PUT says it as -1, so keep it exactly.
                        var id = Property(check, "app_id") is { ValueKind: JsonValueKind.Number } n ? n.GetInt64() : -1;
                        checks.Add((context, id));
                    }
                }
            }

            foreach (var context in Strings(Property(existing, "contexts")))
            {
                if (!checks.Exists(c => c.Context == context))
                {
                    checks.Add((context, null));
                }
            }
        }

        foreach (var context in baseline.RequiredStatusChecks)
        {
            var index = checks.FindIndex(c => c.Context == context);
            if (context == BranchProtectionPolicy.PolicyBotCheck)
            {
                // Binding PolicyBot to this app only narrows who may satisfy it.
                if (index >= 0)
                {
                    checks[index] = (context, appId);
                }
                else
                {
                    checks.Add((context, appId));
                }
            }
            else if (index < 0)
            {
                checks.Add((context, null));
            }
        }

        if (current is null && checks.Count == 0)
        {
            return null;
        }

        var array = new JsonArray();
        foreach (var (context, id) in checks)
        {
            var check = new JsonObject { ["context"] = context };
            if (id is { } value)
            {
                check["app_id"] = value;
            }

            array.Add(check);
        }

        // `contexts` is required by the request schema but deprecated, and GitHub combines it with
        // `checks` (a context in both is rejected as a duplicate), so it is sent empty and every
        // check, with its app id, goes in `checks`.
        return new JsonObject
        {
            ["strict"] = current is { } s && Property(s, "strict") is { ValueKind: JsonValueKind.True },
            ["contexts"] = new JsonArray(),
            ["checks"] = array,
        };
    }

    private static JsonObject? PullRequestReviews(BranchProtectionConfig baseline, JsonElement? current)
    {
        var baselineWantsReviews = baseline.RequiredApprovingReviewCount > 0 || baseline.DismissStaleReviews
            || baseline.RequireCodeOwnerReviews || baseline.RequireLastPushApproval;
        if (current is null && !baselineWantsReviews)
        {
            return null;
        }

        var count = current is { } c && Property(c, "required_approving_review_count") is { ValueKind: JsonValueKind.Number } n ? n.GetInt32() : 0;
        var reviews = new JsonObject
        {
            ["dismiss_stale_reviews"] = baseline.DismissStaleReviews || Flag(current, "dismiss_stale_reviews"),
            ["require_code_owner_reviews"] = baseline.RequireCodeOwnerReviews || Flag(current, "require_code_owner_reviews"),
            ["required_approving_review_count"] = Math.Max(count, baseline.RequiredApprovingReviewCount),
            ["require_last_push_approval"] = baseline.RequireLastPushApproval || Flag(current, "require_last_push_approval"),
        };

        // Omitting dismissal_restrictions would let everyone with write access dismiss reviews again.
        if (Property(current, "dismissal_restrictions") is { ValueKind: JsonValueKind.Object } dismissal)
        {
            reviews["dismissal_restrictions"] = Actors(dismissal, includeEmptyApps: false);
        }

        if (Property(current, "bypass_pull_request_allowances") is { ValueKind: JsonValueKind.Object } bypass)
        {
            reviews["bypass_pull_request_allowances"] = Actors(bypass, includeEmptyApps: false);
        }

        return reviews;
    }

    private static JsonObject? Restrictions(JsonElement? current) =>
        current is { ValueKind: JsonValueKind.Object } restrictions ? Actors(restrictions, includeEmptyApps: true) : null;

    /// <summary>GET reports users, teams and apps as objects; PUT takes logins and slugs.</summary>
    private static JsonObject Actors(JsonElement element, bool includeEmptyApps)
    {
        var result = new JsonObject
        {
            ["users"] = Names(Property(element, "users"), "login"),
            ["teams"] = Names(Property(element, "teams"), "slug"),
        };
        var apps = Names(Property(element, "apps"), "slug");
        if (apps.Count > 0 || includeEmptyApps)
        {
            result["apps"] = apps;
        }

        return result;
    }

    private static JsonArray Names(JsonElement? list, string key)
    {
        var names = new JsonArray();
        if (list is { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var item in array.EnumerateArray())
            {
                // Tolerate plain strings too (some tools echo the PUT shape back).
                var name = item.ValueKind == JsonValueKind.String ? item.GetString() : Text(item, key);
                if (name is not null)
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    private static IEnumerable<string> Strings(JsonElement? list) =>
        list is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)
            : [];

    private static JsonElement? Property(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    private static bool Flag(JsonElement? element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.True };

    /// <summary>GET wraps booleans as <c>{"enabled": true}</c>; a bare boolean is accepted too.</summary>
    private static bool Enabled(JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.Object } e => Flag(e, "enabled"),
        _ => false,
    };
}
