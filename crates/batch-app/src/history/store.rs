//! The history database: opening, migrating, and the typed reads and writes of the lifecycle.

use std::path::{Path, PathBuf};

use batch_core::aws_names::JobStatus;
use batch_core::clock::now_rfc3339;
use batch_core::remedy::{HasRemedy, Remedy};
use batch_core::service_tier::Tier;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::records::{JobCounts, JobRecord, JobState, NewRun, Part, Recorded, Run, RunDestination, RunId, RunState};
use super::schema;
use crate::ports::{PartUpload, UploadedChunk};

/// Why the history could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// SQLite failed.
    #[error("job history {}: {source}; check the folder is writable, or set BEDROCK_BATCH_HOME to another folder", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The database was written by a newer version of this tool.
    #[error("job history {}: written by a newer version (schema {found}, this version knows {known}); update bedrock-batch", path.display())]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: usize,
        /// The newest this build knows.
        known: usize,
    },
    /// A lookup found nothing.
    #[error("{0} is not in the job history")]
    NotFound(String),
    /// A value in the database is not what this version expects.
    #[error("job history {}: unreadable value {value:?} in {column}", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// The column.
        column: &'static str,
        /// The value.
        value: String,
    },
    /// A job ARN already belongs to another part.
    #[error("job {arn} is already recorded for another part; the history was not changed")]
    Conflict {
        /// The ARN.
        arn: String,
    },
}

