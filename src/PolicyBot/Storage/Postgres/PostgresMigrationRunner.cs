using Npgsql;

namespace PolicyBot.Storage.Postgres;

/// <summary>
/// Applies every registered PostgreSQL <see cref="MigrationSet"/> once, however many replicas start together:
/// the first takes a session advisory lock and migrates, the others wait on the lock and then find nothing left
/// to do. Each migration commits with its row in <c>schema_migrations</c> (PostgreSQL's DDL is transactional).
/// </summary>
internal sealed partial class PostgresMigrationRunner(
    PostgresDatabase database,
    IEnumerable<MigrationSet> sets,
    TimeProvider timeProvider,
    ILogger<PostgresMigrationRunner> logger) : IMigrationRunner
{
    /// <summary>Any constant that no other application on the same database uses for an advisory lock ("PolicyBo").</summary>
    private const long MigrationLockKey = 0x506F6C696379426F;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(null, "SELECT pg_advisory_lock(@key);", c => c.Add("@key", MigrationLockKey), cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(
                null,
                "CREATE TABLE IF NOT EXISTS schema_migrations (feature text NOT NULL, version integer NOT NULL, name text NOT NULL, applied_at timestamptz NOT NULL, PRIMARY KEY (feature, version));",
                bind: null,
                cancellationToken).ConfigureAwait(false);

            foreach (var set in sets.Where(s => string.Equals(s.Provider, "postgres", StringComparison.OrdinalIgnoreCase)))
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
        finally
        {
            await connection.ExecuteAsync(null, "SELECT pg_advisory_unlock(@key);", c => c.Add("@key", MigrationLockKey), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, string feature, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var check = new NpgsqlCommand("SELECT COUNT(*) FROM schema_migrations WHERE feature = @feature AND version = @version;", connection, transaction))
        {
            check.Add("@feature", feature);
            check.Add("@version", migration.Version);
            if ((long)(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0)
            {
                return;
            }
        }

        await connection.ExecuteAsync(transaction, migration.Sql, bind: null, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            transaction,
            "INSERT INTO schema_migrations (feature, version, name, applied_at) VALUES (@feature, @version, @name, @at);",
            c =>
            {
                c.Add("@feature", feature);
                c.Add("@version", migration.Version);
                c.Add("@name", migration.Name);
                c.Add("@at", timeProvider.GetUtcNow());
            },
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.Applied(logger, feature, migration.Version, migration.Name);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Applied PostgreSQL migration {Feature} {Version}: {Name}.")]
        public static partial void Applied(ILogger logger, string feature, int version, string name);
    }
}
