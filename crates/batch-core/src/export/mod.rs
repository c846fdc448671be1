//! Exports of joined results: CSV, XLSX, Parquet and JSON Lines — every input row once, in input order:
//! the input columns, then the answer's typed fields (a run with an answer shape), then the result columns.
//! CSV holds every value as text; XLSX writes numbers and booleans as such; Parquet and JSON Lines keep the
//! fields' types (numbers, whole numbers, booleans, dates, lists).
//!
//! Each writer streams rows to a temporary file beside the target and renames it into place when finished,
//! so a failed export never leaves a half-written file under the requested name.

mod csv_writer;
mod jsonl_writer;
mod parquet_writer;
mod temp_file;
mod xlsx_writer;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::answer::{AnswerField, Cell};
use crate::results::{Outcome, Status};
use crate::sheet::Row;

pub use csv_writer::excel_safe;
pub(crate) use temp_file::TempTarget;
pub use xlsx_writer::{XLSX_MAX_CELL_CHARS, XLSX_MAX_DATA_ROWS};

/// The result columns, in order, after the input columns.
pub const RESULT_COLUMNS: [&str; 8] =
    ["record_id", "status", "output", "error", "input_tokens", "output_tokens", "stop_reason", "tier"];

/// Export file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Comma-separated values, UTF-8.
    Csv,
    /// Excel workbook; every value a text or number cell, never a formula.
    Xlsx,
    /// Apache Parquet.
    Parquet,
    /// One JSON object per line.
    Jsonl,
}

impl ExportFormat {
    /// The format named by a file's extension.
    pub fn from_path(path: &Path) -> Result<Self, ExportError> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
        match ext.as_str() {
            "csv" => Ok(Self::Csv),
            "xlsx" => Ok(Self::Xlsx),
            "parquet" => Ok(Self::Parquet),
            "jsonl" | "ndjson" => Ok(Self::Jsonl),
            _ => Err(ExportError::UnknownFormat { path: path.to_path_buf() }),
        }
    }

    /// A display name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Xlsx => "XLSX",
            Self::Parquet => "Parquet",
            Self::Jsonl => "JSON Lines",
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The extension names no supported format.
    #[error("{}: unknown export format; end the file name with .csv, .xlsx, .parquet or .jsonl", path.display())]
    UnknownFormat {
        /// The target.
        path: PathBuf,
    },
    /// Writing failed.
    #[error("{}: cannot write the export: {detail}; check the folder exists and is writable", path.display())]
    Write {
        /// The target.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// The export would replace a file it is made from.
    #[error("{}: this is {what}; writing the export there would destroy it — export to another file name", path.display())]
    WouldOverwrite {
        /// The target.
        path: PathBuf,
        /// What the file is ("the sheet the results are joined to").
        what: &'static str,
    },
    /// The data does not fit the format (XLSX row or cell limits).
    #[error("{}: {detail}", path.display())]
    DoesNotFit {
        /// The target.
        path: PathBuf,
        /// What does not fit and what to use instead.
        detail: String,
    },
}

