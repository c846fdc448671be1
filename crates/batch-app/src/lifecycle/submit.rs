//! Recording a run, uploading its parts and creating its jobs — each create recorded first, under the
//! concurrent-job cap, retried with backoff when throttled.

use std::path::PathBuf;

use batch_core::aws_names::{JobName, RoleArn, S3Uri};
use batch_core::prepare::{PLAN_FILE, PreparedPlan};
use batch_core::remedy::{Remedy, Setting};

use super::events::ForwardBytes;
use super::{Event, Lifecycle, LifecycleError};
use crate::history::{
    HistoryJournal, JobSettings, JobState, NewPart, NewRun, PartUpload, Recorded, Run, RunDestination, RunId, RunState,
};
use crate::ports::{FailureKind, JobsApi, NewJob, ObjectTransfer};

/// What to submit.
#[derive(Debug, Clone)]
pub struct SubmitRequest {
    /// The folder `prepare` wrote.
    pub prepared_dir: PathBuf,
    /// The service role.
    pub role_arn: RoleArn,
    /// Input prefix; each run's parts go under `<prefix>/<run id>/`.
    pub input_uri: S3Uri,
    /// Output prefix; each job writes `<prefix>/<job id>/`.
    pub output_uri: S3Uri,
    /// Base of the job names (`<name>-<part>` when there are several parts).
    pub job_name: JobName,
    /// Timeout, tags, VPC, KMS key and cap.
    pub settings: JobSettings,
    /// True in the offline sandbox.
    pub sandbox: bool,
    /// The run this one retries.
    pub retry_of: Option<RunId>,
    /// Record a new run even when these prepared parts were submitted to this target before (otherwise that
    /// run is continued: same run, same request tokens, never a second job per part).
    pub new_run: bool,
}

/// How many jobs one pass created and how many parts still wait for a slot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SubmitPass {
    pub created: usize,
    pub waiting: usize,
}

/// The name of part `part`'s job: the base name, with `-<part>` when the run has several parts.
fn part_job_name(base: &str, part: usize, parts: usize) -> String {
    if parts == 1 {
        return base.to_string();
    }
    let suffix = format!("-{part:03}");
    let keep = base.len().min(63 - suffix.len());
    format!("{}{suffix}", &base[..keep])
}

/// What identifies a submit: the prepared folder and its parts as they are now, and where they go (model,
/// service role, input and output locations, sandbox or AWS). The job name is not part of it: a default name
/// changes from one minute to the next, and a repeated submit keeps the run's name.
fn submission_key(request: &SubmitRequest, prepared_dir: &std::path::Path, plan: &PreparedPlan, parts: &str) -> String {
    let text = format!(
        "{}\u{1}{parts}\u{1}{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}",
        prepared_dir.display(),
        plan.model.id,
        request.role_arn.as_str(),
        request.input_uri,
        request.output_uri,
        request.sandbox
    );
    let hash = |seed| batch_core::record_id::fnv1a(text.as_bytes(), seed);
    format!("{:016x}{:016x}", hash(1), hash(2))
}

/// Refuses a prepared folder that lacks one of its plan's part files.
pub(super) fn check_part_files(prepared_dir: &std::path::Path, plan: &PreparedPlan) -> Result<(), LifecycleError> {
    for part in &plan.parts {
        let file = prepared_dir.join(&part.file);
        if !file.is_file() {
            return Err(LifecycleError::Blocked {
                message: format!("{}: part file missing from the prepared folder", file.display()),
                remedy: Remedy::PrepareAgain,
            });
        }
    }
    Ok(())
}

