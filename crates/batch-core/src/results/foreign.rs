//! Any batch job's output lines opened as results, whoever made the job (a notebook, the console, a pipeline):
//! each record becomes a row — its prompt read from its `modelInput` by shape, its answer, status, error, tokens
//! and stop reason — streamed in the files' order, so memory holds one line and the set of record ids seen.
//! Record ids are taken as they are ("0", UUIDs, any text); a record met twice is counted once, as its first
//! answer in full (or its first line).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::manifest::{MANIFEST_FILE, read_manifest};
use super::request_text::request_text;
use super::{ResultsError, Status, io, parse_line, scan};
use crate::answer::Cell;
use crate::export::{ExportColumns, ExportFormat, ResultFields, open_writer};
use crate::model::ModelId;
use crate::pricing::{PriceTable, tier_cost};
use crate::progress::Progress;
use crate::service_tier::Tier;
use crate::sheet::Row;

/// The columns an opened job's rows have before the result columns: what each record asked.
pub const REQUEST_COLUMNS: [&str; 3] = ["system", "prompt", "notes"];

/// What to open.
#[derive(Debug, Clone)]
pub struct OpenRequest {
    /// A folder of output files (searched recursively), or one file of output lines.
    pub outputs: PathBuf,
    /// The export file (`.csv`, `.xlsx`, `.parquet`, `.jsonl`).
    pub export: PathBuf,
    /// CSV: cells that look like formulas are prefixed so spreadsheets do not run them.
    pub excel_safe: bool,
    /// The job's model, to price the tokens (none: no cost).
    pub model: Option<ModelId>,
    /// Prices.
    pub prices: PriceTable,
}

/// What an opened job held.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct OpenedJob {
    /// Output files read.
    pub files: usize,
    /// Distinct records (rows written).
    pub records: u64,
    /// Records answered.
    pub succeeded: u64,
    /// Records with an error.
    pub failed: u64,
    /// Lines naming a record met before (not written again).
    pub duplicates: u64,
    /// Lines that are not output lines (first few reasons in the warnings).
    pub corrupt_lines: u64,
    /// Input tokens the answers report.
    pub input_tokens: u64,
    /// Output tokens the answers report.
    pub output_tokens: u64,
    /// The manifests' totals, when the folder has any: records submitted, processed, succeeded, failed, tokens.
    pub manifest: Option<super::Manifest>,
    /// The tokens at batch prices (the manifests' counts where there are manifests), with a model.
    pub cost_usd: Option<f64>,
    /// Things to look at.
    pub warnings: Vec<String>,
}

/// The record files of `outputs`: the file itself, or the folder's `*.jsonl.out` files — or, when it has none
/// (renamed downloads), every other file but manifests — with its manifests.
fn output_files(outputs: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), ResultsError> {
    if outputs.is_file() {
        return Ok((vec![outputs.to_path_buf()], Vec::new()));
    }
    let found = scan(outputs).map_err(io(outputs))?;
    if !found.records.is_empty() {
        return Ok((found.records, found.manifests));
    }
    let mut records = Vec::new();
    let mut pending = vec![outputs.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let path = entry.map_err(io(&dir))?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if path.is_dir() {
                pending.push(path);
            } else if name != MANIFEST_FILE && !name.starts_with('.') && !is_export(&path) {
                records.push(path);
            }
        }
    }
    records.sort();
    if records.is_empty() {
        return Err(ResultsError::NoOutputs { dir: outputs.to_path_buf() });
    }
    Ok((records, found.manifests))
}

/// True for a file an export wrote (CSV, a workbook, Parquet): never output lines.
fn is_export(path: &Path) -> bool {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    matches!(ext.as_str(), "csv" | "xlsx" | "parquet")
}

/// Just the request of an output line.
#[derive(serde::Deserialize)]
struct LineInput {
    #[serde(rename = "modelInput", default)]
    model_input: Value,
}

