//! XLSX export in constant memory: every value a text cell (tokens as numbers), never a formula.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::temp_file::TempTarget;
use super::{ExportError, ResultFields, RowWriter};
use crate::sheet::Row;

/// Data rows an XLSX sheet can hold below its header row.
pub const XLSX_MAX_DATA_ROWS: u64 = 1_048_575;
/// Characters an XLSX cell can hold.
pub const XLSX_MAX_CELL_CHARS: usize = 32_767;

pub(crate) struct XlsxExport {
    temp: TempTarget,
    workbook: Workbook,
    columns: Vec<String>,
    next_row: u32,
    max_rows: u64,
}

impl XlsxExport {
    pub(crate) fn create(path: &Path, columns: &[String]) -> Result<Self, ExportError> {
        Self::create_with_cap(path, columns, XLSX_MAX_DATA_ROWS)
    }

    /// An export that holds at most `max_rows` data rows (the sheet's limit; lower in tests of the limit).
    pub(crate) fn create_with_cap(path: &Path, columns: &[String], max_rows: u64) -> Result<Self, ExportError> {
        let temp = TempTarget::new(path);
        let mut workbook = Workbook::new();
        let header = Format::new().set_bold();
        let sheet = workbook.add_worksheet_with_constant_memory();
        let setup: Result<(), XlsxError> = (|| {
            let sheet = sheet?;
            sheet.set_name("Results")?;
            for (col, name) in columns.iter().enumerate() {
                sheet.write_string_with_format(0, col as u16, name, &header)?;
            }
            sheet.set_freeze_panes(1, 0)?;
            Ok(())
        })();
        setup.map_err(|e| temp.error(e))?;
        Ok(Self { temp, workbook, columns: columns.to_vec(), next_row: 1, max_rows })
    }

    fn too_long(&self, column: usize, row: u64) -> ExportError {
        ExportError::DoesNotFit {
            path: self.temp.target().to_path_buf(),
            detail: format!(
                "row {row}, column \"{}\" holds more than the {XLSX_MAX_CELL_CHARS} characters an XLSX cell can; export to .csv or .parquet instead",
                self.columns.get(column).map(String::as_str).unwrap_or("?")
            ),
        }
    }
}

fn put_text(sheet: &mut Worksheet, row: u32, col: usize, text: &str) -> Result<(), XlsxError> {
    if !text.is_empty() {
        sheet.write_string(row, col as u16, text)?;
    }
    Ok(())
}

impl RowWriter for XlsxExport {
    fn write(&mut self, input: &Row, result: &ResultFields<'_>) -> Result<(), ExportError> {
        if u64::from(self.next_row) > self.max_rows {
            return Err(ExportError::DoesNotFit {
                path: self.temp.target().to_path_buf(),
                detail: format!(
                    "more than the {} rows an XLSX sheet holds; export to .csv or .parquet instead",
                    self.max_rows
                ),
            });
        }
        let row = self.next_row;
        let outcome = result.outcome;
        let texts: Vec<&str> =
            input.iter().chain([result.record_id, result.status.as_str(), &outcome.output, &outcome.error]).collect();
        if let Some(col) =
            texts.iter().position(|t| t.len() > XLSX_MAX_CELL_CHARS && t.chars().count() > XLSX_MAX_CELL_CHARS)
        {
            return Err(self.too_long(col, input.number()));
        }
        if outcome.stop_reason.chars().count() > XLSX_MAX_CELL_CHARS {
            return Err(self.too_long(self.columns.len() - 2, input.number()));
        }
        let n = input.len();
        let written: Result<(), XlsxError> = (|| {
            let sheet = self.workbook.worksheet_from_index(0)?;
            for (col, text) in texts.iter().enumerate() {
                put_text(sheet, row, col, text)?;
            }
            if let Some(tokens) = outcome.input_tokens {
                sheet.write_number(row, (n + 4) as u16, tokens as f64)?;
            }
            if let Some(tokens) = outcome.output_tokens {
                sheet.write_number(row, (n + 5) as u16, tokens as f64)?;
            }
            put_text(sheet, row, n + 6, &outcome.stop_reason)?;
            put_text(sheet, row, n + 7, outcome.tier_text())
        })();
        written.map_err(|e| self.temp.error(e))?;
        self.next_row += 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), ExportError> {
        let Self { temp, mut workbook, .. } = *self;
        workbook.save(temp.path()).map_err(|e| temp.error(e))?;
        temp.persist()
    }
}
