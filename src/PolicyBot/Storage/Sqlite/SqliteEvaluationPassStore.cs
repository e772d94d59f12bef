using PolicyBot.Enforcement.Progress;
using PolicyBot.Storage.Rows;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteEvaluationPassStore(SqliteDatabase database) : IEvaluationPassStore
{
    public async Task BeginAsync(StoredEvaluationPass pass, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pass);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT OR REPLACE INTO evaluation_passes (installation_id, reconcile, total, evaluated, started_at, points_at_start)
            VALUES (@installation, @reconcile, @total, @evaluated, @started, @points);
            """;
        command.Add("@installation", pass.InstallationId);
        command.Add("@reconcile", pass.Reconcile ? 1 : 0);
        command.Add("@total", pass.Total);
        command.Add("@evaluated", pass.Evaluated);
        command.Add("@started", pass.StartedAt.ToUnixMilliseconds());
        command.Add("@points", pass.PointsAtStart);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task EvaluatedAsync(long installationId, int count, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE evaluation_passes SET evaluated = MIN(total, evaluated + @count) WHERE installation_id = @installation AND evaluated < total;";
        command.Add("@installation", installationId);
        command.Add("@count", count);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredEvaluationPass>> ListAsync(long? installationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {EvaluationPassRows.Columns} FROM evaluation_passes
            WHERE @installation IS NULL OR installation_id = @installation
            ORDER BY installation_id;
            """;
        command.Add("@installation", installationId);
        return await command.ReadAllAsync(reader => EvaluationPassRows.Read(reader, StorageDialect.Sqlite), cancellationToken).ConfigureAwait(false);
    }
}
