namespace PolicyBot.Storage.Sqlite;

/// <summary>The enforcement feature's tables. Append-only: add a new migration, never edit one that shipped.</summary>
internal static class EnforcementMigrations
{
    public static MigrationSet Sqlite { get; } = new("enforcement", "sqlite",
    [
        new(1, "compliance issues, repository and pull request evaluations", """
            CREATE TABLE compliance_issues (
                repository       TEXT    NOT NULL,
                policy           TEXT    NOT NULL,
                subject          TEXT    NOT NULL,
                issue_repository TEXT    NOT NULL,
                number           INTEGER NOT NULL,
                open             INTEGER NOT NULL,
                finding_keys     TEXT    NOT NULL,
                last_activity_at INTEGER NOT NULL,
                PRIMARY KEY (repository, policy, subject)
            );

            CREATE TABLE repository_evaluations (
                repository      TEXT    NOT NULL PRIMARY KEY,
                installation_id INTEGER NOT NULL,
                evaluated       INTEGER NOT NULL,
                skip_reason     TEXT    NULL,
                results         TEXT    NOT NULL,
                inventory       TEXT    NULL,
                evaluated_at    INTEGER NOT NULL
            );
            CREATE INDEX ix_repository_evaluations_installation ON repository_evaluations (installation_id);

            CREATE TABLE pull_request_evaluations (
                repository      TEXT    NOT NULL,
                number          INTEGER NOT NULL,
                installation_id INTEGER NOT NULL,
                head_sha        TEXT    NOT NULL,
                conclusion      TEXT    NOT NULL,
                unmet_rules     TEXT    NOT NULL,
                evaluated_at    INTEGER NOT NULL,
                PRIMARY KEY (repository, number)
            );
            """),
        new(2, "removed installations", """
            CREATE TABLE removed_installations (
                installation_id INTEGER NOT NULL PRIMARY KEY,
                reason          TEXT    NOT NULL,
                removed_at      INTEGER NOT NULL
            );
            """),
        new(3, "review requests", """
            CREATE TABLE review_requests (
                repository TEXT    NOT NULL,
                number     INTEGER NOT NULL,
                reviewer   TEXT    NOT NULL,
                PRIMARY KEY (repository, number, reviewer)
            );
            """),
        new(4, "who created each repository", """
            ALTER TABLE repository_evaluations ADD COLUMN created_by TEXT NULL;
            """),
        new(5, "GitHub's repository id, which survives renames", """
            ALTER TABLE repository_evaluations ADD COLUMN repository_id INTEGER NULL;
            CREATE INDEX ix_repository_evaluations_repository_id ON repository_evaluations (repository_id);
            """),
        new(6, "the tiers and effective baseline of each repository", """
            ALTER TABLE repository_evaluations ADD COLUMN baseline TEXT NULL;
            """),
        new(7, "what each check run shows, shared by every process", """
            CREATE TABLE check_run_content (
                check_run_id INTEGER NOT NULL PRIMARY KEY,
                content_hash TEXT    NOT NULL,
                written_at   INTEGER NOT NULL
            );
            CREATE INDEX ix_check_run_content_written ON check_run_content (written_at);
            """),
        new(8, "organisation directory versions, bumped by membership changes", """
            CREATE TABLE organization_directory_versions (
                org     TEXT    NOT NULL PRIMARY KEY,
                version INTEGER NOT NULL
            );
            """),
        new(9, "the last valid version of each policy file (fail closed)", """
            CREATE TABLE valid_policy_files (
                repository   TEXT    NOT NULL,
                path         TEXT    NOT NULL,
                content      TEXT    NOT NULL,
                sha          TEXT    NULL,
                validated_at INTEGER NOT NULL,
                PRIMARY KEY (repository, path)
            );
            """),
        new(10, "what each repository looked like when last evaluated, for previews of a baseline change", """
            ALTER TABLE repository_evaluations ADD COLUMN state TEXT NULL;
            """),
        new(11, "PolicyBot's check run on each commit, so that it is found without listing the commit's runs", """
            CREATE TABLE check_runs_by_commit (
                repository   TEXT    NOT NULL,
                head_sha     TEXT    NOT NULL,
                check_run_id INTEGER NOT NULL,
                PRIMARY KEY (repository, head_sha)
            );
            """),
    ]);
}
