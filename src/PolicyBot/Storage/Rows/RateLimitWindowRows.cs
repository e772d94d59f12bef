using System.Data.Common;
using PolicyBot.GitHub.Budget;

namespace PolicyBot.Storage.Rows;

/// <summary>The <c>rate_limit_windows</c> table's columns and rows, as both providers write and read them.</summary>
internal static class RateLimitWindowRows
{
    public const string Columns = "installation_id, resource, limit_points, remaining, used, reset_at, spent";

    public static StoredRateLimitWindow Read(DbDataReader reader, StorageDialect dialect) => new(
        reader.GetInt64(0),
        new RateLimitWindow(reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), dialect.GetTimeInSeconds(reader, 5)),
        reader.GetInt64(6));
}
