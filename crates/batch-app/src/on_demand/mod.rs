//! Records answered on demand instead of by a batch job (rows below the batch minimum, retries, a deadline's
//! fallback), written exactly as a batch job writes its outputs — `<part>.jsonl.out` lines with the same recordIds
//! and a `manifest.json.out` with the counts — so the join, the results table, exports and retries treat them as
//! batch answers.
//!
//! Calls run a few at a time under an adaptive rate (halved on throttling, recovering after successes); retryable
//! failures are retried with jittered backoff. Each record's id is journalled before its call and its answer
//! appended as soon as it returns, so a killed run resumes with the records not yet answered and never sends an
//! answered record again.

pub mod quota_rate;
pub mod rate;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use batch_core::results::{MANIFEST_FILE, Manifest, extract};
use batch_core::sandbox_model::{RecordFailure, output_line};
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::lifecycle::Pacing;
use crate::ports::{FailureKind, RecordInvoker, ServiceError};
use rate::AdaptiveRate;

/// How an on-demand part is sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OnDemandOptions {
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Requests per minute to start at (the ceiling).
    pub requests_per_minute: f64,
    /// Requests per minute never gone below, however often throttled.
    pub min_requests_per_minute: f64,
    /// Attempts of one record before its failure is written.
    pub attempts: u32,
    /// Backoff between attempts.
    pub pacing: Pacing,
}

impl OnDemandOptions {
    /// Requests a minute on AWS unless asked otherwise: below the default on-demand quotas of the models offered.
    pub const AWS_REQUESTS_PER_MINUTE: f64 = 100.0;
    /// Requests a minute against the local emulator (the sandbox).
    pub const SANDBOX_REQUESTS_PER_MINUTE: f64 = 6_000.0;

    /// Calls at `requests_per_minute` (else the default for AWS or the sandbox), `concurrency` at once (else 4),
    /// never slower than a sixteenth of the start rate, six attempts per record.
    pub fn new(sandbox: bool, requests_per_minute: Option<f64>, concurrency: Option<usize>, pacing: Pacing) -> Self {
        let default_rate = if sandbox { Self::SANDBOX_REQUESTS_PER_MINUTE } else { Self::AWS_REQUESTS_PER_MINUTE };
        let per_minute = requests_per_minute.unwrap_or(default_rate).max(1.0);
        Self {
            concurrency: concurrency.unwrap_or(4).max(1),
            requests_per_minute: per_minute,
            min_requests_per_minute: (per_minute / 16.0).max(1.0),
            attempts: 6,
            pacing,
        }
    }
}

/// What answering a part did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDemandReport {
    /// The part's counts, as its manifest says them (answers written before a resume included).
    pub manifest: Manifest,
    /// Calls made by this run (retries included).
    pub calls: u64,
    /// Records answered before this run started (by an earlier, interrupted one).
    pub already_answered: u64,
    /// Records sent by an earlier run whose answer never arrived, sent again by this one.
    pub sent_again: u64,
    /// Throttled calls.
    pub throttled: u64,
    /// True when a stop ended the run before every record was answered.
    pub stopped: bool,
}

/// Why a part could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum OnDemandError {
    /// A file of the part could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line of the part is not a record.
    #[error("{path} line {line}: not a record ({detail}); prepare the run again")]
    Record {
        /// The part.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The parse error.
        detail: String,
    },
    /// The service refused in a way no record can get past (access, credentials): the answers so far are kept.
    #[error("on-demand calls were refused ({}: {}); the {answered} answers so far are kept", .error.operation, .error.message)]
    Refused {
        /// The refusal.
        error: ServiceError,
        /// Records answered before it.
        answered: u64,
    },
}

fn file_error(path: &Path) -> impl Fn(std::io::Error) -> OnDemandError + '_ {
    move |source| OnDemandError::File { path: path.to_path_buf(), source }
}

/// The record ids of the lines already in `path` (none when it does not exist).
fn ids_in(path: &Path, field: Option<&str>) -> Result<HashSet<String>, OnDemandError> {
    let Ok(file) = std::fs::File::open(path) else { return Ok(HashSet::new()) };
    let mut ids = HashSet::new();
    for line in BufReader::new(file).lines() {
        let line = line.map_err(file_error(path))?;
        match field {
            Some(field) => {
                // A line cut short by a crash is not an answer: it is sent again.
                if let Ok(value) = serde_json::from_str::<Value>(&line)
                    && let Some(id) = value.get(field).and_then(Value::as_str)
                {
                    ids.insert(id.to_string());
                }
            }
            None if !line.is_empty() => {
                ids.insert(line);
            }
            None => {}
        }
    }
    Ok(ids)
}

