//! A follow-up prepared folder holding only some records of an earlier one (the failed and missing rows of
//! a run): the same lines, byte for byte, re-cut into parts within the limits, with the same record ids so
//! their results join back into the original run.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use super::staging::Staging;
use super::{PLAN_FILE, PartInfo, PrepareError, PreparedPlan, RECORDS_FILE, Totals};
use crate::plan::split_into_parts;

/// Just the record id of a line.
#[derive(serde::Deserialize)]
struct LineId<'a> {
    #[serde(rename = "recordId", borrow)]
    record_id: std::borrow::Cow<'a, str>,
}

/// Writes the lines of `prepared` whose record id is in `keep` to new parts in `out_dir`, with a plan and a
/// copy of the record map. Fails with the plan's minimum-records error when too few lines remain.
pub fn prepare_subset(prepared: &Path, keep: &HashSet<String>, out_dir: &Path) -> Result<PreparedPlan, PrepareError> {
    subset(prepared, keep, out_dir, false)
}

/// Like [`prepare_subset`], for records sent on demand: no batch minimum applies (the other limits still cut the
/// parts).
pub fn prepare_subset_on_demand(
    prepared: &Path,
    keep: &HashSet<String>,
    out_dir: &Path,
) -> Result<PreparedPlan, PrepareError> {
    subset(prepared, keep, out_dir, true)
}

fn subset(
    prepared: &Path,
    keep: &HashSet<String>,
    out_dir: &Path,
    on_demand: bool,
) -> Result<PreparedPlan, PrepareError> {
    let mut original = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
    if on_demand {
        original.limits = original.limits.on_demand();
    }
    std::fs::create_dir_all(out_dir).map_err(|e| PrepareError::output(out_dir, e))?;
    let staging = Staging::create(out_dir)?;
    // Pass 1: the kept lines' sizes, in order, to plan the parts.
    let mut sizes = Vec::new();
    let mut tokens = 0u64;
    let per_record_tokens = original.totals.input_tokens / original.totals.records.max(1);
    for_each_kept(prepared, &original, keep, |line, _| {
        sizes.push(line.len() as u32 + 1);
        tokens += per_record_tokens;
        Ok(())
    })?;
    let ranges = split_into_parts(&sizes, &original.limits)?;
    // Pass 2: write the parts.
    let mut parts = follow_up_parts(&sizes, &ranges, |range| per_record_tokens * range.len() as u64);
    let mut index = 0usize;
    let mut part = 0usize;
    let mut writer: Option<BufWriter<std::fs::File>> = None;
    for_each_kept(prepared, &original, keep, |line, row| {
        while part < ranges.len() && index >= ranges[part].end {
            part += 1;
            writer = None;
        }
        let info = &mut parts[part];
        if writer.is_none() {
            let path = staging.path(&info.file);
            writer = Some(BufWriter::new(std::fs::File::create(&path).map_err(|e| PrepareError::output(&path, e))?));
            info.first_row = row;
        }
        info.last_row = row;
        let path = staging.path(&info.file);
        let out = writer.as_mut().ok_or_else(|| PrepareError::output(&path, std::io::Error::other("no part open")))?;
        out.write_all(line.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|e| PrepareError::output(&path, e))?;
        index += 1;
        Ok(())
    })?;
    if let Some(mut out) = writer.take() {
        out.flush().map_err(|e| PrepareError::output(out_dir, e))?;
    }
    let records_copy = staging.path(RECORDS_FILE);
    std::fs::copy(prepared.join(RECORDS_FILE), &records_copy).map_err(|e| PrepareError::output(&records_copy, e))?;
    let mut plan = original.clone();
    plan.created_at = crate::clock::now_rfc3339();
    plan.totals = Totals {
        records: index as u64,
        bytes: parts.iter().map(|p| p.bytes).sum(),
        input_tokens: tokens,
        max_output_tokens: original.totals.max_output_tokens / original.totals.records.max(1) * index as u64,
    };
    plan.parts = parts;
    plan.warnings = vec![format!(
        "a follow-up of {} holding {} of its {} records; its results join into that folder's rows",
        prepared.display(),
        index,
        original.totals.records
    )];
    plan.write(&staging.path(PLAN_FILE))?;
    staging.commit(&plan)?;
    Ok(plan)
}

/// The parts of a follow-up folder (`retry-001.jsonl`, …) cut at `ranges` of the lines whose `sizes` are given,
/// with `tokens` of each range; their rows are filled in as they are written.
pub(super) fn follow_up_parts(
    sizes: &[u32],
    ranges: &[std::ops::Range<usize>],
    tokens: impl Fn(std::ops::Range<usize>) -> u64,
) -> Vec<PartInfo> {
    let digits = ranges.len().to_string().len().max(3);
    ranges
        .iter()
        .enumerate()
        .map(|(i, range)| PartInfo {
            file: format!("retry-{:0digits$}.jsonl", i + 1),
            records: range.len() as u64,
            bytes: sizes[range.clone()].iter().map(|&s| u64::from(s)).sum(),
            first_row: 0,
            last_row: 0,
            input_tokens: tokens(range.clone()),
        })
        .collect()
}

/// Calls `visit(line, row)` for each kept line of the prepared parts, in order.
fn for_each_kept(
    prepared: &Path,
    plan: &PreparedPlan,
    keep: &HashSet<String>,
    mut visit: impl FnMut(&str, u64) -> Result<(), PrepareError>,
) -> Result<(), PrepareError> {
    let keys = plan.record_ids.keys(prepared)?;
    for part in &plan.parts {
        let path = prepared.join(&part.file);
        let file = std::fs::File::open(&path).map_err(|e| PrepareError::output(&path, e))?;
        for line in BufReader::new(file).lines() {
            let line = line.map_err(|e| PrepareError::output(&path, e))?;
            let Ok(id) = serde_json::from_str::<LineId<'_>>(&line) else { continue };
            if keep.contains(id.record_id.as_ref()) {
                let row = keys.row_of(&id.record_id).unwrap_or(0);
                visit(&line, row)?;
            }
        }
    }
    Ok(())
}
