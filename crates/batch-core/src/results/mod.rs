//! Results: read a job's `*.jsonl.out` files and manifests, join them to the input rows by `recordId`, and
//! export every input row exactly once, in input order, with its outcome.
//!
//! Output order is not input order, so nothing is joined by position. A first pass indexes where each
//! record's line is; the second streams the sheet and reads each row's line on demand, so memory grows with
//! the number of rows (a few dozen bytes each), not with the size of the outputs.

mod index;
mod manifest;
mod outcome;
mod scan;
mod summary;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub use index::{CorruptLine, FolderStats, LineLocation, OutputIndex};
pub use manifest::{FoundManifest, MANIFEST_FILE, Manifest, read_manifest};
pub use outcome::{Outcome, ParsedLine, Status, extract, parse_line};
pub use scan::{OutputFiles, scan};
pub use summary::{ResultsSummary, TokenTotals};

use crate::export::{ExportError, ExportFormat, ResultFields, XLSX_MAX_DATA_ROWS, open_writer, result_columns};
use crate::prepare::{PLAN_FILE, PrepareError, PreparedPlan};
use crate::pricing::{PriceTable, batch_cost};
use crate::progress::Progress;
use crate::sheet::{ImportError, Row, SheetOptions, open_sheet};

/// What to join and where to export it.
#[derive(Debug, Clone)]
pub struct ResultsRequest {
    /// The sheet that was prepared.
    pub input: PathBuf,
    /// Worksheet / delimiter override; by default those recorded in the plan.
    pub sheet: Option<SheetOptions>,
    /// The prepared folder (with `plan.json`).
    pub prepared: PathBuf,
    /// The downloaded outputs folder.
    pub outputs: PathBuf,
    /// The export file; its extension picks the format.
    pub export: PathBuf,
    /// Neutralise cells that a spreadsheet would run as formulas (CSV only).
    pub excel_safe: bool,
    /// Prices for the cost from measured tokens.
    pub prices: PriceTable,
}

/// Why results could not be joined or exported.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The sheet could not be read.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The prepared folder is unusable.
    #[error(transparent)]
    Plan(#[from] PrepareError),
    /// The export failed.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// No output files were found.
    #[error("{}: no *.jsonl.out files found; download the job's output folder (s3://…/<output prefix>/<jobId>/) there first", dir.display())]
    NoOutputs {
        /// The folder searched.
        dir: PathBuf,
    },
    /// The sheet is not the one the plan was made from.
    #[error("{}: this is not the sheet that was prepared in {}: {detail}; pass the same --input (and --sheet) as for prepare", input.display(), prepared.display())]
    InputMismatch {
        /// The sheet given.
        input: PathBuf,
        /// The prepared folder.
        prepared: PathBuf,
        /// What differs.
        detail: String,
    },
    /// Reading an output file failed.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ResultsError + '_ {
    move |source| ResultsError::Io { path: path.to_path_buf(), source }
}

