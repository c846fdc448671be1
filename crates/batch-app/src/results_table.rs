//! The results of a run as the window shows them: the joined export indexed once into an SQLite file, so a
//! page of a 1,000,000-row result (filtered by status, searched) is a query, never the whole table.

use std::path::{Path, PathBuf};

use batch_core::answer::{AnswerField, FieldKind};
use batch_core::export::{ExportColumns, RESULT_COLUMNS};
use batch_core::results::{Attempt, Status};
use batch_core::sheet::{ImportError, Row, SheetOptions, open_sheet};
use rusqlite::{Connection, OptionalExtension, params};

use serde::Serialize;
pub use writer::TableWriter;

/// Why the results table could not be built or read.
#[derive(Debug, thiserror::Error)]
pub enum ResultsTableError {
    /// The joined export could not be read.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The table file could not be written or read.
    #[error("{}: results table: {source}; fetch the run again to rebuild it", path.display())]
    Sqlite {
        /// The table file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The table file could not be moved into place.
    #[error("{}: cannot write the results table: {source}", path.display())]
    Io {
        /// The table file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The run has no results table yet.
    #[error("{}: no results yet; fetch the run first", path.display())]
    Missing {
        /// The table file looked for.
        path: PathBuf,
    },
    /// A filter names a field the answer does not have.
    #[error("the answer has no field {name:?} (its fields: {fields}); filter on one of them")]
    UnknownField {
        /// The name asked for.
        name: String,
        /// The answer's fields.
        fields: String,
    },
    /// The export does not end with the result columns.
    #[error("{}: not a joined results file (its last columns are not {expected}); fetch the run again", path.display())]
    NotResults {
        /// The file read.
        path: PathBuf,
        /// The columns expected.
        expected: String,
    },
}

/// Which rows a page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowFilter {
    /// Only rows with this status.
    pub status: Option<Status>,
    /// Only rows with this text in any cell (case-insensitive for ASCII letters).
    pub search: Option<String>,
    /// Only rows whose answer field has this value (for a list field: holds it).
    #[serde(default)]
    pub field: Option<FieldValue>,
}

/// An answer field's value a filter asks for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldValue {
    /// The field's name (its column).
    pub name: String,
    /// The value, as the field's column shows it (`true`, `2026-12-03`, a label).
    pub value: String,
}

/// One page of rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResultsPage {
    /// Rows matching the filter, in all.
    pub matching: u64,
    /// The rows: their 1-based input row number and their cells (input columns, then result columns).
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Counts of rows by status (the domain's).
pub use batch_core::results::StatusCounts;

/// A bar of the token histogram: rows whose output tokens fall in `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TokenBin {
    /// Lowest token count of the bin.
    pub from: u64,
    /// Highest token count of the bin.
    pub to: u64,
    /// Rows in it.
    pub rows: u64,
}

/// The bins of the output-token histogram kept with the table.
pub const TOKEN_BINS: u64 = 12;

/// The indexed results of one run.
pub struct ResultsTable {
    path: PathBuf,
    db: Connection,
    columns: Vec<String>,
    /// The answer's typed fields: the columns just before the result columns (none for free text).
    fields: Vec<AnswerField>,
}

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE rows (
    idx INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    output_tokens INTEGER,
    cells TEXT NOT NULL
);
CREATE TABLE attempts (
    idx INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    folder TEXT NOT NULL,
    status TEXT NOT NULL,
    output TEXT NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (idx, ordinal)
);
";

/// True when `columns` end with this version's result columns (each possibly prefixed to stay unique).
fn ends_with_result_columns(columns: &[String]) -> bool {
    let n = columns.len();
    n >= RESULT_COLUMNS.len()
        && columns[n - RESULT_COLUMNS.len()..].iter().zip(RESULT_COLUMNS).all(|(c, r)| c.ends_with(r))
}

