//! Failure injection: per job through a tag, or for the next create calls.

use crate::api::Tag;

/// The tag key that picks a job's fault: `fail`, `partial`, `expire`, `slow`, `hold` or `bad-answers`.
pub const FAULT_TAG: &str = "emulator-fault";

/// What goes wrong with one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobFault {
    /// Validation fails (`Failed`, with a message).
    Fail,
    /// Only half of each file's records are processed (`PartiallyCompleted`).
    Partial,
    /// The job never starts (`Expired`).
    Expire,
    /// Each phase takes this many extra ticks (to try a stop by hand; tests use `Hold`, which has no timing).
    Slow(u32),
    /// The job stays `InProgress` until it is stopped or released (the emulator's release call): whatever the
    /// machine's speed, a stop always lands while it runs.
    Hold,
    /// Some answers are spoiled: every 11th cut off at the token limit, every other 7th prose
    /// (`batch_core::sandbox_model::AnswerFault`).
    BadAnswers,
}

impl JobFault {
    /// The fault named by a job's tags, if any.
    pub fn from_tags(tags: &[Tag]) -> Option<Self> {
        let tag = tags.iter().find(|t| t.key == FAULT_TAG)?;
        match tag.value.as_str() {
            "fail" => Some(Self::Fail),
            "partial" => Some(Self::Partial),
            "expire" => Some(Self::Expire),
            "slow" => Some(Self::Slow(3)),
            "hold" => Some(Self::Hold),
            "bad-answers" => Some(Self::BadAnswers),
            _ => None,
        }
    }
}

/// Faults that apply across jobs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// The next this-many create calls answer `ThrottlingException`.
    pub throttle_creates: u32,
    /// The next this-many calls of any kind answer `InternalServerException` (HTTP 500).
    pub internal_errors: u32,
}
