//! The database schema and its migrations (SQLite `user_version` counts the applied steps).

use rusqlite::Connection;

/// Each step moves the schema one version forward; never edit a released step, add one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE runs (
    id            TEXT PRIMARY KEY,
    created_at    TEXT NOT NULL,
    prepared_dir  TEXT NOT NULL,
    model_id      TEXT NOT NULL,
    role_arn      TEXT NOT NULL,
    input_uri     TEXT NOT NULL,
    output_uri    TEXT NOT NULL,
    job_name      TEXT NOT NULL,
    sandbox       INTEGER NOT NULL DEFAULT 0,
    retry_of      TEXT REFERENCES runs(id),
    state         TEXT NOT NULL,
    results_dir   TEXT
);
CREATE TABLE parts (
    run_id        TEXT NOT NULL REFERENCES runs(id),
    part          INTEGER NOT NULL,
    file          TEXT NOT NULL,
    records       INTEGER NOT NULL,
    bytes         INTEGER NOT NULL,
    input_uri     TEXT NOT NULL,
    upload_id     TEXT,
    uploaded_etag TEXT,
    PRIMARY KEY (run_id, part)
);
CREATE TABLE upload_chunks (
    run_id        TEXT NOT NULL,
    part          INTEGER NOT NULL,
    chunk         INTEGER NOT NULL,
    etag          TEXT NOT NULL,
    checksum      TEXT NOT NULL,
    PRIMARY KEY (run_id, part, chunk),
    FOREIGN KEY (run_id, part) REFERENCES parts(run_id, part)
);
CREATE TABLE jobs (
    run_id          TEXT NOT NULL,
    part            INTEGER NOT NULL,
    job_name        TEXT NOT NULL,
    request_token   TEXT NOT NULL UNIQUE,
    job_arn         TEXT UNIQUE,
    state           TEXT NOT NULL,
    status          TEXT,
    message         TEXT,
    total_records   INTEGER,
    processed       INTEGER,
    succeeded       INTEGER,
    failed          INTEGER,
    submitted_at    TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (run_id, part),
    FOREIGN KEY (run_id, part) REFERENCES parts(run_id, part)
);
"#,
    r#"
ALTER TABLE runs ADD COLUMN job_settings TEXT NOT NULL DEFAULT '{}';
"#,
    r#"
ALTER TABLE runs ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0;
"#,
    r#"
ALTER TABLE runs ADD COLUMN submission TEXT;
ALTER TABLE runs ADD COLUMN parts_fingerprint TEXT;
CREATE INDEX runs_by_submission ON runs(submission);
"#,
    r#"
ALTER TABLE runs ADD COLUMN tier TEXT NOT NULL DEFAULT 'batch';
"#,
    r#"
ALTER TABLE jobs ADD COLUMN started_at TEXT;
"#,
    r#"
CREATE TABLE estimates (
    run_id          TEXT PRIMARY KEY REFERENCES runs(id),
    model_id        TEXT NOT NULL,
    template_key    TEXT NOT NULL,
    rows            INTEGER NOT NULL,
    estimated_input INTEGER NOT NULL,
    billed_input    INTEGER NOT NULL,
    answered_rows   INTEGER NOT NULL,
    billed_output   INTEGER NOT NULL,
    fetched_at      TEXT NOT NULL
);
CREATE INDEX estimates_by_model ON estimates(model_id, template_key);
"#,
    r#"
CREATE TABLE backlog_readings (
    run_id   TEXT PRIMARY KEY REFERENCES runs(id),
    reading  TEXT NOT NULL
);
"#,
];

/// Brings the schema up to date. The steps run in one `BEGIN IMMEDIATE` transaction that reads the version
/// itself, so processes opening a new history at once migrate it exactly once: the first takes the write lock,
/// the others wait (the busy timeout) and then find nothing left to do.
pub(crate) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: usize = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version >= MIGRATIONS.len() {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let migrated = (|| {
        let version: usize = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        for (step, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            conn.execute_batch(&format!("{sql} PRAGMA user_version = {};", step + 1))?;
        }
        conn.execute_batch("COMMIT")
    })();
    if migrated.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    migrated
}

/// The schema version this build writes.
pub(crate) fn current_version() -> usize {
    MIGRATIONS.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::History;

    #[test]
    fn a_history_of_the_previous_version_is_upgraded_and_keeps_its_runs() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.sqlite");
        {
            // What the previous release wrote: every step but the last, and a run in it.
            let conn = Connection::open(&file).unwrap();
            for (step, sql) in MIGRATIONS[..MIGRATIONS.len() - 1].iter().enumerate() {
                conn.execute_batch(&format!("BEGIN; {sql} PRAGMA user_version = {}; COMMIT;", step + 1)).unwrap();
            }
            conn.execute_batch(
                "INSERT INTO runs (id, created_at, prepared_dir, model_id, role_arn, input_uri, output_uri, job_name, state)
                 VALUES ('run-old', '2026-11-01T10:00:00Z', '/p', 'amazon.nova-lite-v1:0',
                         'arn:aws:iam::123456789012:role/R', 's3://in/r', 's3://out/', 'reviews', 'running');",
            )
            .unwrap();
        }
        let mut history = History::open(&file).unwrap();
        let run = history.run("run-old").unwrap();
        assert!(!run.stop_requested, "an old run was never stopped");
        history.request_stop(&run.id).unwrap();
        drop(history);
        let history = History::open(&file).unwrap();
        assert!(history.run("run-old").unwrap().stop_requested, "the stop is remembered");
        let version: usize =
            Connection::open(&file).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, current_version());
    }
}
