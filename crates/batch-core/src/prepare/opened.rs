//! A prepared folder made from a batch job made elsewhere (a notebook, the console, a pipeline), so its results
//! join, export, chart and retry like a run of this tool's: its own record ids listed per row, its request lines
//! kept as they were sent (a retry sends the same lines under the same ids), and the sheet its rows join to —
//! the analyst's, keyed by an id column or the row number, or else a sheet of what each record asked (system,
//! prompt, notes) written here.
//!
//! Streamed: memory holds one line and the record ids (about 60 bytes a record).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_json::value::RawValue;

use super::plan_file::{InputInfo, ModelInfo, PartInfo, RecordIdInfo, TemplateInfo, Totals};
use super::staging::Staging;
use super::{PLAN_FILE, PrepareError, PreparedPlan, RECORDS_FILE};
use crate::answer::AnswerShape;
use crate::limits::Limits;
use crate::model::{InvocationType, ModelFamily, ModelId};
use crate::pricing::{PriceTable, estimate_cost};
use crate::results::{MANIFEST_FILE, REQUEST_COLUMNS, request_text};
use crate::sheet::{Row, SheetOptions, open_sheet};

/// The sheet of what each record asked, written into the prepared folder when no sheet is joined.
pub const REQUESTS_SHEET: &str = "requests.csv";
/// The record ids of the job that match no row of the joined sheet, one per line.
pub const UNMATCHED_FILE: &str = "unmatched-records.txt";
/// The model id a plan names when the job's model is not known.
pub const UNKNOWN_MODEL: &str = "unknown";
/// The one part holding the job's request lines.
const PART_FILE: &str = "part-001.jsonl";

/// Which cell of the analyst's sheet holds a row's record id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKey {
    /// This column's value.
    Column(String),
    /// The row's number counted from `first` (0 for a DataFrame's index, 1 for spreadsheet rows).
    RowNumber {
        /// The number of the first data row.
        first: u64,
    },
}

/// The analyst's sheet to join an opened job's records to.
#[derive(Debug, Clone)]
pub struct SheetJoin {
    /// The sheet.
    pub path: PathBuf,
    /// Its worksheet or delimiter.
    pub options: SheetOptions,
    /// Where each row's record id is.
    pub key: RowKey,
}

/// What to make a prepared folder from.
#[derive(Debug, Clone)]
pub struct OpenedJobRequest {
    /// The job's request lines (its input file or folder), when at hand.
    pub requests: Option<PathBuf>,
    /// Its output lines (a folder or a file): the requests are read from their `modelInput` when the input is
    /// not at hand.
    pub outputs: PathBuf,
    /// The analyst's sheet to join to (else the rows are the records, with what each asked).
    pub sheet: Option<SheetJoin>,
    /// The job's model (unknown: no price, and retries need one).
    pub model: Option<ModelId>,
    /// The shape its answers were asked in (labels, fields, a schema): checked, and typed columns, as for a run of
    /// this tool's; free text by default.
    pub answer: AnswerShape,
    /// The prepared folder to write.
    pub out_dir: PathBuf,
    /// Prices for the plan's estimate.
    pub prices: PriceTable,
}

/// The prepared folder made, and how the job's records met the rows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OpenedPlan {
    /// The plan written.
    #[serde(skip)]
    pub plan: PreparedPlan,
    /// The sheet the results join to (the analyst's, or the requests sheet written).
    pub sheet: PathBuf,
    /// Distinct records in the request lines.
    pub records: u64,
    /// Rows of the joined sheet.
    pub rows: u64,
    /// Records that match no row of the sheet (listed in `unmatched_list`).
    pub unmatched_records: u64,
    /// Rows of the sheet no record names (they come out missing).
    pub rows_without_record: u64,
    /// The list of unmatched record ids, when a sheet is joined.
    pub unmatched_list: Option<PathBuf>,
    /// Lines that are not request lines (skipped).
    pub corrupt_lines: u64,
    /// True when the requests were read from the output lines (the job's input was not at hand): records with
    /// no output line are then unknown.
    pub requests_from_outputs: bool,
    /// Things to look at.
    pub warnings: Vec<String>,
}

