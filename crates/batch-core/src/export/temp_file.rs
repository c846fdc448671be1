//! A temporary file beside an export target, renamed onto the target when complete.

use std::path::{Path, PathBuf};

use super::ExportError;

/// A `.partial` file next to the target; removed on drop unless persisted.
pub(crate) struct TempTarget {
    target: PathBuf,
    temp: PathBuf,
    done: bool,
}

impl TempTarget {
    pub(crate) fn new(target: &Path) -> Self {
        let name = target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let temp = target.with_file_name(format!(".{name}.{}.partial", std::process::id()));
        Self { target: target.to_path_buf(), temp, done: false }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.temp
    }

    pub(crate) fn error(&self, detail: impl std::fmt::Display) -> ExportError {
        ExportError::Write { path: self.target.clone(), detail: detail.to_string() }
    }

    pub(crate) fn persist(mut self) -> Result<(), ExportError> {
        std::fs::rename(&self.temp, &self.target).map_err(|e| self.error(e))?;
        self.done = true;
        Ok(())
    }

    pub(crate) fn target(&self) -> &Path {
        &self.target
    }
}

impl Drop for TempTarget {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
