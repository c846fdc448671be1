//! First pass over the output files: every line is parsed once, files in parallel; each outcome is spilled to
//! its row's bucket and problems are counted. Results are the same whatever the thread timing.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use super::outcome::{Status, parse_line};
use super::spill::{BucketWriter, Buckets, SpilledOutcome};
use crate::parallel::WORKERS;
use crate::record_keys::RecordKeys;
use crate::service_tier::Tier;

/// How many examples of each problem are kept.
pub const MAX_EXAMPLES: usize = 20;

/// A line that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorruptLine {
    /// The file.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// Success and failure counts of one job folder, with its first error message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FolderStats {
    /// The folder (relative to the outputs root).
    pub folder: String,
    /// Lines that succeeded.
    pub succeeded: u64,
    /// Lines that failed.
    pub failed: u64,
    /// The first failure's message.
    pub first_error: Option<String>,
}

/// What the first pass found; the outcomes themselves are in the bucket files.
#[derive(Debug, Default)]
pub struct OutputScan {
    /// The record files, in sorted order.
    pub files: Vec<PathBuf>,
    /// For each bucket, its files (one per worker).
    pub bucket_files: Vec<Vec<PathBuf>>,
    /// Non-blank output lines read.
    pub lines: u64,
    /// The first unusable lines, in file order.
    pub corrupt: Vec<CorruptLine>,
    /// How many lines could not be used.
    pub corrupt_count: u64,
    /// Lines whose record id belongs to no row of this plan.
    pub foreign_count: u64,
    /// The first of those ids, in file order.
    pub foreign_examples: Vec<String>,
    /// Per job folder, sorted by name.
    pub folders: Vec<FolderStats>,
}

/// A folder's (succeeded, failed, first error with the (file, line) it came from).
type FolderTally = (u64, u64, Option<((u32, u64), String)>);

/// One worker's findings, merged afterwards in file order.
#[derive(Default)]
struct Findings {
    lines: u64,
    corrupt: Vec<(u32, CorruptLine)>,
    corrupt_count: u64,
    foreign: Vec<(u32, u64, String)>,
    foreign_count: u64,
    folders: BTreeMap<String, FolderTally>,
}

fn folder_of(root: &Path, path: &Path) -> String {
    path.parent().and_then(|p| p.strip_prefix(root).ok()).map(|p| p.display().to_string()).unwrap_or_default()
}

