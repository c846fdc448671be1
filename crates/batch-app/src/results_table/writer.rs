//! Builds a results index row by row: the join writes into it as it streams (it is the join's `RowWriter`),
//! or a joined CSV is read into it. The table is built beside its place and moved there when complete, so
//! an interrupted build never leaves half a table.

use std::path::{Path, PathBuf};

use batch_core::export::{
    ExportColumns, ExportError, RESULT_COLUMNS, ResultFields, RowWriter, input_cells, result_texts,
};
use batch_core::results::{Attempt, OpenWriter};
use batch_core::sheet::Row;
use rusqlite::{Connection, params};

use super::{ResultsTable, ResultsTableError, SCHEMA, TOKEN_BINS};

/// A results index being built.
pub struct TableWriter {
    table: PathBuf,
    temp: PathBuf,
    db: Connection,
    /// Columns in all: the input's, the answer's fields, then the result columns.
    width: usize,
    /// Input columns.
    inputs: usize,
    /// Answer fields.
    fields: usize,
}

impl TableWriter {
    /// Starts the index of a result with these columns (the input's, the answer's fields, then the result
    /// columns), to replace `table` when complete.
    pub fn create(table: &Path, columns: &ExportColumns) -> Result<Self, ResultsTableError> {
        let temp = table.with_extension("building");
        let sqlite = |source| ResultsTableError::Sqlite { path: table.to_path_buf(), source };
        let _ = std::fs::remove_file(&temp);
        let db = Connection::open(&temp).map_err(sqlite)?;
        db.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;").map_err(sqlite)?;
        db.execute_batch(SCHEMA).map_err(sqlite)?;
        db.execute_batch("BEGIN").map_err(sqlite)?;
        let names = serde_json::to_string(&columns.names).unwrap_or_else(|_| "[]".into());
        let fields = serde_json::to_string(&columns.fields).unwrap_or_else(|_| "[]".into());
        let mut remember = db.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)").map_err(sqlite)?;
        remember.execute(["columns", &names]).map_err(sqlite)?;
        remember.execute(["answer_fields", &fields]).map_err(sqlite)?;
        drop(remember);
        let width = columns.names.len().max(RESULT_COLUMNS.len() + columns.fields.len());
        Ok(Self { table: table.to_path_buf(), temp, db, width, inputs: columns.inputs, fields: columns.fields.len() })
    }

    /// What the join calls to open the index at `table` for its columns (`join_results_into`).
    pub fn opener(table: PathBuf) -> OpenWriter<'static> {
        Box::new(move |columns| {
            let writer = Self::create(&table, columns).map_err(|e| written(&table, e))?;
            Ok(Box::new(writer) as Box<dyn RowWriter>)
        })
    }

    fn sqlite(&self) -> impl FnOnce(rusqlite::Error) -> ResultsTableError + '_ {
        move |source| ResultsTableError::Sqlite { path: self.table.clone(), source }
    }

    /// Adds row `idx` (1-based, input order) with its cells, padded or cut to the table's columns.
    pub fn insert<'c>(&mut self, idx: u64, cells: impl IntoIterator<Item = &'c str>) -> Result<(), ResultsTableError> {
        let mut cells: Vec<&str> = cells.into_iter().take(self.width).collect();
        cells.resize(self.width, "");
        let inputs = self.width - RESULT_COLUMNS.len();
        let (status, output_tokens) = (cells[inputs + 1], cells[inputs + 5].parse::<i64>().ok());
        let json = serde_json::to_string(&cells).unwrap_or_else(|_| "[]".into());
        let mut insert = self
            .db
            .prepare_cached("INSERT INTO rows (idx, status, output_tokens, cells) VALUES (?1, ?2, ?3, ?4)")
            .map_err(self.sqlite())?;
        insert.execute(params![idx as i64, status, output_tokens, json]).map_err(self.sqlite())?;
        Ok(())
    }

    /// Keeps every answer row `idx` got (a retried row's attempts, the chosen one first).
    pub fn insert_attempts(&mut self, idx: u64, attempts: &[Attempt]) -> Result<(), ResultsTableError> {
        if attempts.is_empty() {
            return Ok(());
        }
        let mut insert = self
            .db
            .prepare_cached(
                "INSERT INTO attempts (idx, ordinal, folder, status, output, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(self.sqlite())?;
        for (ordinal, a) in attempts.iter().enumerate() {
            let values = params![idx as i64, ordinal as i64, a.folder, a.status.as_str(), a.output, a.error];
            insert.execute(values).map_err(self.sqlite())?;
        }
        Ok(())
    }

    /// Commits the rows, indexes them by status, records what every opening shows (row count, counts, token
    /// bins) and moves the table into place.
    pub fn complete(self) -> Result<ResultsTable, ResultsTableError> {
        let sqlite = |source| ResultsTableError::Sqlite { path: self.table.clone(), source };
        self.db.execute_batch("CREATE INDEX rows_by_status ON rows (status, idx); COMMIT;").map_err(sqlite)?;
        {
            let built = ResultsTable { path: self.temp.clone(), db: self.db, columns: Vec::new(), fields: Vec::new() };
            let rows: i64 = built.db.query_row("SELECT count(*) FROM rows", [], |r| r.get(0)).map_err(sqlite)?;
            let counts = serde_json::to_string(&built.count_statuses()?).unwrap_or_default();
            let bins = serde_json::to_string(&built.bin_output_tokens(TOKEN_BINS)?).unwrap_or_default();
            let mut remember = built.db.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)").map_err(sqlite)?;
            for (key, value) in [("rows", rows.to_string()), ("counts", counts), ("output_token_bins", bins)] {
                remember.execute(params![key, value]).map_err(sqlite)?;
            }
        }
        std::fs::rename(&self.temp, &self.table)
            .map_err(|source| ResultsTableError::Io { path: self.table.clone(), source })?;
        ResultsTable::open(&self.table)
    }
}

impl RowWriter for TableWriter {
    fn write(&mut self, input: &Row, result: &ResultFields<'_>) -> Result<(), ExportError> {
        let mut tokens = [String::new(), String::new()];
        let results = result_texts(result, &mut tokens);
        let answer: Vec<std::borrow::Cow<'_, str>> = result.answer_cells(self.fields).map(|c| c.text()).collect();
        let inputs = input_cells(input, self.inputs);
        let cells = inputs.chain(answer.iter().map(|c| c.as_ref())).chain(results);
        self.insert(input.number(), cells).map_err(|e| written(&self.table, e))?;
        self.insert_attempts(input.number(), result.attempts).map_err(|e| written(&self.table, e))
    }

    fn finish(self: Box<Self>) -> Result<(), ExportError> {
        let table = self.table.clone();
        self.complete().map(drop).map_err(|e| written(&table, e))
    }
}

/// A failure of the index, as the join reports a failed write.
fn written(table: &Path, error: ResultsTableError) -> ExportError {
    ExportError::Write { path: table.to_path_buf(), detail: error.to_string() }
}
