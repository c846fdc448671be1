//! Results: read a job's `*.jsonl.out` files and manifests, join them to the input rows by `recordId`, and
//! export every input row exactly once, in input order, with its outcome.
//!
//! Output order is not input order, so nothing is joined by position. A first pass parses every output line
//! once (files in parallel) and spills each outcome to a bucket file by row range; the second streams the
//! sheet in order and loads one bucket at a time. Memory holds one bucket (at most a few tens of thousands of
//! outcomes), whatever the size of the outputs; all reads are sequential.

mod attempts;
mod counts;
mod index;
mod manifest;
mod outcome;
mod request_text;
mod scan;
mod spill;
mod summary;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use attempts::{ATTEMPTS_FILE, Attempt, write_attempts};
pub use counts::StatusCounts;
pub use index::{CorruptLine, FolderStats, OutputScan, scan_outputs};
pub use manifest::{FoundManifest, MANIFEST_FILE, Manifest, read_manifest};
pub use outcome::{Outcome, ParsedLine, Status, extract, parse_line};
pub use request_text::{REQUEST_COLUMNS, RequestText, request_text};
pub use scan::{OutputFiles, scan};
pub use spill::{Buckets, ScratchDir, SpilledOutcome};
pub use summary::{ResultsSummary, TierTotals, TokenTotals};

use crate::export::{
    ExportColumns, ExportError, ExportFormat, ResultFields, RowWriter, XLSX_MAX_DATA_ROWS, open_writer, result_columns,
};
use crate::frame::insights::InsightsBuilder;
use crate::prepare::{PLAN_FILE, PrepareError, PreparedPlan};
use crate::pricing::PriceTable;
use crate::progress::Progress;
use crate::remedy::{HasRemedy, Remedy, Setting};
use crate::service_tier::Tier;
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
    /// Join even when no output file exists (every row is then missing) — a stopped or expired job.
    pub allow_no_outputs: bool,
    /// Where to list the record ids of rows that did not succeed (failed or missing), one per line — the
    /// input of a retry.
    pub unfinished_list: Option<PathBuf>,
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
    #[error("{}: this is not the sheet that was prepared in {}: {detail}; open the sheet (and worksheet) that was prepared", input.display(), prepared.display())]
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

impl HasRemedy for ResultsError {
    fn remedy(&self) -> Option<Remedy> {
        match self {
            Self::Import(error) => error.remedy(),
            Self::Plan(error) => error.remedy(),
            Self::InputMismatch { .. } => Some(Remedy::change(Setting::Sheet)),
            _ => None,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ResultsError + '_ {
    move |source| ResultsError::Io { path: path.to_path_buf(), source }
}

/// Opens the writer joined rows go to, given the columns (the sheet's, the answer's fields, then the result
/// columns).
pub type OpenWriter<'a> = Box<dyn FnOnce(&ExportColumns) -> Result<Box<dyn RowWriter + 'a>, ExportError> + 'a>;

/// Where a join writes its rows.
enum Destination<'a> {
    /// The export file `request.export`, in this format.
    File(ExportFormat),
    /// A writer of the caller's (the results index, say), with the name the summary gives it.
    Writer(&'static str, OpenWriter<'a>),
}

/// Joins the outputs to the sheet's rows and writes the export; returns the summary.
pub fn join_results(request: &ResultsRequest, progress: &dyn Progress) -> Result<ResultsSummary, ResultsError> {
    let format = ExportFormat::from_path(&request.export)?;
    join(request, progress, Destination::File(format))
}

/// Joins the outputs to the sheet's rows into the writer `open` gives, named `kind` in the summary (whose
/// export path is `request.export`, also the folder of the join's scratch files); returns the summary. The
/// rows go straight from the join's stream into the writer: no export file in between.
pub fn join_results_into<'a>(
    request: &ResultsRequest,
    progress: &dyn Progress,
    kind: &'static str,
    open: OpenWriter<'a>,
) -> Result<ResultsSummary, ResultsError> {
    join(request, progress, Destination::Writer(kind, open))
}

