using Microsoft.Data.Sqlite;
using PolicyBot.GitHub;

namespace PolicyBot.Storage.Sqlite;

/// <summary>
/// Content creations per installation in SQLite. A reservation is one write transaction (Microsoft.Data.Sqlite begins
/// them IMMEDIATE), so reservations of one installation, from any thread, take their slots one after another.
/// </summary>
internal sealed class SqliteContentCreationLedger(SqliteDatabase database) : IContentCreationLedger
{
    public async Task<DateTimeOffset> ReserveAsync(string installation, ContentCreationLimits limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var hourAgo = (now - ContentCreationLimits.Hour).ToUnixMilliseconds();

        await using (var prune = connection.CreateCommand())
        {
            // What left the hour counts no more, for any installation: the table holds at most an hour of creations.
            prune.Transaction = transaction;
            prune.CommandText = "DELETE FROM content_creations WHERE at <= @hour_ago;";
            prune.Add("@hour_ago", hourAgo);
            await prune.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var lastHour = new List<DateTimeOffset>();
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT at FROM content_creations WHERE installation = @installation ORDER BY at;";
            read.Add("@installation", installation);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                lastHour.Add(StorageDialect.Sqlite.GetTime(reader, 0));
            }
        }

        var at = limits.NextAllowed(lastHour, now);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO content_creations (installation, at) VALUES (@installation, @at);";
            insert.Add("@installation", installation);
            insert.Add("@at", at.ToUnixMilliseconds());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return at;
    }
}
