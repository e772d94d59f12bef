namespace PolicyBot.Storage.Postgres;

/// <summary>The rate-limit budgets and pass progress every replica shares. Append-only: add a new migration, never edit one that shipped.</summary>
internal static class PostgresBudgetMigrations
{
    public static MigrationSet Budget { get; } = new("budget", "postgres",
    [
        new(1, "rate-limit windows per installation and resource, latest pass per installation", """
            CREATE TABLE rate_limit_windows (
                installation_id bigint      NOT NULL,
                resource        text        NOT NULL,
                limit_points    integer     NOT NULL,
                remaining       integer     NOT NULL,
                used            integer     NOT NULL,
                reset_at        timestamptz NOT NULL,
                spent           bigint      NOT NULL,
                PRIMARY KEY (installation_id, resource)
            );

            CREATE TABLE evaluation_passes (
                installation_id bigint      NOT NULL PRIMARY KEY,
                reconcile       boolean     NOT NULL,
                total           integer     NOT NULL,
                evaluated       integer     NOT NULL,
                started_at      timestamptz NOT NULL,
                points_at_start bigint      NOT NULL
            );
            """),
    ]);
}
