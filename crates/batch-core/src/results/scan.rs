//! Finding a job's output files under a folder: every `*.jsonl.out` and every `manifest.json.out`, recursively.

use std::path::{Path, PathBuf};

use super::manifest::MANIFEST_FILE;

/// Output and manifest files found under a folder, sorted by path.
#[derive(Debug, Default)]
pub struct OutputFiles {
    /// Record files (`*.jsonl.out`).
    pub records: Vec<PathBuf>,
    /// Manifests (`manifest.json.out`).
    pub manifests: Vec<PathBuf>,
}

/// Walks `root` recursively (symlinked folders are not followed).
pub fn scan(root: &Path) -> std::io::Result<OutputFiles> {
    let mut found = OutputFiles::default();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_dir() {
                pending.push(path);
                continue;
            }
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name == MANIFEST_FILE {
                found.manifests.push(path);
            } else if name.ends_with(".jsonl.out") {
                found.records.push(path);
            }
        }
    }
    found.records.sort();
    found.manifests.sort();
    Ok(found)
}
