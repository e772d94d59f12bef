using System.Text.Json;
using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Preview;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteEvaluationStore(SqliteDatabase database) : IEvaluationStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task SaveAsync(StoredRepositoryEvaluation evaluation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO repository_evaluations (repository, installation_id, evaluated, skip_reason, results, inventory, evaluated_at, created_by, repository_id, baseline, state)
            VALUES (@repository, @installation, @evaluated, @skip, @results, @inventory, @at, @created_by, @repository_id, @baseline, @state)
            ON CONFLICT (repository) DO UPDATE SET
                installation_id = excluded.installation_id, evaluated = excluded.evaluated, skip_reason = excluded.skip_reason,
                results = excluded.results, inventory = excluded.inventory, evaluated_at = excluded.evaluated_at, baseline = excluded.baseline, state = excluded.state,
                created_by = COALESCE(excluded.created_by, repository_evaluations.created_by),
                repository_id = COALESCE(excluded.repository_id, repository_evaluations.repository_id);
            """;
        command.Add("@repository", evaluation.Repository);
        command.Add("@installation", evaluation.InstallationId);
        command.Add("@evaluated", evaluation.Evaluated ? 1 : 0);
        command.Add("@skip", evaluation.SkipReason);
        command.Add("@results", JsonSerializer.Serialize(evaluation.Results, Json));
        command.Add("@inventory", evaluation.Inventory is null ? null : JsonSerializer.Serialize(evaluation.Inventory, Json));
        command.Add("@at", evaluation.EvaluatedAt.ToUnixMilliseconds());
        command.Add("@created_by", evaluation.CreatedBy);
        command.Add("@repository_id", evaluation.RepositoryId);
        command.Add("@baseline", JsonSerializer.Serialize(evaluation.Baseline, Json));
        command.Add("@state", KnownRepositoryStateJson.Serialize(evaluation.State));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredRepositoryEvaluation?> GetAsync(string repository, CancellationToken cancellationToken)
    {
        var found = await QueryAsync("WHERE repository = @repository", "@repository", repository, cancellationToken).ConfigureAwait(false);
        return found.Count > 0 ? found[0] : null;
    }

    public Task<IReadOnlyList<StoredRepositoryEvaluation>> ListAsync(long? installationId, CancellationToken cancellationToken) =>
        QueryAsync("WHERE @installation IS NULL OR installation_id = @installation", "@installation", installationId, cancellationToken);

    public async Task<StoredRepositoryStates> ListStatesAsync(long installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT repository, state FROM repository_evaluations WHERE installation_id = @installation ORDER BY repository;";
        command.Add("@installation", installationId);
        var known = new List<KnownRepositoryState>();
        var notStored = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (KnownRepositoryStateJson.Deserialize(reader.GetString(0), reader.GetNullableString(1)) is { } state)
            {
                known.Add(state);
            }
            else
            {
                notStored.Add(reader.GetString(0));
            }
        }

        return new StoredRepositoryStates(known, notStored);
    }

    public async Task DeleteAsync(string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM pull_request_evaluations WHERE repository = @repository;
            DELETE FROM repository_evaluations WHERE repository = @repository;
            """;
        command.Add("@repository", repository);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredRepositoryEvaluation?> FindByRepositoryIdAsync(long repositoryId, CancellationToken cancellationToken)
    {
        var found = await QueryAsync("WHERE repository_id = @id", "@id", repositoryId, cancellationToken).ConfigureAwait(false);
        return found.Count > 0 ? found[0] : null;
    }

    public async Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM repository_evaluations WHERE repository = @to;
            UPDATE repository_evaluations SET repository = @to WHERE repository = @from;
            DELETE FROM pull_request_evaluations WHERE repository = @to;
            UPDATE pull_request_evaluations SET repository = @to WHERE repository = @from;
            """;
        command.Add("@from", from);
        command.Add("@to", to);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SavePullRequestAsync(StoredPullRequestEvaluation evaluation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO pull_request_evaluations (repository, number, installation_id, head_sha, conclusion, unmet_rules, evaluated_at)
            VALUES (@repository, @number, @installation, @head, @conclusion, @unmet, @at)
            ON CONFLICT (repository, number) DO UPDATE SET
                installation_id = excluded.installation_id, head_sha = excluded.head_sha, conclusion = excluded.conclusion,
                unmet_rules = excluded.unmet_rules, evaluated_at = excluded.evaluated_at;
            """;
        command.Add("@repository", evaluation.Repository);
        command.Add("@number", evaluation.Number);
        command.Add("@installation", evaluation.InstallationId);
        command.Add("@head", evaluation.HeadSha);
        command.Add("@conclusion", evaluation.Conclusion);
        command.Add("@unmet", JsonSerializer.Serialize(evaluation.UnmetRules, Json));
        command.Add("@at", evaluation.EvaluatedAt.ToUnixMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredPullRequestEvaluation>> ListPullRequestsAsync(long? installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT repository, number, installation_id, head_sha, conclusion, unmet_rules, evaluated_at FROM pull_request_evaluations
            WHERE @installation IS NULL OR installation_id = @installation ORDER BY repository, number;
            """;
        command.Add("@installation", installationId);
        var list = new List<StoredPullRequestEvaluation>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new StoredPullRequestEvaluation(
                reader.GetInt64(2), reader.GetString(0), reader.GetInt32(1), reader.GetString(3), reader.GetString(4),
                JsonSerializer.Deserialize<List<string>>(reader.GetString(5), Json) ?? [],
                SqliteValues.FromUnixMilliseconds(reader.GetInt64(6))));
        }

        return list;
    }

    private async Task<IReadOnlyList<StoredRepositoryEvaluation>> QueryAsync(string where, string parameter, object? value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT repository, installation_id, evaluated, skip_reason, results, inventory, evaluated_at, created_by, repository_id, baseline
            FROM repository_evaluations {where} ORDER BY repository;
            """;
        command.Add(parameter, value);
        var list = new List<StoredRepositoryEvaluation>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new StoredRepositoryEvaluation(
                reader.GetInt64(1),
                reader.GetString(0),
                reader.GetInt64(2) != 0,
                reader.GetNullableString(3),
                JsonSerializer.Deserialize<List<PolicyResult>>(reader.GetString(4), Json) ?? [],
                reader.GetNullableString(5) is { } inventory ? JsonSerializer.Deserialize<InventoryEntry>(inventory, Json) : null,
                SqliteValues.FromUnixMilliseconds(reader.GetInt64(6)),
                reader.GetNullableString(7),
                reader.GetNullableInt64(8))
            {
                Baseline = reader.GetNullableString(9) is { } baseline ? JsonSerializer.Deserialize<EffectiveBaseline>(baseline, Json) ?? EffectiveBaseline.Empty : EffectiveBaseline.Empty,
            });
        }

        return list;
    }
}
