namespace PolicyBot.Storage.Sqlite;

/// <summary>The rate-limit budgets and pass progress every replica shares. Append-only: add a new migration, never edit one that shipped.</summary>
internal static class BudgetMigrations
{
    public static MigrationSet Sqlite { get; } = new("budget", "sqlite",
    [
        new(1, "rate-limit windows per installation and resource, latest pass per installation", """
            CREATE TABLE rate_limit_windows (
                installation_id INTEGER NOT NULL,
                resource        TEXT    NOT NULL,
                limit_points    INTEGER NOT NULL,
                remaining       INTEGER NOT NULL,
                used            INTEGER NOT NULL,
                reset_at        INTEGER NOT NULL,
                spent           INTEGER NOT NULL,
                PRIMARY KEY (installation_id, resource)
            );

            CREATE TABLE evaluation_passes (
                installation_id INTEGER NOT NULL PRIMARY KEY,
                reconcile       INTEGER NOT NULL,
                total           INTEGER NOT NULL,
                evaluated       INTEGER NOT NULL,
                started_at      INTEGER NOT NULL,
                points_at_start INTEGER NOT NULL
            );
            """),
    ]);
}
