using System.Data.Common;

namespace PolicyBot.Storage.Rows;

/// <summary>The <c>audit_log</c> table's columns and rows, as both providers write and read them.</summary>
internal static class AuditRows
{
    public const string Columns = "at, installation_id, repository, action, reason, target, delivery_id, before_state, after_state";

    public static AuditEntry Read(DbDataReader reader, StorageDialect dialect) => new(
        dialect.GetTime(reader, 0),
        reader.GetInt64(1),
        reader.GetNullableString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetNullableString(5),
        reader.GetNullableString(6),
        reader.GetNullableString(7),
        reader.GetNullableString(8));
}
