//! Exports written from the results index: every row once, in input order, with the columns the join gave
//! them — no second join over the downloaded outputs.

use std::path::Path;

use batch_core::answer::Cell;
use batch_core::export::{ExportError, ExportFormat, ResultFields, open_writer};
use batch_core::results::{Outcome, Status};
use batch_core::service_tier::Tier;
use batch_core::sheet::Row;

use super::{ResultsTable, ResultsTableError};

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// Rows written.
    pub rows: u64,
    /// Its format.
    pub format: ExportFormat,
}

/// Why an export from the index failed.
#[derive(Debug, thiserror::Error)]
pub enum TableExportError {
    /// The index could not be read.
    #[error(transparent)]
    Table(#[from] ResultsTableError),
    /// The file could not be written, or the rows do not fit its format.
    #[error(transparent)]
    Export(#[from] ExportError),
}

impl ResultsTable {
    /// Writes every row to `path` (CSV, XLSX, Parquet or JSON Lines by its extension); `excel_safe` makes a
    /// CSV's cells inert in spreadsheets.
    pub fn export(&self, path: &Path, excel_safe: bool) -> Result<Exported, TableExportError> {
        let format = ExportFormat::from_path(path)?;
        let n = self.columns.len();
        let columns = self.export_columns();
        let (inputs, results) = (columns.inputs, columns.results_start());
        let mut writer = open_writer(path, format, &columns, excel_safe)?;
        let mut query = self.db.prepare("SELECT idx, cells FROM rows ORDER BY idx").map_err(self.sqlite())?;
        let mut rows = query.query([]).map_err(self.sqlite())?;
        let mut written = 0;
        while let Some(row) = rows.next().map_err(self.sqlite())? {
            let number: i64 = row.get(0).map_err(self.sqlite())?;
            let text: String = row.get(1).map_err(self.sqlite())?;
            let mut cells: Vec<String> = serde_json::from_str(&text).unwrap_or_default();
            cells.resize(n, String::new());
            let answer: Vec<Cell> = columns
                .fields
                .iter()
                .zip(&cells[inputs..results])
                .map(|(f, text)| Cell::parse(&f.kind, text))
                .collect();
            let result = &cells[results..];
            let outcome = Outcome {
                output: result[2].clone(),
                error: result[3].clone(),
                input_tokens: result[4].parse().ok(),
                output_tokens: result[5].parse().ok(),
                stop_reason: result[6].clone(),
                tier: Tier::parse(&result[7]),
                // The table keeps the exported columns only; the cache counts are in the run's summary.
                ..Outcome::default()
            };
            let status = Status::from_text(&result[1]);
            let fields =
                ResultFields { record_id: &result[0], status, outcome: &outcome, answer: &answer, attempts: &[] };
            writer.write(&Row::from_cells(number as u64, &cells[..inputs]), &fields)?;
            written += 1;
        }
        writer.finish()?;
        Ok(Exported { rows: written, format })
    }
}
