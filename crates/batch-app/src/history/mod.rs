//! The job history: an embedded SQLite database of runs, their parts, uploads and jobs.
//!
//! Its rule is *record first*: whatever a remote call would create is written here before the call — the
//! multipart upload, each finished chunk, the job's name and client request token — so that after a crash
//! at any point the next start finds every job (re-sending the same token can never make a second one)
//! and every upload resumes from its last finished chunk. Credentials and other secrets are never stored.

mod backlog;
mod estimates;
mod journal;
mod records;
mod schema;
mod store;

pub use journal::HistoryJournal;
pub use records::{
    JobCounts, JobRecord, JobSettings, JobState, NewPart, NewRun, Part, Recorded, Run, RunDestination, RunId, RunState,
    VpcSettings, opened_submission,
};
// The upload records are the journal port's types; the history stores them.
pub use crate::ports::{PartUpload, UploadedChunk};
pub use backlog::BacklogReading;
pub use estimates::{PastEstimate, billed_ratio, template_key};
pub use store::{History, HistoryError};

#[cfg(test)]
mod tests;
