using System.Text.Json;
using Npgsql;
using PolicyBot.Enforcement;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Postgres;

/// <summary>Evaluations and the inventory, shared by every replica (the dashboard of any replica shows them all).</summary>
internal sealed class PostgresEvaluationStore(PostgresDatabase database) : IEvaluationStore
{
    public async Task SaveAsync(StoredRepositoryEvaluation evaluation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            $"""
            INSERT INTO repository_evaluations ({EvaluationRows.RepositoryColumns}, state)
            VALUES (@repository, @installation, @evaluated, @skip, @results, @inventory, @at, @created_by, @repository_id, @baseline, @state)
            ON CONFLICT (repository) DO UPDATE SET
                installation_id = EXCLUDED.installation_id, evaluated = EXCLUDED.evaluated, skip_reason = EXCLUDED.skip_reason,
                results = EXCLUDED.results, inventory = EXCLUDED.inventory, evaluated_at = EXCLUDED.evaluated_at, baseline = EXCLUDED.baseline, state = EXCLUDED.state,
                created_by = COALESCE(EXCLUDED.created_by, repository_evaluations.created_by),
                repository_id = COALESCE(EXCLUDED.repository_id, repository_evaluations.repository_id);
            """,
            command =>
            {
                command.Add("@repository", evaluation.Repository);
                command.Add("@installation", evaluation.InstallationId);
                command.Add("@evaluated", evaluation.Evaluated);
                command.Add("@skip", evaluation.SkipReason);
                command.Add("@results", JsonSerializer.Serialize(evaluation.Results, EvaluationRows.Json));
                command.Add("@inventory", evaluation.Inventory is null ? null : JsonSerializer.Serialize(evaluation.Inventory, EvaluationRows.Json));
                command.Add("@at", evaluation.EvaluatedAt);
                command.Add("@created_by", evaluation.CreatedBy);
                command.Add("@repository_id", evaluation.RepositoryId);
                command.Add("@baseline", JsonSerializer.Serialize(evaluation.Baseline, EvaluationRows.Json));
                command.Add("@state", KnownRepositoryStateJson.Serialize(evaluation.State));
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredRepositoryEvaluation?> GetAsync(string repository, CancellationToken cancellationToken)
    {
        var found = await QueryAsync("WHERE repository = @repository", command => command.Add("@repository", repository), cancellationToken).ConfigureAwait(false);
        return found.Count > 0 ? found[0] : null;
    }

    public Task<IReadOnlyList<StoredRepositoryEvaluation>> ListAsync(long? installationId, CancellationToken cancellationToken) =>
        QueryAsync("WHERE @installation IS NULL OR installation_id = @installation", command => command.Add("@installation", installationId), cancellationToken);

    public async Task<StoredRepositoryStates> ListStatesAsync(long installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT {EvaluationRows.StateColumns} FROM repository_evaluations WHERE installation_id = @installation ORDER BY repository;",
            connection);
        command.Add("@installation", installationId);
        var rows = await command.ReadAllAsync(EvaluationRows.ReadState, cancellationToken).ConfigureAwait(false);
        return EvaluationRows.ToStates(rows);
    }

    public async Task DeleteAsync(string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        await ExecuteInTransactionAsync(
            ["DELETE FROM pull_request_evaluations WHERE repository = @repository;", "DELETE FROM repository_evaluations WHERE repository = @repository;"],
            command => command.Add("@repository", repository),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredRepositoryEvaluation?> FindByRepositoryIdAsync(long repositoryId, CancellationToken cancellationToken)
    {
        var found = await QueryAsync("WHERE repository_id = @id", command => command.Add("@id", repositoryId), cancellationToken).ConfigureAwait(false);
        return found.Count > 0 ? found[0] : null;
    }

    public Task RenameAsync(string from, string to, CancellationToken cancellationToken) =>
        ExecuteInTransactionAsync(
            [
                "DELETE FROM repository_evaluations WHERE repository = @to;",
                "UPDATE repository_evaluations SET repository = @to WHERE repository = @from;",
                "DELETE FROM pull_request_evaluations WHERE repository = @to;",
                "UPDATE pull_request_evaluations SET repository = @to WHERE repository = @from;",
            ],
            command =>
            {
                command.Add("@from", from);
                command.Add("@to", to);
            },
            cancellationToken);

    public async Task SavePullRequestAsync(StoredPullRequestEvaluation evaluation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            $"""
            INSERT INTO pull_request_evaluations ({EvaluationRows.PullRequestColumns})
            VALUES (@repository, @number, @installation, @head, @conclusion, @unmet, @at)
            ON CONFLICT (repository, number) DO UPDATE SET
                installation_id = EXCLUDED.installation_id, head_sha = EXCLUDED.head_sha, conclusion = EXCLUDED.conclusion,
                unmet_rules = EXCLUDED.unmet_rules, evaluated_at = EXCLUDED.evaluated_at;
            """,
            command =>
            {
                command.Add("@repository", evaluation.Repository);
                command.Add("@number", evaluation.Number);
                command.Add("@installation", evaluation.InstallationId);
                command.Add("@head", evaluation.HeadSha);
                command.Add("@conclusion", evaluation.Conclusion);
                command.Add("@unmet", JsonSerializer.Serialize(evaluation.UnmetRules, EvaluationRows.Json));
                command.Add("@at", evaluation.EvaluatedAt);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredPullRequestEvaluation>> ListPullRequestsAsync(long? installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {EvaluationRows.PullRequestColumns} FROM pull_request_evaluations
            WHERE @installation IS NULL OR installation_id = @installation ORDER BY repository, number;
            """,
            connection);
        command.Add("@installation", installationId);
        return await command.ReadAllAsync(reader => EvaluationRows.ReadPullRequest(reader, StorageDialect.Postgres), cancellationToken).ConfigureAwait(false);
    }

    private async Task ExecuteInTransactionAsync(IReadOnlyList<string> statements, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var sql in statements)
        {
            await connection.ExecuteAsync(transaction, sql, bind, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<StoredRepositoryEvaluation>> QueryAsync(string where, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {EvaluationRows.RepositoryColumns}
            FROM repository_evaluations {where} ORDER BY repository;
            """,
            connection);
        bind(command);
        return await command.ReadAllAsync(reader => EvaluationRows.ReadRepository(reader, StorageDialect.Postgres), cancellationToken).ConfigureAwait(false);
    }
}
