//! What the wizard shows of a sheet: a summary (format, worksheets, columns with their kind and empty
//! cells, row count) and pages of rows. The one pass that summarizes also copies the rows into an SQLite
//! cache keyed by row number, so any page of a million-row sheet (of any format) is one indexed read and the
//! window never receives the whole table.

use std::path::{Path, PathBuf};

use batch_core::prepare::{PrepareError, PromptBuffers, Prompts};
use batch_core::sheet::{ImportError, Row, SheetMeta, SheetOptions, open_sheet, sheet_names};
use rusqlite::{Connection, params};
use serde::Serialize;

/// Why a sheet could not be summarized or paged.
#[derive(Debug, thiserror::Error)]
pub enum SheetPagesError {
    /// The sheet could not be read.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The page cache could not be written or read.
    #[error("{}: the sheet's page cache: {source}; open the sheet again", path.display())]
    Cache {
        /// The cache file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The folder for page caches could not be made.
    #[error("{}: the folder for sheets' page caches could not be made: {source}", path.display())]
    CacheFolder {
        /// The folder.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The reading was stopped on request after `rows` rows.
    #[error("opening the sheet was cancelled after {rows} rows; nothing was kept of it")]
    Cancelled {
        /// Rows read before stopping.
        rows: u64,
    },
}

/// How often (in rows) a summarizing pass reports its progress and asks whether to go on.
pub const PROGRESS_EVERY: u64 = 10_000;

/// What a column holds, judged from its non-empty cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ColumnKind {
    /// Every non-empty cell is a number.
    Number,
    /// Every non-empty cell is a date (`YYYY-MM-DD…`).
    Date,
    /// `TRUE`/`FALSE`.
    Boolean,
    /// Anything else.
    Text,
    /// No non-empty cell.
    Empty,
}

/// One column of the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnSummary {
    /// Its header.
    pub name: String,
    /// What it holds.
    pub kind: ColumnKind,
    /// Empty cells.
    pub empty_cells: u64,
}

/// A sheet as the wizard first shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SheetSummary {
    /// File, format, worksheet, delimiter and headers.
    pub meta: SheetMeta,
    /// The worksheets of a workbook (empty for single-table formats).
    pub sheets: Vec<String>,
    /// Data rows.
    pub rows: u64,
    /// The columns.
    pub columns: Vec<ColumnSummary>,
}

fn kind_of(cell: &str) -> ColumnKind {
    let bytes = cell.as_bytes();
    if cell.eq_ignore_ascii_case("true") || cell.eq_ignore_ascii_case("false") {
        ColumnKind::Boolean
    } else if cell.parse::<f64>().is_ok() {
        ColumnKind::Number
    } else if bytes.len() >= 10 && bytes[4] == b'-' && bytes[7] == b'-' && bytes[..4].iter().all(u8::is_ascii_digit) {
        ColumnKind::Date
    } else {
        ColumnKind::Text
    }
}

/// Reads the whole sheet once (streaming) to count rows and judge each column, handing every row to `each`
/// on the way.
fn summarize<E: From<ImportError>>(
    path: &Path,
    options: &SheetOptions,
    mut each: impl FnMut(&Row) -> Result<(), E>,
) -> Result<SheetSummary, E> {
    let mut source = open_sheet(path, options)?;
    let meta = source.meta().clone();
    let mut kinds = vec![ColumnKind::Empty; meta.headers.len()];
    let mut empty = vec![0u64; meta.headers.len()];
    let mut row = Row::new();
    let mut rows = 0;
    while source.next_row(&mut row)? {
        rows += 1;
        each(&row)?;
        for (index, cell) in row.iter().enumerate().take(kinds.len()) {
            if cell.is_empty() {
                empty[index] += 1;
                continue;
            }
            kinds[index] = match (kinds[index], kind_of(cell)) {
                (ColumnKind::Empty, found) => found,
                (seen, found) if seen == found => seen,
                _ => ColumnKind::Text,
            };
        }
    }
    let columns = meta
        .headers
        .iter()
        .zip(kinds)
        .zip(empty)
        .map(|((name, kind), empty_cells)| ColumnSummary { name: name.clone(), kind, empty_cells })
        .collect();
    Ok(SheetSummary { sheets: sheet_names(path)?, meta, rows, columns })
}

