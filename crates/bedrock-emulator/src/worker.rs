//! The batch worker: one step of a job per tick — validate the input, wait in the queue, run the records
//! through the sandbox model and write `<output>/<jobId>/<file>.out` plus `manifest.json.out`.

use batch_core::aws_names::{JobStatus, S3Uri};
use batch_core::limits::Limits;
use batch_core::record_id::fnv1a;
use batch_core::results::{MANIFEST_FILE, Manifest, extract};
use batch_core::sandbox_model::{AnswerFault, output_line, respond_spoiled};
use serde_json::{Value, json};

use crate::faults::JobFault;
use crate::registry::Job;
use crate::store::ObjectStore;

/// Advances `job` by one step.
pub(crate) fn step(job: &mut Job, store: &dyn ObjectStore, limits: &Limits) {
    if let Some(JobFault::Slow(extra)) = job.fault
        && job.waited < extra
        && job.status != JobStatus::Stopping
    {
        job.waited += 1;
        return;
    }
    match job.status {
        JobStatus::Submitted => job.set(JobStatus::Validating, None),
        JobStatus::Validating => match validate(job, store, limits) {
            Ok(_) if job.fault == Some(JobFault::Fail) => {
                job.set(
                    JobStatus::Failed,
                    Some("Emulated failure (tag emulator-fault=fail) during validation.".into()),
                );
            }
            Ok(total) => {
                job.total = Some(total);
                job.set(JobStatus::Scheduled, None);
            }
            Err(message) => job.set(JobStatus::Failed, Some(message)),
        },
        JobStatus::Scheduled if job.fault == Some(JobFault::Expire) => {
            let message = format!(
                "The job was scheduled but did not start before its timeout of {} hours. Submit a new job request.",
                job.timeout_hours
            );
            job.set(JobStatus::Expired, Some(message));
        }
        JobStatus::Scheduled => job.set(JobStatus::InProgress, None),
        JobStatus::InProgress if job.fault == Some(JobFault::Hold) && !job.released => {}
        JobStatus::InProgress => {
            let partial = job.fault == Some(JobFault::Partial);
            match process(job, store, partial) {
                Ok(()) if partial => job.set(
                    JobStatus::PartiallyCompleted,
                    Some("Not all of your records could be processed in time. View the output files.".into()),
                ),
                Ok(()) => job.set(JobStatus::Completed, None),
                Err(message) => job.set(JobStatus::Failed, Some(message)),
            }
        }
        JobStatus::Stopping => {
            // Records processed before the stop keep their results; a job stopped before validation has none.
            let outcome = if job.total.is_some() { process(job, store, true) } else { Ok(()) };
            match outcome {
                Ok(()) => job.set(JobStatus::Stopped, None),
                Err(message) => job.set(JobStatus::Failed, Some(message)),
            }
        }
        _ => {}
    }
}

/// The input's `.jsonl` object keys: the object itself, or every `.jsonl` under the folder.
fn input_keys(input: &S3Uri, store: &dyn ObjectStore) -> Result<Vec<String>, String> {
    if input.key().ends_with(".jsonl") {
        return Ok(vec![input.key().to_string()]);
    }
    let folder = input.as_folder();
    let keys: Vec<String> = store
        .list(folder.bucket(), folder.key())
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|k| k.ends_with(".jsonl"))
        .collect();
    if keys.is_empty() {
        return Err(format!("No JSONL files were found at {input}. Check the input location of the job."));
    }
    Ok(keys)
}

/// The records of one input file: (recordId, modelInput) per non-blank line.
fn records(input: &S3Uri, key: &str, store: &dyn ObjectStore) -> Result<Vec<(String, Value)>, String> {
    let location = format!("s3://{}/{key}", input.bucket());
    let bytes = store.get(input.bucket(), key).map_err(|e| format!("Unable to read {location}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{location} is not UTF-8 text."))?;
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let invalid = |why: &str| format!("{location} has an invalid record at line {}: {why}.", number + 1);
        let value: Value = serde_json::from_str(line).map_err(|_| invalid("not valid JSON"))?;
        let input = value
            .get("modelInput")
            .filter(|v| v.is_object())
            .cloned()
            .ok_or_else(|| invalid("modelInput must be a JSON object"))?;
        let id = match value.get("recordId") {
            Some(Value::String(id)) => id.clone(),
            None | Some(Value::Null) => generated_id(key, number),
            Some(_) => return Err(invalid("recordId must be a string")),
        };
        out.push((id, input));
    }
    Ok(out)
}

