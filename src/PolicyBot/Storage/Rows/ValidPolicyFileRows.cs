using System.Data.Common;
using PolicyBot.Enforcement.PolicyFiles;

namespace PolicyBot.Storage.Rows;

/// <summary>The <c>valid_policy_files</c> table's columns and rows, as both providers write and read them.</summary>
internal static class ValidPolicyFileRows
{
    public const string Columns = "repository, path, content, sha, validated_at";

    public static ValidPolicyFile Read(DbDataReader reader, StorageDialect dialect) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetNullableString(3),
        dialect.GetTime(reader, 4));
}
