//! The prepare step: sheet → prompts → Bedrock JSONL parts + `plan.json` + `records.csv`, written atomically.
//!
//! Records stream into one staging file while their sizes are noted; the plan then splits them into balanced
//! parts and the parts are cut from the staging file. Everything is written under a hidden staging folder
//! inside the output folder and moved into place only when every step succeeded, so a prepare that fails for
//! any reason leaves no `.jsonl` behind.

mod error;
mod opened;
mod pipeline;
mod plan_file;
mod preview;
mod prompts;
mod revised;
mod staging;
mod subset;

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

pub use error::PrepareError;
pub use opened::{
    OpenedJobRequest, OpenedPlan, REQUESTS_SHEET, RowKey, SheetJoin, UNKNOWN_MODEL, UNMATCHED_FILE, line_files,
    opened_request, prepare_opened,
};
pub use plan_file::{
    InputInfo, ModelInfo, PLAN_FILE, PartInfo, PreparedPlan, RECORDS_FILE, RecordIdInfo, TemplateInfo, Totals,
    fingerprint,
};
pub use preview::{Preview, PreviewRequest, preview};
pub use prompts::{PromptBuffers, PromptStream, Prompts, RenderedRow};
pub use revised::{Revision, prepare_revised};
pub use subset::{prepare_subset, prepare_subset_on_demand};

use crate::answer::AnswerShape;
use crate::limits::Limits;
use crate::model::{InvocationType, ModelId};
use crate::plan::{likely_part_rows, split_into_parts};
use crate::pricing::{PriceTable, estimate_cost};
use crate::progress::Progress;
use crate::record_id::RecordIdScheme;
use crate::records::{InferenceParams, RecordBuilder};
use crate::sheet::SheetOptions;
use crate::template::closest_header;
use pipeline::{PartWriter, RenderContext, Rendered, WrittenFiles, render_rows};
use staging::Staging;

/// Everything the prepare step needs.
#[derive(Debug, Clone)]
pub struct PrepareRequest {
    /// The sheet to read.
    pub input: PathBuf,
    /// Worksheet and delimiter choices.
    pub sheet: SheetOptions,
    /// The prompt template text.
    pub template: String,
    /// The optional system-prompt template text.
    pub system: Option<String>,
    /// The model (or inference profile) the job will use.
    pub model: ModelId,
    /// InvokeModel or Converse; the family's default when `None`.
    pub invocation: Option<InvocationType>,
    /// Max tokens, temperature, top-p, stop sequences.
    pub params: InferenceParams,
    /// The answer's shape: free text, labels, fields or a JSON Schema.
    pub answer: AnswerShape,
    /// A column whose values identify rows for the analyst (kept in `records.csv`).
    pub id_column: Option<String>,
    /// Per-job limits.
    pub limits: Limits,
    /// Prices for the estimate.
    pub prices: PriceTable,
    /// Where the parts, `plan.json` and `records.csv` go.
    pub out_dir: PathBuf,
}

