namespace PolicyBot.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema, one set per feature like SQLite's (which reached the same tables in several steps).
/// Append-only: add a new migration, never edit one that shipped.
/// </summary>
internal static class PostgresMigrations
{
    public static MigrationSet Host { get; } = new("host", "postgres",
    [
        new(1, "deliveries, work items, audit log", """
            CREATE TABLE deliveries (
                delivery_id     text        NOT NULL PRIMARY KEY,
                event           text        NOT NULL,
                action          text        NULL,
                installation_id bigint      NULL,
                repository      text        NULL,
                pull_request    integer     NULL,
                payload         text        NOT NULL,
                received_at     timestamptz NOT NULL,
                state           text        NOT NULL DEFAULT 'pending',
                attempts        integer     NOT NULL DEFAULT 0,
                work_items      integer     NOT NULL DEFAULT 0,
                processed_at    timestamptz NULL,
                error           text        NULL
            );
            CREATE INDEX ix_deliveries_state ON deliveries (state, received_at);
            CREATE INDEX ix_deliveries_received ON deliveries (received_at);

            CREATE TABLE work_items (
                id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind            text        NOT NULL,
                installation_id bigint      NOT NULL,
                owner           text        NULL,
                repository      text        NULL,
                pull_request    integer     NULL,
                reason          text        NOT NULL,
                delivery_id     text        NULL,
                triggers        integer     NOT NULL DEFAULT 0,
                created_by      text        NULL,
                head_sha        text        NULL,
                coalescing_key  text        NOT NULL,
                concurrency_key text        NOT NULL,
                state           text        NOT NULL,
                attempts        integer     NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL,
                lease_owner     text        NULL,
                lease_until     timestamptz NULL,
                last_error      text        NULL,
                created_at      timestamptz NOT NULL,
                updated_at      timestamptz NOT NULL
            );
            CREATE UNIQUE INDEX ux_work_items_pending_key ON work_items (coalescing_key) WHERE state = 'pending';
            -- One running item per repository (or installation) across every replica: a second claim breaks this index.
            CREATE UNIQUE INDEX ux_work_items_running_key ON work_items (concurrency_key) WHERE state = 'running';
            CREATE INDEX ix_work_items_state ON work_items (state, next_attempt_at);

            CREATE TABLE audit_log (
                id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at              timestamptz NOT NULL,
                installation_id bigint      NOT NULL,
                repository      text        NULL,
                action          text        NOT NULL,
                reason          text        NOT NULL,
                target          text        NULL,
                delivery_id     text        NULL
            );
            CREATE INDEX ix_audit_log_installation ON audit_log (installation_id, at);
            """),
        new(2, "what a fix changed, each repository's history, who sent each delivery", """
            ALTER TABLE audit_log ADD COLUMN before_state text NULL;
            ALTER TABLE audit_log ADD COLUMN after_state text NULL;
            CREATE INDEX ix_audit_log_repository ON audit_log (repository, at);
            ALTER TABLE deliveries ADD COLUMN sender text NULL;
            """),
        new(3, "work item failure kind and dead-letter requeues", """
            ALTER TABLE work_items ADD COLUMN failure_kind text NULL;
            ALTER TABLE work_items ADD COLUMN requeues integer NOT NULL DEFAULT 0;
            """),
        new(4, "content creations of the last hour per installation (GitHub's secondary limits)", """
            CREATE TABLE content_creations (
                installation text        NOT NULL,
                at           timestamptz NOT NULL
            );
            CREATE INDEX ix_content_creations ON content_creations (installation, at);
            """),
    ]);

    public static MigrationSet Enforcement { get; } = new("enforcement", "postgres",
    [
        new(1, "compliance issues, evaluations, removed installations, review requests", """
            CREATE TABLE compliance_issues (
                repository       text        NOT NULL,
                policy           text        NOT NULL,
                subject          text        NOT NULL,
                issue_repository text        NOT NULL,
                number           integer     NOT NULL,
                open             boolean     NOT NULL,
                finding_keys     text        NOT NULL,
                last_activity_at timestamptz NOT NULL,
                PRIMARY KEY (repository, policy, subject)
            );

            CREATE TABLE repository_evaluations (
                repository      text        NOT NULL PRIMARY KEY,
                installation_id bigint      NOT NULL,
                evaluated       boolean     NOT NULL,
                skip_reason     text        NULL,
                results         text        NOT NULL,
                inventory       text        NULL,
                evaluated_at    timestamptz NOT NULL,
                created_by      text        NULL,
                repository_id   bigint      NULL
            );
            CREATE INDEX ix_repository_evaluations_installation ON repository_evaluations (installation_id);
            CREATE INDEX ix_repository_evaluations_repository_id ON repository_evaluations (repository_id);

            CREATE TABLE pull_request_evaluations (
                repository      text        NOT NULL,
                number          integer     NOT NULL,
                installation_id bigint      NOT NULL,
                head_sha        text        NOT NULL,
                conclusion      text        NOT NULL,
                unmet_rules     text        NOT NULL,
                evaluated_at    timestamptz NOT NULL,
                PRIMARY KEY (repository, number)
            );

            CREATE TABLE removed_installations (
                installation_id bigint      NOT NULL PRIMARY KEY,
                reason          text        NOT NULL,
                removed_at      timestamptz NOT NULL
            );

            CREATE TABLE review_requests (
                repository text    NOT NULL,
                number     integer NOT NULL,
                reviewer   text    NOT NULL,
                PRIMARY KEY (repository, number, reviewer)
            );

            CREATE TABLE check_run_content (
                check_run_id bigint      NOT NULL PRIMARY KEY,
                content_hash text        NOT NULL,
                written_at   timestamptz NOT NULL
            );
            CREATE INDEX ix_check_run_content_written ON check_run_content (written_at);

            CREATE TABLE organization_directory_versions (
                org     text   NOT NULL PRIMARY KEY,
                version bigint NOT NULL
            );
            """),
        new(2, "the tiers and effective baseline of each repository", """
            ALTER TABLE repository_evaluations ADD COLUMN baseline text NULL;
            """),
        new(3, "the last valid version of each policy file (fail closed)", """
            CREATE TABLE valid_policy_files (
                repository   text        NOT NULL,
                path         text        NOT NULL,
                content      text        NOT NULL,
                sha          text        NULL,
                validated_at timestamptz NOT NULL,
                PRIMARY KEY (repository, path)
            );
            """),
        new(4, "what each repository looked like when last evaluated, for previews of a baseline change", """
            ALTER TABLE repository_evaluations ADD COLUMN state text NULL;
            """),
        new(5, "PolicyBot's check run on each commit, so that it is found without listing the commit's runs", """
            CREATE TABLE check_runs_by_commit (
                repository   text   NOT NULL,
                head_sha     text   NOT NULL,
                check_run_id bigint NOT NULL,
                PRIMARY KEY (repository, head_sha)
            );
            """),
    ]);
}
