using System.Data.Common;

namespace PolicyBot.Storage.Rows;

/// <summary>The <c>work_items</c> table's columns and rows, as both providers read them.</summary>
internal static class WorkItemRows
{
    public const string Columns =
        "id, kind, installation_id, owner, repository, pull_request, reason, delivery_id, state, attempts, next_attempt_at, last_error, created_at, updated_at, triggers, created_by, head_sha, failure_kind, requeues";

    /// <summary>The columns named with <paramref name="table"/> (an UPDATE … FROM returns them unambiguously).</summary>
    public static string QualifiedColumns(string table) => string.Join(", ", Columns.Split(", ").Select(c => $"{table}.{c}"));

    public static StoredWorkItem Read(DbDataReader reader, StorageDialect dialect) => new(
        reader.GetInt64(0),
        new WorkItem(
            reader.GetString(1),
            reader.GetInt64(2),
            reader.GetNullableString(3),
            reader.GetNullableString(4),
            reader.GetNullableInt32(5),
            reader.GetString(6),
            reader.GetNullableString(7),
            (WorkTriggers)reader.GetInt32(14),
            reader.GetNullableString(15),
            reader.GetNullableString(16)),
        reader.GetString(8),
        reader.GetInt32(9),
        dialect.GetTime(reader, 10),
        reader.GetNullableString(11),
        dialect.GetTime(reader, 12),
        dialect.GetTime(reader, 13),
        reader.GetNullableString(17),
        reader.GetInt32(18));
}
