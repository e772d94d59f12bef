using System.Text.Json.Nodes;

namespace PolicyBot.Sandbox.Tests.Support;

/// <summary>Compares a webhook payload's keys with GitHub's example payload in tests/Fixtures/webhooks.</summary>
public static class PayloadShape
{
    /// <summary>Keys GitHub sends that the simulator deliberately leaves out (features PolicyBot never uses).</summary>
    private static readonly HashSet<string> Optional = new(StringComparer.Ordinal)
    {
        "enterprise", "performed_via_github_app", "custom_properties", "milestone", "active_lock_reason",
        "assignee", "assignees", "auto_merge", "merge_commit_message", "merge_commit_title", "squash_merge_commit_message",
        "squash_merge_commit_title", "use_squash_pr_title_as_default", "allow_update_branch", "allow_auto_merge",
        "security_and_analysis", "has_discussions", "temp_clone_token", "requester", "sub_issues_summary",
        "issue_dependencies_summary", "deployment", "latest_check_runs_count", "check_runs_url", "rerequestable",
        "runs_rerequestable", "head_commit", "annotations_count", "annotations_url",
    };

    public static JsonObject Fixture(string relativePath) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "webhooks", relativePath)))!.AsObject();

    /// <summary>Paths of keys the fixture has and <paramref name="actual"/> lacks, down to <paramref name="depth"/> levels.</summary>
    public static List<string> MissingKeys(JsonObject fixture, JsonObject actual, int depth = 3, string path = "")
    {
        var missing = new List<string>();
        foreach (var (key, expected) in fixture)
        {
            if (Optional.Contains(key))
            {
                continue;
            }

            if (!actual.TryGetPropertyValue(key, out var value))
            {
                missing.Add(path + key);
                continue;
            }

            // Maps whose keys depend on the app or the account, not on the event's shape.
            if (depth <= 1 || key is "permissions" or "events")
            {
                continue;
            }

            if (expected is JsonObject expectedObject && value is JsonObject actualObject)
            {
                missing.AddRange(MissingKeys(expectedObject, actualObject, depth - 1, path + key + "."));
            }
            else if (expected is JsonArray { Count: > 0 } expectedArray && expectedArray[0] is JsonObject firstExpected
                && value is JsonArray { Count: > 0 } actualArray && actualArray[0] is JsonObject firstActual)
            {
                missing.AddRange(MissingKeys(firstExpected, firstActual, depth - 1, path + key + "[0]."));
            }
        }

        return missing;
    }
}