fn join(
    request: &ResultsRequest,
    progress: &dyn Progress,
    destination: Destination<'_>,
) -> Result<ResultsSummary, ResultsError> {
    let plan = PreparedPlan::read(&request.prepared.join(PLAN_FILE))?;
    let mapping = request.prepared.join(&plan.record_ids.mapping_file);
    crate::export::refuse_overwriting(
        &request.export,
        &[
            (&request.input, "the sheet the results are joined to"),
            (Path::new(&plan.input.path), "the sheet the run was prepared from"),
            (&mapping, "the prepared run's record-id mapping"),
        ],
    )?;
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

    let mut files = scan(&request.outputs).map_err(io(&request.outputs))?;
    attempts::newest_first(&request.outputs, &mut files.records, &attempts::read_attempts(&request.outputs));
    let folders: Vec<String> = files.records.iter().map(|f| attempts::folder_of(&request.outputs, f)).collect();
    if files.records.is_empty() && !request.allow_no_outputs {
        return Err(ResultsError::NoOutputs { dir: request.outputs.clone() });
    }
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
    // Each output file was answered on the tier its folder's manifest names (batch when it names none).
    let tiers: Vec<Tier> = files
        .records
        .iter()
        .map(|file| {
            manifests.iter().find(|m| m.path.parent() == file.parent()).map_or(Tier::Batch, |m| m.counts.tier())
        })
        .collect();
    progress.phase("Reading outputs", None);
    let rows = plan.totals.records;
    let keys = plan.record_ids.keys(&request.prepared)?;
    let buckets = Buckets::for_rows(rows);
    let export_dir = request.export.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let scratch = ScratchDir::create(export_dir).map_err(io(export_dir))?;
    let scan = scan_outputs(
        &request.outputs,
        files.records,
        &tiers,
        &plan.templates.answer,
        rows,
        &keys,
        buckets,
        scratch.path(),
    )
    .map_err(io(&request.outputs))?;
    progress.finish();

    if matches!(destination, Destination::File(ExportFormat::Xlsx)) && rows > XLSX_MAX_DATA_ROWS {
        return Err(ExportError::DoesNotFit {
            path: request.export.clone(),
            detail: format!("{rows} rows are more than the {XLSX_MAX_DATA_ROWS} an XLSX sheet holds; export to .csv or .parquet instead"),
        }
        .into());
    }
    let shape = &plan.templates.answer;
    let columns = result_columns(&headers, &shape.columns());
    let (kind, mut writer) = match destination {
        Destination::File(format) => {
            (format.label(), open_writer(&request.export, format, &columns, request.excel_safe)?)
        }
        Destination::Writer(kind, open) => (kind, open(&columns)?),
    };
    let mut summary = ResultsSummary::new(rows);
    let mut insights = (!columns.fields.is_empty()).then(|| InsightsBuilder::new(&columns.fields));
    let mut joined = BucketJoin::new(buckets, folders);
    let mut row = Row::new();
    let mut unfinished = match &request.unfinished_list {
        Some(path) => Some((std::io::BufWriter::new(std::fs::File::create(path).map_err(io(path))?), path)),
        None => None,
    };
    progress.phase("Joining rows", Some(rows));
    while source.next_row(&mut row)? {
        let number = row.number();
        if number > rows {
            return Err(mismatch(format!("it has more than the {rows} data rows that were prepared")));
        }
        let (status, outcome, attempts) = joined.take(number, &scan).map_err(io(scratch.path()))?;
        summary.count(status, &outcome);
        let record_id = keys.id_for(number);
        if !status.is_done()
            && let Some((out, path)) = unfinished.as_mut()
        {
            writeln!(out, "{record_id}").map_err(io(path))?;
        }
        let answer = answer_cells(shape, status, &outcome);
        if let Some(insights) = insights.as_mut() {
            insights.push(&answer);
        }
        let fields =
            ResultFields { record_id: &record_id, status, outcome: &outcome, answer: &answer, attempts: &attempts };
        writer.write(&row, &fields)?;
        if number.is_multiple_of(4096) {
            progress.advance(4096);
        }
    }
    progress.finish();
    if summary.joined_rows() != rows {
        return Err(mismatch(format!("it has {} data rows but {rows} were prepared", summary.joined_rows())));
    }
    writer.finish()?;
    if let Some((mut out, path)) = unfinished {
        out.flush().map_err(io(path))?;
    }
    drop(scratch);

    let basis = if manifests.is_empty() { "outputs" } else { "manifests" };
    let per_record_input = plan.totals.input_tokens / plan.totals.records.max(1);
    let max_tokens = u64::from(plan.model.params.max_tokens);
    summary.price_tiers(&manifests, &request.prices, &plan.model.id, (per_record_input, max_tokens));
    if plan.record_ids.listed {
        // A job made elsewhere had no estimate here to compare the bill with.
        for tier in &mut summary.tiers {
            tier.estimated_usd = None;
        }
    }
    if let Some(insights) = insights {
        match insights.finish() {
            Ok(fields) => summary.insights = fields,
            Err(e) => warnings.push(format!("the answers' fields could not be summarised: {e}")),
        }
    }
    summary.finish(&scan, joined.duplicates, manifests, basis, warnings, &request.export, kind, columns.names.len());
    Ok(summary)
}

