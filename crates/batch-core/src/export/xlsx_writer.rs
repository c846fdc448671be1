//! XLSX export in constant memory: every value a text cell (tokens and the answer's numbers as numbers, its
//! booleans as booleans, its dates as dates), never a formula.

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::temp_file::TempTarget;
use super::{ExportColumns, ExportError, ResultFields, RowWriter, input_cells};
use crate::answer::Cell;
use crate::sheet::Row;

/// Data rows an XLSX sheet can hold below its header row.
pub const XLSX_MAX_DATA_ROWS: u64 = 1_048_575;
/// Characters an XLSX cell can hold.
pub const XLSX_MAX_CELL_CHARS: usize = 32_767;

pub(crate) struct XlsxExport {
    temp: TempTarget,
    workbook: Workbook,
    columns: ExportColumns,
    next_row: u32,
    max_rows: u64,
    date: Format,
}

impl XlsxExport {
    pub(crate) fn create(path: &Path, columns: &ExportColumns) -> Result<Self, ExportError> {
        Self::create_with_cap(path, columns, XLSX_MAX_DATA_ROWS)
    }

    /// An export that holds at most `max_rows` data rows (the sheet's limit; lower in tests of the limit).
    pub(crate) fn create_with_cap(path: &Path, columns: &ExportColumns, max_rows: u64) -> Result<Self, ExportError> {
        let temp = TempTarget::new(path);
        let mut workbook = Workbook::new();
        let header = Format::new().set_bold();
        let sheet = workbook.add_worksheet_with_constant_memory();
        let setup: Result<(), XlsxError> = (|| {
            let sheet = sheet?;
            sheet.set_name("Results")?;
            for (col, name) in columns.names.iter().enumerate() {
                sheet.write_string_with_format(0, col as u16, name, &header)?;
            }
            sheet.set_freeze_panes(1, 0)?;
            Ok(())
        })();
        setup.map_err(|e| temp.error(e))?;
        let date = Format::new().set_num_format("yyyy-mm-dd");
        Ok(Self { temp, workbook, columns: columns.clone(), next_row: 1, max_rows, date })
    }

    fn too_long(&self, column: usize, row: u64) -> ExportError {
        ExportError::DoesNotFit {
            path: self.temp.target().to_path_buf(),
            detail: format!(
                "row {row}, column \"{}\" holds more than the {XLSX_MAX_CELL_CHARS} characters an XLSX cell can; export to .csv or .parquet instead",
                self.columns.names.get(column).map(String::as_str).unwrap_or("?")
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

/// An answer cell with its type: numbers and whole numbers as numbers, booleans as booleans, dates as dates.
fn put_cell(sheet: &mut Worksheet, row: u32, col: usize, cell: &Cell, date: &Format) -> Result<(), XlsxError> {
    let col = col as u16;
    match cell {
        Cell::Null => {}
        Cell::Number(n) => {
            sheet.write_number(row, col, *n)?;
        }
        Cell::Integer(n) => {
            sheet.write_number(row, col, *n as f64)?;
        }
        Cell::Boolean(b) => {
            sheet.write_boolean(row, col, *b)?;
        }
        Cell::Date(text) => match ExcelDateTime::parse_from_str(text) {
            Ok(day) => {
                sheet.write_datetime_with_format(row, col, &day, date)?;
            }
            Err(_) => put_text(sheet, row, col.into(), text)?,
        },
        other => put_text(sheet, row, col.into(), &other.text())?,
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
        let (inputs, n) = (self.columns.inputs, self.columns.results_start());
        let too_long = |t: &str| t.len() > XLSX_MAX_CELL_CHARS && t.chars().count() > XLSX_MAX_CELL_CHARS;
        let answer: Vec<&Cell> = result.answer_cells(n - inputs).collect();
        if let Some(col) = input_cells(input, inputs).position(too_long) {
            return Err(self.too_long(col, input.number()));
        }
        if let Some(col) = answer.iter().position(|cell| too_long(&cell.text())) {
            return Err(self.too_long(inputs + col, input.number()));
        }
        let texts = [result.record_id, result.status.as_str(), &outcome.output, &outcome.error];
        if let Some(col) = texts.iter().position(|t| too_long(t)) {
            return Err(self.too_long(n + col, input.number()));
        }
        if outcome.stop_reason.chars().count() > XLSX_MAX_CELL_CHARS {
            return Err(self.too_long(n + 6, input.number()));
        }
        let date = &self.date;
        let written: Result<(), XlsxError> = (|| {
            let sheet = self.workbook.worksheet_from_index(0)?;
            for (col, text) in input_cells(input, inputs).enumerate() {
                put_text(sheet, row, col, text)?;
            }
            for (i, cell) in answer.iter().enumerate() {
                put_cell(sheet, row, inputs + i, cell, date)?;
            }
            for (i, text) in texts.iter().enumerate() {
                put_text(sheet, row, n + i, text)?;
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
