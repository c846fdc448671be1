//! Following a run's jobs: one polling pass, or a loop that uploads, submits as slots free, and polls with
//! backoff until the run reaches the requested point.

use batch_core::aws_names::JobStatus;
use batch_core::remedy::Remedy;
use serde::Serialize;

use super::{Event, Lifecycle, LifecycleError};
use crate::history::{History, JobRecord, Part, Run, RunState};
use crate::ports::{FailureKind, JobsApi, ObjectTransfer};

/// How far `drive` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Until every part is uploaded and as many jobs are created as the cap allows.
    Submitted,
    /// Until every part has a job and every job has ended.
    Ended,
}

/// A run with its parts and jobs as the history now has them.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The run.
    pub run: Run,
    /// Its parts.
    pub parts: Vec<Part>,
    /// Its jobs.
    pub jobs: Vec<JobRecord>,
    /// Parts with no job yet (waiting for a slot under the cap).
    pub waiting_parts: usize,
    /// Why this drive stopped the run's jobs, when its deadline or queue limit did.
    pub deadline_stop: Option<String>,
    /// Queue time, records processed and the likely end.
    pub progress: super::RunProgress,
}

impl RunReport {
    /// True when every part has a job and every job has ended; for a run the user stopped, when the jobs it
    /// has have ended (its other parts will never get one).
    pub fn ended(&self) -> bool {
        if self.run.tier.is_on_demand() {
            // No jobs: it ends when every row has been answered.
            return !self.run.state.is_unfinished();
        }
        let every_part_submitted = self.waiting_parts == 0 && self.jobs.len() == self.parts.len();
        (every_part_submitted || self.run.stop_requested)
            && self.jobs.iter().all(|j| j.status.as_ref().is_some_and(JobStatus::is_terminal))
    }
}

/// What resuming the unfinished runs did.
#[derive(Debug, Default)]
pub struct Resumed {
    /// The runs followed, as they ended (or as far as asked).
    pub reports: Vec<RunReport>,
    /// The runs that could not be followed, with why; they stay unfinished in the history.
    pub broken: Vec<(crate::history::RunId, LifecycleError)>,
    /// Unfinished runs answered on demand: the caller continues them with an invoker
    /// ([`Lifecycle::answer_on_demand`]).
    pub on_demand: Vec<Run>,
}

/// A run's report from the history alone.
pub fn run_report(history: &History, run_id: &str) -> Result<RunReport, LifecycleError> {
    let run = history.run(run_id)?;
    let parts = history.parts(&run.id)?;
    let jobs = history.run_jobs(&run.id)?;
    let created = jobs.iter().filter(|j| j.job_arn.is_some()).count();
    let backlog = history.backlog(&run.id)?;
    let progress = super::run_progress(&run, &jobs, backlog, batch_core::clock::unix_now());
    Ok(RunReport {
        waiting_parts: parts.len().saturating_sub(created),
        run,
        parts,
        jobs,
        deadline_stop: None,
        progress,
    })
}