/// Joins the outputs to the sheet's rows and writes the export; returns the summary.
pub fn join_results(request: &ResultsRequest, progress: &dyn Progress) -> Result<ResultsSummary, ResultsError> {
    let plan = PreparedPlan::read(&request.prepared.join(PLAN_FILE))?;
    let format = ExportFormat::from_path(&request.export)?;
    let options = request.sheet.clone().unwrap_or_else(|| plan.input.sheet_options());
    let mut source = open_sheet(&request.input, &options)?;
    let headers = source.meta().headers.clone();
    let mismatch = |detail: String| ResultsError::InputMismatch {
        input: request.input.clone(),
        prepared: request.prepared.clone(),
        detail,
    };
    if headers != plan.input.columns {
        return Err(mismatch(format!("its columns are {:?}, the plan's are {:?}", headers, plan.input.columns)));
    }
    let mut warnings = Vec::new();
    let (_, fingerprint) = crate::prepare::fingerprint(&request.input).map_err(io(&request.input))?;
    if format!("{fingerprint:016x}") != plan.input.fingerprint {
        warnings.push("the input file changed since prepare (same columns); rows are matched by their position among the data rows".into());
    }

    let files = scan(&request.outputs).map_err(io(&request.outputs))?;
    if files.records.is_empty() {
        return Err(ResultsError::NoOutputs { dir: request.outputs.clone() });
    }
    progress.phase("Indexing outputs", None);
    let rows = plan.totals.records;
    let index = OutputIndex::build(&request.outputs, files.records, rows, &plan.record_ids.scheme())
        .map_err(io(&request.outputs))?;
    progress.finish();
    let manifests: Vec<FoundManifest> = files
        .manifests
        .iter()
        .filter_map(|path| match read_manifest(path) {
            Ok(counts) => Some(FoundManifest { path: path.clone(), counts }),
            Err(reason) => {
                warnings.push(format!("{}: skipped: {reason}", path.display()));
                None
            }
        })
        .collect();

    if format == ExportFormat::Xlsx && rows > XLSX_MAX_DATA_ROWS {
        return Err(ExportError::DoesNotFit {
            path: request.export.clone(),
            detail: format!("{rows} rows are more than the {XLSX_MAX_DATA_ROWS} an XLSX sheet holds; export to .csv or .parquet instead"),
        }
        .into());
    }
    let columns = result_columns(&headers);
    let mut writer = open_writer(&request.export, format, &columns, request.excel_safe)?;
    let mut handles: Vec<Option<File>> = (0..index.files.len()).map(|_| None).collect();
    let mut summary = ResultsSummary::new(rows);
    let mut row = Row::new();
    let mut line = Vec::new();
    let scheme = plan.record_ids.scheme();
    progress.phase("Joining rows", Some(rows));
    while source.next_row(&mut row)? {
        let number = row.number();
        if number > rows {
            return Err(mismatch(format!("it has more than the {rows} data rows that were prepared")));
        }
        let record_id = scheme.id_for(number);
        let (status, outcome) = match index.rows[number as usize - 1] {
            None => (Status::Missing, Outcome::default()),
            Some(location) => {
                read_line(&index, &mut handles, location, &mut line)?;
                match parse_line(&line) {
                    Ok(parsed) => (parsed.status, parsed.outcome),
                    // The first pass accepted this line, so it is valid JSON; keep the row, report it as missing.
                    Err(_) => (Status::Missing, Outcome::default()),
                }
            }
        };
        summary.count(status, &outcome);
        writer.write(&row, &ResultFields { record_id: &record_id, status, outcome: &outcome })?;
        if number.is_multiple_of(4096) {
            progress.advance(4096);
        }
    }
    progress.finish();
    if summary.joined_rows() != rows {
        return Err(mismatch(format!("it has {} data rows but {rows} were prepared", summary.joined_rows())));
    }
    writer.finish()?;

    let (input_tokens, output_tokens, basis) = summary.measured_tokens(&manifests);
    let cost = batch_cost(&request.prices, &plan.model.id, input_tokens, output_tokens).map(|usd| (usd, basis));
    summary.finish(&index, manifests, cost, warnings, &request.export, format, columns.len());
    Ok(summary)
}

fn read_line(
    index: &OutputIndex,
    handles: &mut [Option<File>],
    at: LineLocation,
    line: &mut Vec<u8>,
) -> Result<(), ResultsError> {
    let path = &index.files[at.file as usize];
    let handle = &mut handles[at.file as usize];
    if handle.is_none() {
        *handle = Some(File::open(path).map_err(io(path))?);
    }
    let file = handle
        .as_mut()
        .ok_or_else(|| ResultsError::Io { path: path.clone(), source: std::io::Error::other("file handle") })?;
    line.resize(at.len as usize, 0);
    file.seek(SeekFrom::Start(at.offset)).map_err(io(path))?;
    file.read_exact(line).map_err(io(path))
}

#[cfg(test)]
mod tests;