/// A sheet's rows cached by row number for paging.
pub struct SheetTable {
    path: PathBuf,
    db: Connection,
    headers: Vec<String>,
}

/// One row's prompt, rendered from the cache (no pass over the sheet).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedPrompt {
    /// The 1-based row.
    pub row: u64,
    /// Its prompt.
    pub prompt: String,
    /// Its system prompt.
    pub system: Option<String>,
    /// Its estimated input tokens.
    pub tokens: u64,
}

impl SheetTable {
    /// Summarizes the sheet and caches its rows in the SQLite file `cache` (replaced if present).
    pub fn build(sheet: &Path, options: &SheetOptions, cache: &Path) -> Result<(SheetSummary, Self), SheetPagesError> {
        Self::build_watched(sheet, options, cache, &mut |_| true)
    }

    /// [`SheetTable::build`], telling `watch` the rows read every [`PROGRESS_EVERY`] rows; when `watch`
    /// answers false the reading stops with [`SheetPagesError::Cancelled`]. A build that does not finish
    /// leaves no cache file behind.
    pub fn build_watched(
        sheet: &Path,
        options: &SheetOptions,
        cache: &Path,
        watch: &mut dyn FnMut(u64) -> bool,
    ) -> Result<(SheetSummary, Self), SheetPagesError> {
        let built = Self::write_cache(sheet, options, cache, watch);
        if built.is_err() {
            let _ = std::fs::remove_file(cache);
        }
        built
    }

    fn write_cache(
        sheet: &Path,
        options: &SheetOptions,
        cache: &Path,
        watch: &mut dyn FnMut(u64) -> bool,
    ) -> Result<(SheetSummary, Self), SheetPagesError> {
        let failed = |source| SheetPagesError::Cache { path: cache.to_path_buf(), source };
        let _ = std::fs::remove_file(cache);
        let mut db = Connection::open(cache).map_err(failed)?;
        db.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; CREATE TABLE rows (idx INTEGER PRIMARY KEY, cells TEXT NOT NULL);",
        )
        .map_err(failed)?;
        let tx = db.transaction().map_err(failed)?;
        let summary = {
            let mut insert = tx.prepare("INSERT INTO rows (idx, cells) VALUES (?1, ?2)").map_err(failed)?;
            summarize(sheet, options, |row| {
                let rows = row.number();
                if rows % PROGRESS_EVERY == 0 && !watch(rows) {
                    return Err(SheetPagesError::Cancelled { rows });
                }
                let cells: Vec<&str> = row.iter().collect();
                let json = serde_json::to_string(&cells).unwrap_or_else(|_| "[]".into());
                insert.execute(params![rows as i64, json]).map(drop).map_err(failed)
            })?
        };
        tx.commit().map_err(failed)?;
        let headers = summary.meta.headers.clone();
        Ok((summary, Self { path: cache.to_path_buf(), db, headers }))
    }

    /// The cache file.
    pub fn cache_path(&self) -> &Path {
        &self.path
    }

    /// Rows `offset..offset + limit` (0-based, data rows only), each as its cells.
    pub fn page(&self, offset: u64, limit: u64) -> Result<Vec<Vec<String>>, SheetPagesError> {
        let failed = |source| SheetPagesError::Cache { path: self.path.clone(), source };
        let mut query =
            self.db.prepare_cached("SELECT cells FROM rows WHERE idx > ?1 ORDER BY idx LIMIT ?2").map_err(failed)?;
        let mut found = query.query(params![offset as i64, limit.min(1000) as i64]).map_err(failed)?;
        let mut rows = Vec::new();
        while let Some(r) = found.next().map_err(failed)? {
            let cells: String = r.get(0).map_err(failed)?;
            rows.push(serde_json::from_str(&cells).unwrap_or_default());
        }
        Ok(rows)
    }
}