/// One request line: its id (text or number) and body.
#[derive(serde::Deserialize)]
struct RequestLine<'a> {
    #[serde(rename = "recordId", default)]
    record_id: Option<Value>,
    #[serde(rename = "modelInput", borrow)]
    model_input: Option<&'a RawValue>,
}

/// Where the rows' record ids come from and go.
enum Rows {
    /// Each new record is a row; what it asked goes to the requests sheet.
    Records { seen: HashSet<String>, sheet: Box<csv::Writer<BufWriter<File>>> },
    /// The analyst's sheet's rows, by key.
    Sheet {
        by_key: KeyIndex,
        info: Box<InputInfo>,
        matched: Vec<bool>,
        unmatched: BufWriter<File>,
        unmatched_count: u64,
        seen: HashSet<String>,
    },
}

/// The analyst's rows by record id.
enum KeyIndex {
    Column(HashMap<String, u64>),
    RowNumber { first: u64, rows: u64 },
}

impl KeyIndex {
    fn row_of(&self, id: &str) -> Option<u64> {
        match self {
            Self::Column(rows) => rows.get(id).copied(),
            Self::RowNumber { first, rows } => {
                let n: u64 = id.trim().parse().ok()?;
                let row = n.checked_sub(*first)? + 1;
                (row <= *rows).then_some(row)
            }
        }
    }
}

