//! Bedrock batch job limits: how many records and bytes one job (and one input file) may hold.

use serde::{Deserialize, Serialize};

/// One gigabyte as Bedrock's quotas count it.
pub const GB: u64 = 1_000_000_000;

/// Per-job limits that decide how a run is split into parts. The defaults are AWS's default quotas (FACTS §8.7:
/// at least 100 records a job, at most 100,000 records a file and a job, 1 GB a file, 5 GB a job); the account's
/// own come from Service Quotas, or the user overrides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Fewest records a job accepts.
    pub min_records_per_job: u64,
    /// Most records one input file may hold.
    pub max_records_per_file: u64,
    /// Most records one job may hold.
    pub max_records_per_job: u64,
    /// Largest input file, in bytes.
    pub max_file_bytes: u64,
    /// Largest job input, in bytes.
    pub max_job_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            min_records_per_job: 100,
            max_records_per_file: 100_000,
            max_records_per_job: 100_000,
            max_file_bytes: GB,
            max_job_bytes: 5 * GB,
        }
    }
}

/// Limits that contradict each other.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("limits do not fit together: {0}")]
pub struct LimitsError(pub String);

impl Limits {
    /// These limits for records sent on demand: no batch minimum (the file limits still cut the parts).
    pub fn on_demand(self) -> Self {
        Self { min_records_per_job: 1, ..self }
    }

    /// Records one part (one file, one job) may hold.
    pub fn max_records_per_part(&self) -> u64 {
        self.max_records_per_file.min(self.max_records_per_job)
    }

    /// Bytes one part (one file, one job) may hold.
    pub fn max_bytes_per_part(&self) -> u64 {
        self.max_file_bytes.min(self.max_job_bytes)
    }

    /// Checks the limits are positive and the minimum fits under the maximum.
    pub fn validate(&self) -> Result<(), LimitsError> {
        if self.min_records_per_job == 0 || self.max_records_per_part() == 0 || self.max_bytes_per_part() == 0 {
            return Err(LimitsError("every limit must be at least 1".into()));
        }
        if self.min_records_per_job > self.max_records_per_part() {
            return Err(LimitsError(format!(
                "the minimum of {} records per job exceeds the maximum of {} records per part",
                self.min_records_per_job,
                self.max_records_per_part()
            )));
        }
        Ok(())
    }
}