/// The 11-character id Bedrock adds to a record that has none.
fn generated_id(key: &str, line: usize) -> String {
    let mut hash = fnv1a(format!("{key}:{line}").as_bytes(), 11);
    (0..11)
        .map(|_| {
            let c = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(hash % 36) as usize] as char;
            hash /= 36;
            c
        })
        .collect()
}

/// Checks files and record counts as Bedrock's validation does; returns the number of records.
fn validate(job: &Job, store: &dyn ObjectStore, limits: &Limits) -> Result<u64, String> {
    let mut total = 0u64;
    for key in input_keys(&job.input, store)? {
        let count = records(&job.input, &key, store)?.len() as u64;
        if count > limits.max_records_per_file {
            return Err(format!(
                "s3://{}/{key} contains {count} records, more than the {} allowed per input file.",
                job.input.bucket(),
                limits.max_records_per_file
            ));
        }
        total += count;
    }
    if total > limits.max_records_per_job {
        return Err(format!(
            "The job contains {total} records, more than the {} allowed per job.",
            limits.max_records_per_job
        ));
    }
    if total < limits.min_records_per_job {
        return Err(format!(
            "The job contains {total} records, fewer than the minimum of {} records per batch inference job.",
            limits.min_records_per_job
        ));
    }
    Ok(total)
}

/// Answers the records (the first half of each file when `half`) and writes the outputs and the manifest.
fn process(job: &mut Job, store: &dyn ObjectStore, half: bool) -> Result<(), String> {
    let family = job.model.family();
    let folder = job.output.as_folder();
    let prefix = format!("{}{}/", folder.key(), job.id);
    let mut manifest = Manifest { total_record_count: job.total.unwrap_or(0), ..Manifest::default() };
    for key in input_keys(&job.input, store)? {
        let all = records(&job.input, &key, store)?;
        let take = if half { all.len().div_ceil(2) } else { all.len() };
        let mut lines = String::new();
        let bad_answers = job.fault == Some(JobFault::BadAnswers);
        for (id, input) in all.into_iter().take(take) {
            manifest.processed_record_count += 1;
            let fault = AnswerFault::for_record(manifest.processed_record_count).filter(|_| bad_answers);
            let response = respond_spoiled(family, job.invocation, &input, fault);
            match &response {
                Ok(output) => {
                    let outcome = extract(output);
                    manifest.success_record_count += 1;
                    manifest.input_token_count += outcome.input_tokens.unwrap_or(0);
                    manifest.output_token_count += outcome.output_tokens.unwrap_or(0);
                }
                Err(_) => manifest.error_record_count += 1,
            }
            let line = output_line(json!(id), input, response);
            lines.push_str(&line.to_string());
            lines.push('\n');
        }
        let name = key.rsplit('/').next().unwrap_or(&key);
        store.put(folder.bucket(), &format!("{prefix}{name}.out"), lines.into_bytes()).map_err(|e| e.to_string())?;
    }
    let text = serde_json::to_vec(&manifest).map_err(|e| e.to_string())?;
    store.put(folder.bucket(), &format!("{prefix}{MANIFEST_FILE}"), text).map_err(|e| e.to_string())?;
    job.processed = Some(manifest.processed_record_count);
    job.tokens = Some(crate::registry::ProcessedTokens {
        input: manifest.input_token_count,
        output: manifest.output_token_count,
        at: batch_core::clock::unix_now(),
    });
    job.succeeded = Some(manifest.success_record_count);
    job.failed = Some(manifest.error_record_count);
    Ok(())
}