/// Makes the prepared folder of a job made elsewhere; see the module's comment.
pub fn prepare_opened(request: &OpenedJobRequest) -> Result<OpenedPlan, PrepareError> {
    std::fs::create_dir_all(&request.out_dir).map_err(|e| PrepareError::output(&request.out_dir, e))?;
    let staging = Staging::create(&request.out_dir)?;
    let mut warnings = Vec::new();
    let requests = match &request.requests {
        Some(path) => Some(line_files(path, ".jsonl")?),
        None => None,
    };
    let (sources, from_outputs) = match requests {
        // Input lines without record ids: Bedrock added them in the outputs, which alone can name the records.
        Some(files) if first_line_lacks_id(&files)? => {
            warnings.push(
                "the job's input lines have no recordId (Bedrock added one to each output line), so the records are \
                 those its outputs name"
                    .to_string(),
            );
            (line_files(&request.outputs, ".jsonl.out")?, true)
        }
        Some(files) => (files, false),
        None => (line_files(&request.outputs, ".jsonl.out")?, true),
    };
    let (mut rows, sheet_path, id_column) = match &request.sheet {
        None => {
            let path = request.out_dir.join(REQUESTS_SHEET);
            let temp = staging.path(REQUESTS_SHEET);
            let file = File::create(&temp).map_err(|e| PrepareError::output(&temp, e))?;
            let mut sheet = csv::Writer::from_writer(BufWriter::new(file));
            sheet.write_record(REQUEST_COLUMNS).map_err(|e| PrepareError::output(&temp, e.into()))?;
            (Rows::Records { seen: HashSet::new(), sheet: Box::new(sheet) }, path, None)
        }
        Some(join) => {
            let (by_key, info, rows) = index_sheet(join)?;
            let list = request.out_dir.join(UNMATCHED_FILE);
            let unmatched = BufWriter::new(File::create(&list).map_err(|e| PrepareError::output(&list, e))?);
            let column = match &join.key {
                RowKey::Column(name) => Some(name.clone()),
                RowKey::RowNumber { .. } => None,
            };
            let matched = vec![false; rows as usize];
            let info = Box::new(info);
            let rows = Rows::Sheet { by_key, info, matched, unmatched, unmatched_count: 0, seen: HashSet::new() };
            (rows, join.path.clone(), column)
        }
    };

    let mapping_path = staging.path(RECORDS_FILE);
    let mut mapping =
        csv::Writer::from_path(&mapping_path).map_err(|e| PrepareError::output(&mapping_path, e.into()))?;
    let mapping_error = |e: csv::Error| PrepareError::output(&mapping_path, e.into());
    mapping.write_record(["record_id", "row"]).map_err(mapping_error)?;
    let part_path = staging.path(PART_FILE);
    let mut part = BufWriter::new(File::create(&part_path).map_err(|e| PrepareError::output(&part_path, e))?);
    let (mut records, mut bytes, mut corrupt, mut shapes) = (0u64, 0u64, 0u64, (0u64, 0u64));
    let mut reasons = Vec::new();
    let mut line = Vec::new();
    for file in &sources {
        let mut reader = BufReader::new(File::open(file).map_err(|e| PrepareError::job_lines(file, e))?);
        let mut number = 0u64;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(|e| PrepareError::job_lines(file, e))? == 0 {
                break;
            }
            number += 1;
            let text = line.trim_ascii();
            if text.is_empty() {
                continue;
            }
            let parsed: RequestLine<'_> = match serde_json::from_slice(text) {
                Ok(parsed @ RequestLine { model_input: Some(_), record_id: Some(_) }) => parsed,
                Ok(_) => {
                    corrupt += 1;
                    if reasons.len() < 3 {
                        reasons.push(format!("{} line {number}: no recordId or modelInput", file.display()));
                    }
                    continue;
                }
                Err(e) => {
                    corrupt += 1;
                    if reasons.len() < 3 {
                        reasons.push(format!("{} line {number}: not JSON ({e})", file.display()));
                    }
                    continue;
                }
            };
            let id = match parsed.record_id {
                Some(Value::String(text)) => text,
                Some(other) => other.to_string(),
                None => continue,
            };
            let body = parsed.model_input.map(RawValue::get).unwrap_or("null");
            let kept = match &mut rows {
                Rows::Records { seen, sheet } => {
                    if !seen.insert(id.clone()) {
                        false
                    } else {
                        let input: Value = serde_json::from_str(body).unwrap_or_default();
                        let asked = request_text(&input);
                        if looks_invoke_model(&input) {
                            shapes.1 += 1
                        } else {
                            shapes.0 += 1
                        }
                        sheet
                            .write_record([asked.system.as_str(), asked.prompt.as_str(), asked.notes_text().as_str()])
                            .map_err(|e| PrepareError::output(&sheet_path, e.into()))?;
                        let row = (seen.len()).to_string();
                        mapping.write_record([id.as_str(), row.as_str()]).map_err(mapping_error)?;
                        true
                    }
                }
                Rows::Sheet { by_key, matched, unmatched, unmatched_count, seen, .. } => {
                    if !seen.insert(id.clone()) {
                        false
                    } else if let Some(row) = by_key.row_of(&id) {
                        matched[(row - 1) as usize] = true;
                        let input: Value = serde_json::from_str(body).unwrap_or_default();
                        if looks_invoke_model(&input) {
                            shapes.1 += 1
                        } else {
                            shapes.0 += 1
                        }
                        true
                    } else {
                        *unmatched_count += 1;
                        writeln!(unmatched, "{id}").map_err(|e| PrepareError::output(&request.out_dir, e))?;
                        false
                    }
                }
            };
            if !kept {
                continue;
            }
            // The line as it was sent (from an output line: its id and body only).
            let written = if from_outputs {
                let mut out = serde_json::to_vec(&serde_json::json!({ "recordId": id })).unwrap_or_default();
                out.pop();
                out.extend_from_slice(b",\"modelInput\":");
                out.extend_from_slice(body.as_bytes());
                out.push(b'}');
                out
            } else {
                text.to_vec()
            };
            part.write_all(&written)
                .and_then(|()| part.write_all(b"\n"))
                .map_err(|e| PrepareError::output(&part_path, e))?;
            bytes += written.len() as u64 + 1;
            records += 1;
        }
    }
    part.flush().map_err(|e| PrepareError::output(&part_path, e))?;
    drop(part);
    if corrupt > 0 {
        warnings.push(format!("{corrupt} lines are not request lines and were skipped ({})", reasons.join("; ")));
    }

    let (rows_total, unmatched_records, rows_without_record, unmatched_list, input) = match rows {
        Rows::Records { sheet, seen } => {
            let mut sheet = sheet.into_inner().map_err(|e| PrepareError::output(&sheet_path, e.into_error()))?;
            sheet.flush().map_err(|e| PrepareError::output(&sheet_path, e))?;
            drop(sheet);
            let temp = staging.path(REQUESTS_SHEET);
            let meta = open_sheet(&temp, &SheetOptions::default())?.meta().clone();
            let mut info = InputInfo::describe(&temp, &meta)?;
            info.path = sheet_path.display().to_string();
            (seen.len() as u64, 0, 0, None, info)
        }
        Rows::Sheet { by_key, info, matched, mut unmatched, unmatched_count, .. } => {
            unmatched.flush().map_err(|e| PrepareError::output(&request.out_dir, e))?;
            let ids: Vec<String> = match &by_key {
                KeyIndex::Column(rows) => {
                    let mut ids = vec![String::new(); matched.len()];
                    for (id, &row) in rows {
                        ids[(row - 1) as usize] = id.clone();
                    }
                    ids
                }
                KeyIndex::RowNumber { first, rows } => (0..*rows).map(|i| (i + first).to_string()).collect(),
            };
            for (index, id) in ids.iter().enumerate() {
                mapping.write_record([id.as_str(), &(index + 1).to_string()]).map_err(mapping_error)?;
            }
            let without = matched.iter().filter(|&&m| !m).count() as u64;
            (matched.len() as u64, unmatched_count, without, Some(request.out_dir.join(UNMATCHED_FILE)), *info)
        }
    };
    mapping.flush().map_err(|e| PrepareError::output(&mapping_path, e))?;
    drop(mapping);
    if unmatched_records > 0 {
        warnings.push(format!(
            "{unmatched_records} records match no row of the sheet (listed in {})",
            request.out_dir.join(UNMATCHED_FILE).display()
        ));
    }
    if from_outputs {
        warnings.push(
            "the requests were read from the output lines (the job's input was not given): a record the job wrote \
             no line for is not known here"
                .into(),
        );
    }

    let model = match &request.model {
        Some(model) => model.clone(),
        None => ModelId::parse(UNKNOWN_MODEL).map_err(crate::records::RecordError::from)?,
    };
    let family = if request.model.is_some() { model.family() } else { ModelFamily::Other };
    let invocation = if shapes.1 > shapes.0 { InvocationType::InvokeModel } else { InvocationType::Converse };
    let estimate = estimate_cost(&request.prices, &model, 0, 0);
    let plan = PreparedPlan::new(
        input,
        TemplateInfo {
            prompt: String::new(),
            system: None,
            columns_used: Vec::new(),
            jinja: false,
            answer: request.answer.clone(),
        },
        ModelInfo {
            id: model,
            family,
            invocation_type: invocation,
            params: crate::records::InferenceParams::default(),
            schema_delivery: None,
        },
        RecordIdInfo { tag: String::new(), mapping_file: RECORDS_FILE.to_string(), id_column, listed: true },
        Limits::default(),
        vec![PartInfo { file: PART_FILE.into(), records, bytes, first_row: 1, last_row: rows_total, input_tokens: 0 }],
        Totals { records: rows_total, bytes, input_tokens: 0, max_output_tokens: 0 },
        estimate,
        warnings.clone(),
    );
    plan.write(&staging.path(PLAN_FILE))?;
    if request.sheet.is_none() {
        let temp = staging.path(REQUESTS_SHEET);
        std::fs::rename(&temp, &sheet_path).map_err(|e| PrepareError::output(&sheet_path, e))?;
    }
    staging.commit(&plan)?;
    Ok(OpenedPlan {
        plan,
        sheet: sheet_path,
        records: records + unmatched_records,
        rows: rows_total,
        unmatched_records,
        rows_without_record,
        unmatched_list,
        corrupt_lines: corrupt,
        requests_from_outputs: from_outputs,
        warnings,
    })
}

