using System.Globalization;
using System.Text.Json;

namespace PolicyBot.Policies.BranchProtection;

/// <summary>
/// A branch's classic protection as lines people read ("required approving reviews: 1"), from GitHub's
/// <c>GET .../protection</c> response or from the body PolicyBot PUTs (each flag there is a plain boolean,
/// in the GET an object with <c>enabled</c>). Used to say what a fix changed.
/// </summary>
public static class BranchProtectionSummary
{
    /// <summary>Each setting and its value, in a fixed order; null protection (an unprotected branch) has every setting off.</summary>
    public static IReadOnlyList<(string Setting, string Value)> Describe(JsonElement? protection)
    {
        var now = protection is { ValueKind: JsonValueKind.Object } p ? p : (JsonElement?)null;
        var reviews = Property(now, "required_pull_request_reviews");
        var checks = Property(now, "required_status_checks");
        var contexts = new List<string>();
        if (checks is { } c)
        {
            if (Property(c, "checks") is { ValueKind: JsonValueKind.Array } list)
            {
                contexts.AddRange(list.EnumerateArray().Select(x => Property(x, "context") is { ValueKind: JsonValueKind.String } s ? s.GetString()! : "").Where(s => s.Length > 0));
            }

            if (Property(c, "contexts") is { ValueKind: JsonValueKind.Array } legacy)
            {
                contexts.AddRange(legacy.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!));
            }
        }

        return
        [
            ("pull request reviews required", YesNo(reviews is not null)),
            ("required approving reviews", reviews is { } r && Property(r, "required_approving_review_count") is { ValueKind: JsonValueKind.Number } n ? n.GetInt32().ToString(CultureInfo.InvariantCulture) : "0"),
            ("stale reviews dismissed", YesNo(Enabled(Property(reviews, "dismiss_stale_reviews")))),
            ("code owner review required", YesNo(Enabled(Property(reviews, "require_code_owner_reviews")))),
            ("approval of the last push required", YesNo(Enabled(Property(reviews, "require_last_push_approval")))),
            ("required status checks", contexts.Count == 0 ? "none" : string.Join(", ", contexts.Distinct(StringComparer.Ordinal))),
            ("administrators included", YesNo(Enabled(Property(now, "enforce_admins")))),
            ("force pushes allowed", YesNo(now is null || Enabled(Property(now, "allow_force_pushes")))),
            ("deletions allowed", YesNo(now is null || Enabled(Property(now, "allow_deletions")))),
        ];
    }

    /// <summary>The settings whose value differs, each as its value before and after (empty when nothing changed).</summary>
    public static IReadOnlyList<(string Setting, string Before, string After)> Changes(JsonElement? before, JsonElement? after)
    {
        var was = Describe(before);
        var now = Describe(after);
        return was.Zip(now).Where(p => p.First.Value != p.Second.Value).Select(p => (p.First.Setting, p.First.Value, p.Second.Value)).ToList();
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static JsonElement? Property(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static bool Enabled(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.Object } o => Property(o, "enabled") is { ValueKind: JsonValueKind.True },
        _ => false,
    };
}
