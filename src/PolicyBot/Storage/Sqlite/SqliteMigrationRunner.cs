using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PolicyBot.Storage.Sqlite;

/// <summary>
/// Applies every registered SQLite <see cref="MigrationSet"/> in order, each migration in its own
/// transaction together with its row in <c>schema_migrations</c>, so a crash mid-way leaves no half schema.
/// </summary>
internal sealed partial class SqliteMigrationRunner(
    SqliteDatabase database,
    IEnumerable<MigrationSet> sets,
    ILogger<SqliteMigrationRunner> logger) : IMigrationRunner
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);

        // WAL lets the webhook endpoint write while workers read; it is a property of the file, set once.
        await SqliteDatabase.ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
        await SqliteDatabase.ExecuteAsync(
            connection,
            "CREATE TABLE IF NOT EXISTS schema_migrations (feature TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL, PRIMARY KEY (feature, version));",
            cancellationToken).ConfigureAwait(false);

        foreach (var set in sets.Where(s => string.Equals(s.Provider, "sqlite", StringComparison.OrdinalIgnoreCase)))
        {
            var ordered = set.Migrations.OrderBy(m => m.Version).ToList();
            if (ordered.Select(m => m.Version).Distinct().Count() != ordered.Count)
            {
                throw new InvalidOperationException($"Migration set '{set.Feature}' has two migrations with one version.");
            }

            foreach (var migration in ordered)
            {
                await ApplyAsync(connection, set.Feature, migration, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyAsync(SqliteConnection connection, string feature, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using (var check = connection.CreateCommand())
        {
            check.Transaction = transaction;
            check.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE feature = @feature AND version = @version;";
            check.Add("@feature", feature);
            check.Add("@version", migration.Version);
            if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0)
            {
                return;
            }
        }

        await SqliteDatabase.ExecuteAsync(connection, migration.Sql, cancellationToken, transaction).ConfigureAwait(false);

        await using (var record = connection.CreateCommand())
        {
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (feature, version, name, applied_at) VALUES (@feature, @version, @name, @at);";
            record.Add("@feature", feature);
            record.Add("@version", migration.Version);
            record.Add("@name", migration.Name);
            record.Add("@at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.Applied(logger, feature, migration.Version, migration.Name);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Applied migration {Feature} {Version}: {Name}.")]
        public static partial void Applied(ILogger logger, string feature, int version, string name);
    }
}