/// What the record `record_id` of an opened job's prepared folder asked (system and user text, other parts
/// noted), read from the request lines kept there; none when no line names it.
pub fn opened_request(prepared: &Path, record_id: &str) -> Result<Option<crate::results::RequestText>, PrepareError> {
    let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
    // The id as it appears in a line, JSON-escaped: only lines containing it are parsed.
    let quoted = serde_json::to_string(record_id).unwrap_or_default();
    for part in &plan.parts {
        let path = prepared.join(&part.file);
        let file = File::open(&path).map_err(|e| PrepareError::PartFile { path: path.clone(), source: e })?;
        for line in BufReader::new(file).lines() {
            let line = line.map_err(|e| PrepareError::PartFile { path: path.clone(), source: e })?;
            if !line.contains(&quoted) {
                continue;
            }
            if let Ok(RequestLine { record_id: Some(Value::String(id)), model_input: Some(body) }) =
                serde_json::from_str::<RequestLine<'_>>(&line)
                && id == record_id
            {
                let input: Value = serde_json::from_str(body.get()).unwrap_or_default();
                return Ok(Some(request_text(&input)));
            }
        }
    }
    Ok(None)
}

/// The files of request (or output) lines at `path`: the file itself, or the folder's files ending in `suffix`
/// — or, when it has none (renamed downloads), every file but manifests, hidden files and exports.
pub fn line_files(path: &Path, suffix: &str) -> Result<Vec<PathBuf>, PrepareError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let (mut named, mut others) = (Vec::new(), Vec::new());
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| PrepareError::job_lines(&dir, e))? {
            let file = entry.map_err(|e| PrepareError::job_lines(&dir, e))?.path();
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if file.is_dir() {
                if !name.starts_with('.') {
                    pending.push(file);
                }
            } else if name.ends_with(suffix) {
                named.push(file);
            } else if name != MANIFEST_FILE && !name.starts_with('.') && !is_export(&name) {
                others.push(file);
            }
        }
    }
    let mut files = if named.is_empty() { others } else { named };
    files.sort();
    if files.is_empty() {
        let empty = std::io::Error::new(std::io::ErrorKind::NotFound, "no files of request or output lines here");
        return Err(PrepareError::job_lines(path, empty));
    }
    Ok(files)
}

