//! The Data and Prompt steps' side of the session: the sheet open in the window (its page cache), the
//! opening in progress, the all-rows estimate in progress, and the files the window may read or write. The
//! reading and rendering calls block: the shell runs them off the window's thread.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use batch_core::sheet::{SheetMeta, SheetOptions};
use batch_core::template::analysis::{PromptAnalysis, analyze_prompt};

use super::{Studio, StudioError, SubmitForm, TestRowForm};
use crate::latest_only::LatestOnly;
use crate::ports::Connector;
use crate::prompt_totals::{PromptTotals, TotalsError, prompt_totals};
use crate::sheet_opening::SheetOpenings;
use crate::sheet_pages::{RenderError, RenderedPrompt, SheetSummary, SheetTable};
use crate::window_files::WindowFiles;

/// The sheet open in the window and the work on it in progress.
pub(super) struct SheetDesk {
    open: Mutex<Option<(SheetMeta, SheetTable)>>,
    openings: SheetOpenings,
    estimates: LatestOnly,
    files: WindowFiles,
}

impl SheetDesk {
    /// A desk caching sheets under `home/cache`, guarding the files of `home` and the user's secrets.
    pub(super) fn new(home: &Path) -> Self {
        Self {
            open: Mutex::new(None),
            openings: SheetOpenings::new(&home.join("cache")),
            estimates: LatestOnly::default(),
            files: WindowFiles::standard(home),
        }
    }

    pub(super) fn open(&self) -> MutexGuard<'_, Option<(SheetMeta, SheetTable)>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn no_sheet() -> StudioError {
    StudioError::NoSheet
}

impl<C: Connector> Studio<C> {
    /// Opens the sheet at `path` (a worksheet of a workbook): its summary, its rows cached for paging;
    /// `progress` hears the rows read so far. A newer opening, or [`Studio::cancel_open_sheet`], stops this
    /// one, and the sheet open before stays open. Blocks while the sheet is read.
    pub fn open_sheet(
        &self,
        path: &Path,
        worksheet: Option<String>,
        progress: impl FnMut(u64),
    ) -> Result<SheetSummary, StudioError> {
        let path = self.desk.files.sheet(path).map_err(|e| StudioError::Invalid(e.to_string()))?;
        let (summary, table) =
            self.desk.openings.open(&path, &SheetOptions { sheet: worksheet, delimiter: None }, progress)?;
        *self.desk.open() = Some((summary.meta.clone(), table));
        Ok(summary)
    }

    /// Stops the sheet opening in progress, if any.
    pub fn cancel_open_sheet(&self) {
        self.desk.openings.cancel();
    }

    /// Rows `offset..offset + limit` (0-based) of the open sheet.
    pub fn sheet_rows(&self, offset: u64, limit: u64) -> Result<Vec<Vec<String>>, StudioError> {
        Ok(self.desk.open().as_ref().ok_or_else(no_sheet)?.1.page(offset, limit)?)
    }

    /// Row `row` (1-based) of the open sheet rendered with the templates. Blocks while it renders.
    pub fn render_row(&self, template: &str, system: Option<&str>, row: u64) -> Result<RenderedPrompt, StudioError> {
        let open = self.desk.open();
        let system = system.filter(|s| !s.trim().is_empty());
        let table = &open.as_ref().ok_or_else(no_sheet)?.1;
        table.render(template, system, row.max(1)).map_err(|e| match e {
            RenderError::Cache(cache) => StudioError::Sheet(cache),
            other => StudioError::Invalid(other.to_string()),
        })
    }

    /// What the templates do with the open sheet's columns.
    pub fn analyze_template(&self, template: &str, system: Option<&str>) -> Result<PromptAnalysis, StudioError> {
        Ok(analyze_prompt(template, system, &self.open_sheet_meta()?.headers))
    }

    /// Every row of the open sheet's prompt estimated in one pass over its file; a newer estimate stops this
    /// one. Blocks while it reads.
    pub fn prompt_totals(&self, template: &str, system: Option<&str>) -> Result<PromptTotals, StudioError> {
        let meta = self.open_sheet_meta()?;
        let superseded = self.desk.estimates.begin();
        let system = system.filter(|s| !s.trim().is_empty());
        let options = SheetOptions { sheet: meta.sheet, delimiter: meta.delimiter };
        prompt_totals(&meta.path, &options, template, system, &superseded).map_err(|e| match e {
            TotalsError::Superseded => StudioError::Superseded(e.to_string()),
            other => StudioError::Invalid(other.to_string()),
        })
    }

    /// The test form's row rendered from the open sheet. Blocks while it renders.
    pub fn render_test_row(&self, form: &TestRowForm) -> Result<RenderedPrompt, StudioError> {
        form.render(&self.desk.open().as_ref().ok_or_else(no_sheet)?.1)
    }

    /// The submit form, checked to send the open sheet (and only it).
    pub fn submitting_open_sheet(&self, mut form: SubmitForm) -> Result<SubmitForm, StudioError> {
        let meta = self.open_sheet_meta()?;
        let asked = self.desk.files.sheet(&form.sheet).map_err(|e| StudioError::Invalid(e.to_string()))?;
        if asked != meta.path {
            return Err(StudioError::Invalid(format!(
                "{}: only the sheet open in the Data step is submitted; open it there first",
                form.sheet.display()
            )));
        }
        form.sheet = meta.path;
        Ok(form)
    }

    /// A sheet, or a folder or file of a job's lines, asked for by the window to be read (never protected files).
    pub(super) fn readable_path(&self, path: &Path, sheet: bool) -> Result<PathBuf, StudioError> {
        let files = &self.desk.files;
        if sheet { files.sheet(path) } else { files.job_lines(path) }.map_err(|e| StudioError::Invalid(e.to_string()))
    }

    /// Where an export asked for by the window may be written (never over protected files).
    pub fn export_path(&self, path: &Path) -> Result<PathBuf, StudioError> {
        self.desk.files.export(path).map_err(|e| StudioError::Invalid(e.to_string()))
    }

    /// The open sheet's file, format and headers.
    fn open_sheet_meta(&self) -> Result<SheetMeta, StudioError> {
        Ok(self.desk.open().as_ref().ok_or_else(no_sheet)?.0.clone())
    }
}