/// Runs the prepare step; on success the output folder holds the parts, `plan.json` and `records.csv`.
pub fn prepare(request: &PrepareRequest, progress: &dyn Progress) -> Result<PreparedPlan, PrepareError> {
    request.limits.validate()?;
    let builder =
        RecordBuilder::new(&request.model, request.invocation, request.params.clone(), request.system.is_some())?
            .with_answer(&request.answer, &request.model)?;
    let stream = PromptStream::open(&request.input, &request.sheet, &request.template, request.system.as_deref())?;
    let headers = stream.meta().headers.clone();
    let id_column = match &request.id_column {
        None => None,
        Some(name) => Some(headers.iter().position(|h| h == name).ok_or_else(|| PrepareError::UnknownIdColumn {
            name: name.clone(),
            suggestion: closest_header(name, &headers),
        })?),
    };
    let input_info = InputInfo::describe(&request.input, stream.meta())?;
    let scheme = RecordIdScheme::from_fingerprint(input_info.id_seed(
        &request.template,
        request.system.as_deref(),
        &request.model,
    ));
    let (mut source, prompts) = stream.into_parts();

    std::fs::create_dir_all(&request.out_dir).map_err(|e| PrepareError::output(&request.out_dir, e))?;
    let staging = Staging::create(&request.out_dir)?;
    // Write parts directly where the row count can be foreseen; the final split is checked afterwards.
    let likely = source.count_hint().map(|rows| likely_part_rows(rows, &request.limits)).unwrap_or_else(|| vec![0]);
    let digits = likely.len().to_string().len().max(3);
    let planned = likely.iter().enumerate().map(|(i, &rows)| (staging.path(&part_name(i, digits)), rows)).collect();
    let mut parts_out = PartWriter::create(planned)?;
    // Batches arrive in writes far larger than this buffer, which then go straight to the file.
    let create = |path: &Path| {
        File::create(path).map(|f| BufWriter::with_capacity(64 * 1024, f)).map_err(|e| PrepareError::output(path, e))
    };
    let mapping_path = staging.path(RECORDS_FILE);
    let mut mapping_out = create(&mapping_path)?;
    let mut mapping_header = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["record_id".to_string(), "row".to_string()];
    if let Some(index) = id_column {
        header.push(headers[index].clone());
    }
    mapping_header.write_record(&header).map_err(|e| PrepareError::output(&mapping_path, e.into()))?;
    let header_bytes = mapping_header.into_inner().map_err(|e| PrepareError::output(&mapping_path, e.into_error()))?;
    mapping_out.write_all(&header_bytes).map_err(|e| PrepareError::output(&mapping_path, e))?;

    progress.phase("Rendering prompts", None);
    let context = RenderContext { prompts: &prompts, builder: &builder, scheme: &scheme, id_column };
    let rendered = render_rows(source.as_mut(), &context, &mut parts_out, (&mut mapping_out, &mapping_path), progress)?;
    progress.finish();
    let written = parts_out.finish()?;
    mapping_out.flush().map_err(|e| PrepareError::output(&mapping_path, e))?;
    drop(mapping_out);
    let Rendered { sizes, tokens: row_tokens, empty_count, empty_first } = rendered;
    let used: Vec<usize> = prompts.used_columns().to_vec();
    let empty_rows = EmptyCells { count: empty_count, first: empty_first };

    let ranges = split_into_parts(&sizes, &request.limits)?;
    let digits = ranges.len().to_string().len().max(3);
    let mut parts = Vec::with_capacity(ranges.len());
    for (i, range) in ranges.iter().enumerate() {
        parts.push(PartInfo {
            file: part_name(i, digits),
            records: range.len() as u64,
            bytes: sizes[range.clone()].iter().map(|&s| u64::from(s)).sum(),
            first_row: range.start as u64 + 1,
            last_row: range.end as u64,
            input_tokens: row_tokens[range.clone()].iter().map(|&t| u64::from(t)).sum(),
        });
    }
    let fits = written.len() == parts.len()
        && written.iter().zip(&parts).all(|((path, rows), part)| *rows == part.records && path.ends_with(&part.file));
    if !fits {
        resplit(&staging, written, &parts, progress)?;
    }

    // The schema (in the body, or written after each prompt) is read with every record.
    let answer_tokens = builder.answer_tokens_per_record();
    for part in &mut parts {
        part.input_tokens += part.records * answer_tokens;
    }
    let input_tokens: u64 = parts.iter().map(|p| p.input_tokens).sum();
    let records = sizes.len() as u64;
    let max_output_tokens = records * builder.max_output_tokens();
    let mut warnings = Vec::new();
    if let Some(warning) = empty_rows.warning(&used, &headers) {
        warnings.push(warning);
    }
    let estimate = estimate_cost(&request.prices, &request.model, input_tokens, max_output_tokens);
    if let Some(note) = &estimate.note {
        warnings.push(note.clone());
    }
    let plan = PreparedPlan::new(
        input_info,
        TemplateInfo {
            prompt: request.template.clone(),
            system: request.system.clone(),
            columns_used: used.iter().map(|&c| headers[c].clone()).collect(),
            jinja: prompts.uses_jinja(),
            answer: request.answer.clone(),
        },
        ModelInfo {
            id: request.model.clone(),
            family: builder.family(),
            invocation_type: builder.invocation(),
            params: builder.params().clone(),
            schema_delivery: builder.schema_delivery(),
        },
        RecordIdInfo {
            tag: scheme.tag().to_string(),
            mapping_file: RECORDS_FILE.to_string(),
            id_column: id_column.map(|i| headers[i].clone()),
            listed: false,
        },
        request.limits,
        parts,
        Totals { records, bytes: sizes.iter().map(|&s| u64::from(s)).sum(), input_tokens, max_output_tokens },
        estimate,
        warnings,
    );
    plan.write(&staging.path(PLAN_FILE))?;
    staging.commit(&plan)?;
    Ok(plan)
}

fn part_name(index: usize, digits: usize) -> String {
    format!("part-{:0digits$}.jsonl", index + 1)
}

/// Re-cuts the written files into the planned parts when the foreseen split was not the final one (an
/// unusual CSV, or byte limits that needed more parts): the files are read back as one stream.
pub(super) fn resplit(
    staging: &Staging,
    written: WrittenFiles,
    parts: &[PartInfo],
    progress: &dyn Progress,
) -> Result<(), PrepareError> {
    progress.phase("Writing parts", Some(parts.iter().map(|p| p.bytes).sum()));
    let mut chunks = Vec::with_capacity(written.len());
    for (i, (path, _)) in written.into_iter().enumerate() {
        let chunk = staging.path(&format!("chunk-{i}.tmp"));
        std::fs::rename(&path, &chunk).map_err(|e| PrepareError::output(&path, e))?;
        chunks.push(chunk);
    }
    let mut stream: Box<dyn Read> = Box::new(std::io::empty());
    for chunk in &chunks {
        let file = File::open(chunk).map_err(|e| PrepareError::output(chunk, e))?;
        stream = Box::new(stream.chain(file));
    }
    for part in parts {
        let target = staging.path(&part.file);
        let mut writer = File::create(&target).map_err(|e| PrepareError::output(&target, e))?;
        let copied = std::io::copy(&mut (&mut stream).take(part.bytes), &mut writer)
            .map_err(|e| PrepareError::output(&target, e))?;
        if copied != part.bytes {
            return Err(PrepareError::output(&target, std::io::Error::other("the written records ended early")));
        }
        progress.advance(part.bytes);
    }
    progress.finish();
    for chunk in &chunks {
        std::fs::remove_file(chunk).map_err(|e| PrepareError::output(chunk, e))?;
    }
    Ok(())
}

/// Rows with an empty cell in a column the templates use: how many, and the first few.
struct EmptyCells {
    count: u64,
    first: Vec<u64>,
}

impl EmptyCells {
    fn warning(&self, used: &[usize], headers: &[String]) -> Option<String> {
        (self.count > 0).then(|| {
            let names: Vec<String> = used.iter().map(|&c| format!("\"{}\"", headers[c])).collect();
            let rows: Vec<String> = self.first.iter().map(u64::to_string).collect();
            format!(
                "{} rows have an empty cell in a column the template uses ({}); first rows: {}",
                self.count,
                names.join(", "),
                rows.join(", ")
            )
        })
    }
}

#[cfg(test)]
mod opened_tests;
#[cfg(test)]
mod tests;
