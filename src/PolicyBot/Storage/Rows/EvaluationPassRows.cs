using System.Data.Common;
using PolicyBot.Enforcement.Progress;

namespace PolicyBot.Storage.Rows;

/// <summary>The <c>evaluation_passes</c> table's columns and rows, as both providers write and read them.</summary>
internal static class EvaluationPassRows
{
    public const string Columns = "installation_id, reconcile, total, evaluated, started_at, points_at_start";

    public static StoredEvaluationPass Read(DbDataReader reader, StorageDialect dialect) => new(
        reader.GetInt64(0),
        reader.GetBoolean(1),
        reader.GetInt32(2),
        reader.GetInt32(3),
        dialect.GetTime(reader, 4),
        reader.GetInt64(5));
}