/// Cuts a line a crash left unfinished off the end of `path` (everything after its last newline), so the next
/// answer starts a line of its own; the record of that line is sent again.
fn drop_unfinished_line(path: &Path) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::OpenOptions::new().read(true).write(true).open(path) else { return Ok(()) };
    let len = file.metadata()?.len();
    let mut end = len;
    let mut chunk = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let part = &mut chunk[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(part)?;
        if let Some(at) = part.iter().rposition(|&b| b == b'\n') {
            let keep = start + at as u64 + 1;
            return if keep < len { file.set_len(keep) } else { Ok(()) };
        }
        end = start;
    }
    file.set_len(0)
}

/// The code a record's failure is written with (as batch jobs write `errorCode`).
fn failure_code(kind: FailureKind) -> u16 {
    match kind {
        FailureKind::Throttled => 429,
        FailureKind::Unavailable => 503,
        FailureKind::NotFound => 404,
        FailureKind::AccessDenied | FailureKind::NoCredentials => 403,
        FailureKind::QuotaExceeded => 429,
        FailureKind::Invalid | FailureKind::Conflict | FailureKind::Other => 400,
    }
}

/// True for refusals that no record can get past: the run stops instead of failing every record alike.
fn refuses_all(kind: FailureKind) -> bool {
    matches!(kind, FailureKind::AccessDenied | FailureKind::NoCredentials)
}

/// A record's id and input, its response or last failure, its calls and its throttled calls.
type Answered = (String, Value, Result<Value, ServiceError>, u64, u64);

/// One record's call, retried while retryable: its response or its last failure, and how many calls it took.
async fn answer_record<I: RecordInvoker>(
    invoker: &I,
    rate: &AdaptiveRate,
    options: &OnDemandOptions,
    input: &Value,
) -> (Result<Value, ServiceError>, u64, u64) {
    let (mut calls, mut throttled) = (0, 0);
    let mut attempt = 0;
    loop {
        rate.acquire().await;
        calls += 1;
        match invoker.invoke(input).await {
            Ok(body) => {
                rate.succeeded().await;
                return (Ok(body), calls, throttled);
            }
            Err(error) => {
                let throttling = error.kind == FailureKind::Throttled;
                throttled += u64::from(throttling);
                if !error.kind.is_retryable() || attempt + 1 >= options.attempts {
                    return (Err(error), calls, throttled);
                }
                if throttling {
                    rate.throttled().await;
                }
                tokio::time::sleep(options.pacing.retry_delay(attempt)).await;
                attempt += 1;
            }
        }
    }
}

