using System.Text.Json;
using PolicyBot.Enforcement;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteEvaluationStore(SqliteDatabase database) : IEvaluationStore
{
    public async Task SaveAsync(StoredRepositoryEvaluation evaluation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO repository_evaluations ({EvaluationRows.RepositoryColumns}, state)
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
        command.Add("@results", JsonSerializer.Serialize(evaluation.Results, EvaluationRows.Json));
        command.Add("@inventory", evaluation.Inventory is null ? null : JsonSerializer.Serialize(evaluation.Inventory, EvaluationRows.Json));
        command.Add("@at", evaluation.EvaluatedAt.ToUnixMilliseconds());
        command.Add("@created_by", evaluation.CreatedBy);
        command.Add("@repository_id", evaluation.RepositoryId);
        command.Add("@baseline", JsonSerializer.Serialize(evaluation.Baseline, EvaluationRows.Json));
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
        command.CommandText = $"SELECT {EvaluationRows.StateColumns} FROM repository_evaluations WHERE installation_id = @installation ORDER BY repository;";
        command.Add("@installation", installationId);
        var rows = await command.ReadAllAsync(EvaluationRows.ReadState, cancellationToken).ConfigureAwait(false);
        return EvaluationRows.ToStates(rows);
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
        command.CommandText = $"""
            INSERT INTO pull_request_evaluations ({EvaluationRows.PullRequestColumns})
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
        command.Add("@unmet", JsonSerializer.Serialize(evaluation.UnmetRules, EvaluationRows.Json));
        command.Add("@at", evaluation.EvaluatedAt.ToUnixMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredPullRequestEvaluation>> ListPullRequestsAsync(long? installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {EvaluationRows.PullRequestColumns} FROM pull_request_evaluations
            WHERE @installation IS NULL OR installation_id = @installation ORDER BY repository, number;
            """;
        command.Add("@installation", installationId);
        return await command.ReadAllAsync(reader => EvaluationRows.ReadPullRequest(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<StoredRepositoryEvaluation>> QueryAsync(string where, string parameter, object? value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {EvaluationRows.RepositoryColumns}
            FROM repository_evaluations {where} ORDER BY repository;
            """;
        command.Add(parameter, value);
        return await command.ReadAllAsync(reader => EvaluationRows.ReadRepository(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }
}