/// Parses every line of `files` (answered on the tier `tiers` gives each, by index), checks each answer against
/// `shape`, and spills the outcomes for rows `1..=rows` (ids per `keys`) into `buckets` under `scratch`.
#[allow(clippy::too_many_arguments)]
pub fn scan_outputs(
    root: &Path,
    files: Vec<PathBuf>,
    tiers: &[Tier],
    shape: &crate::answer::AnswerShape,
    rows: u64,
    keys: &RecordKeys,
    buckets: Buckets,
    scratch: &Path,
) -> std::io::Result<OutputScan> {
    let next_file = AtomicUsize::new(0);
    let results: Vec<std::io::Result<(Findings, Vec<PathBuf>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WORKERS)
            .map(|worker| {
                let (files, next_file) = (&files, &next_file);
                scope.spawn(move || -> std::io::Result<(Findings, Vec<PathBuf>)> {
                    let mut spill = BucketWriter::create(scratch, &format!("w{worker}"), buckets)?;
                    let mut findings = Findings::default();
                    loop {
                        let index = next_file.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(index) else { break };
                        let tier = tiers.get(index).copied().unwrap_or_default();
                        let file = FileOfTier { path, index: index as u32, tier };
                        scan_file(root, file, shape, rows, keys, &mut spill, &mut findings)?;
                    }
                    Ok((findings, spill.finish()?))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let mut scan = OutputScan { bucket_files: vec![Vec::new(); buckets.count], ..OutputScan::default() };
    let mut corrupt = Vec::new();
    let mut foreign = Vec::new();
    let mut folders: BTreeMap<String, FolderTally> = BTreeMap::new();
    for result in results {
        let (findings, paths) = result?;
        for (bucket, path) in paths.into_iter().enumerate() {
            scan.bucket_files[bucket].push(path);
        }
        scan.lines += findings.lines;
        scan.corrupt_count += findings.corrupt_count;
        scan.foreign_count += findings.foreign_count;
        corrupt.extend(findings.corrupt);
        foreign.extend(findings.foreign);
        for (name, (ok, failed, first)) in findings.folders {
            let entry = folders.entry(name).or_default();
            entry.0 += ok;
            entry.1 += failed;
            if let Some(candidate) = first
                && entry.2.as_ref().is_none_or(|current| candidate.0 < current.0)
            {
                entry.2 = Some(candidate);
            }
        }
    }
    corrupt.sort_by_key(|(file, c)| (*file, c.line));
    scan.corrupt = corrupt.into_iter().take(MAX_EXAMPLES).map(|(_, c)| c).collect();
    foreign.sort();
    scan.foreign_examples = foreign.into_iter().take(MAX_EXAMPLES).map(|(_, _, id)| id).collect();
    scan.folders = folders
        .into_iter()
        .map(|(folder, (succeeded, failed, first))| FolderStats {
            folder,
            succeeded,
            failed,
            first_error: first.map(|(_, message)| message),
        })
        .collect();
    scan.files = files;
    Ok(scan)
}

/// An output file, its index in sorted order, and the tier that answered its records.
struct FileOfTier<'a> {
    path: &'a Path,
    index: u32,
    tier: Tier,
}

fn scan_file(
    root: &Path,
    FileOfTier { path, index: file, tier }: FileOfTier<'_>,
    shape: &crate::answer::AnswerShape,
    rows: u64,
    keys: &RecordKeys,
    spill: &mut BucketWriter,
    findings: &mut Findings,
) -> std::io::Result<()> {
    let folder = folder_of(root, path);
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut buffer = Vec::with_capacity(64 * 1024);
    let mut line = 0u64;
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer)? == 0 {
            return Ok(());
        }
        line += 1;
        let content = trim_line(&buffer);
        if content.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        findings.lines += 1;
        let mut parsed = match parse_line(content) {
            Ok(parsed) => parsed,
            Err(reason) => {
                findings.corrupt_count += 1;
                if findings.corrupt.len() < MAX_EXAMPLES {
                    findings.corrupt.push((file, CorruptLine { file: path.to_path_buf(), line, reason }));
                }
                continue;
            }
        };
        let stats = findings.folders.entry(folder.clone()).or_default();
        if parsed.status == Status::Failed {
            stats.1 += 1;
            if stats.2.is_none() {
                stats.2 = Some(((file, line), parsed.outcome.error.clone()));
            }
        } else {
            stats.0 += 1;
        }
        parsed.outcome.tier = Some(tier);
        parsed.status = checked(shape, parsed.status, &mut parsed.outcome);
        let id = parsed.record_id.unwrap_or_default();
        match keys.row_of(&id).filter(|&r| r <= rows) {
            Some(row) => {
                spill.write(&SpilledOutcome { row, file, line, status: parsed.status, outcome: parsed.outcome })?
            }
            None => {
                findings.foreign_count += 1;
                if findings.foreign.len() < MAX_EXAMPLES {
                    findings.foreign.push((file, line, id));
                }
            }
        }
    }
}

/// The line without its trailing `\n` / `\r\n`.
pub fn trim_line(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A succeeded row's status once its answer is checked against the run's answer shape (free text: as it is):
/// invalid (the reason goes into the row's error), truncated or empty.
fn checked(shape: &crate::answer::AnswerShape, status: Status, outcome: &mut super::Outcome) -> Status {
    use crate::answer::check::{AnswerCheck, check_answer};
    if status != Status::Succeeded || shape.is_free_text() {
        return status;
    }
    match check_answer(shape, &outcome.output, Some(&outcome.stop_reason)) {
        AnswerCheck::Valid(_) => Status::Succeeded,
        AnswerCheck::Invalid(reason) => {
            outcome.error = reason;
            Status::Invalid
        }
        AnswerCheck::Truncated => {
            outcome.error = format!(
                "the answer was cut off at the token limit ({}): raise the maximum tokens and retry",
                outcome.stop_reason
            );
            Status::Truncated
        }
        AnswerCheck::Empty => {
            outcome.error = "the model answered nothing".into();
            Status::Empty
        }
    }
}