impl ResultsTable {
    /// Indexes a joined CSV export into `table`, replacing it atomically (a fetch feeds the index from the
    /// join directly, through [`TableWriter`]).
    pub fn build(export_csv: &Path, table: &Path) -> Result<Self, ResultsTableError> {
        let options = SheetOptions { sheet: None, delimiter: Some(b',') };
        let mut source = open_sheet(export_csv, &options)?;
        let columns = source.meta().headers.clone();
        if !ends_with_result_columns(&columns) {
            return Err(ResultsTableError::NotResults {
                path: export_csv.to_path_buf(),
                expected: RESULT_COLUMNS.join(", "),
            });
        }
        let inputs = columns.len() - RESULT_COLUMNS.len();
        let mut writer = TableWriter::create(table, &ExportColumns { names: columns, inputs, fields: Vec::new() })?;
        let mut row = Row::new();
        while source.next_row(&mut row)? {
            writer.insert(row.number(), row.iter())?;
        }
        writer.complete()
    }

    /// Opens a table built earlier.
    pub fn open(table: &Path) -> Result<Self, ResultsTableError> {
        let sqlite = |source| ResultsTableError::Sqlite { path: table.to_path_buf(), source };
        if !table.is_file() {
            return Err(ResultsTableError::Missing { path: table.to_path_buf() });
        }
        let db = Connection::open_with_flags(table, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sqlite)?;
        let names: String =
            db.query_row("SELECT value FROM meta WHERE key = 'columns'", [], |r| r.get(0)).map_err(sqlite)?;
        let columns: Vec<String> = serde_json::from_str(&names).unwrap_or_default();
        let fields: Vec<AnswerField> = db
            .query_row("SELECT value FROM meta WHERE key = 'answer_fields'", [], |r| r.get::<_, String>(0))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        if !ends_with_result_columns(&columns) || columns.len() < RESULT_COLUMNS.len() + fields.len() {
            // Built by an earlier version, with other result columns.
            return Err(ResultsTableError::NotResults {
                path: table.to_path_buf(),
                expected: RESULT_COLUMNS.join(", "),
            });
        }
        Ok(Self { path: table.to_path_buf(), db, columns, fields })
    }