/// True when the first request line of `files` has a body but no record id (the job let Bedrock add them).
fn first_line_lacks_id(files: &[PathBuf]) -> Result<bool, PrepareError> {
    for file in files {
        let reader = BufReader::new(File::open(file).map_err(|e| PrepareError::job_lines(file, e))?);
        for line in reader.lines() {
            let line = line.map_err(|e| PrepareError::job_lines(file, e))?;
            if line.trim().is_empty() {
                continue;
            }
            return Ok(matches!(
                serde_json::from_str::<RequestLine<'_>>(&line),
                Ok(RequestLine { record_id: None | Some(Value::Null), model_input: Some(_) })
            ));
        }
    }
    Ok(false)
}

/// True for a file an export wrote (CSV, a workbook, Parquet, the lists this tool writes): never request lines.
fn is_export(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".csv", ".xlsx", ".parquet", ".txt"].iter().any(|ext| lower.ends_with(ext))
}

/// True for a body written for InvokeModel (a model's own format) rather than Converse.
fn looks_invoke_model(input: &Value) -> bool {
    ["anthropic_version", "prompt", "inputText", "taskType", "schemaVersion", "max_tokens"]
        .iter()
        .any(|key| input.get(key).is_some())
}

/// The analyst's rows by record id, the sheet's description, and its number of data rows.
fn index_sheet(join: &SheetJoin) -> Result<(KeyIndex, InputInfo, u64), PrepareError> {
    let mut source = open_sheet(&join.path, &join.options)?;
    let info = InputInfo::describe(&join.path, source.meta())?;
    let headers = source.meta().headers.clone();
    let mut row = Row::new();
    match &join.key {
        RowKey::RowNumber { first } => {
            let mut rows = 0;
            while source.next_row(&mut row)? {
                rows = row.number();
            }
            Ok((KeyIndex::RowNumber { first: *first, rows }, info, rows))
        }
        RowKey::Column(name) => {
            let column = headers.iter().position(|h| h == name).ok_or_else(|| PrepareError::UnknownIdColumn {
                name: name.clone(),
                suggestion: crate::template::closest_header(name, &headers),
            })?;
            let mut by_id: HashMap<String, u64> = HashMap::new();
            let mut rows = 0;
            while source.next_row(&mut row)? {
                rows = row.number();
                let id = row.get(column).trim();
                if id.is_empty() {
                    continue;
                }
                if let Some(&first) = by_id.get(id) {
                    return Err(PrepareError::DuplicateRecordId {
                        column: name.clone(),
                        value: id.to_string(),
                        first,
                        second: rows,
                    });
                }
                by_id.insert(id.to_string(), rows);
            }
            Ok((KeyIndex::Column(by_id), info, rows))
        }
    }
}
