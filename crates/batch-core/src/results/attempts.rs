//! A row's attempts: the original run and each retry answer a row again, into the same results. The outputs
//! folder lists its attempts, oldest first ([`ATTEMPTS_FILE`], written when the outputs are fetched); output
//! files are read newest attempt first, so among answers of the same standing (answered in full, fell short,
//! failed) the newest wins, and every answer a row got is kept as its attempts.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Status;

/// One answer a row got, from one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Attempt {
    /// The output folder it came from (a job id, or an on-demand run's part).
    pub folder: String,
    /// How it ended.
    pub status: Status,
    /// Its answer.
    pub output: String,
    /// Its error, or why the answer fell short.
    pub error: String,
}

/// The file in an outputs folder listing its attempts, oldest first: for each, the names its output folders
/// start with (its job ids, or its run id for answers fetched on demand).
pub const ATTEMPTS_FILE: &str = "attempts.json";

/// Writes the attempts list of the outputs folder `outputs`.
pub fn write_attempts(outputs: &Path, attempts: &[Vec<String>]) -> std::io::Result<()> {
    std::fs::create_dir_all(outputs)?;
    std::fs::write(outputs.join(ATTEMPTS_FILE), serde_json::to_vec(attempts).unwrap_or_default())
}

/// The attempts listed in the outputs folder `outputs` (none when it lists none: outputs of one job, or
/// downloaded by hand).
pub(crate) fn read_attempts(outputs: &Path) -> Vec<Vec<String>> {
    std::fs::read(outputs.join(ATTEMPTS_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// The attempt of an output folder: the index in `attempts` (oldest first) of the first attempt one of whose
/// names the folder's name starts with; folders of no listed attempt count as the oldest.
fn attempt_of(folder: &str, attempts: &[Vec<String>]) -> usize {
    attempts
        .iter()
        .position(|names| names.iter().any(|name| !name.is_empty() && folder.starts_with(name.as_str())))
        .unwrap_or(0)
}

/// The first folder of `path` below `root` (the job folder), or empty for a file directly in `root`.
pub(crate) fn folder_of(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut parts = relative.components();
    match (parts.next(), parts.next()) {
        (Some(first), Some(_)) => first.as_os_str().to_string_lossy().into_owned(),
        _ => String::new(),
    }
}

/// Orders output files newest attempt first (then by path), given each attempt's folder names, oldest first.
pub(crate) fn newest_first(root: &Path, files: &mut [PathBuf], attempts: &[Vec<String>]) {
    files.sort_by_cached_key(|path| (std::cmp::Reverse(attempt_of(&folder_of(root, path), attempts)), path.clone()));
}