impl<J: JobsApi, T: ObjectTransfer> Lifecycle<'_, J, T> {
    /// Records a run from a prepared folder (nothing remote happens yet) — or, when the same prepared parts
    /// were recorded for the same target before and a new run was not asked for, finds that run, so that a
    /// repeated submit continues it instead of creating every job a second time.
    pub fn record_run(&self, request: &SubmitRequest) -> Result<Recorded, LifecycleError> {
        let plan = PreparedPlan::read(&request.prepared_dir.join(PLAN_FILE))?;
        if !(24..=168).contains(&request.settings.timeout_hours) {
            return Err(LifecycleError::Blocked {
                message: format!(
                    "a job timeout of {} hours: Bedrock accepts 24 to 168 hours",
                    request.settings.timeout_hours
                ),
                remedy: Remedy::change(Setting::JobTimeout),
            });
        }
        if request.settings.max_concurrent_jobs == 0 {
            return Err(LifecycleError::Blocked {
                message: "a run needs at least 1 concurrent job".into(),
                remedy: Remedy::change(Setting::ConcurrentJobs),
            });
        }
        check_part_files(&request.prepared_dir, &plan)?;
        let prepared_dir = std::path::absolute(&request.prepared_dir).unwrap_or_else(|_| request.prepared_dir.clone());
        let parts_fingerprint = plan.parts_fingerprint(&prepared_dir)?;
        let submission = submission_key(request, &prepared_dir, &plan, &parts_fingerprint);
        let id = RunId::generate();
        let run_prefix = request.input_uri.join(id.as_str());
        let run = NewRun {
            prepared_dir,
            model_id: plan.model.id.as_str().to_string(),
            destination: RunDestination::Batch {
                role_arn: request.role_arn.clone(),
                input_uri: run_prefix.clone(),
                output_uri: request.output_uri.clone(),
            },
            job_name: request.job_name.clone(),
            sandbox: request.sandbox,
            retry_of: request.retry_of.clone(),
            parts: plan
                .parts
                .iter()
                .map(|p| NewPart {
                    file: p.file.clone(),
                    records: p.records,
                    bytes: p.bytes,
                    input_uri: run_prefix.join(&p.file),
                })
                .collect(),
            settings: request.settings.clone(),
            submission,
            parts_fingerprint,
        };
        // A retry's parts are a new subset each time; only a plain submit can be a repeat.
        let continue_same = !request.new_run && request.retry_of.is_none();
        Ok(self.lock().record_run(&id, &run, continue_same)?)
    }

    /// Refuses to upload a run's parts once the prepared folder holds other parts than when the run was
    /// recorded (prepared again into the same folder): they would be sent under the earlier run's jobs.
    pub(super) fn check_parts_unchanged(&self, run: &Run) -> Result<(), LifecycleError> {
        let Some(recorded) = &run.parts_fingerprint else { return Ok(()) };
        let plan = PreparedPlan::read(&run.prepared_dir.join(PLAN_FILE))?;
        if plan.parts_fingerprint(&run.prepared_dir)? == *recorded {
            return Ok(());
        }
        Err(LifecycleError::Blocked {
            message: format!(
                "the prepared parts in {} changed since run {} was recorded (prepared again?), so they cannot be \
                 sent for it; stop that run and submit the new parts as a new run",
                run.prepared_dir.display(),
                run.id,
            ),
            remedy: Remedy::StopRun { run: run.id.to_string() },
        })
    }

    /// Uploads every part the history does not have as uploaded (resuming interrupted ones).
    pub async fn upload(&self, run: &Run) -> Result<(), LifecycleError> {
        let parts = self.lock().parts(&run.id)?;
        let pending = parts.iter().any(|p| !matches!(p.upload, PartUpload::Uploaded { .. }));
        if pending && !self.lock().run(run.id.as_str())?.stop_requested {
            self.check_parts_unchanged(run)?;
        }
        for part in parts {
            if let PartUpload::Uploaded { .. } = part.upload {
                continue;
            }
            if self.cancelled() {
                return Err(LifecycleError::Cancelled);
            }
            if self.lock().run(run.id.as_str())?.stop_requested {
                break;
            }
            let target = S3Uri::parse(&part.input_uri).map_err(|e| LifecycleError::Refused(e.to_string()))?;
            let file = run.prepared_dir.join(&part.file);
            self.events.event(&Event::UploadStarted {
                part: part.part,
                target: part.input_uri.clone(),
                bytes: part.bytes,
            });
            let journal = HistoryJournal::new(self.history, &run.id, part.part);
            let sent =
                self.transfer.upload_part(&journal, &file, &target, &ForwardBytes(self.events), self.cancel).await?;
            self.events.event(&Event::Uploaded { part: part.part, sent });
        }
        Ok(())
    }

    /// Creates the jobs that are due: first any whose creation was recorded but never confirmed (same
    /// token, so never a second job), then new ones while the model has free slots under the cap.
    pub(crate) async fn submit_due(&self, run: &Run) -> Result<SubmitPass, LifecycleError> {
        // Read only when a job is to be created: a poll loop calls this with nothing left to create.
        let mut invocation = None;
        // A stopped run gets no new jobs; a creation already recorded is still confirmed (same token), then
        // stopped at once.
        let stopped = self.lock().run(run.id.as_str())?.stop_requested;
        let parts = self.lock().parts(&run.id)?;
        let jobs = self.lock().run_jobs(&run.id)?;
        let mut pass = SubmitPass::default();
        for part in &parts {
            let existing = jobs.iter().find(|j| j.part == part.part);
            if existing.is_some_and(|j| j.state == JobState::Created) {
                continue;
            }
            let repeated = existing.is_some();
            if stopped && !repeated {
                continue;
            }
            if !repeated {
                let active = self.lock().active_jobs_for_model(&run.model_id)?;
                if active >= run.settings.max_concurrent_jobs {
                    pass.waiting += 1;
                    continue;
                }
            }
            let name = part_job_name(&run.job_name, part.part, parts.len());
            let record = self.lock().intend_job(&run.id, part.part, &name)?;
            let job = NewJob {
                job_name: record.job_name.clone(),
                role_arn: run.role_arn.clone(),
                model_id: run.model_id.clone(),
                input_uri: S3Uri::parse(&part.input_uri).map_err(|e| LifecycleError::Refused(e.to_string()))?,
                output_uri: S3Uri::parse(&run.output_uri).map_err(|e| LifecycleError::Refused(e.to_string()))?,
                invocation: match invocation {
                    Some(known) => known,
                    None => {
                        *invocation.insert(PreparedPlan::read(&run.prepared_dir.join(PLAN_FILE))?.model.invocation_type)
                    }
                },
                settings: run.settings.clone(),
                request_token: record.request_token.clone(),
            };
            match self.create_with_retries(&job).await? {
                Some(arn) => {
                    self.lock().record_job_created(&record.request_token, &arn)?;
                    self.events.event(&Event::JobCreated { part: part.part, job_arn: arn.clone(), repeated });
                    pass.created += 1;
                    if stopped {
                        match self.stop(&arn).await {
                            Ok(_) | Err(LifecycleError::Refused(_)) => {}
                            Err(error) => return Err(error),
                        }
                    }
                }
                None => {
                    // Refused for the quota: no job has the token, so the intent goes and the part simply waits.
                    self.lock().drop_job_intent(&record.request_token)?;
                    pass.waiting += 1;
                }
            }
        }
        let state = if pass.waiting == 0 { RunState::Running } else { RunState::Submitting };
        let mut history = self.lock();
        if history.run(run.id.as_str())?.state.is_unfinished() {
            history.set_run_state(&run.id, state)?;
        }
        Ok(pass)
    }

    /// One create, retried with backoff on throttling and 5xx answers; `None` when the service's quota of
    /// concurrent jobs is full (the part waits for a slot; no job has its token).
    async fn create_with_retries(&self, job: &NewJob) -> Result<Option<String>, LifecycleError> {
        let mut attempt = 0;
        loop {
            match self.jobs.create(job).await {
                Ok(arn) => return Ok(Some(arn)),
                Err(e) if e.kind == FailureKind::QuotaExceeded => {
                    self.events.event(&Event::Waiting {
                        reason: format!("{} — the part waits until one of the model's jobs ends", e.message),
                        seconds: 0.0,
                    });
                    return Ok(None);
                }
                Err(e) if e.kind.is_retryable() && attempt + 1 < self.pacing.create_attempts => {
                    let delay = self.pacing.retry_delay(attempt);
                    self.events.event(&Event::Waiting { reason: e.to_string(), seconds: delay.as_secs_f64() });
                    self.pause(delay).await?;
                    attempt += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::part_job_name;

    #[test]
    fn job_names_number_the_parts_and_stay_within_63_characters() {
        assert_eq!(part_job_name("reviews", 1, 1), "reviews");
        assert_eq!(part_job_name("reviews", 2, 3), "reviews-002");
        let long = "a".repeat(63);
        let named = part_job_name(&long, 12, 20);
        assert_eq!(named.len(), 63);
        assert!(named.ends_with("-012"));
    }
}
