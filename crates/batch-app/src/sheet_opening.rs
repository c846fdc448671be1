//! Opening sheets in the desktop app: each opening writes its own cache file (so the table it replaces keeps
//! its file until it is dropped, on every platform), a newer opening cancels an older one still reading, and
//! the user can cancel the one in progress.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use batch_core::sheet::SheetOptions;

use crate::latest_only::LatestOnly;
use crate::sheet_pages::{SheetPagesError, SheetSummary, SheetTable};

/// Where sheets' caches go, and the cancel flag of the opening in progress.
pub struct SheetOpenings {
    dir: PathBuf,
    current: LatestOnly,
    opened: AtomicU64,
}

const PREFIX: &str = "sheet-";

/// How far an opening has read, as the window is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SheetProgress {
    /// Data rows read so far.
    pub rows: u64,
}

impl SheetOpenings {
    /// Openings whose caches live in `dir`. Caches left there by an earlier run of the app are deleted.
    pub fn new(dir: &Path) -> Self {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                // `sheet.db` is where earlier versions kept their one cache.
                if name.starts_with("sheet") && name.ends_with(".db") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Self { dir: dir.to_path_buf(), current: LatestOnly::default(), opened: AtomicU64::new(0) }
    }

    /// Summarizes and caches `sheet`, cancelling an opening still reading; `progress` is told the rows read
    /// as the reading goes. Fails with [`SheetPagesError::Cancelled`] when cancelled.
    pub fn open(
        &self,
        sheet: &Path,
        options: &SheetOptions,
        mut progress: impl FnMut(u64),
    ) -> Result<(SheetSummary, SheetTable), SheetPagesError> {
        let cancelled = self.current.begin();
        std::fs::create_dir_all(&self.dir)
            .map_err(|source| SheetPagesError::CacheFolder { path: self.dir.clone(), source })?;
        let number = self.opened.fetch_add(1, Ordering::Relaxed) + 1;
        let cache = self.dir.join(format!("{PREFIX}{}-{number}.db", std::process::id()));
        SheetTable::build_watched(sheet, options, &cache, &mut |rows| {
            progress(rows);
            !cancelled.load(Ordering::Relaxed)
        })
    }

    /// Cancels the opening in progress, if any.
    pub fn cancel(&self) {
        self.current.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(dir: &Path, rows: u64) -> PathBuf {
        let path = dir.join(format!("rows-{rows}.csv"));
        let mut text = String::from("id,text\n");
        for i in 1..=rows {
            text.push_str(&format!("{i},row {i}\n"));
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    fn caches(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|e| e.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn each_opening_has_its_own_cache_which_lives_as_long_as_its_table() {
        let work = tempfile::tempdir().unwrap();
        let dir = work.path().join("cache");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("sheet-1-1.db"), "left by a crashed run").unwrap();
        std::fs::write(dir.join("sheet.db"), "an earlier version's cache").unwrap();
        std::fs::write(dir.join("notes.txt"), "not a cache").unwrap();
        let openings = SheetOpenings::new(&dir);
        assert_eq!(caches(&dir), ["notes.txt"], "old caches are swept, other files kept");

        let path = sheet(work.path(), 30);
        let mut seen = Vec::new();
        let (summary, first) = openings.open(&path, &SheetOptions::default(), |rows| seen.push(rows)).unwrap();
        assert_eq!(summary.rows, 30);
        assert!(seen.is_empty(), "no progress is reported below {} rows", crate::sheet_pages::PROGRESS_EVERY);
        let (_, second) = openings.open(&path, &SheetOptions::default(), |_| ()).unwrap();
        assert_ne!(first.cache_path(), second.cache_path());
        // The first table still pages while the second exists, from its own file.
        assert_eq!(first.page(29, 1).unwrap(), [["30", "row 30"]]);
        let first_cache = first.cache_path().to_path_buf();
        drop(first);
        assert!(!first_cache.exists(), "a dropped table's cache is deleted");
        assert!(second.cache_path().exists());
    }

    #[test]
    fn progress_is_reported_and_a_cancelled_opening_leaves_nothing() {
        let work = tempfile::tempdir().unwrap();
        let dir = work.path().join("cache");
        let openings = SheetOpenings::new(&dir);
        let path = sheet(work.path(), 35_000);

        let mut seen = Vec::new();
        let (summary, _table) = openings.open(&path, &SheetOptions::default(), |rows| seen.push(rows)).unwrap();
        assert_eq!(summary.rows, 35_000);
        assert_eq!(seen, [10_000, 20_000, 30_000]);

        // Cancelled from the progress callback, as another thread's cancel would be seen.
        let error = openings
            .open(&path, &SheetOptions::default(), |rows| {
                if rows == 20_000 {
                    openings.cancel();
                }
            })
            .map(|_| ())
            .unwrap_err();
        assert!(matches!(error, SheetPagesError::Cancelled { rows: 20_000 }), "{error}");
        assert!(error.to_string().contains("cancelled after 20000 rows"), "{error}");
        assert_eq!(caches(&dir).len(), 1, "only the finished opening's cache is left: {:?}", caches(&dir));
    }

    #[test]
    fn a_newer_opening_cancels_one_still_reading() {
        let work = tempfile::tempdir().unwrap();
        let openings = SheetOpenings::new(&work.path().join("cache"));
        let path = sheet(work.path(), 25_000);
        let mut newer = None;
        let older = openings.open(&path, &SheetOptions::default(), |rows| {
            if rows == 10_000 && newer.is_none() {
                newer = Some(openings.open(&path, &SheetOptions::default(), |_| ()).map(|(s, _)| s.rows));
            }
        });
        assert!(matches!(older, Err(SheetPagesError::Cancelled { rows: 10_000 })), "{:?}", older.map(|_| ()));
        assert_eq!(newer.unwrap().unwrap(), 25_000);
    }
}
