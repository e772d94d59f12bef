using System.Data.Common;
using System.Text.Json;
using PolicyBot.Enforcement.Issues;

namespace PolicyBot.Storage.Rows;

/// <summary>The <c>compliance_issues</c> table's columns and rows, as both providers write and read them.</summary>
internal static class TrackedIssueRows
{
    public const string Columns = "repository, policy, subject, issue_repository, number, open, finding_keys, last_activity_at";

    public static string SerializeFindingKeys(TrackedIssue issue)
    {
        ArgumentNullException.ThrowIfNull(issue);
        return JsonSerializer.Serialize(issue.FindingKeys);
    }

    public static TrackedIssue Read(DbDataReader reader, StorageDialect dialect) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetInt32(4),
        reader.GetBoolean(5),
        JsonSerializer.Deserialize<List<string>>(reader.GetString(6)) ?? [],
        dialect.GetTime(reader, 7));
}
