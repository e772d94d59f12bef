using System.Data.Common;
using System.Text.Json;
using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Preview;

namespace PolicyBot.Storage.Rows;

/// <summary>
/// The <c>repository_evaluations</c> and <c>pull_request_evaluations</c> tables' columns and rows, as both providers
/// write and read them (the JSON columns with <see cref="Json"/>).
/// </summary>
internal static class EvaluationRows
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What the dashboard reads of a repository's evaluation: not its stored state, which only previews read.</summary>
    public const string RepositoryColumns =
        "repository, installation_id, evaluated, skip_reason, results, inventory, evaluated_at, created_by, repository_id, baseline";

    public const string PullRequestColumns = "repository, number, installation_id, head_sha, conclusion, unmet_rules, evaluated_at";

    /// <summary>The columns <see cref="ReadState"/> reads.</summary>
    public const string StateColumns = "repository, state";

    public static StoredRepositoryEvaluation ReadRepository(DbDataReader reader, StorageDialect dialect) => new(
        reader.GetInt64(1),
        reader.GetString(0),
        reader.GetBoolean(2),
        reader.GetNullableString(3),
        JsonSerializer.Deserialize<List<PolicyResult>>(reader.GetString(4), Json) ?? [],
        reader.GetNullableString(5) is { } inventory ? JsonSerializer.Deserialize<InventoryEntry>(inventory, Json) : null,
        dialect.GetTime(reader, 6),
        reader.GetNullableString(7),
        reader.GetNullableInt64(8))
    {
        Baseline = reader.GetNullableString(9) is { } baseline ? JsonSerializer.Deserialize<EffectiveBaseline>(baseline, Json) ?? EffectiveBaseline.Empty : EffectiveBaseline.Empty,
    };

    public static StoredPullRequestEvaluation ReadPullRequest(DbDataReader reader, StorageDialect dialect) => new(
        reader.GetInt64(2),
        reader.GetString(0),
        reader.GetInt32(1),
        reader.GetString(3),
        reader.GetString(4),
        JsonSerializer.Deserialize<List<string>>(reader.GetString(5), Json) ?? [],
        dialect.GetTime(reader, 6));

    /// <summary>A repository and its stored state, or null for the state when its last evaluation stored none.</summary>
    public static (string Repository, KnownRepositoryState? State) ReadState(DbDataReader reader) =>
        (reader.GetString(0), KnownRepositoryStateJson.Deserialize(reader.GetString(0), reader.GetNullableString(1)));

    /// <summary>The states of <see cref="ReadState"/>'s rows, apart from the repositories that stored none.</summary>
    public static StoredRepositoryStates ToStates(IReadOnlyList<(string Repository, KnownRepositoryState? State)> rows) => new(
        [.. rows.Where(r => r.State is not null).Select(r => r.State!)],
        [.. rows.Where(r => r.State is null).Select(r => r.Repository)]);
}