/// Writes a row per record of the job's output lines to the export; returns what the job held.
pub fn open_outputs(request: &OpenRequest, progress: &dyn Progress) -> Result<OpenedJob, ResultsError> {
    let (files, manifests) = output_files(&request.outputs)?;
    let format = ExportFormat::from_path(&request.export)?;
    let headers: Vec<String> = REQUEST_COLUMNS.iter().map(|c| c.to_string()).collect();
    let columns: ExportColumns = crate::export::result_columns(&headers, &[]);
    let mut writer = open_writer(&request.export, format, &columns, request.excel_safe)?;
    let mut job = OpenedJob { files: files.len(), ..OpenedJob::default() };
    // The record ids met, each with whether its row was answered (a later answer in full of a failed record is
    // noted as a warning: the row written keeps the first line, as outputs are streamed).
    let mut seen: HashMap<String, bool> = HashMap::new();
    let mut later_answers = 0u64;
    let mut reasons = Vec::new();
    let total: u64 = files.iter().filter_map(|f| f.metadata().ok()).map(|m| m.len()).sum();
    progress.phase("Reading output lines", Some(total));
    let mut line = Vec::new();
    let mut number = 0u64;
    for file in &files {
        let mut reader = BufReader::new(std::fs::File::open(file).map_err(io(file))?);
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line).map_err(io(file))?;
            if read == 0 {
                break;
            }
            progress.advance(read as u64);
            let text = line.trim_ascii();
            if text.is_empty() {
                continue;
            }
            let parsed = match parse_line(text) {
                Ok(parsed) => parsed,
                Err(reason) => {
                    job.corrupt_lines += 1;
                    if reasons.len() < 3 {
                        reasons.push(format!("{}: {reason}", file.display()));
                    }
                    continue;
                }
            };
            let record_id = parsed.record_id.clone().unwrap_or_default();
            let answered = parsed.status == Status::Succeeded;
            if let Some(was_answered) = seen.get_mut(&record_id) {
                job.duplicates += 1;
                if answered && !*was_answered {
                    later_answers += 1;
                    *was_answered = true;
                }
                continue;
            }
            seen.insert(record_id.clone(), answered);
            let input: Value = serde_json::from_slice::<LineInput>(text).map(|l| l.model_input).unwrap_or_default();
            let asked = request_text(&input);
            number += 1;
            let row = Row::from_cells(number, [asked.system.clone(), asked.prompt.clone(), asked.notes_text()]);
            let result = ResultFields {
                record_id: &record_id,
                status: parsed.status,
                outcome: &parsed.outcome,
                answer: &[] as &[Cell],
                attempts: &[],
            };
            writer.write(&row, &result)?;
            job.records += 1;
            match parsed.status {
                Status::Succeeded => job.succeeded += 1,
                _ => job.failed += 1,
            }
            job.input_tokens += parsed.outcome.input_tokens.unwrap_or(0);
            job.output_tokens += parsed.outcome.output_tokens.unwrap_or(0);
        }
    }
    writer.finish()?;
    progress.finish();
    if job.corrupt_lines > 0 {
        job.warnings.push(format!(
            "{} lines are not output lines and were skipped ({})",
            job.corrupt_lines,
            reasons.join("; ")
        ));
    }
    if later_answers > 0 {
        job.warnings.push(format!(
            "{later_answers} records failed in one line and were answered in a later one; their rows show the \
             failure (the first line)"
        ));
    }
    let mut totals: Option<super::Manifest> = None;
    for path in &manifests {
        match read_manifest(path) {
            Ok(found) => {
                let sum = totals.get_or_insert_with(super::Manifest::default);
                sum.total_record_count += found.total_record_count;
                sum.processed_record_count += found.processed_record_count;
                sum.success_record_count += found.success_record_count;
                sum.error_record_count += found.error_record_count;
                sum.input_token_count += found.input_token_count;
                sum.output_token_count += found.output_token_count;
            }
            Err(reason) => job.warnings.push(format!("{}: {reason}", path.display())),
        }
    }
    if let Some(sum) = &totals
        && sum.processed_record_count != job.records
    {
        job.warnings.push(format!(
            "the manifests count {} records processed, the output lines {}: some output files may be missing",
            sum.processed_record_count, job.records
        ));
    }
    let (input, output) =
        totals.as_ref().map_or((job.input_tokens, job.output_tokens), |m| (m.input_token_count, m.output_token_count));
    job.cost_usd =
        request.model.as_ref().and_then(|model| tier_cost(&request.prices, model, Tier::Batch, input, output));
    job.manifest = totals;
    Ok(job)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{InvocationType, ModelFamily};
    use crate::progress::NoProgress;

    /// An output line as Bedrock writes it for a Converse record answered by the sandbox model.
    fn answered(id: &str, text: &str) -> String {
        let input = json!({"system": [{"text": "Be brief."}], "messages": [{"role": "user", "content": [{"text": text}]}],
            "inferenceConfig": {"maxTokens": 50}});
        let output =
            crate::sandbox_model::respond(ModelFamily::AnthropicClaude, InvocationType::Converse, &input).unwrap();
        json!({"recordId": id, "modelInput": input, "modelOutput": output}).to_string()
    }

    fn read(path: &Path) -> Vec<Vec<String>> {
        let mut reader = csv::Reader::from_path(path).unwrap();
        let mut rows = vec![reader.headers().unwrap().iter().map(str::to_string).collect::<Vec<_>>()];
        rows.extend(reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()));
        rows
    }

    #[test]
    fn a_notebook_s_job_opens_with_its_own_record_ids_every_record_once() {
        let dir = tempfile::tempdir().unwrap();
        let job = dir.path().join("outputs").join("abc123job");
        std::fs::create_dir_all(&job).unwrap();
        // A DataFrame index as record ids, a UUID, an error line, a duplicate, a corrupt line and a blank one.
        let mut first: Vec<String> = (0..5).map(|i| answered(&i.to_string(), &format!("Review {i}: ✓ fine"))).collect();
        first.push(
            json!({"recordId": "7f9c2ba4-e88f-4f5e-9c1d-1c5b0d2f6a11", "modelInput": {"prompt": "[INST] Hi [/INST]"},
            "error": {"errorCode": 400, "errorMessage": "Malformed input request"}})
            .to_string(),
        );
        first.push(answered("3", "Review 3 again"));
        first.push("{not json".into());
        first.push(String::new());
        std::fs::write(job.join("part-a.jsonl.out"), first.join("\n")).unwrap();
        std::fs::write(job.join("part-b.jsonl.out"), answered("zz-last", "Last one")).unwrap();
        std::fs::write(
            job.join(MANIFEST_FILE),
            json!({"totalRecordCount": 7, "processedRecordCount": 7, "successRecordCount": 6, "errorRecordCount": 1,
                "inputTokenCount": 700, "outputTokenCount": 120})
            .to_string(),
        )
        .unwrap();
        let export = dir.path().join("opened.csv");
        let model = Some(ModelId::parse("us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap());
        let request = OpenRequest {
            outputs: dir.path().join("outputs"),
            export: export.clone(),
            excel_safe: false,
            model,
            prices: PriceTable::bundled(),
        };
        let opened = open_outputs(&request, &NoProgress).unwrap();
        assert_eq!((opened.files, opened.records, opened.succeeded, opened.failed), (2, 7, 6, 1));
        assert_eq!((opened.duplicates, opened.corrupt_lines), (1, 1));
        assert_eq!(opened.manifest.as_ref().map(|m| m.processed_record_count), Some(7));
        assert!(opened.cost_usd.unwrap() > 0.0, "priced from the manifests' tokens");
        assert!(opened.warnings.iter().any(|w| w.contains("1 lines are not output lines")), "{:?}", opened.warnings);
        let rows = read(&export);
        assert_eq!(rows[0][..4], ["system", "prompt", "notes", "record_id"]);
        let ids: Vec<&str> = rows[1..].iter().map(|r| r[3].as_str()).collect();
        assert_eq!(ids, ["0", "1", "2", "3", "4", "7f9c2ba4-e88f-4f5e-9c1d-1c5b0d2f6a11", "zz-last"]);
        assert_eq!((rows[1][0].as_str(), rows[1][1].as_str()), ("Be brief.", "Review 0: ✓ fine"));
        assert_eq!(rows[4][1], "Review 3: ✓ fine", "the first line of a record met twice");
        let failed = &rows[6];
        assert_eq!((failed[1].as_str(), failed[4].as_str()), ("[INST] Hi [/INST]", "failed"));
        assert_eq!(failed[6], "400: Malformed input request");
        assert!(rows[1][5].contains("sandbox answer") && rows[1][4] == "succeeded", "{:?}", rows[1]);
    }

    #[test]
    fn renamed_downloads_or_one_file_open_too_and_an_empty_folder_says_where_to_look() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("downloads");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("results.jsonl"), [answered("a", "One"), answered("b", "Two")].join("\n")).unwrap();
        let export = dir.path().join("out.csv");
        let request = |outputs: PathBuf| OpenRequest {
            outputs,
            export: export.clone(),
            excel_safe: true,
            model: None,
            prices: PriceTable::bundled(),
        };
        assert_eq!(open_outputs(&request(folder.clone()), &NoProgress).unwrap().records, 2);
        // An export written among the downloads earlier is not taken for output lines.
        std::fs::copy(&export, folder.join("results.csv")).unwrap();
        let again = open_outputs(&request(folder.clone()), &NoProgress).unwrap();
        assert_eq!((again.records, again.corrupt_lines), (2, 0));
        let one = open_outputs(&request(folder.join("results.jsonl")), &NoProgress).unwrap();
        assert_eq!((one.records, one.cost_usd), (2, None));
        let empty = dir.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let error = open_outputs(&request(empty), &NoProgress).unwrap_err();
        assert!(error.to_string().contains("no *.jsonl.out files found"), "{error}");
    }
}
