//! A hidden staging folder inside the output folder: written to during prepare, moved into place on success,
//! removed on failure.

use std::path::{Path, PathBuf};

use super::{PLAN_FILE, PrepareError, PreparedPlan, RECORDS_FILE};

const PREFIX: &str = ".prepare-staging-";

/// The staging folder; removed when dropped unless committed.
pub(crate) struct Staging {
    out_dir: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates a fresh staging folder, clearing any left by an interrupted earlier prepare.
    pub(crate) fn create(out_dir: &Path) -> Result<Self, PrepareError> {
        if let Ok(entries) = std::fs::read_dir(out_dir) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(PREFIX) {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let dir = out_dir.join(format!("{PREFIX}{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).map_err(|e| PrepareError::output(&dir, e))?;
        Ok(Self { out_dir: out_dir.to_path_buf(), dir, committed: false })
    }

    /// A path inside the staging folder.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Replaces an earlier prepare's files with the staged ones; `plan.json` moves last.
    pub(crate) fn commit(mut self, plan: &PreparedPlan) -> Result<(), PrepareError> {
        let previous = self.out_dir.join(PLAN_FILE);
        if let Ok(old) = PreparedPlan::read(&previous) {
            let _ = std::fs::remove_file(&previous);
            for part in &old.parts {
                // Only plain file names from our own plan; never follow a path out of the folder.
                if Path::new(&part.file).file_name().is_some_and(|n| n == part.file.as_str()) {
                    let _ = std::fs::remove_file(self.out_dir.join(&part.file));
                }
            }
        }
        let mut names: Vec<&str> = plan.parts.iter().map(|p| p.file.as_str()).collect();
        names.push(RECORDS_FILE);
        names.push(PLAN_FILE);
        for name in names {
            let target = self.out_dir.join(name);
            std::fs::rename(self.dir.join(name), &target).map_err(|e| PrepareError::output(&target, e))?;
        }
        self.committed = true;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
