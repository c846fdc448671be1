//! How far a run has come, from its jobs as last seen: how long they waited in Bedrock's queue, the records
//! processed, and when the run is likely to end (each running job's pace since it left the queue, and the
//! model's backlog as CloudWatch last told it).

use batch_core::clock::{rfc3339_from_unix, unix_from_rfc3339};
use serde::Serialize;

use crate::history::{BacklogReading, JobRecord, Run};

/// A run's progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunProgress {
    /// Records processed so far, over its jobs.
    pub processed: u64,
    /// Records its jobs hold (as the service counts them, once it does).
    pub total: u64,
    /// The longest any of its jobs has waited (or waited) in Bedrock's queue, seconds.
    pub queued_seconds: i64,
    /// Jobs still in the queue.
    pub queued_jobs: usize,
    /// When the run is likely to end (RFC 3339, UTC): none before every job runs and has processed some records.
    pub eta: Option<String>,
    /// Its deadline, when it has one.
    pub deadline: Option<String>,
    /// The model's batch backlog as last read while some job had not ended (the account's, from CloudWatch).
    pub backlog: Option<BacklogReading>,
}

/// The progress of `run` from `jobs` and the last `backlog` reading at `now` (Unix seconds).
pub fn run_progress(run: &Run, jobs: &[JobRecord], backlog: Option<BacklogReading>, now: i64) -> RunProgress {
    let time = |text: &Option<String>| text.as_deref().and_then(unix_from_rfc3339);
    let mut progress = RunProgress {
        processed: jobs.iter().filter_map(|j| j.processed_records).sum(),
        total: jobs.iter().filter_map(|j| j.total_records).sum(),
        queued_seconds: 0,
        queued_jobs: 0,
        eta: None,
        deadline: run.settings.deadline.clone(),
        backlog: None,
    };
    let mut latest_end: Option<i64> = Some(now);
    for job in jobs {
        let Some(status) = &job.status else {
            latest_end = None;
            continue;
        };
        let submitted = time(&job.submitted_at);
        let started = time(&job.started_at);
        if status.is_queued() {
            progress.queued_jobs += 1;
            progress.queued_seconds = progress.queued_seconds.max(submitted.map_or(0, |s| now - s));
            latest_end = None;
            continue;
        }
        if let (Some(submitted), Some(started)) = (submitted, started) {
            progress.queued_seconds = progress.queued_seconds.max(started - submitted);
        }
        if status.is_terminal() {
            continue;
        }
        // Running: its pace since it left the queue.
        let end = match (started, job.processed_records, job.total_records) {
            (Some(started), Some(done), Some(total)) if done > 0 && now > started => {
                let rate = done as f64 / (now - started) as f64;
                Some(now + (total.saturating_sub(done) as f64 / rate).ceil() as i64)
            }
            _ => None,
        };
        latest_end = latest_end.zip(end).map(|(a, b)| a.max(b));
    }
    let running = jobs.iter().any(|j| j.status.as_ref().is_some_and(|s| !s.is_terminal()));
    progress.eta = latest_end.filter(|_| running).map(rfc3339_from_unix);
    progress.backlog = backlog.filter(|_| running);
    progress
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::JobSettings;
    use crate::lifecycle::fakes::recorded_job;
    use batch_core::aws_names::JobStatus;

    fn run() -> Run {
        let settings = JobSettings { deadline: Some("2026-12-03T18:00:00Z".into()), ..JobSettings::default() };
        crate::lifecycle::fakes::recorded_run(settings)
    }

    fn job(part: usize, status: JobStatus, started: Option<&str>, counts: (u64, u64)) -> JobRecord {
        recorded_job(part, status, ("2026-12-03T08:00:00Z", started), counts)
    }

    #[test]
    fn the_end_follows_the_slowest_running_job_s_pace_and_waits_for_the_queue() {
        let now = unix_from_rfc3339("2026-12-03T12:00:00Z").unwrap();
        // Part 1 left the queue at 10:00 and did 1,000 of 3,000 records in two hours: four hours left.
        // Part 2 left at 11:00 and did 500 of 1,000 in one hour: one hour left.
        let jobs = [
            job(1, JobStatus::InProgress, Some("2026-12-03T10:00:00Z"), (1_000, 3_000)),
            job(2, JobStatus::InProgress, Some("2026-12-03T11:00:00Z"), (500, 1_000)),
        ];
        let progress = run_progress(&run(), &jobs, None, now);
        assert_eq!(progress.eta.as_deref(), Some("2026-12-03T16:00:00Z"));
        assert_eq!((progress.processed, progress.total, progress.queued_jobs), (1_500, 4_000, 0));
        assert_eq!(progress.queued_seconds, 3 * 3600, "part 2 waited from 08:00 to 11:00");
        assert_eq!(progress.deadline.as_deref(), Some("2026-12-03T18:00:00Z"));

        // A job still queued: no end can be told yet, and its wait so far counts.
        let queued = [jobs[0].clone(), job(3, JobStatus::Scheduled, None, (0, 0))];
        let progress = run_progress(&run(), &queued, None, now);
        assert_eq!((progress.eta, progress.queued_jobs, progress.queued_seconds), (None, 1, 4 * 3600));
        // Every job ended: nothing left to estimate.
        let ended = [job(1, JobStatus::Completed, Some("2026-12-03T10:00:00Z"), (3_000, 3_000))];
        assert_eq!(run_progress(&run(), &ended, None, now).eta, None);
    }
}