/// How long an opening waits for other processes' locks before giving up.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs `step` again while SQLite answers "busy", for at most [`BUSY_WAIT`].
fn retry_while_busy<T>(mut step: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = std::time::Instant::now() + BUSY_WAIT;
    loop {
        match step() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

/// The job history database.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl HasRemedy for HistoryError {
    fn remedy(&self) -> Option<Remedy> {
        matches!(self, Self::NotFound(_)).then_some(Remedy::ListRuns)
    }
}

impl History {
    /// Opens (creating if needed) the history at `path`, bringing its schema up to date.
    pub fn open(path: &Path) -> Result<Self, HistoryError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| HistoryError::Database {
                path: path.to_path_buf(),
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
            })?;
        }
        let conn =
            Connection::open(path).map_err(|source| HistoryError::Database { path: path.to_path_buf(), source })?;
        Self::setup(conn, path.to_path_buf())
    }

    /// A history in memory (tests, previews).
    pub fn in_memory() -> Result<Self, HistoryError> {
        let path = PathBuf::from(":memory:");
        let conn =
            Connection::open_in_memory().map_err(|source| HistoryError::Database { path: path.clone(), source })?;
        Self::setup(conn, path)
    }

    /// The default location: `history.sqlite` in the data folder ([`crate::places::data_home`]).
    pub fn default_path() -> PathBuf {
        crate::places::data_home().join("history.sqlite")
    }

    fn setup(conn: Connection, path: PathBuf) -> Result<Self, HistoryError> {
        let db = |source| HistoryError::Database { path: path.clone(), source };
        // Other processes (the app and the CLI, several CLIs) share the file: wait for their locks.
        conn.busy_timeout(BUSY_WAIT).map_err(db)?;
        // WAL with full sync: a committed write survives a crash of the process or the machine. Switching a new
        // file to WAL answers "busy" at once (no busy wait) while another process switches it, so it is retried.
        retry_while_busy(|| conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))).map_err(db)?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;").map_err(db)?;
        let found: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db)?;
        if found > schema::current_version() {
            return Err(HistoryError::TooNew { path, found, known: schema::current_version() });
        }
        retry_while_busy(|| schema::migrate(&conn)).map_err(db)?;
        Ok(Self { conn, path })
    }

    /// The database, for the history's other tables (in their own files).
    pub(super) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// A database error on this history's file.
    pub(super) fn database_error(&self, source: rusqlite::Error) -> HistoryError {
        HistoryError::Database { path: self.path.clone(), source }
    }

    fn db(&self) -> impl Fn(rusqlite::Error) -> HistoryError + '_ {
        |source| HistoryError::Database { path: self.path.clone(), source }
    }

    /// Records a new run and its parts (one transaction) and returns its id.
    pub fn create_run(&mut self, run: &NewRun) -> Result<RunId, HistoryError> {
        Ok(self.record_run(&RunId::generate(), run, false)?.id().clone())
    }

    /// Records `run` under `id` (chosen beforehand: its object keys contain it) — or, with `continue_same`,
    /// finds the newest run recorded before with the same submission key and records nothing. The look-up and
    /// the insert are one write transaction, so two processes submitting the same parts at once record one run.
    pub fn record_run(&mut self, id: &RunId, run: &NewRun, continue_same: bool) -> Result<Recorded, HistoryError> {
        let settings = serde_json::to_string(&run.settings).map_err(|e| HistoryError::Corrupt {
            path: self.path.clone(),
            column: "runs.job_settings",
            value: e.to_string(),
        })?;
        let (role_arn, input_uri, output_uri, tier) = match &run.destination {
            RunDestination::Batch { role_arn, input_uri, output_uri } => {
                (role_arn.as_str().to_string(), input_uri.to_string(), output_uri.to_string(), Tier::Batch)
            }
            RunDestination::OnDemand(tier) => (String::new(), String::new(), String::new(), *tier),
        };
        let path = self.path.clone();
        let db = |source| HistoryError::Database { path: path.clone(), source };
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db)?;
        if continue_same {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT id FROM runs WHERE submission = ?1 ORDER BY created_at DESC, id DESC LIMIT 1",
                    [&run.submission],
                    |row| row.get(0),
                )
                .optional()
                .map_err(db)?;
            if let Some(existing) = existing {
                drop(tx);
                return Ok(Recorded::Continued(Box::new(self.run(&existing)?)));
            }
        }
        tx.execute(
            "INSERT INTO runs (id, created_at, prepared_dir, model_id, role_arn, input_uri, output_uri, job_name, sandbox, retry_of, state, job_settings, submission, parts_fingerprint, tier)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                id.as_str(),
                now_rfc3339(),
                run.prepared_dir.to_string_lossy(),
                run.model_id,
                role_arn,
                input_uri,
                output_uri,
                run.job_name.as_str(),
                run.sandbox,
                run.retry_of.as_ref().map(RunId::as_str),
                // An on-demand run uploads nothing: it is running from the start.
                if tier.is_on_demand() { RunState::Running } else { RunState::Uploading }.as_str(),
                settings,
                run.submission,
                run.parts_fingerprint,
                tier.as_str(),
            ],
        )
        .map_err(db)?;
        for (index, part) in run.parts.iter().enumerate() {
            tx.execute(
                "INSERT INTO parts (run_id, part, file, records, bytes, input_uri) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id.as_str(), index + 1, part.file, part.records, part.bytes, part.input_uri.to_string()],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)?;
        Ok(Recorded::New(id.clone()))
    }

    fn run_from(&self, row: &Row<'_>) -> rusqlite::Result<(Run, String)> {
        let state: String = row.get("state")?;
        let settings: String = row.get("job_settings")?;
        Ok((
            Run {
                id: RunId(row.get("id")?),
                created_at: row.get("created_at")?,
                prepared_dir: PathBuf::from(row.get::<_, String>("prepared_dir")?),
                model_id: row.get("model_id")?,
                role_arn: row.get("role_arn")?,
                input_uri: row.get("input_uri")?,
                output_uri: row.get("output_uri")?,
                // Only this version's tiers are written (a newer schema is refused on opening).
                tier: Tier::parse(&row.get::<_, String>("tier")?).unwrap_or_default(),
                job_name: row.get("job_name")?,
                sandbox: row.get("sandbox")?,
                retry_of: row.get::<_, Option<String>>("retry_of")?.map(RunId),
                state: RunState::Uploading,
                results_dir: row.get::<_, Option<String>>("results_dir")?.map(PathBuf::from),
                // Settings written by this tool always parse; an edited database falls back to defaults.
                settings: serde_json::from_str(&settings).unwrap_or_default(),
                stop_requested: row.get("stop_requested")?,
                parts_fingerprint: row.get("parts_fingerprint")?,
                opened: row
                    .get::<_, Option<String>>("submission")?
                    .is_some_and(|s| s.starts_with(super::records::OPENED_PREFIX)),
            },
            state,
        ))
    }

    fn runs_where(&self, condition: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Run>, HistoryError> {
        // In the order they were recorded: two runs recorded in the same second have ids that sort by their random
        // suffix, and a chain's retries must come oldest first (the newest answer wins).
        let mut stmt =
            self.conn.prepare(&format!("SELECT * FROM runs {condition} ORDER BY rowid")).map_err(self.db())?;
        let rows = stmt.query_map(args, |row| self.run_from(row)).map_err(self.db())?;
        let mut runs = Vec::new();
        for row in rows {
            let (mut run, state) = row.map_err(self.db())?;
            run.state = RunState::parse(&state).ok_or_else(|| HistoryError::Corrupt {
                path: self.path.clone(),
                column: "runs.state",
                value: state.clone(),
            })?;
            runs.push(run);
        }
        Ok(runs)
    }

    /// The run with this id.
    pub fn run(&self, id: &str) -> Result<Run, HistoryError> {
        self.runs_where("WHERE id = ?1", &[&id])?
            .into_iter()
            .next()
            .ok_or_else(|| HistoryError::NotFound(format!("run {id}")))
    }

    /// The run a retry chain starts from: `id` itself, or the original run it (transitively) retries.
    pub fn root_run(&self, id: &str) -> Result<Run, HistoryError> {
        let mut root = self.run(id)?;
        while let Some(parent) = &root.retry_of {
            root = self.run(parent.as_str())?;
        }
        Ok(root)
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<Run>, HistoryError> {
        self.runs_where("", &[])
    }

    /// Runs that still need work after a restart: uploads to finish, jobs to create or to poll.
    pub fn unfinished_runs(&self) -> Result<Vec<Run>, HistoryError> {
        Ok(self.runs()?.into_iter().filter(|r| r.state.is_unfinished()).collect())
    }

    /// Moves a run to `state`.
    pub fn set_run_state(&mut self, id: &RunId, state: RunState) -> Result<(), HistoryError> {
        let changed = self
            .conn
            .execute("UPDATE runs SET state = ?2 WHERE id = ?1", params![id.as_str(), state.as_str()])
            .map_err(self.db())?;
        if changed == 0 { Err(HistoryError::NotFound(format!("run {id}"))) } else { Ok(()) }
    }

    /// Records that the user stopped `id`: no more uploads or new jobs for it.
    pub fn request_stop(&mut self, id: &RunId) -> Result<(), HistoryError> {
        let changed =
            self.conn.execute("UPDATE runs SET stop_requested = 1 WHERE id = ?1", [id.as_str()]).map_err(self.db())?;
        if changed == 0 { Err(HistoryError::NotFound(format!("run {id}"))) } else { Ok(()) }
    }

    /// Records where a run's joined results were written.
    pub fn set_results_dir(&mut self, id: &RunId, dir: &Path) -> Result<(), HistoryError> {
        self.conn
            .execute("UPDATE runs SET results_dir = ?2 WHERE id = ?1", params![id.as_str(), dir.to_string_lossy()])
            .map_err(self.db())?;
        Ok(())
    }

    /// A run's parts with their upload progress.
    pub fn parts(&self, id: &RunId) -> Result<Vec<Part>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare("SELECT part, file, records, bytes, input_uri, upload_id, uploaded_etag FROM parts WHERE run_id = ?1 ORDER BY part")
            .map_err(self.db())?;
        let rows = stmt
            .query_map([id.as_str()], |row| {
                let upload_id: Option<String> = row.get(5)?;
                let etag: Option<String> = row.get(6)?;
                Ok(Part {
                    part: row.get(0)?,
                    file: row.get(1)?,
                    records: row.get(2)?,
                    bytes: row.get(3)?,
                    input_uri: row.get(4)?,
                    upload: match (etag, upload_id) {
                        (Some(etag), _) => PartUpload::Uploaded { etag },
                        (None, Some(upload_id)) if upload_id.is_empty() => PartUpload::Opening,
                        (None, Some(upload_id)) => PartUpload::InProgress { upload_id },
                        (None, None) => PartUpload::NotStarted,
                    },
                })
            })
            .map_err(self.db())?;
        rows.collect::<Result<_, _>>().map_err(self.db())
    }

    /// Records that a multipart upload of the part is about to be opened (before CreateMultipartUpload), so
    /// that after a crash before its id is recorded the next attempt looks for the upload it may have opened.
    pub fn intend_upload(&mut self, id: &RunId, part: usize) -> Result<(), HistoryError> {
        self.begin_upload(id, part, "")
    }

    /// Records an opened multipart upload, before any chunk is sent; the chunks of an earlier upload of the
    /// part (one the server no longer knows) are forgotten, so they are never completed with this one.
    pub fn begin_upload(&mut self, id: &RunId, part: usize, upload_id: &str) -> Result<(), HistoryError> {
        let path = self.path.clone();
        let db = |source| HistoryError::Database { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(db)?;
        tx.execute("DELETE FROM upload_chunks WHERE run_id = ?1 AND part = ?2", params![id.as_str(), part])
            .map_err(db)?;
        tx.execute(
            "UPDATE parts SET upload_id = ?3 WHERE run_id = ?1 AND part = ?2",
            params![id.as_str(), part, upload_id],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }

    /// Records a chunk S3 acknowledged, so a resumed upload skips it.
    pub fn record_chunk(&mut self, id: &RunId, part: usize, chunk: &UploadedChunk) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO upload_chunks (run_id, part, chunk, etag, checksum) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id.as_str(), part, chunk.chunk, chunk.etag, chunk.checksum],
            )
            .map_err(self.db())?;
        Ok(())
    }

    /// The acknowledged chunks of a part's open upload, in order.
    pub fn chunks(&self, id: &RunId, part: usize) -> Result<Vec<UploadedChunk>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare("SELECT chunk, etag, checksum FROM upload_chunks WHERE run_id = ?1 AND part = ?2 ORDER BY chunk")
            .map_err(self.db())?;
        let rows = stmt
            .query_map(params![id.as_str(), part], |row| {
                Ok(UploadedChunk { chunk: row.get(0)?, etag: row.get(1)?, checksum: row.get(2)? })
            })
            .map_err(self.db())?;
        rows.collect::<Result<_, _>>().map_err(self.db())
    }

    /// Records a finished upload (its chunk records are no longer needed).
    pub fn complete_upload(&mut self, id: &RunId, part: usize, etag: &str) -> Result<(), HistoryError> {
        let path = self.path.clone();
        let db = |source| HistoryError::Database { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(db)?;
        tx.execute(
            "UPDATE parts SET uploaded_etag = ?3 WHERE run_id = ?1 AND part = ?2",
            params![id.as_str(), part, etag],
        )
        .map_err(db)?;
        tx.execute("DELETE FROM upload_chunks WHERE run_id = ?1 AND part = ?2", params![id.as_str(), part])
            .map_err(db)?;
        tx.commit().map_err(db)
    }

    /// Records the intent to create the job of a part — before CreateModelInvocationJob is called. If the part
    /// already has a job record (a retry after a crash), that record is returned unchanged, with its token.
    pub fn intend_job(&mut self, id: &RunId, part: usize, job_name: &str) -> Result<JobRecord, HistoryError> {
        let token = id.request_token(part);
        self.conn
            .execute(
                "INSERT OR IGNORE INTO jobs (run_id, part, job_name, request_token, state, updated_at) VALUES (?1, ?2, ?3, ?4, 'creating', ?5)",
                params![id.as_str(), part, job_name, token.as_str(), now_rfc3339()],
            )
            .map_err(self.db())?;
        self.job_where("WHERE run_id = ?1 AND part = ?2", &[&id.as_str(), &part])?
            .ok_or_else(|| HistoryError::NotFound(format!("part {part} of run {id}")))
    }

    /// Forgets the intent recorded for `token` when the service refused that create outright (its concurrent-job
    /// quota was full: no job exists with the token), so a part waiting for a slot holds no half-made job — a
    /// run stopped meanwhile then never creates it. A job already created is never forgotten.
    pub fn drop_job_intent(&mut self, token: &str) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "DELETE FROM jobs WHERE request_token = ?1 AND state = 'creating' AND job_arn IS NULL",
                params![token],
            )
            .map_err(self.db())?;
        Ok(())
    }

    /// Records the service's answer to a create: the job's ARN.
    pub fn record_job_created(&mut self, token: &str, job_arn: &str) -> Result<JobRecord, HistoryError> {
        if let Some(existing) = self.job_where("WHERE job_arn = ?1", &[&job_arn])?
            && existing.request_token != token
        {
            return Err(HistoryError::Conflict { arn: job_arn.to_string() });
        }
        let now = now_rfc3339();
        let changed = self
            .conn
            .execute(
                "UPDATE jobs SET job_arn = ?2, state = 'created', submitted_at = COALESCE(submitted_at, ?3), updated_at = ?3 WHERE request_token = ?1",
                params![token, job_arn, now],
            )
            .map_err(self.db())?;
        if changed == 0 {
            return Err(HistoryError::NotFound(format!("request token {token}")));
        }
        self.job_where("WHERE request_token = ?1", &[&token])?
            .ok_or_else(|| HistoryError::NotFound(format!("request token {token}")))
    }

    /// Records a status seen for a job.
    pub fn record_job_status(
        &mut self,
        job_arn: &str,
        status: &JobStatus,
        message: Option<&str>,
        counts: JobCounts,
    ) -> Result<JobRecord, HistoryError> {
        let changed = self
            .conn
            .execute(
                "UPDATE jobs SET status = ?2, message = ?3, total_records = ?4, processed = ?5, succeeded = ?6, failed = ?7, updated_at = ?8,
                        started_at = CASE WHEN started_at IS NULL AND ?9 THEN ?8 ELSE started_at END
                 WHERE job_arn = ?1",
                params![
                    job_arn,
                    status.as_str(),
                    message,
                    counts.total,
                    counts.processed,
                    counts.succeeded,
                    counts.failed,
                    now_rfc3339(),
                    // Running, or past it: the first time it is seen so is when it left the queue.
                    !status.is_queued(),
                ],
            )
            .map_err(self.db())?;
        if changed == 0 {
            return Err(HistoryError::NotFound(format!("job {job_arn}")));
        }
        self.job_where("WHERE job_arn = ?1", &[&job_arn])?
            .ok_or_else(|| HistoryError::NotFound(format!("job {job_arn}")))
    }

    fn job_where(&self, condition: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Option<JobRecord>, HistoryError> {
        Ok(self.jobs_where(condition, args)?.into_iter().next())
    }

    fn jobs_where(&self, condition: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<JobRecord>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT run_id, part, job_name, request_token, job_arn, state, status, message, total_records, processed, succeeded, failed, submitted_at, updated_at, started_at
                 FROM jobs {condition} ORDER BY run_id, part"
            ))
            .map_err(self.db())?;
        let rows = stmt
            .query_map(args, |row| {
                let state: String = row.get(5)?;
                Ok(JobRecord {
                    run_id: RunId(row.get(0)?),
                    part: row.get(1)?,
                    job_name: row.get(2)?,
                    request_token: row.get(3)?,
                    job_arn: row.get(4)?,
                    state: if state == "created" { JobState::Created } else { JobState::Creating },
                    status: row.get::<_, Option<String>>(6)?.map(JobStatus::from),
                    message: row.get(7)?,
                    total_records: row.get(8)?,
                    processed_records: row.get(9)?,
                    success_records: row.get(10)?,
                    error_records: row.get(11)?,
                    submitted_at: row.get(12)?,
                    updated_at: row.get(13)?,
                    started_at: row.get(14)?,
                })
            })
            .map_err(self.db())?;
        rows.collect::<Result<_, _>>().map_err(self.db())
    }

    /// Every job, by run and part.
    pub fn jobs(&self) -> Result<Vec<JobRecord>, HistoryError> {
        self.jobs_where("", &[])
    }

    /// The jobs of one run.
    pub fn run_jobs(&self, id: &RunId) -> Result<Vec<JobRecord>, HistoryError> {
        self.jobs_where("WHERE run_id = ?1", &[&id.as_str()])
    }

    /// The run `target` names: a run id, or the ARN or bare id of one of its jobs.
    pub fn run_of(&self, target: &str) -> Result<Run, HistoryError> {
        match self.run(target) {
            Err(HistoryError::NotFound(_)) => {
                let job = self.job(target).map_err(|_| HistoryError::NotFound(format!("run or job {target}")))?;
                self.run(job.run_id.as_str())
            }
            found => found,
        }
    }

    /// The job with this ARN or bare job id.
    pub fn job(&self, arn_or_id: &str) -> Result<JobRecord, HistoryError> {
        let suffix = format!("%/{arn_or_id}");
        self.job_where("WHERE job_arn = ?1 OR job_arn LIKE ?2", &[&arn_or_id, &suffix])?
            .ok_or_else(|| HistoryError::NotFound(format!("job {arn_or_id}")))
    }

    /// Jobs of `model_id` (any run) that were created and have not been seen to end: the slots in use.
    pub fn active_jobs_for_model(&self, model_id: &str) -> Result<usize, HistoryError> {
        let jobs = self.jobs_where("WHERE run_id IN (SELECT id FROM runs WHERE model_id = ?1)", &[&model_id])?;
        Ok(jobs
            .iter()
            .filter(|j| j.job_arn.is_some() && !j.status.as_ref().is_some_and(JobStatus::is_terminal))
            .count())
    }

    /// Jobs whose creation was intended but never confirmed: re-send them with their recorded token.
    pub fn pending_creations(&self) -> Result<Vec<JobRecord>, HistoryError> {
        self.jobs_where("WHERE state = 'creating'", &[])
    }
}
