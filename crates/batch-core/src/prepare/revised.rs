//! A follow-up prepared folder whose chosen rows are rendered anew — with another model, more answer tokens or a
//! changed prompt template — from the original sheet, under the original record ids, so their answers join into
//! the same rows (and the same typed columns: the answer's shape is kept).

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::plan_file::fingerprint;
use super::prompts::{PromptBuffers, PromptStream};
use super::staging::Staging;
use super::subset::follow_up_parts;
use super::{PLAN_FILE, PrepareError, PreparedPlan, RECORDS_FILE, Totals, resplit};
use crate::model::{InvocationType, ModelFamily, ModelId};
use crate::plan::split_into_parts;
use crate::pricing::{PriceTable, estimate_cost};
use crate::progress::NoProgress;
use crate::records::RecordBuilder;
use crate::sheet::Row;

/// What a retry changes from the run it retries; `None` keeps the run's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Revision {
    /// Another model or inference profile.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub model: Option<ModelId>,
    /// Another most of answer tokens per row.
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Another prompt template (over the same sheet's columns).
    #[serde(default)]
    pub template: Option<String>,
}

impl Revision {
    /// True when nothing changes: the rows are sent again as they were.
    pub fn is_empty(&self) -> bool {
        self.model.is_none() && self.max_tokens.is_none() && self.template.is_none()
    }

    /// The changes in words ("model X, 2048 answer tokens, a changed template"), for plans and messages.
    pub fn describe(&self) -> String {
        let mut changes = Vec::new();
        if let Some(model) = &self.model {
            changes.push(format!("model {model}"));
        }
        if let Some(tokens) = self.max_tokens {
            changes.push(format!("{tokens} answer tokens"));
        }
        if self.template.is_some() {
            changes.push("a changed template".to_string());
        }
        changes.join(", ")
    }
}

/// Renders the rows of `prepared`'s sheet whose record id is in `keep` with `revision` applied, into new parts
/// in `out_dir` with a plan (its model, template and estimate the revised ones, priced with `prices`) and a copy
/// of the record map. `on_demand` lifts the batch minimum. Fails when the sheet changed since `prepared` was made
/// (its rows would no longer be the ones the record ids name).
pub fn prepare_revised(
    prepared: &Path,
    keep: &HashSet<String>,
    revision: &Revision,
    out_dir: &Path,
    (prices, on_demand): (&PriceTable, bool),
) -> Result<PreparedPlan, PrepareError> {
    let original = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
    if original.record_ids.listed {
        return Err(PrepareError::NoTemplate { change: revision.describe() });
    }
    let sheet = Path::new(&original.input.path);
    let now = fingerprint(sheet).map(|(_, print)| format!("{print:016x}")).map_err(|e| PrepareError::SheetChanged {
        path: sheet.to_path_buf(),
        detail: format!("it cannot be read ({e})"),
    })?;
    if now != original.input.fingerprint {
        return Err(PrepareError::SheetChanged { path: sheet.to_path_buf(), detail: "its contents changed".into() });
    }
    let model = revision.model.clone().unwrap_or_else(|| original.model.id.clone());
    let invocation = match (original.model.invocation_type, model.family()) {
        // A body of the model's own only where the new model's family has one.
        (InvocationType::InvokeModel, family) if family != original.model.family || family == ModelFamily::Other => {
            None
        }
        (kept, _) => Some(kept),
    };
    let mut params = original.model.params.clone();
    if let Some(tokens) = revision.max_tokens {
        params.max_tokens = tokens;
    }
    let template = revision.template.clone().unwrap_or_else(|| original.templates.prompt.clone());
    let system = original.templates.system.clone();
    let answer = original.templates.answer.clone();
    let builder = RecordBuilder::new(&model, invocation, params, system.is_some())?.with_answer(&answer, &model)?;
    let stream = PromptStream::open(sheet, &original.input.sheet_options(), &template, system.as_deref())?;
    let headers = stream.meta().headers.clone();
    let (mut source, prompts) = stream.into_parts();
    let scheme = original.record_ids.scheme();
    let mut wanted: HashSet<u64> = keep.iter().filter_map(|id| scheme.row_of(id)).collect();

    std::fs::create_dir_all(out_dir).map_err(|e| PrepareError::output(out_dir, e))?;
    let staging = Staging::create(out_dir)?;
    let rendered = staging.path("rendered.tmp");
    let mut out = BufWriter::new(File::create(&rendered).map_err(|e| PrepareError::output(&rendered, e))?);
    let (mut sizes, mut tokens, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    let (mut row, mut buffers, mut line) = (Row::new(), PromptBuffers::default(), Vec::with_capacity(4096));
    while !wanted.is_empty() && source.next_row(&mut row)? {
        if !wanted.remove(&row.number()) {
            continue;
        }
        let (prompt, system, row_tokens) = prompts.render(&row, &mut buffers)?;
        line.clear();
        builder.write_line(&scheme.id_for(row.number()), prompt, system, &mut line);
        out.write_all(&line).map_err(|e| PrepareError::output(&rendered, e))?;
        sizes.push(u32::try_from(line.len()).unwrap_or(u32::MAX));
        tokens.push(row_tokens + builder.answer_tokens_per_record());
        rows.push(row.number());
    }
    out.flush().map_err(|e| PrepareError::output(&rendered, e))?;
    drop(out);
    let limits = if on_demand { original.limits.on_demand() } else { original.limits };
    let ranges = split_into_parts(&sizes, &limits)?;
    // The rows are in the sheet's order, a range each part: its first and last row are known.
    let mut parts = follow_up_parts(&sizes, &ranges, |range| tokens[range].iter().sum());
    for (part, range) in parts.iter_mut().zip(&ranges) {
        part.first_row = rows.get(range.start).copied().unwrap_or(0);
        part.last_row = range.end.checked_sub(1).and_then(|last| rows.get(last)).copied().unwrap_or(0);
    }
    resplit(&staging, vec![(rendered, sizes.len() as u64)], &parts, &NoProgress)?;
    let records_copy = staging.path(RECORDS_FILE);
    std::fs::copy(prepared.join(RECORDS_FILE), &records_copy).map_err(|e| PrepareError::output(&records_copy, e))?;

    let records = sizes.len() as u64;
    let input_tokens: u64 = tokens.iter().sum();
    let max_output_tokens = records * builder.max_output_tokens();
    let mut plan = original.clone();
    plan.created_at = crate::clock::now_rfc3339();
    plan.templates.prompt = template;
    plan.templates.columns_used = prompts.used_columns().iter().map(|&c| headers[c].clone()).collect();
    plan.templates.jinja = prompts.uses_jinja();
    plan.model.id = model.clone();
    plan.model.family = builder.family();
    plan.model.invocation_type = builder.invocation();
    plan.model.params = builder.params().clone();
    plan.model.schema_delivery = builder.schema_delivery();
    plan.limits = limits;
    plan.parts = parts;
    plan.totals = Totals { records, bytes: sizes.iter().map(|&s| u64::from(s)).sum(), input_tokens, max_output_tokens };
    plan.estimate = estimate_cost(prices, &model, input_tokens, max_output_tokens);
    plan.warnings = vec![format!(
        "a follow-up of {} holding {records} of its {} records, rendered anew with {}; its results join into that \
         folder's rows",
        prepared.display(),
        original.totals.records,
        revision.describe()
    )];
    plan.write(&staging.path(PLAN_FILE))?;
    staging.commit(&plan)?;
    Ok(plan)
}
