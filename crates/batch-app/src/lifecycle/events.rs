//! What the lifecycle reports while it works, through one trait the CLI, the desktop app and tests implement.

use batch_core::aws_names::JobStatus;
use serde::Serialize;

use crate::history::JobCounts;

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Event {
    /// A part's upload starts (or resumes).
    UploadStarted {
        /// 1-based part.
        part: usize,
        /// Its object.
        target: String,
        /// Its size.
        bytes: u64,
    },
    /// A part is in S3.
    Uploaded {
        /// 1-based part.
        part: usize,
        /// False when the history already had it (nothing sent).
        sent: bool,
    },
    /// A job exists for a part.
    JobCreated {
        /// 1-based part.
        part: usize,
        /// Its ARN.
        job_arn: String,
        /// True when the create was a repeat of an earlier, unconfirmed one (same token, same job).
        repeated: bool,
    },
    /// A job's status as last seen.
    JobStatus {
        /// 1-based part.
        part: usize,
        /// Its ARN.
        job_arn: String,
        /// Status.
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        status: JobStatus,
        /// The service's message.
        message: Option<String>,
        /// Records processed so far, if reported.
        processed: Option<u64>,
        /// Records in the job, if reported.
        total: Option<u64>,
    },
    /// The run's deadline (or its queue limit) was reached: its jobs that had not ended are being stopped.
    DeadlineReached {
        /// Which, in words.
        reason: String,
    },
    /// Waiting before trying again.
    Waiting {
        /// Why.
        reason: String,
        /// For how long.
        seconds: f64,
    },
    /// Output files were downloaded for a job.
    Downloaded {
        /// The job's id.
        job_id: String,
        /// Files.
        files: u64,
        /// Bytes.
        bytes: u64,
    },
}

impl Event {
    /// A status event from the history's view of a job.
    pub(crate) fn status(
        part: usize,
        job_arn: &str,
        status: &JobStatus,
        message: Option<&str>,
        counts: JobCounts,
    ) -> Self {
        Self::JobStatus {
            part,
            job_arn: job_arn.to_string(),
            status: status.clone(),
            message: message.map(str::to_string),
            processed: counts.processed,
            total: counts.total,
        }
    }
}

/// Receives events and byte counts.
pub trait LifecycleEvents: Send + Sync {
    /// Something happened.
    fn event(&self, event: &Event);
    /// `bytes` more were uploaded or downloaded.
    fn bytes_moved(&self, _bytes: u64) {}
}

/// Ignores everything (tests, quiet runs).
pub struct Quiet;

impl LifecycleEvents for Quiet {
    fn event(&self, _event: &Event) {}
}

/// Byte counts of a transfer, forwarded to the events.
pub(crate) struct ForwardBytes<'a>(pub &'a dyn LifecycleEvents);

impl crate::ports::TransferProgress for ForwardBytes<'_> {
    fn moved(&self, bytes: u64) {
        self.0.bytes_moved(bytes);
    }
}
