//! A sample of a prepared run's records spread over their lengths: every record is looked at once, a bounded
//! reservoir kept (at most [`RESERVOIR`] lines, whatever the run's size), and the sample taken from it at evenly
//! spaced length quantiles — so short and long prompts are both counted.

use std::io::{BufRead, BufReader};
use std::path::Path;

use batch_core::prepare::PreparedPlan;
use batch_core::record_id::fnv1a;
use serde_json::Value;

use super::CostCheckError;

/// The most lines held at once while sampling.
const RESERVOIR: usize = 2_000;

/// Up to `size` records of the prepared run in `prepared`, at evenly spaced quantiles of their lengths.
pub fn sample_records(prepared: &Path, plan: &PreparedPlan, size: usize) -> Result<Vec<Value>, CostCheckError> {
    let mut kept: Vec<String> = Vec::new();
    let mut seen = 0u64;
    for part in &plan.parts {
        let path = prepared.join(&part.file);
        let read = |source| CostCheckError::Read { path: path.display().to_string(), source };
        let file = std::fs::File::open(&path).map_err(read)?;
        for line in BufReader::new(file).lines() {
            let line = line.map_err(read)?;
            if line.trim().is_empty() {
                continue;
            }
            seen += 1;
            if kept.len() < RESERVOIR {
                kept.push(line);
            } else {
                // Reservoir sampling with a deterministic draw: the same run gives the same sample.
                let slot = fnv1a(&seen.to_le_bytes(), 7) % seen;
                if let Some(place) = kept.get_mut(slot as usize) {
                    *place = line;
                }
            }
        }
    }
    kept.sort_by_key(String::len);
    let take = size.min(kept.len());
    let picks: Vec<usize> = match take {
        0 => Vec::new(),
        1 => vec![kept.len() / 2],
        _ => (0..take).map(|i| i * (kept.len() - 1) / (take - 1)).collect(),
    };
    Ok(picks.into_iter().filter_map(|i| serde_json::from_str(&kept[i]).ok()).collect())
}
