//! A run's deadline: when its jobs have not ended by the time the user gave, or one has waited in Bedrock's queue
//! longer than the user allows, the jobs are stopped (what they wrote is kept, as for any stopped job), and the
//! rows left unanswered can be sent on demand — at once when a budget was approved beforehand and the most they
//! can cost is within it, otherwise after the user has seen the cost.

use batch_core::clock::{rfc3339_from_unix, unix_from_rfc3339};
use batch_core::pricing::PriceTable;
use batch_core::service_tier::Tier;
use serde::Serialize;

use super::retry_on_demand::OnDemandQuote;
use super::{Lifecycle, LifecycleError};
use crate::history::{JobRecord, Run};
use crate::ports::{JobsApi, ObjectTransfer};

/// Why a run's jobs must be stopped now, if they must: its deadline passed, or a job queued too long.
pub(crate) fn deadline_reason(run: &Run, jobs: &[JobRecord], now: i64) -> Option<String> {
    let settings = &run.settings;
    if let Some(deadline) = settings.deadline.as_deref().and_then(unix_from_rfc3339)
        && now >= deadline
    {
        return Some(format!("its deadline {} has passed", rfc3339_from_unix(deadline)));
    }
    let limit = i64::try_from(settings.max_queue_minutes?).unwrap_or(i64::MAX / 60).saturating_mul(60);
    jobs.iter().find_map(|job| {
        let queued = job.status.as_ref().is_some_and(|s| s.is_queued());
        let since = job.submitted_at.as_deref().and_then(unix_from_rfc3339)?;
        (queued && now - since >= limit).then(|| {
            format!(
                "part {}'s job has waited in Bedrock's queue for {} minutes, longer than the {} allowed",
                job.part,
                (now - since) / 60,
                limit / 60
            )
        })
    })
}

/// Seconds until the run's deadline (none without one, 0 once passed): the longest the lifecycle waits between
/// two looks at the jobs, so that the deadline is kept to within a poll.
pub(crate) fn seconds_to_deadline(run: &Run, now: i64) -> Option<u64> {
    let deadline = run.settings.deadline.as_deref().and_then(unix_from_rfc3339)?;
    Some(u64::try_from(deadline - now).unwrap_or(0))
}

/// What to do with the rows a deadline left unanswered.
#[derive(Debug, Clone, Serialize)]
pub struct Fallback {
    /// What sending them on demand costs.
    pub quote: OnDemandQuote,
    /// True when the most they can cost is within the budget approved beforehand: send them now.
    pub approved: bool,
}

impl<J: JobsApi, T: ObjectTransfer> Lifecycle<'_, J, T> {
    /// The fallback for the rows of `run` that its last fetch found failed or missing: their on-demand quote on
    /// `tier`, approved when its worst case is within `budget` (USD).
    pub fn deadline_fallback(
        &self,
        run: &str,
        tier: Tier,
        prices: &PriceTable,
        budget: Option<f64>,
    ) -> Result<Fallback, LifecycleError> {
        let quote = self.quote_retry(run, tier, prices)?;
        let approved = match (budget, quote.estimate.most_usd) {
            (Some(budget), Some(most)) => most <= budget,
            _ => false,
        };
        Ok(Fallback { quote, approved })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::JobSettings;
    use crate::lifecycle::fakes::{recorded_job, recorded_run as run};
    use batch_core::aws_names::JobStatus;

    fn job(part: usize, status: JobStatus, submitted_at: &str) -> JobRecord {
        recorded_job(part, status, (submitted_at, None), (0, 0))
    }

    #[test]
    fn the_deadline_and_the_queue_limit_each_stop_a_run_in_time() {
        let at = |text| unix_from_rfc3339(text).unwrap();
        let jobs = [
            job(1, JobStatus::InProgress, "2026-12-03T10:00:00Z"),
            job(2, JobStatus::Scheduled, "2026-12-03T10:00:00Z"),
        ];
        let due = run(JobSettings { deadline: Some("2026-12-03T18:00:00Z".into()), ..JobSettings::default() });
        assert_eq!(deadline_reason(&due, &jobs, at("2026-12-03T17:59:59Z")), None);
        let reason = deadline_reason(&due, &jobs, at("2026-12-03T18:00:00Z")).unwrap();
        assert!(reason.contains("deadline 2026-12-03T18:00:00Z has passed"), "{reason}");
        assert_eq!(seconds_to_deadline(&due, at("2026-12-03T17:59:00Z")), Some(60));

        let queue = run(JobSettings { max_queue_minutes: Some(360), ..JobSettings::default() });
        assert_eq!(deadline_reason(&queue, &jobs, at("2026-12-03T15:59:00Z")), None);
        let reason = deadline_reason(&queue, &jobs, at("2026-12-03T16:00:00Z")).unwrap();
        assert!(reason.starts_with("part 2's job has waited in Bedrock's queue for 360 minutes"), "{reason}");
        // A job running for hours is not queued: only part 2 counts.
        assert_eq!(deadline_reason(&queue, &jobs[..1], at("2026-12-04T10:00:00Z")), None);
        assert_eq!(deadline_reason(&run(JobSettings::default()), &jobs, at("2030-01-01T00:00:00Z")), None);
    }
}
