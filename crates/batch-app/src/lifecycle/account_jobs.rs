//! The account's batch jobs as the service lists them, each marked with the run of the history that holds it —
//! this tool's own, one opened here, or none (made elsewhere: a notebook, the console, a pipeline).

use serde::Serialize;

use super::{Lifecycle, LifecycleError};
use crate::ports::{JobFilter, JobSnapshot, JobsApi, ObjectTransfer};

/// Whose a listed job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum JobOrigin {
    /// Created by this tool.
    Own,
    /// Made elsewhere and opened here.
    Opened,
    /// Made elsewhere, not opened yet.
    External,
}

/// A job of the account, with the run that holds it.
#[derive(Debug, Clone, Serialize)]
pub struct AccountJob {
    /// The job as the service lists it.
    #[serde(flatten)]
    pub job: JobSnapshot,
    /// Whose it is.
    pub origin: JobOrigin,
    /// The run of the history holding it, if any.
    pub run: Option<String>,
}

impl<J: JobsApi, T: ObjectTransfer> Lifecycle<'_, J, T> {
    /// ListModelInvocationJobs with `filter`, each job marked with its run (newest first).
    pub async fn account_jobs(&self, filter: &JobFilter) -> Result<Vec<AccountJob>, LifecycleError> {
        let listed = self.jobs.list(filter).await?;
        let history = self.lock();
        let mut jobs = Vec::with_capacity(listed.len());
        for job in listed {
            let (origin, run) = match history.job(&job.job_arn) {
                Ok(record) => {
                    let run = history.run(record.run_id.as_str())?;
                    (if run.opened { JobOrigin::Opened } else { JobOrigin::Own }, Some(run.id.to_string()))
                }
                Err(crate::history::HistoryError::NotFound(_)) => (JobOrigin::External, None),
                Err(e) => return Err(e.into()),
            };
            jobs.push(AccountJob { job, origin, run });
        }
        Ok(jobs)
    }
}