/// The typed cells of a row's answer: those the check gives a succeeded row of a run with an answer shape,
/// none otherwise (free text, or an answer that fell short, whose reason is in its error).
fn answer_cells(shape: &crate::answer::AnswerShape, status: Status, outcome: &Outcome) -> Vec<crate::answer::Cell> {
    use crate::answer::check::{AnswerCheck, check_answer};
    if status != Status::Succeeded || shape.is_free_text() {
        return Vec::new();
    }
    match check_answer(shape, &outcome.output, Some(&outcome.stop_reason)) {
        AnswerCheck::Valid(cells) => cells,
        _ => Vec::new(),
    }
}

/// The outcomes of the bucket holding the rows being joined.
struct BucketJoin {
    buckets: Buckets,
    /// The output folder of each output file, by file index.
    folders: Vec<String>,
    current: Option<usize>,
    slots: Vec<Option<(Status, Outcome)>>,
    /// Per slot, every answer the row got when it got more than one (the chosen one first).
    attempts: Vec<Vec<Attempt>>,
    /// Outcomes beyond the first for a row (a success is preferred, then the newest attempt).
    duplicates: u64,
}

impl BucketJoin {
    fn new(buckets: Buckets, folders: Vec<String>) -> Self {
        Self { buckets, folders, current: None, slots: Vec::new(), attempts: Vec::new(), duplicates: 0 }
    }

    /// The outcome of 1-based `row` (rows are asked for in increasing order), or `Missing`, and its attempts
    /// when it had more than one.
    fn take(&mut self, row: u64, scan: &OutputScan) -> std::io::Result<(Status, Outcome, Vec<Attempt>)> {
        let bucket = self.buckets.of(row);
        if self.current != Some(bucket) {
            self.load(bucket, scan)?;
        }
        let slot = ((row - 1) % self.buckets.rows_per_bucket) as usize;
        let (status, outcome) =
            self.slots.get_mut(slot).and_then(Option::take).unwrap_or((Status::Missing, Outcome::default()));
        let attempts = self.attempts.get_mut(slot).map(std::mem::take).unwrap_or_default();
        Ok((status, outcome, attempts))
    }

    fn load(&mut self, bucket: usize, scan: &OutputScan) -> std::io::Result<()> {
        let mut items = Vec::new();
        for path in scan.bucket_files.get(bucket).into_iter().flatten() {
            spill::read_bucket(path, &mut items)?;
        }
        items.sort_by_key(SpilledOutcome::preference);
        let rows = self.buckets.rows_per_bucket as usize;
        self.slots.clear();
        self.slots.resize_with(rows, || None);
        self.attempts.clear();
        self.attempts.resize_with(rows, Vec::new);
        // Sorted by row, then preference: each row's items are consecutive, the chosen one first.
        let mut items = items.into_iter().peekable();
        while let Some(item) = items.next() {
            let at = ((item.row - 1) % self.buckets.rows_per_bucket) as usize;
            let mut others = Vec::new();
            while let Some(other) = items.next_if(|next| next.row == item.row) {
                others.push(other);
            }
            if !others.is_empty() {
                self.duplicates += others.len() as u64;
                let attempt = |item: &SpilledOutcome| Attempt {
                    folder: self.folders.get(item.file as usize).cloned().unwrap_or_default(),
                    status: item.status,
                    output: item.outcome.output.clone(),
                    error: item.outcome.error.clone(),
                };
                self.attempts[at] = std::iter::once(&item).chain(&others).map(attempt).collect();
            }
            self.slots[at] = Some((item.status, item.outcome));
        }
        self.current = Some(bucket);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