/// Answers the records of the part file `part` (`{"recordId", "modelInput"}` lines) on demand into `out`
/// (`<out>/<part name>.out` and `manifest.json.out`), skipping records an earlier run already answered.
pub async fn answer_part<I: RecordInvoker + 'static>(
    invoker: Arc<I>,
    part: &Path,
    out: &Path,
    options: OnDemandOptions,
    stop: &AtomicBool,
) -> Result<OnDemandReport, OnDemandError> {
    std::fs::create_dir_all(out).map_err(file_error(out))?;
    let name = part.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "part.jsonl".into());
    let answers_path = out.join(format!("{name}.out"));
    let journal_path = out.join(format!("{name}.sent"));
    drop_unfinished_line(&answers_path).map_err(file_error(&answers_path))?;
    drop_unfinished_line(&journal_path).map_err(file_error(&journal_path))?;
    let answered = ids_in(&answers_path, Some("recordId"))?;
    let journalled = ids_in(&journal_path, None)?;
    let mut report = OnDemandReport {
        manifest: Manifest::default(),
        calls: 0,
        already_answered: answered.len() as u64,
        sent_again: journalled.difference(&answered).count() as u64,
        throttled: 0,
        stopped: false,
    };
    let open = |path: &Path| std::fs::OpenOptions::new().create(true).append(true).open(path);
    let mut answers = open(&answers_path).map_err(file_error(&answers_path))?;
    let mut journal = open(&journal_path).map_err(file_error(&journal_path))?;
    let rate = Arc::new(AdaptiveRate::new(options.requests_per_minute, options.min_requests_per_minute));
    let slots = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut running: JoinSet<Answered> = JoinSet::new();
    let mut refusal: Option<ServiceError> = None;
    let reader = BufReader::new(std::fs::File::open(part).map_err(file_error(part))?);
    let mut lines = reader.lines().enumerate();
    let write_answer = |answers: &mut std::fs::File, id: String, input: Value, result: Result<Value, ServiceError>| {
        let response = result.map_err(|e| RecordFailure {
            code: failure_code(e.kind),
            message: format!("{}: {}", e.operation, e.message),
        });
        let line = output_line(Value::String(id), input, response).to_string();
        writeln!(answers, "{line}").and_then(|()| answers.flush())
    };
    loop {
        // Start calls while slots are free, records remain and nothing stops the run.
        while refusal.is_none() && !stop.load(Ordering::SeqCst) && slots.available_permits() > 0 {
            let Some((index, line)) = lines.next() else { break };
            let line = line.map_err(file_error(part))?;
            if line.trim().is_empty() {
                continue;
            }
            let record: Value = serde_json::from_str(&line).map_err(|e| OnDemandError::Record {
                path: part.to_path_buf(),
                line: index + 1,
                detail: e.to_string(),
            })?;
            let id = record.get("recordId").and_then(Value::as_str).unwrap_or_default().to_string();
            report.manifest.total_record_count += 1;
            if answered.contains(&id) {
                continue;
            }
            writeln!(journal, "{id}").and_then(|()| journal.flush()).map_err(file_error(&journal_path))?;
            let input = record.get("modelInput").cloned().unwrap_or(Value::Null);
            let permit = slots.clone().acquire_owned().await.expect("the semaphore is never closed");
            let (invoker, rate) = (invoker.clone(), rate.clone());
            running.spawn(async move {
                let _permit = permit;
                let (result, calls, throttled) = answer_record(invoker.as_ref(), &rate, &options, &input).await;
                (id, input, result, calls, throttled)
            });
        }
        let Some(done) = running.join_next().await else { break };
        let (id, input, result, calls, throttled) = done.expect("an on-demand call does not panic");
        report.calls += calls;
        report.throttled += throttled;
        match result {
            Err(error) if refuses_all(error.kind) => {
                refusal.get_or_insert(error);
            }
            result => write_answer(&mut answers, id, input, result).map_err(file_error(&answers_path))?,
        }
    }
    // Records not yet reached still count in the part's total.
    for (_, line) in lines {
        if line.map_err(file_error(part))?.trim().is_empty() {
            continue;
        }
        report.manifest.total_record_count += 1;
    }
    report.stopped = stop.load(Ordering::SeqCst);
    let mut manifest = count_answers(&answers_path, report.manifest.total_record_count)?;
    manifest.service_tier = Some(invoker.tier());
    let manifest_path = out.join(MANIFEST_FILE);
    let text = serde_json::to_string(&manifest).unwrap_or_default();
    std::fs::write(&manifest_path, text).map_err(file_error(&manifest_path))?;
    report.manifest = manifest;
    match refusal {
        Some(error) => Err(OnDemandError::Refused { error, answered: report.manifest.processed_record_count }),
        None => Ok(report),
    }
}

/// The manifest of the answers in `path`: one count per record (a record answered twice counts once, its last
/// line), tokens summed over the successes.
fn count_answers(path: &Path, total: u64) -> Result<Manifest, OnDemandError> {
    let file = std::fs::File::open(path).map_err(file_error(path))?;
    let mut last: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
    for line in BufReader::new(file).lines() {
        let line = line.map_err(file_error(path))?;
        if let Ok(value) = serde_json::from_str::<Value>(&line)
            && let Some(id) = value.get("recordId").and_then(Value::as_str)
        {
            last.insert(id.to_string(), value);
        }
    }
    let mut manifest = Manifest { total_record_count: total, ..Manifest::default() };
    for line in last.values() {
        manifest.processed_record_count += 1;
        match line.get("modelOutput") {
            Some(output) => {
                manifest.success_record_count += 1;
                let outcome = extract(output);
                manifest.input_token_count += outcome.input_tokens.unwrap_or(0);
                manifest.output_token_count += outcome.output_tokens.unwrap_or(0);
            }
            None => manifest.error_record_count += 1,
        }
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests;
