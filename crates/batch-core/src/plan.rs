//! Splitting a run's records into job parts: balanced, contiguous, each within every limit, none below the
//! minimum.

use std::ops::Range;

use crate::limits::Limits;
use crate::remedy::{HasRemedy, Remedy};

impl HasRemedy for PlanError {
    fn remedy(&self) -> Option<Remedy> {
        matches!(self, Self::TooFewRecords { .. }).then_some(Remedy::SendOnDemand)
    }
}

/// Why the records cannot be split into valid parts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Fewer rows than one job's minimum.
    #[error(
        "the sheet has {rows} data rows but a Bedrock batch job needs at least {min} records; add rows (for example combine sheets), lower the minimum records per job if your account's quota allows, or send these few rows with on-demand calls instead"
    )]
    TooFewRecords {
        /// Rows available.
        rows: u64,
        /// The minimum per job.
        min: u64,
    },
    /// One record alone is larger than a file may be.
    #[error(
        "row {row}'s record is {bytes} bytes, more than the {max} bytes one input file may hold; shorten that row's text"
    )]
    RecordTooLarge {
        /// 1-based data row.
        row: u64,
        /// Its size.
        bytes: u64,
        /// The per-file byte limit.
        max: u64,
    },
    /// Byte limits force parts so small they fall under the minimum.
    #[error(
        "{rows} records of {bytes} bytes cannot be split into parts that each hold at least {min} records and at most {max_bytes} bytes; shorten the prompts or raise the byte limits"
    )]
    Infeasible {
        /// Rows available.
        rows: u64,
        /// Total bytes.
        bytes: u64,
        /// The minimum per job.
        min: u64,
        /// The byte limit per part.
        max_bytes: u64,
    },
}

/// Splits records (given by their serialized sizes) into the fewest balanced parts that fit `limits`.
/// Returns the index range of each part.
pub fn split_into_parts(sizes: &[u32], limits: &Limits) -> Result<Vec<Range<usize>>, PlanError> {
    let n = sizes.len() as u64;
    let min = limits.min_records_per_job;
    if n < min {
        return Err(PlanError::TooFewRecords { rows: n, min });
    }
    let max_bytes = limits.max_bytes_per_part();
    let mut prefix = Vec::with_capacity(sizes.len() + 1);
    prefix.push(0u64);
    for (i, &size) in sizes.iter().enumerate() {
        if u64::from(size) > max_bytes {
            return Err(PlanError::RecordTooLarge { row: i as u64 + 1, bytes: u64::from(size), max: max_bytes });
        }
        prefix.push(prefix[i] + u64::from(size));
    }
    let total = prefix[sizes.len()];
    let by_records = n.div_ceil(limits.max_records_per_part());
    let by_bytes = total.div_ceil(max_bytes);
    let mut parts = by_records.max(by_bytes).max(1);
    loop {
        let base = n / parts;
        if base < min {
            return Err(PlanError::Infeasible { rows: n, bytes: total, min, max_bytes });
        }
        let ranges = balanced(n as usize, parts as usize);
        if ranges.iter().all(|r| prefix[r.end] - prefix[r.start] <= max_bytes) {
            return Ok(ranges);
        }
        parts += 1;
    }
}

/// The part sizes a run of `rows` records most likely gets (by record counts alone), to write parts directly;
/// [`split_into_parts`] has the final word once every record's size is known.
pub fn likely_part_rows(rows: u64, limits: &Limits) -> Vec<u64> {
    let parts = rows.div_ceil(limits.max_records_per_part()).max(1);
    balanced(rows as usize, parts as usize).iter().map(|r| r.len() as u64).collect()
}

/// `n` items in `parts` contiguous ranges whose lengths differ by at most one.
fn balanced(n: usize, parts: usize) -> Vec<Range<usize>> {
    let base = n / parts;
    let extra = n % parts;
    let mut start = 0;
    (0..parts)
        .map(|i| {
            let len = base + usize::from(i < extra);
            let range = start..start + len;
            start += len;
            range
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(min: u64, max: u64, bytes: u64) -> Limits {
        Limits {
            min_records_per_job: min,
            max_records_per_file: max,
            max_records_per_job: max,
            max_file_bytes: bytes,
            max_job_bytes: bytes,
        }
    }

    #[test]
    fn one_part_when_everything_fits() {
        let parts = split_into_parts(&[10; 150], &limits(100, 1000, 1_000_000)).unwrap();
        assert_eq!(parts, vec![0..150]);
    }

    #[test]
    fn parts_are_balanced_and_never_leave_a_small_tail() {
        // 50,001 rows with a 50,000 cap: two parts of 25,001 and 25,000, not 50,000 + 1.
        let parts = split_into_parts(&vec![10; 50_001], &limits(100, 50_000, u64::MAX)).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].len(), 25_001);
        assert_eq!(parts[1].len(), 25_000);
        assert_eq!(parts[1].end, 50_001);
    }

    #[test]
    fn byte_limits_add_parts() {
        let parts = split_into_parts(&[100; 1000], &limits(100, 1000, 30_000)).unwrap();
        assert_eq!(parts.len(), 4);
        assert!(parts.iter().all(|r| r.len() * 100 <= 30_000));
    }

    #[test]
    fn too_few_rows_is_refused_with_the_minimum() {
        let err = split_into_parts(&[10; 99], &limits(100, 1000, 1_000_000)).unwrap_err();
        assert_eq!(err, PlanError::TooFewRecords { rows: 99, min: 100 });
        assert!(err.to_string().contains("at least 100 records"));
    }

    #[test]
    fn an_oversized_record_names_its_row() {
        let mut sizes = vec![10u32; 200];
        sizes[41] = 5_000;
        let err = split_into_parts(&sizes, &limits(100, 1000, 4_000)).unwrap_err();
        assert!(matches!(err, PlanError::RecordTooLarge { row: 42, .. }));
    }

    #[test]
    fn infeasible_when_bytes_force_parts_below_the_minimum() {
        let err = split_into_parts(&[100; 150], &limits(100, 1000, 10_000)).unwrap_err();
        assert!(matches!(err, PlanError::Infeasible { .. }));
    }
}
