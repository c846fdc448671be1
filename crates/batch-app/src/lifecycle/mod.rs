//! The job lifecycle: record a run, upload its parts, create its jobs under a concurrent-job cap, follow
//! them to the end, download and join their outputs, and retry what did not succeed — written against the
//! ports, so the same code runs on AWS, the offline sandbox and in tests.

mod account_jobs;
mod backlog;
mod deadline;
mod events;
#[cfg(test)]
pub(crate) mod fakes;
mod fetch;
mod on_demand_run;
mod open_job;
mod pacing;
mod retry;
mod retry_on_demand;
mod run_progress;
mod submit;
mod track;

#[cfg(test)]
mod open_job_tests;
#[cfg(test)]
mod tests;

use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

pub use account_jobs::{AccountJob, JobOrigin};
pub use deadline::Fallback;
pub use events::{Event, LifecycleEvents, Quiet};
pub use fetch::{FetchReport, FetchRequest, JoinedInto};
pub use on_demand_run::{OnDemandRequest, OnDemandRun, answers_dir, on_demand_progress, quote_rows, within_spend_cap};
pub use open_job::{JobSource, OpenJobReport, OpenJobRequest, open_local_job};
pub use pacing::Pacing;
pub use retry::RetryRequest;
pub use retry_on_demand::OnDemandQuote;
pub use run_progress::{RunProgress, run_progress};
pub use submit::SubmitRequest;
pub use track::{Resumed, RunReport, Until, run_report};

use batch_core::remedy::{HasRemedy, Remedy};

use crate::history::{History, HistoryError};
use crate::ports::{JobsApi, ObjectTransfer, ServiceError};

/// Why a lifecycle step stopped; each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    /// The history could not be read or written.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A remote call failed.
    #[error("{0}")]
    Service(#[from] ServiceError),
    /// The prepared folder is unusable.
    #[error(transparent)]
    Prepare(#[from] batch_core::prepare::PrepareError),
    /// The join failed.
    #[error(transparent)]
    Results(#[from] batch_core::results::ResultsError),
    /// The request does not fit the run's state.
    #[error("{0}")]
    Refused(String),
    /// The request does not fit yet: `remedy` says what to do first.
    #[error("{message}")]
    Blocked {
        /// What is wrong, in domain words.
        message: String,
        /// What to do about it.
        remedy: Remedy,
    },
    /// Stopped on request; everything done so far is recorded.
    #[error("cancelled; everything finished so far is recorded — start it again to continue")]
    Cancelled,
}

impl HasRemedy for LifecycleError {
    fn remedy(&self) -> Option<Remedy> {
        match self {
            Self::History(error) => error.remedy(),
            Self::Prepare(error) => error.remedy(),
            Self::Results(error) => error.remedy(),
            Self::Blocked { remedy, .. } => Some(remedy.clone()),
            Self::Service(_) | Self::Refused(_) | Self::Cancelled => None,
        }
    }
}

/// The lifecycle over one history and one set of ports.
pub struct Lifecycle<'a, J: JobsApi, T: ObjectTransfer> {
    history: &'a Mutex<History>,
    jobs: &'a J,
    transfer: &'a T,
    events: &'a dyn LifecycleEvents,
    pacing: Pacing,
    cancel: &'a AtomicBool,
}

impl<'a, J: JobsApi, T: ObjectTransfer> Lifecycle<'a, J, T> {
    /// A lifecycle over these parts.
    pub fn new(
        history: &'a Mutex<History>,
        jobs: &'a J,
        transfer: &'a T,
        events: &'a dyn LifecycleEvents,
        pacing: Pacing,
        cancel: &'a AtomicBool,
    ) -> Self {
        Self { history, jobs, transfer, events, pacing, cancel }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, History> {
        self.history.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Sleeps `duration` in small steps, returning early (with an error) when cancelled.
    async fn pause(&self, duration: std::time::Duration) -> Result<(), LifecycleError> {
        let step = std::time::Duration::from_millis(100);
        let mut left = duration;
        while !left.is_zero() {
            if self.cancelled() {
                return Err(LifecycleError::Cancelled);
            }
            let now = left.min(step);
            tokio::time::sleep(now).await;
            left -= now;
        }
        Ok(())
    }
}
