namespace PolicyBot.Storage.Sqlite;

/// <summary>The dashboard's own tables. Append-only: add a new migration, never edit one that shipped.</summary>
internal static class DashboardMigrations
{
    public static MigrationSet Sqlite { get; } = new("dashboard", "sqlite",
    [
        new(1, "compliance per installation and day", """
            CREATE TABLE compliance_days (
                installation_id INTEGER NOT NULL,
                day             TEXT    NOT NULL,
                repositories    INTEGER NOT NULL,
                compliant       INTEGER NOT NULL,
                PRIMARY KEY (installation_id, day)
            );
            """),
    ]);
}
