//! Reading Bedrock's batch backlog for a followed run's model (CloudWatch's `AWS/Bedrock/Batch`) and keeping
//! it with the run, with when that backlog is likely cleared: the account-wide view beside the run's own pace.

use std::time::Duration;

use batch_core::aws_names::JobStatus;
use batch_core::clock::{now_rfc3339, rfc3339_from_unix, unix_now};
use batch_core::prepare::{PLAN_FILE, PreparedPlan};

use super::{Lifecycle, LifecycleError};
use crate::history::{BacklogReading, JobRecord, Run};
use crate::ports::{FailureKind, JobsApi, ObjectTransfer, ServiceError};

/// How often the backlog is read while a run's jobs run: the metrics are per minute.
pub(super) const BACKLOG_EVERY: Duration = Duration::from_secs(60);
/// The longest a backlog read may hold up following the run's jobs.
const BACKLOG_PATIENCE: Duration = Duration::from_secs(10);

/// True when some job of the run has been validated (its records counted, so they are in the backlog) and has
/// not ended: only then does the backlog say something of this run.
pub(super) fn has_counted_jobs(jobs: &[JobRecord]) -> bool {
    jobs.iter().any(|j| matches!(j.status, Some(JobStatus::Scheduled | JobStatus::InProgress)))
}

/// The run's input tokens a record, as `prepare` estimated them (none when its plan cannot be read).
fn input_tokens_per_record(run: &Run) -> Option<f64> {
    let plan = PreparedPlan::read(&run.prepared_dir.join(PLAN_FILE)).ok()?;
    (plan.totals.records > 0).then(|| plan.totals.input_tokens as f64 / plan.totals.records as f64)
}

impl<J: JobsApi, T: ObjectTransfer> Lifecycle<'_, J, T> {
    /// Reads the backlog of the run's model and keeps it with the run. A failure to read (no
    /// `cloudwatch:GetMetricData`, no metrics in this Region) is kept as the reason: the run goes on without it.
    pub(super) async fn read_backlog(&self, run: &Run) -> Result<(), LifecycleError> {
        let read = tokio::time::timeout(BACKLOG_PATIENCE, self.jobs.backlog(&run.model_id)).await;
        let read = read.unwrap_or_else(|_| {
            Err(ServiceError::new(FailureKind::Unavailable, "GetMetricData", "CloudWatch did not answer within 10 s"))
        });
        let reading = match read {
            Ok(backlog) if backlog.is_empty() => BacklogReading {
                read_at: now_rfc3339(),
                backlog: None,
                clears_at: None,
                unreadable: Some(format!("CloudWatch published no batch metrics for {} lately", run.model_id)),
            },
            Ok(backlog) => {
                let minutes = backlog.minutes_to_clear(input_tokens_per_record(run));
                BacklogReading {
                    read_at: now_rfc3339(),
                    backlog: Some(backlog),
                    clears_at: minutes.map(|m| rfc3339_from_unix(unix_now() + (m * 60.0).ceil() as i64)),
                    unreadable: None,
                }
            }
            Err(e) => BacklogReading {
                read_at: now_rfc3339(),
                backlog: None,
                clears_at: None,
                unreadable: Some(e.to_string()),
            },
        };
        self.lock().record_backlog(&run.id, &reading)?;
        Ok(())
    }
}