impl<J: JobsApi, T: ObjectTransfer> Lifecycle<'_, J, T> {
    /// The run's report from the history (no remote call).
    pub fn report(&self, run_id: &str) -> Result<RunReport, LifecycleError> {
        run_report(&self.lock(), run_id)
    }

    /// Asks the service for the status of each of the run's jobs that has not ended; true if any changed.
    pub async fn poll(&self, run: &Run) -> Result<bool, LifecycleError> {
        let jobs = self.lock().run_jobs(&run.id)?;
        let mut changed = false;
        for job in jobs {
            let Some(arn) = &job.job_arn else { continue };
            if job.status.as_ref().is_some_and(JobStatus::is_terminal) {
                continue;
            }
            let snapshot = match self.jobs.get(arn).await {
                Ok(snapshot) => snapshot,
                // A transient failure: this pass skips the job; the next one asks again.
                Err(e) if e.kind.is_retryable() => {
                    self.events.event(&Event::Waiting { reason: e.to_string(), seconds: 0.0 });
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let differs = job.status.as_ref() != Some(&snapshot.status)
                || job.processed_records != snapshot.counts.processed
                || job.message != snapshot.message;
            if differs {
                changed = true;
                self.lock().record_job_status(arn, &snapshot.status, snapshot.message.as_deref(), snapshot.counts)?;
                self.events.event(&Event::status(
                    job.part,
                    arn,
                    &snapshot.status,
                    snapshot.message.as_deref(),
                    snapshot.counts,
                ));
            }
        }
        Ok(changed)
    }

    /// Uploads, submits and polls the run until `until`, then returns its report. Safe to call again after
    /// any interruption: uploads resume, unconfirmed creates are re-sent with their token, and jobs are
    /// polled again.
    pub async fn drive(&self, run_id: &str, until: Until) -> Result<RunReport, LifecycleError> {
        let run = self.lock().run(run_id)?;
        if run.tier.is_on_demand() {
            if !run.state.is_unfinished() {
                return self.report(run_id);
            }
            return Err(LifecycleError::Blocked {
                message: format!(
                    "run {} is answered by on-demand calls, not batch jobs, and was interrupted before every row had an answer",
                    run.id
                ),
                remedy: Remedy::ContinueOnDemand { run: run.id.to_string() },
            });
        }
        self.upload(&run).await?;
        {
            let mut history = self.lock();
            if history.run(run_id)?.state == RunState::Uploading {
                history.set_run_state(&run.id, RunState::Submitting)?;
            }
        }
        let mut interval = self.pacing.poll_initial;
        let mut deadline_stop = None;
        let mut backlog_due = std::time::Instant::now();
        loop {
            let pass = self.submit_due(&run).await?;
            let changed = self.poll(&run).await? || pass.created > 0;
            let mut report = self.report(run_id)?;
            if std::time::Instant::now() >= backlog_due && super::backlog::has_counted_jobs(&report.jobs) {
                self.read_backlog(&run).await?;
                backlog_due = std::time::Instant::now() + super::backlog::BACKLOG_EVERY;
                report = self.report(run_id)?;
            }
            if report.ended() {
                if !matches!(report.run.state, RunState::Ended | RunState::Fetched) {
                    self.lock().set_run_state(&run.id, RunState::Ended)?;
                }
                return Ok(RunReport { deadline_stop, ..self.report(run_id)? });
            }
            let now = batch_core::clock::unix_now();
            if !report.run.stop_requested
                && let Some(reason) = super::deadline::deadline_reason(&report.run, &report.jobs, now)
            {
                // Stopped jobs keep what they wrote; the run then ends as any stopped run, and is looked at again
                // at once.
                self.events.event(&Event::DeadlineReached { reason: reason.clone() });
                self.stop_run(run_id).await?;
                deadline_stop = Some(reason);
                continue;
            }
            if until == Until::Submitted {
                return Ok(report);
            }
            interval = self.pacing.next_poll(interval, changed);
            let until_deadline =
                super::deadline::seconds_to_deadline(&report.run, now).filter(|_| !report.run.stop_requested);
            let wait = until_deadline.map_or(interval, |s| interval.min(std::time::Duration::from_secs(s.max(1))));
            self.pause(wait).await?;
        }
    }

    /// Continues every unfinished run of this kind (sandbox or not) after a restart: uploads resume,
    /// unconfirmed creates are re-sent with their tokens, waiting parts are submitted and jobs polled. A run
    /// that cannot be followed (its job unknown to the service, a part that cannot be read) is reported and
    /// left as it is; the others are followed all the same. Only a cancel stops the whole pass.
    pub async fn resume(&self, sandbox: bool, until: Until) -> Result<Resumed, LifecycleError> {
        let runs = self.lock().unfinished_runs()?;
        let mut resumed = Resumed::default();
        for run in runs.into_iter().filter(|r| r.sandbox == sandbox) {
            if run.tier.is_on_demand() {
                resumed.on_demand.push(run);
                continue;
            }
            match self.drive(run.id.as_str(), until).await {
                Ok(report) => resumed.reports.push(report),
                Err(LifecycleError::Cancelled) => return Err(LifecycleError::Cancelled),
                Err(error) => resumed.broken.push((run.id, error)),
            }
        }
        Ok(resumed)
    }

    /// Stops a whole run: records the stop (no more uploads or new jobs, also for a process that drives it
    /// later) and stops each of its jobs that has not ended; returns how many were stopped. The run then ends
    /// when its jobs do, and a fetch counts the rows of parts never submitted as missing.
    pub async fn stop_run(&self, run_id: &str) -> Result<usize, LifecycleError> {
        let run = self.lock().run(run_id)?;
        self.lock().request_stop(&run.id)?;
        let jobs = self.lock().run_jobs(&run.id)?;
        let mut stopped = 0;
        for job in jobs {
            let (Some(arn), Some(status)) = (&job.job_arn, &job.status) else { continue };
            if !status.is_terminal() && *status != JobStatus::Stopping {
                match self.stop(arn).await {
                    Ok(_) => stopped += 1,
                    // It ended between the history's view and the call: nothing left to stop.
                    Err(LifecycleError::Refused(_)) => {}
                    Err(error) => return Err(error),
                }
            }
        }
        Ok(stopped)
    }

    /// Stops a job (by ARN or id) and records its new status.
    pub async fn stop(&self, job: &str) -> Result<JobRecord, LifecycleError> {
        let record = self.lock().job(job)?;
        let arn = record.job_arn.clone().ok_or_else(|| {
            LifecycleError::Refused(format!("{job} has no job yet (its creation was never confirmed)"))
        })?;
        match self.jobs.stop(&arn).await {
            Ok(()) => {}
            Err(e) if e.kind == FailureKind::Conflict => {
                return Err(LifecycleError::Refused(format!("{arn} cannot be stopped: {}", e.message)));
            }
            Err(e) => return Err(e.into()),
        }
        let snapshot = self.jobs.get(&arn).await?;
        Ok(self.lock().record_job_status(&arn, &snapshot.status, snapshot.message.as_deref(), snapshot.counts)?)
    }
}
