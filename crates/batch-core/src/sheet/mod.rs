//! Reading spreadsheets — CSV, XLSX/XLS/ODS workbooks, Parquet and JSON Lines — as streams of text rows.
//!
//! Every cell arrives as the text a spreadsheet would show: strings exactly as stored, integer-valued numbers
//! without a fractional part, empty cells as empty text. Rows stream one at a time, so a million-row CSV is
//! read in bounded memory.

pub(crate) mod cell_text;
mod container;
mod csv_source;
mod error;
mod format;
mod guard;
mod headers;
mod jsonl_source;
mod parquet_source;
mod row;
mod workbook_source;
mod xlsx_stream;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use cell_text::{format_number, format_unix_days};
pub use error::ImportError;
pub use format::SheetFormat;
pub use guard::is_guarded;
pub use row::Row;

/// How to open a sheet: which worksheet of a workbook and which CSV delimiter (sniffed when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetOptions {
    /// Worksheet name for XLSX/XLS/ODS; default: the first sheet that has data.
    pub sheet: Option<String>,
    /// CSV field delimiter; default: sniffed among `,` `;` tab `|`.
    pub delimiter: Option<u8>,
}

/// What was opened: the file, its format, the chosen worksheet or delimiter and the header row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SheetMeta {
    /// The file the rows come from.
    pub path: PathBuf,
    /// The detected format.
    pub format: SheetFormat,
    /// The worksheet read, for workbooks.
    pub sheet: Option<String>,
    /// The delimiter used, for CSV.
    pub delimiter: Option<u8>,
    /// Column names in file order; unique and non-empty.
    pub headers: Vec<String>,
}

/// A stream of data rows; each row has exactly one text cell per header.
pub trait RowSource {
    /// The file, format and headers of this stream.
    fn meta(&self) -> &SheetMeta;
    /// Reads the next data row into `row`; returns `false` at the end of the data.
    fn next_row(&mut self, row: &mut Row) -> Result<bool, ImportError>;

    /// How many data rows the source will most likely yield, when that is cheap to tell; a planning hint that
    /// callers must not rely on for correctness.
    fn count_hint(&mut self) -> Option<u64> {
        None
    }
}

/// Opens `path` as a sheet, detecting its format from its content and extension.
pub fn open_sheet(path: &Path, options: &SheetOptions) -> Result<Box<dyn RowSource>, ImportError> {
    let format = format::detect(path)?;
    if options.sheet.is_some() && !format.is_workbook() {
        return Err(ImportError::SheetOptionNotApplicable { path: path.to_path_buf(), format });
    }
    let source: Box<dyn RowSource> = match format {
        SheetFormat::Csv => Box::new(csv_source::CsvSource::open(path, options.delimiter)?),
        SheetFormat::Xlsx => Box::new(xlsx_stream::XlsxStream::open(path, options.sheet.as_deref())?),
        SheetFormat::Xls | SheetFormat::Ods => {
            Box::new(workbook_source::WorkbookSource::open(path, format, options.sheet.as_deref())?)
        }
        SheetFormat::Parquet => Box::new(parquet_source::ParquetSource::open(path)?),
        SheetFormat::Jsonl => Box::new(jsonl_source::JsonlSource::open(path)?),
    };
    Ok(source)
}

/// Lists the worksheet names of a workbook (empty for formats that have a single table).
pub fn sheet_names(path: &Path) -> Result<Vec<String>, ImportError> {
    let format = format::detect(path)?;
    if format.is_workbook() { workbook_source::sheet_names(path) } else { Ok(Vec::new()) }
}

#[cfg(test)]
mod tests;
