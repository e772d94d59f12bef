using Npgsql;
using PolicyBot.GitHub;

namespace PolicyBot.Storage.Postgres;

/// <summary>
/// Content creations per installation in PostgreSQL, shared by every replica. A reservation holds a transaction-scoped
/// advisory lock on the installation, so two replicas reserving at once take their slots one after the other and never
/// both the last free one of a minute.
/// </summary>
internal sealed class PostgresContentCreationLedger(PostgresDatabase database) : IContentCreationLedger
{
    public async Task<DateTimeOffset> ReserveAsync(string installation, ContentCreationLimits limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            transaction,
            "SELECT pg_advisory_xact_lock(hashtextextended('content_creations:' || @installation, 0));",
            command => command.Add("@installation", installation),
            cancellationToken).ConfigureAwait(false);

        // What left the hour counts no more: the table holds at most an hour of each installation's creations.
        await connection.ExecuteAsync(
            transaction,
            "DELETE FROM content_creations WHERE installation = @installation AND at <= @hour_ago;",
            command =>
            {
                command.Add("@installation", installation);
                command.Add("@hour_ago", now - ContentCreationLimits.Hour);
            },
            cancellationToken).ConfigureAwait(false);

        var lastHour = new List<DateTimeOffset>();
        await using (var read = new NpgsqlCommand("SELECT at FROM content_creations WHERE installation = @installation ORDER BY at;", connection, transaction))
        {
            read.Add("@installation", installation);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                lastHour.Add(StorageDialect.Postgres.GetTime(reader, 0));
            }
        }

        var at = limits.NextAllowed(lastHour, now);
        await connection.ExecuteAsync(
            transaction,
            "INSERT INTO content_creations (installation, at) VALUES (@installation, @at);",
            command =>
            {
                command.Add("@installation", installation);
                command.Add("@at", at);
            },
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return at;
    }
}
