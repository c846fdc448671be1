//! First pass over the output files: where each row's output line is (file, offset, length), so the join can
//! stream the sheet in order and fetch each line on demand — memory grows with rows, not with output size.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::record_id::RecordIdScheme;

/// Where one output line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineLocation {
    /// Index into [`OutputIndex::files`].
    pub file: u32,
    /// Byte offset of the line.
    pub offset: u64,
    /// Line length in bytes, without the newline.
    pub len: u32,
    /// Whether the line is a success (preferred over a failure for the same record).
    pub succeeded: bool,
}

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

/// The result of indexing the output files against a plan's rows.
#[derive(Debug, Default)]
pub struct OutputIndex {
    /// The record files, in index order.
    pub files: Vec<PathBuf>,
    /// One slot per data row: where its line is.
    pub rows: Vec<Option<LineLocation>>,
    /// Lines that could not be parsed (first [`MAX_EXAMPLES`]).
    pub corrupt: Vec<CorruptLine>,
    /// How many lines could not be parsed.
    pub corrupt_count: u64,
    /// Lines whose record id belongs to no row of this plan.
    pub foreign_count: u64,
    /// A few of those ids.
    pub foreign_examples: Vec<String>,
    /// Lines for a row that already had one.
    pub duplicate_count: u64,
    /// Output lines read.
    pub lines: u64,
    /// Per job folder.
    pub folders: Vec<FolderStats>,
}

/// How many examples of each problem are kept.
pub const MAX_EXAMPLES: usize = 20;

#[derive(Deserialize)]
struct Head {
    #[serde(rename = "recordId")]
    record_id: Option<String>,
    #[serde(rename = "modelOutput")]
    model_output: Option<IgnoredAny>,
    error: Option<serde_json::Value>,
}

impl OutputIndex {
    /// Indexes `files` for a plan of `rows` rows whose ids follow `scheme`.
    pub fn build(root: &Path, files: Vec<PathBuf>, rows: u64, scheme: &RecordIdScheme) -> std::io::Result<Self> {
        let mut index = Self { rows: vec![None; rows as usize], ..Self::default() };
        let mut line = Vec::with_capacity(64 * 1024);
        for (file_number, path) in files.iter().enumerate() {
            let folder = path
                .parent()
                .and_then(|p| p.strip_prefix(root).ok())
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let stats_at = match index.folders.iter().position(|f| f.folder == folder) {
                Some(i) => i,
                None => {
                    index.folders.push(FolderStats { folder, ..FolderStats::default() });
                    index.folders.len() - 1
                }
            };
            let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
            let mut offset = 0u64;
            let mut line_number = 0u64;
            loop {
                line.clear();
                let read = reader.read_until(b'\n', &mut line)?;
                if read == 0 {
                    break;
                }
                line_number += 1;
                let start = offset;
                offset += read as u64;
                let content = trim_line(&line);
                if content.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                index.lines += 1;
                let head: Head = match serde_json::from_slice(content) {
                    Ok(head) => head,
                    Err(e) => {
                        index.note_corrupt(path, line_number, format!("not valid JSON ({e})"));
                        continue;
                    }
                };
                let failed = head.error.as_ref().is_some_and(|e| !e.is_null());
                if !failed && head.model_output.is_none() {
                    index.note_corrupt(path, line_number, "has neither modelOutput nor error".into());
                    continue;
                }
                let stats = &mut index.folders[stats_at];
                if failed {
                    stats.failed += 1;
                    if stats.first_error.is_none() {
                        stats.first_error = head.error.as_ref().map(|e| e.to_string());
                    }
                } else {
                    stats.succeeded += 1;
                }
                let id = head.record_id.unwrap_or_default();
                let Some(row) = scheme.row_of(&id).filter(|&r| r <= rows) else {
                    index.foreign_count += 1;
                    if index.foreign_examples.len() < MAX_EXAMPLES {
                        index.foreign_examples.push(id);
                    }
                    continue;
                };
                let location = LineLocation {
                    file: file_number as u32,
                    offset: start,
                    len: content.len() as u32,
                    succeeded: !failed,
                };
                let slot = &mut index.rows[row as usize - 1];
                match slot {
                    None => *slot = Some(location),
                    Some(existing) => {
                        index.duplicate_count += 1;
                        // A success (for example from a retry job) replaces an earlier failure.
                        if location.succeeded && !existing.succeeded {
                            *slot = Some(location);
                        }
                    }
                }
            }
        }
        index.files = files;
        Ok(index)
    }

    fn note_corrupt(&mut self, file: &Path, line: u64, reason: String) {
        self.corrupt_count += 1;
        if self.corrupt.len() < MAX_EXAMPLES {
            self.corrupt.push(CorruptLine { file: file.to_path_buf(), line, reason });
        }
    }
}

/// The line without its trailing `\n` / `\r\n`.
pub fn trim_line(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