impl SheetTable {
    /// Renders the templates for 1-based `row` from the cached cells.
    pub fn render(&self, template: &str, system: Option<&str>, row: u64) -> Result<RenderedPrompt, RenderError> {
        let prompts = Prompts::compile(&self.headers, template, system)?;
        let cells = self.page(row.saturating_sub(1), 1)?.pop().ok_or(RenderError::NoSuchRow { row })?;
        Ok(RenderedPrompt::render(&prompts, row, cells)?)
    }
}

impl RenderedPrompt {
    /// The compiled templates `prompts` rendered on 1-based `row`'s `cells` (in the templates' header order).
    pub fn render(prompts: &Prompts, row: u64, cells: Vec<String>) -> Result<Self, PrepareError> {
        let mut buffers = PromptBuffers::default();
        let (prompt, system, tokens) = prompts.render(&Row::from_cells(row, cells), &mut buffers)?;
        Ok(Self { row, prompt: prompt.to_string(), system: system.map(str::to_string), tokens })
    }
}

impl Drop for SheetTable {
    /// Closes the cache and deletes its file: a table's cache lives as long as the table.
    fn drop(&mut self) {
        if let Ok(closed) = Connection::open_in_memory() {
            drop(std::mem::replace(&mut self.db, closed));
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Why a row could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The template does not fit the sheet.
    #[error(transparent)]
    Template(#[from] PrepareError),
    /// The cache could not be read.
    #[error(transparent)]
    Cache(#[from] SheetPagesError),
    /// No such row.
    #[error("row {row} is not in the sheet; pick a row between 1 and the row count")]
    NoSuchRow {
        /// The row asked for.
        row: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows `offset..offset + limit` read from the sheet itself: what the cache must answer.
    fn page(path: &Path, options: &SheetOptions, offset: u64, limit: u64) -> Vec<Vec<String>> {
        let mut source = open_sheet(path, options).unwrap();
        let mut row = Row::new();
        let mut rows = Vec::new();
        while source.next_row(&mut row).unwrap() {
            if row.number() > offset && (rows.len() as u64) < limit {
                rows.push(row.iter().map(str::to_string).collect());
            }
        }
        rows
    }

    #[test]
    fn a_sheet_is_summarized_and_paged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        let mut text = String::from("id,score,when,ok,note\n");
        for i in 1..=25 {
            let note = if i % 5 == 0 { "" } else { "text, \"quoted\"" };
            text.push_str(&format!("{i},{}.5,2026-01-{:02},TRUE,\"{}\"\n", i, i, note.replace('"', "\"\"")));
        }
        std::fs::write(&path, text).unwrap();
        let summary = summarize::<ImportError>(&path, &SheetOptions::default(), |_| Ok(())).unwrap();
        assert_eq!(summary.rows, 25);
        let kinds: Vec<ColumnKind> = summary.columns.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ColumnKind::Number, ColumnKind::Number, ColumnKind::Date, ColumnKind::Boolean, ColumnKind::Text]
        );
        assert_eq!(summary.columns[4].empty_cells, 5);
        let rows = page(&path, &SheetOptions::default(), 20, 10);
        assert_eq!(rows.len(), 5, "the last page is short");
        assert_eq!(rows[0][0], "21");
        assert_eq!(rows[0][4], "text, \"quoted\"");
        assert!(page(&path, &SheetOptions::default(), 100, 10).is_empty());

        let (cached_summary, table) =
            SheetTable::build(&path, &SheetOptions::default(), &dir.path().join("c.db")).unwrap();
        assert_eq!(cached_summary, summary);
        for (offset, limit) in [(0, 7), (20, 10), (24, 1), (100, 3)] {
            assert_eq!(
                table.page(offset, limit).unwrap(),
                page(&path, &SheetOptions::default(), offset, limit),
                "page {offset}+{limit}"
            );
        }
        let rendered = table.render("Note: {{note}} ({{id}})", Some("Be brief."), 21).unwrap();
        assert_eq!(rendered.prompt, "Note: text, \"quoted\" (21)");
        assert_eq!(rendered.system.as_deref(), Some("Be brief."));
        assert!(rendered.tokens > 0);
        assert!(table.render("{{nope}}", None, 1).unwrap_err().to_string().contains("nope"));
        assert!(table.render("{{id}}", None, 26).unwrap_err().to_string().contains("row 26"));
    }
}
