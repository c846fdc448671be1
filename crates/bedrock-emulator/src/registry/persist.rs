//! Saving the registry's jobs to a JSON file and loading them back, so the offline sandbox keeps its jobs
//! between runs of the command-line tool (a job submitted now is still there for `status` later).

use std::path::Path;

use batch_core::aws_names::JobStatus;
use serde::{Deserialize, Serialize};

use super::{Job, Registry, RegistryConfig, parse_request};
use crate::api::CreateJobRequest;

/// One job as saved.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedJob {
    id: String,
    arn: String,
    request: CreateJobRequest,
    status: String,
    message: Option<String>,
    submit_time: i64,
    last_modified: i64,
    end_time: Option<i64>,
    total: Option<u64>,
    processed: Option<u64>,
    succeeded: Option<u64>,
    failed: Option<u64>,
    waited: u32,
    stop_requested: bool,
    #[serde(default)]
    released: bool,
    #[serde(default)]
    tokens: Option<super::ProcessedTokens>,
}

impl Registry {
    /// Writes every job to `path` (through a temporary file, so a crash never leaves half a file).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let mut saved: Vec<serde_json::Value> = self
            .jobs
            .iter()
            .map(|j| SavedJob {
                id: j.id.clone(),
                arn: j.arn.clone(),
                request: j.request.clone(),
                status: j.status.as_str().to_string(),
                message: j.message.clone(),
                submit_time: j.submit_time,
                last_modified: j.last_modified,
                end_time: j.end_time,
                total: j.total,
                processed: j.processed,
                succeeded: j.succeeded,
                failed: j.failed,
                waited: j.waited,
                stop_requested: j.stop_requested,
                released: j.released,
                tokens: j.tokens,
            })
            .map(|job| serde_json::to_value(job).map_err(std::io::Error::other))
            .collect::<std::io::Result<_>>()?;
        saved.extend(self.unreadable.iter().cloned());
        let text = serde_json::to_string(&saved).map_err(std::io::Error::other)?;
        let temp = path.with_extension(format!("saving-{}", std::process::id()));
        std::fs::write(&temp, text)?;
        std::fs::File::open(&temp)?.sync_all()?;
        std::fs::rename(&temp, path)
    }

    /// A registry with the jobs saved at `path` (none when the file does not exist yet).
    pub fn load(config: RegistryConfig, path: &Path) -> std::io::Result<Self> {
        let mut registry = Registry::new(config);
        registry.reload(path)?;
        Ok(registry)
    }

    /// Replaces the jobs with those saved at `path` (none when it does not exist yet), keeping the
    /// configuration and the injected faults. A saved job this version cannot read is kept as it was.
    pub fn reload(&mut self, path: &Path) -> std::io::Result<()> {
        self.jobs.clear();
        self.unreadable.clear();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let saved: Vec<serde_json::Value> = serde_json::from_str(&text)
            .map_err(|e| std::io::Error::other(format!("{} is not a saved job list ({e})", path.display())))?;
        for value in saved {
            let readable = serde_json::from_value::<SavedJob>(value.clone())
                .ok()
                .and_then(|job| parse_request(&job.request).ok().map(|parsed| (job, parsed)));
            let Some((job, parsed)) = readable else {
                self.unreadable.push(value);
                continue;
            };
            self.jobs.push(Job {
                id: job.id,
                arn: job.arn,
                model: parsed.model,
                invocation: parsed.invocation,
                input: parsed.input,
                output: parsed.output,
                timeout_hours: parsed.timeout_hours,
                status: JobStatus::from(job.status),
                message: job.message,
                submit_time: job.submit_time,
                last_modified: job.last_modified,
                end_time: job.end_time,
                total: job.total,
                processed: job.processed,
                succeeded: job.succeeded,
                failed: job.failed,
                fault: parsed.fault,
                waited: job.waited,
                stop_requested: job.stop_requested,
                released: job.released,
                tokens: job.tokens,
                request: job.request,
            });
        }
        Ok(())
    }
}