    fn sqlite(&self) -> impl FnOnce(rusqlite::Error) -> ResultsTableError + '_ {
        move |source| ResultsTableError::Sqlite { path: self.path.clone(), source }
    }

    /// The column names: the input's, the answer's fields, then the result columns.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Every answer row `number` (1-based) got when it got more than one (a retried row), the chosen one first;
    /// none for a row answered once (and for tables built before attempts were kept).
    pub fn attempts(&self, number: u64) -> Result<Vec<Attempt>, ResultsTableError> {
        let query = "SELECT folder, status, output, error FROM attempts WHERE idx = ?1 ORDER BY ordinal";
        let Ok(mut statement) = self.db.prepare(query) else { return Ok(Vec::new()) };
        let rows = statement
            .query_map([number as i64], |r| {
                Ok(Attempt {
                    folder: r.get(0)?,
                    status: Status::from_text(&r.get::<_, String>(1)?),
                    output: r.get(2)?,
                    error: r.get(3)?,
                })
            })
            .map_err(self.sqlite())?;
        rows.collect::<Result<_, _>>().map_err(self.sqlite())
    }

    /// The record ids of the rows `filter` shows, read a page at a time.
    pub fn record_ids(&self, filter: &RowFilter) -> Result<std::collections::HashSet<String>, ResultsTableError> {
        const PAGE: u64 = 10_000;
        let at = self.export_columns().results_start();
        let mut ids = std::collections::HashSet::new();
        let mut offset = 0;
        loop {
            let page = self.page(filter, offset, PAGE)?;
            let got = page.rows.len() as u64;
            ids.extend(
                page.rows.into_iter().filter_map(|(_, mut cells)| (at < cells.len()).then(|| cells.swap_remove(at))),
            );
            offset += got;
            if got < PAGE || offset >= page.matching {
                return Ok(ids);
            }
        }
    }

    /// The answer's typed fields, whose columns come just before the result columns (none for free text).
    pub fn answer_fields(&self) -> &[AnswerField] {
        &self.fields
    }

    /// The columns with what they hold, as an export needs them.
    pub fn export_columns(&self) -> ExportColumns {
        let inputs = self.columns.len() - RESULT_COLUMNS.len() - self.fields.len();
        ExportColumns { names: self.columns.clone(), inputs, fields: self.fields.clone() }
    }

    /// Rows `offset..offset + limit` of those matching `filter`, in input order.
    pub fn page(&self, filter: &RowFilter, offset: u64, limit: u64) -> Result<ResultsPage, ResultsTableError> {
        let limit = limit.min(1000) as i64;
        let (condition, owned) = self.condition(filter)?;
        let mut values: Vec<&dyn rusqlite::ToSql> = owned.iter().map(AsRef::as_ref).collect();
        let matching: i64 = match self.remembered::<i64>("rows").filter(|_| condition.is_empty()) {
            Some(rows) => rows,
            None => self
                .db
                .prepare_cached(&format!("SELECT count(*) FROM rows {condition}"))
                .and_then(|mut q| q.query_row(values.as_slice(), |r| r.get(0)))
                .map_err(self.sqlite())?,
        };
        let n = values.len();
        let sql = if condition.is_empty() {
            // Row numbers are 1..=n without gaps: seek by key instead of skipping `offset` rows.
            "SELECT idx, cells FROM rows WHERE idx > ?2 ORDER BY idx LIMIT ?1".to_string()
        } else {
            format!("SELECT idx, cells FROM rows {condition} ORDER BY idx LIMIT ?{} OFFSET ?{}", n + 1, n + 2)
        };
        let offset = offset as i64;
        values.push(&limit);
        values.push(&offset);
        let mut query = self.db.prepare_cached(&sql).map_err(self.sqlite())?;
        let mut found = query.query(values.as_slice()).map_err(self.sqlite())?;
        let mut rows = Vec::new();
        while let Some(r) = found.next().map_err(self.sqlite())? {
            let idx: i64 = r.get(0).map_err(self.sqlite())?;
            let cells: String = r.get(1).map_err(self.sqlite())?;
            rows.push((idx as u64, serde_json::from_str(&cells).unwrap_or_default()));
        }
        Ok(ResultsPage { matching: matching as u64, rows })
    }

    /// The WHERE clause of `filter` (empty for none) and its values: only the conditions in use, so a status
    /// filter alone is answered from the (status, idx) index.
    fn condition(&self, filter: &RowFilter) -> Result<(String, Vec<Box<dyn rusqlite::ToSql>>), ResultsTableError> {
        let mut conditions = Vec::new();
        let mut values: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if let Some(status) = filter.status {
            values.push(Box::new(status.as_str()));
            conditions.push(format!("status = ?{}", values.len()));
        }
        if let Some(pattern) = filter.search.as_deref().filter(|s| !s.is_empty()).map(like_pattern) {
            values.push(Box::new(pattern));
            conditions.push(format!("cells LIKE ?{} ESCAPE '\\'", values.len()));
        }
        if let Some(wanted) = &filter.field {
            let Some(at) = self.fields.iter().position(|f| f.name == wanted.name) else {
                let names: Vec<&str> = self.fields.iter().map(|f| f.name.as_str()).collect();
                return Err(ResultsTableError::UnknownField { name: wanted.name.clone(), fields: names.join(", ") });
            };
            let column = self.export_columns().inputs + at;
            values.push(Box::new(wanted.value.clone()));
            let n = values.len();
            conditions.push(match self.fields[at].kind {
                // A list's cell is a JSON array: the value is one of its items.
                FieldKind::TextList | FieldKind::SomeOf(_) => format!(
                    "EXISTS (SELECT 1 FROM json_each(json_extract(cells, '$[{column}]')) WHERE json_each.value = ?{n})"
                ),
                _ => format!("json_extract(cells, '$[{column}]') = ?{n}"),
            });
        }
        let condition =
            if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
        Ok((condition, values))
    }

    /// One row by its 1-based input row number.
    pub fn row(&self, number: u64) -> Result<Option<Vec<String>>, ResultsTableError> {
        let cells: Option<String> = self
            .db
            .query_row("SELECT cells FROM rows WHERE idx = ?1", [number as i64], |r| r.get(0))
            .optional()
            .map_err(self.sqlite())?;
        Ok(cells.map(|c| serde_json::from_str(&c).unwrap_or_default()))
    }

    /// A value kept in the table's meta at build time.
    fn remembered<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        let text: String =
            self.db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional().ok()??;
        serde_json::from_str(&text).ok()
    }

    /// Rows by status.
    pub fn counts(&self) -> Result<StatusCounts, ResultsTableError> {
        match self.remembered("counts") {
            Some(counts) => Ok(counts),
            None => self.count_statuses(),
        }
    }

    /// The rows' output tokens in [`TOKEN_BINS`] equal-width bins (empty when no row reports tokens).
    pub fn output_token_bins(&self) -> Result<Vec<TokenBin>, ResultsTableError> {
        match self.remembered("output_token_bins") {
            Some(bins) => Ok(bins),
            None => self.bin_output_tokens(TOKEN_BINS),
        }
    }

    fn count_statuses(&self) -> Result<StatusCounts, ResultsTableError> {
        let mut counts = StatusCounts::default();
        let mut query = self.db.prepare("SELECT status, count(*) FROM rows GROUP BY status").map_err(self.sqlite())?;
        let mut found = query.query([]).map_err(self.sqlite())?;
        while let Some(r) = found.next().map_err(self.sqlite())? {
            let status: String = r.get(0).map_err(self.sqlite())?;
            let n: i64 = r.get(1).map_err(self.sqlite())?;
            match Status::from_text(&status) {
                Status::Succeeded => counts.succeeded = n as u64,
                Status::Failed => counts.failed = n as u64,
                Status::Missing => counts.missing += n as u64,
                Status::Invalid => counts.invalid = n as u64,
                Status::Truncated => counts.truncated = n as u64,
                Status::Empty => counts.empty = n as u64,
            }
        }
        Ok(counts)
    }

    fn bin_output_tokens(&self, bins: u64) -> Result<Vec<TokenBin>, ResultsTableError> {
        let range: (Option<i64>, Option<i64>) = self
            .db
            .query_row("SELECT min(output_tokens), max(output_tokens) FROM rows", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.sqlite())?;
        let (Some(low), Some(high)) = range else { return Ok(Vec::new()) };
        let bins = bins.max(1) as i64;
        let width = ((high - low) / bins + 1).max(1);
        let mut query = self
            .db
            .prepare(
                "SELECT (output_tokens - ?1) / ?2 AS bin, count(*) FROM rows WHERE output_tokens IS NOT NULL GROUP BY bin ORDER BY bin",
            )
            .map_err(self.sqlite())?;
        let mut found = query.query(params![low, width]).map_err(self.sqlite())?;
        let mut out = Vec::new();
        while let Some(r) = found.next().map_err(self.sqlite())? {
            let bin: i64 = r.get(0).map_err(self.sqlite())?;
            let rows: i64 = r.get(1).map_err(self.sqlite())?;
            let from = low + bin * width;
            out.push(TokenBin { from: from as u64, to: (from + width - 1) as u64, rows: rows as u64 });
        }
        Ok(out)
    }
}

/// A LIKE pattern that finds `text` literally anywhere.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

mod export;
mod writer;

pub use export::{Exported, TableExportError};

#[cfg(test)]
mod tests;
