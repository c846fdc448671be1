//! The prepare step: sheet → prompts → Bedrock JSONL parts + `plan.json` + `records.csv`, written atomically.
//!
//! Records stream into one staging file while their sizes are noted; the plan then splits them into balanced
//! parts and the parts are cut from the staging file. Everything is written under a hidden staging folder
//! inside the output folder and moved into place only when every step succeeded, so a prepare that fails for
//! any reason leaves no `.jsonl` behind.

mod error;
mod plan_file;
mod preview;
mod prompts;
mod staging;

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

pub use error::PrepareError;
pub use plan_file::{
    InputInfo, ModelInfo, PLAN_FILE, PartInfo, PreparedPlan, RECORDS_FILE, RecordIdInfo, TemplateInfo, Totals,
    fingerprint,
};
pub use preview::{Preview, PreviewRequest, preview};
pub use prompts::{PromptStream, RenderedRow};

use crate::limits::Limits;
use crate::model::{InvocationType, ModelId};
use crate::plan::split_into_parts;
use crate::pricing::{PriceTable, estimate_cost};
use crate::progress::Progress;
use crate::record_id::{MAX_ROWS, RecordIdScheme};
use crate::records::{InferenceParams, RecordBuilder};
use crate::sheet::SheetOptions;
use crate::template::closest_header;
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
        RecordBuilder::new(&request.model, request.invocation, request.params.clone(), request.system.is_some())?;
    let mut stream = PromptStream::open(&request.input, &request.sheet, &request.template, request.system.as_deref())?;
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

    std::fs::create_dir_all(&request.out_dir).map_err(|e| PrepareError::output(&request.out_dir, e))?;
    let staging = Staging::create(&request.out_dir)?;
    let records_tmp = staging.path("records.tmp");
    let mut records_out = BufWriter::with_capacity(
        1 << 20,
        File::create(&records_tmp).map_err(|e| PrepareError::output(&records_tmp, e))?,
    );
    let mapping_path = staging.path(RECORDS_FILE);
    let mut mapping =
        csv::Writer::from_path(&mapping_path).map_err(|e| PrepareError::output(&mapping_path, e.into()))?;
    let mut mapping_header = vec!["record_id".to_string(), "row".to_string()];
    if let Some(index) = id_column {
        mapping_header.push(headers[index].clone());
    }
    mapping.write_record(&mapping_header).map_err(|e| PrepareError::output(&mapping_path, e.into()))?;

    progress.phase("Rendering prompts", None);
    let mut sizes: Vec<u32> = Vec::new();
    let mut row_tokens: Vec<u32> = Vec::new();
    let mut line = Vec::with_capacity(4096);
    let mut empty_rows = EmptyCells::default();
    let used: Vec<usize> = stream.used_columns().to_vec();
    while let Some(rendered) = stream.next_rendered()? {
        let number = rendered.row.number();
        if number > MAX_ROWS {
            return Err(PrepareError::TooManyRows { max: MAX_ROWS });
        }
        if used.iter().any(|&c| rendered.row.get(c).is_empty()) {
            empty_rows.note(number);
        }
        let id = scheme.id_for(number);
        line.clear();
        builder.write_line(&id, rendered.prompt, rendered.system, &mut line);
        records_out.write_all(&line).map_err(|e| PrepareError::output(&records_tmp, e))?;
        sizes.push(u32::try_from(line.len()).unwrap_or(u32::MAX));
        row_tokens.push(u32::try_from(rendered.tokens).unwrap_or(u32::MAX));
        let number_text = number.to_string();
        let result = match id_column {
            Some(index) => mapping.write_record([id.as_str(), number_text.as_str(), rendered.row.get(index)]),
            None => mapping.write_record([id.as_str(), number_text.as_str()]),
        };
        result.map_err(|e| PrepareError::output(&mapping_path, e.into()))?;
        if number.is_multiple_of(4096) {
            progress.advance(4096);
        }
    }
    progress.finish();
    records_out.flush().map_err(|e| PrepareError::output(&records_tmp, e))?;
    drop(records_out);
    mapping.flush().map_err(|e| PrepareError::output(&mapping_path, e))?;
    drop(mapping);

    let ranges = split_into_parts(&sizes, &request.limits)?;
    let digits = ranges.len().to_string().len().max(3);
    let mut parts = Vec::with_capacity(ranges.len());
    for (i, range) in ranges.iter().enumerate() {
        parts.push(PartInfo {
            file: format!("part-{:0digits$}.jsonl", i + 1),
            records: range.len() as u64,
            bytes: sizes[range.clone()].iter().map(|&s| u64::from(s)).sum(),
            first_row: range.start as u64 + 1,
            last_row: range.end as u64,
            input_tokens: row_tokens[range.clone()].iter().map(|&t| u64::from(t)).sum(),
        });
    }
    write_parts(&staging, &records_tmp, &parts, progress)?;

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
            jinja: stream.uses_jinja(),
        },
        ModelInfo {
            id: request.model.clone(),
            family: builder.family(),
            invocation_type: builder.invocation(),
            params: builder.params().clone(),
        },
        RecordIdInfo {
            tag: scheme.tag().to_string(),
            mapping_file: RECORDS_FILE.to_string(),
            id_column: id_column.map(|i| headers[i].clone()),
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

/// Cuts the staged record stream into the part files (a rename when there is one part).
fn write_parts(
    staging: &Staging,
    records_tmp: &Path,
    parts: &[PartInfo],
    progress: &dyn Progress,
) -> Result<(), PrepareError> {
    if let [only] = parts {
        let target = staging.path(&only.file);
        return std::fs::rename(records_tmp, &target).map_err(|e| PrepareError::output(&target, e));
    }
    progress.phase("Writing parts", Some(parts.iter().map(|p| p.bytes).sum()));
    let mut reader =
        BufReader::with_capacity(1 << 20, File::open(records_tmp).map_err(|e| PrepareError::output(records_tmp, e))?);
    for part in parts {
        let target = staging.path(&part.file);
        let mut writer =
            BufWriter::with_capacity(1 << 20, File::create(&target).map_err(|e| PrepareError::output(&target, e))?);
        let copied = std::io::copy(&mut (&mut reader).take(part.bytes), &mut writer)
            .map_err(|e| PrepareError::output(&target, e))?;
        writer.flush().map_err(|e| PrepareError::output(&target, e))?;
        if copied != part.bytes {
            return Err(PrepareError::output(&target, std::io::Error::other("the staged records ended early")));
        }
        progress.advance(part.bytes);
    }
    progress.finish();
    std::fs::remove_file(records_tmp).map_err(|e| PrepareError::output(records_tmp, e))
}

/// Rows with an empty cell in a column the templates use.
#[derive(Default)]
struct EmptyCells {
    count: u64,
    first: Vec<u64>,
}

impl EmptyCells {
    fn note(&mut self, row: u64) {
        self.count += 1;
        if self.first.len() < 5 {
            self.first.push(row);
        }
    }

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
mod tests;