/// Refuses an export to one of `sources` — each a file the export is made from, with what it is — whatever
/// the spelling of the paths (relative, `..`, symbolic links): the export would overwrite its own input.
pub fn refuse_overwriting(export: &Path, sources: &[(&Path, &'static str)]) -> Result<(), ExportError> {
    let resolved = |path: &Path| -> Option<PathBuf> {
        std::fs::canonicalize(path).ok().or_else(|| {
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            Some(std::fs::canonicalize(parent).ok()?.join(path.file_name()?))
        })
    };
    let Some(target) = resolved(export) else { return Ok(()) };
    for (source, what) in sources {
        if resolved(source).is_some_and(|s| s == target) {
            return Err(ExportError::WouldOverwrite { path: export.to_path_buf(), what });
        }
    }
    Ok(())
}

/// The result fields of one row.
#[derive(Debug, Clone, Copy)]
pub struct ResultFields<'a> {
    /// The record id of the row.
    pub record_id: &'a str,
    /// Succeeded, failed or missing.
    pub status: Status,
    /// Output, error, tokens and stop reason.
    pub outcome: &'a Outcome,
    /// The answer's typed cells, one per answer field (none for free text; nulls when the answer is not valid).
    pub answer: &'a [Cell],
    /// Every answer the row got when it got more than one (retries), the chosen one first; else none.
    pub attempts: &'a [crate::results::Attempt],
}

/// Writes joined rows to one export file.
pub trait RowWriter {
    /// Writes one row: the input cells, then the result fields.
    fn write(&mut self, input: &Row, result: &ResultFields<'_>) -> Result<(), ExportError>;
    /// Completes the file and moves it into place.
    fn finish(self: Box<Self>) -> Result<(), ExportError>;
}

/// The columns of an export: the input's, the answer's fields, then the result columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportColumns {
    /// Every column's name, unique.
    pub names: Vec<String>,
    /// How many input columns come first.
    pub inputs: usize,
    /// The answer's typed fields, after the inputs (empty for free text).
    pub fields: Vec<AnswerField>,
}

impl ExportColumns {
    /// The index of the first result column (`record_id`).
    pub fn results_start(&self) -> usize {
        self.inputs + self.fields.len()
    }
}

/// The export's columns: the input headers, the answer's fields, then the result columns — a field or result
/// column whose name an earlier column already uses gets an `answer_` / `result_` prefix so every name stays
/// unique (field names never are result column names: the shape refuses them).
pub fn result_columns(headers: &[String], fields: &[AnswerField]) -> ExportColumns {
    let mut names: Vec<String> = headers.to_vec();
    let unique = |name: &str, prefix: &str, names: &mut Vec<String>| {
        let mut candidate = name.to_string();
        while names.contains(&candidate) {
            candidate = format!("{prefix}{candidate}");
        }
        names.push(candidate);
    };
    for field in fields {
        unique(&field.name, "answer_", &mut names);
    }
    for name in RESULT_COLUMNS {
        unique(name, "result_", &mut names);
    }
    ExportColumns { names, inputs: headers.len(), fields: fields.to_vec() }
}

impl ResultFields<'_> {
    /// The row's answer cells, exactly `fields` of them (nulls where the answer has none).
    pub fn answer_cells(&self, fields: usize) -> impl Iterator<Item = &Cell> {
        self.answer.iter().chain(std::iter::repeat(&Cell::Null)).take(fields)
    }
}

/// The row's input cells, exactly `inputs` of them (empty where the row is short).
pub fn input_cells(input: &Row, inputs: usize) -> impl Iterator<Item = &str> {
    input.iter().chain(std::iter::repeat("")).take(inputs)
}

/// Opens a writer for `format` at `path` with these columns.
pub fn open_writer(
    path: &Path,
    format: ExportFormat,
    columns: &ExportColumns,
    excel_safe: bool,
) -> Result<Box<dyn RowWriter>, ExportError> {
    Ok(match format {
        ExportFormat::Csv => Box::new(csv_writer::CsvExport::create(path, columns, excel_safe)?),
        ExportFormat::Xlsx => Box::new(xlsx_writer::XlsxExport::create(path, columns)?),
        ExportFormat::Parquet => Box::new(parquet_writer::ParquetExport::create(path, columns)?),
        ExportFormat::Jsonl => Box::new(jsonl_writer::JsonlExport::create(path, columns)?),
    })
}

/// The result values of a row as text (tokens and tier empty when unknown), in `RESULT_COLUMNS` order.
pub fn result_texts<'a>(result: &'a ResultFields<'a>, tokens: &'a mut [String; 2]) -> [&'a str; 8] {
    tokens[0] = result.outcome.input_tokens.map(|t| t.to_string()).unwrap_or_default();
    tokens[1] = result.outcome.output_tokens.map(|t| t.to_string()).unwrap_or_default();
    [
        result.record_id,
        result.status.as_str(),
        &result.outcome.output,
        &result.outcome.error,
        &tokens[0],
        &tokens[1],
        &result.outcome.stop_reason,
        result.outcome.tier_text(),
    ]
}

#[cfg(test)]
mod tests;
