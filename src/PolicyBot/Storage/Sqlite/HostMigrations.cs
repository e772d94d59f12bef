namespace PolicyBot.Storage.Sqlite;

/// <summary>The host's tables. Append-only: add a new migration, never edit one that shipped.</summary>
internal static class HostMigrations
{
    public static MigrationSet Sqlite { get; } = new("host", "sqlite",
    [
        new(1, "deliveries, work items, audit log", """
            CREATE TABLE deliveries (
                delivery_id     TEXT    NOT NULL PRIMARY KEY,
                event           TEXT    NOT NULL,
                action          TEXT    NULL,
                installation_id INTEGER NULL,
                repository      TEXT    NULL,
                pull_request    INTEGER NULL,
                payload         TEXT    NOT NULL,
                received_at     INTEGER NOT NULL,
                state           TEXT    NOT NULL DEFAULT 'pending',
                attempts        INTEGER NOT NULL DEFAULT 0,
                work_items      INTEGER NOT NULL DEFAULT 0,
                processed_at    INTEGER NULL,
                error           TEXT    NULL
            );
            CREATE INDEX ix_deliveries_state ON deliveries (state, received_at);
            CREATE INDEX ix_deliveries_received ON deliveries (received_at);

            CREATE TABLE work_items (
                id              INTEGER PRIMARY KEY AUTOINCREMENT,
                kind            TEXT    NOT NULL,
                installation_id INTEGER NOT NULL,
                owner           TEXT    NULL,
                repository      TEXT    NULL,
                pull_request    INTEGER NULL,
                reason          TEXT    NOT NULL,
                delivery_id     TEXT    NULL,
                coalescing_key  TEXT    NOT NULL,
                concurrency_key TEXT    NOT NULL,
                state           TEXT    NOT NULL,
                attempts        INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                lease_owner     TEXT    NULL,
                lease_until     INTEGER NULL,
                last_error      TEXT    NULL,
                created_at      INTEGER NOT NULL,
                updated_at      INTEGER NOT NULL
            );
            CREATE UNIQUE INDEX ux_work_items_pending_key ON work_items (coalescing_key) WHERE state = 'pending';
            CREATE INDEX ix_work_items_state ON work_items (state, next_attempt_at);
            CREATE INDEX ix_work_items_running ON work_items (concurrency_key) WHERE state = 'running';

            CREATE TABLE audit_log (
                id              INTEGER PRIMARY KEY AUTOINCREMENT,
                at              INTEGER NOT NULL,
                installation_id INTEGER NOT NULL,
                repository      TEXT    NULL,
                action          TEXT    NOT NULL,
                reason          TEXT    NOT NULL,
                target          TEXT    NULL,
                delivery_id     TEXT    NULL
            );
            CREATE INDEX ix_audit_log_installation ON audit_log (installation_id, at);
            """),
        new(2, "work item actor", """
            ALTER TABLE work_items ADD COLUMN actor TEXT NULL;
            """),
        new(3, "work item head commit", """
            ALTER TABLE work_items ADD COLUMN head_sha TEXT NULL;
            """),
        new(4, "what a fix changed, each repository's history, who sent each delivery", """
            ALTER TABLE audit_log ADD COLUMN before_state TEXT NULL;
            ALTER TABLE audit_log ADD COLUMN after_state TEXT NULL;
            CREATE INDEX ix_audit_log_repository ON audit_log (repository, at);
            ALTER TABLE deliveries ADD COLUMN sender TEXT NULL;
            """),
        new(5, "typed work item triggers that merge on coalescing", $"""
            ALTER TABLE work_items ADD COLUMN triggers INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE work_items ADD COLUMN created_by TEXT NULL;
            {WorkTriggerSql.FromReasons}
            """),
        new(6, "work item failure kind and dead-letter requeues", """
            ALTER TABLE work_items ADD COLUMN failure_kind TEXT NULL;
            ALTER TABLE work_items ADD COLUMN requeues INTEGER NOT NULL DEFAULT 0;
            """),
        new(7, "content creations of the last hour per installation (GitHub's secondary limits)", """
            CREATE TABLE content_creations (
                installation TEXT    NOT NULL,
                at           INTEGER NOT NULL
            );
            CREATE INDEX ix_content_creations ON content_creations (installation, at);
            CREATE INDEX ix_content_creations_at ON content_creations (at);
            """),
    ]);
}
