using Npgsql;
using PolicyBot.Enforcement.Progress;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Postgres;

internal sealed class PostgresEvaluationPassStore(PostgresDatabase database) : IEvaluationPassStore
{
    public async Task BeginAsync(StoredEvaluationPass pass, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pass);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            $"""
            INSERT INTO evaluation_passes ({EvaluationPassRows.Columns})
            VALUES (@installation, @reconcile, @total, @evaluated, @started, @points)
            ON CONFLICT (installation_id) DO UPDATE SET reconcile = excluded.reconcile, total = excluded.total,
                evaluated = excluded.evaluated, started_at = excluded.started_at, points_at_start = excluded.points_at_start;
            """,
            command =>
            {
                command.Add("@installation", pass.InstallationId);
                command.Add("@reconcile", pass.Reconcile);
                command.Add("@total", pass.Total);
                command.Add("@evaluated", pass.Evaluated);
                command.Add("@started", pass.StartedAt);
                command.Add("@points", pass.PointsAtStart);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task EvaluatedAsync(long installationId, int count, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            "UPDATE evaluation_passes SET evaluated = LEAST(total, evaluated + @count) WHERE installation_id = @installation AND evaluated < total;",
            command =>
            {
                command.Add("@installation", installationId);
                command.Add("@count", count);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredEvaluationPass>> ListAsync(long? installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {EvaluationPassRows.Columns} FROM evaluation_passes
            WHERE @installation::bigint IS NULL OR installation_id = @installation
            ORDER BY installation_id;
            """,
            connection);
        command.Add("@installation", installationId);
        return await command.ReadAllAsync(reader => EvaluationPassRows.Read(reader, StorageDialect.Postgres), cancellationToken).ConfigureAwait(false);
    }
}
