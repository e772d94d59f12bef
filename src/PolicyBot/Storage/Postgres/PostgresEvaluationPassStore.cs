using Npgsql;
using PolicyBot.Enforcement.Progress;

namespace PolicyBot.Storage.Postgres;

internal sealed class PostgresEvaluationPassStore(PostgresDatabase database) : IEvaluationPassStore
{
    public async Task BeginAsync(StoredEvaluationPass pass, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pass);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            """
            INSERT INTO evaluation_passes (installation_id, reconcile, total, evaluated, started_at, points_at_start)
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
            """
            SELECT installation_id, reconcile, total, evaluated, started_at, points_at_start FROM evaluation_passes
            WHERE @installation::bigint IS NULL OR installation_id = @installation
            ORDER BY installation_id;
            """,
            connection);
        command.Add("@installation", installationId);
        var result = new List<StoredEvaluationPass>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new StoredEvaluationPass(reader.GetInt64(0), reader.GetBoolean(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetTime(4), reader.GetInt64(5)));
        }

        return result;
    }
}
