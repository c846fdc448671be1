//! The Results step's side of the session: a run's results table (rebuilt from its outputs when missing), its
//! overview and saved summary, pages of rows, and exports from the table.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use batch_core::frame::compare::write_disagreements;

use crate::run_comparison::{CompareRequest, RunComparison, compare_runs};
use batch_core::answer::native::{SchemaDelivery, instruction};
use batch_core::export::refuse_overwriting;
use batch_core::prepare::{PLAN_FILE, PreparedPlan, Prompts};
use batch_core::pricing::PriceTable;
use batch_core::progress::NoProgress;
use batch_core::results::{ResultsRequest, TierTotals, join_results_into};
use serde::{Deserialize, Serialize};

use super::runs::{SUMMARY_FILE, TABLE_FILE, blocking_error, invalid};
use super::{Studio, StudioError};
use crate::history::{Run, RunState};
use crate::ports::Connector;
use crate::results_table::{ResultsPage, ResultsTable, RowFilter, StatusCounts, TableWriter, TokenBin};
use crate::sheet_pages::RenderedPrompt;

/// What the Results step shows beside the table.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResultsOverview {
    /// The run shown (the original of a retry chain).
    pub run: String,
    /// True for sandbox output (the sandbox model).
    pub sandbox: bool,
    /// Column names: input columns, the answer's fields, then result columns.
    pub columns: Vec<String>,
    /// The answer's typed fields, whose columns come just before the result columns (none for free text).
    pub answer_fields: Vec<batch_core::answer::AnswerField>,
    /// Rows by status.
    pub counts: StatusCounts,
    /// Output tokens per row, binned.
    pub output_tokens: Vec<TokenBin>,
    /// The join's summary as saved when fetched; none before a fetch (or when its file is unreadable).
    pub summary: Option<SavedSummary>,
    /// What the run asked: its model, answer budget and template (a retry starts from them to change them); none
    /// when its plan cannot be read.
    pub asked: Option<RunAsked>,
}

/// What a run asked of its model.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunAsked {
    /// The model or inference profile.
    pub model_id: String,
    /// Most answer tokens per row.
    pub max_tokens: u32,
    /// The prompt template.
    pub template: String,
}

/// One answer a row got, with the run and model that gave it (when the history knows them).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowAttempt {
    /// The run (the original or a retry).
    pub run: Option<String>,
    /// Its model.
    pub model_id: Option<String>,
    /// The answer.
    pub attempt: batch_core::results::Attempt,
}

/// What the Results step shows of a join's summary: measured tokens, the batch cost and the warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SavedSummary {
    /// Tokens as the outputs report them.
    pub tokens: SavedTokens,
    /// Cost of the measured tokens, each tier's at its price, USD (none for a model without a price).
    #[serde(alias = "batch_cost_usd")]
    pub cost_usd: Option<f64>,
    /// Rows, tokens and cost per tier that answered (none in summaries saved before tiers were counted).
    #[serde(default)]
    pub tiers: Vec<TierTotals>,
    /// Things the analyst must look at.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// What the answers' fields hold (none for free text, or summaries saved before fields were summarised).
    #[serde(default)]
    pub insights: Vec<batch_core::frame::insights::FieldInsight>,
}

/// Measured token totals of a join.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SavedTokens {
    /// Input tokens reported per record, summed.
    pub input_from_outputs: u64,
    /// Output tokens reported per record, summed.
    pub output_from_outputs: u64,
    /// Prompt tokens read from the prompt cache, summed (0 in summaries saved before they were counted).
    #[serde(default)]
    pub cache_read_from_outputs: u64,
    /// Prompt tokens written to the prompt cache, summed.
    #[serde(default)]
    pub cache_write_from_outputs: u64,
}

/// Joins a run's downloaded outputs to its sheet again, straight into the results table of the folder
/// `results` (which keeps the outputs), and saves the summary beside it.
fn rejoin(prepared: &Path, results: &Path) -> Result<ResultsTable, StudioError> {
    let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
    let table = results.join(TABLE_FILE);
    let request = ResultsRequest {
        input: PathBuf::from(&plan.input.path),
        sheet: None,
        prepared: prepared.to_path_buf(),
        outputs: results.join("outputs"),
        export: table.clone(),
        excel_safe: false,
        prices: PriceTable::bundled(),
        allow_no_outputs: true,
        unfinished_list: None,
    };
    let open = TableWriter::opener(table.clone());
    let summary = join_results_into(&request, &NoProgress, "results index", open)?;
    save_summary(results, &summary)?;
    ResultsTable::open(&table).map_err(|e| invalid(e.to_string()))
}

/// What row `row` of an opened job asked: its record's system and user text (other parts noted after the prompt).
fn opened_prompt(prepared: &Path, row: u64) -> Result<RenderedPrompt, StudioError> {
    let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
    let keys = plan.record_ids.keys(prepared)?;
    let id = keys.id_for(row);
    let asked = batch_core::prepare::opened_request(prepared, &id)?
        .ok_or_else(|| invalid(format!("row {row} has no record in the job's request lines")))?;
    let mut prompt = asked.prompt.clone();
    let notes = asked.notes_text();
    if !notes.is_empty() {
        prompt.push_str(&format!("\n\n[{notes}]"));
    }
    let system = (!asked.system.is_empty()).then(|| asked.system.clone());
    let tokens =
        batch_core::tokens::estimate_tokens(&prompt) + system.as_deref().map_or(0, batch_core::tokens::estimate_tokens);
    Ok(RenderedPrompt { row, prompt, system, tokens })
}

/// Saves a join's summary in the results folder `dir`, for the overview.
pub(super) fn save_summary(dir: &Path, summary: &batch_core::results::ResultsSummary) -> Result<(), StudioError> {
    std::fs::write(dir.join(SUMMARY_FILE), serde_json::to_vec_pretty(summary).unwrap_or_default())
        .map_err(|e| invalid(format!("{}: cannot save the summary: {e}", dir.display())))
}

impl<C: Connector> Studio<C> {
    fn table(&self, run: &str) -> Result<(Run, ResultsTable), StudioError> {
        let root = self.root_run(run)?;
        let dir = self.results_dir(&root);
        if !dir.join(TABLE_FILE).is_file() && root.state == RunState::Fetched {
            // Fetched elsewhere (the CLI) or the table was removed: join the downloaded outputs again.
            rejoin(&root.prepared_dir, &dir)?;
        }
        let table = ResultsTable::open(&dir.join(TABLE_FILE)).map_err(|e| invalid(e.to_string()))?;
        Ok((root, table))
    }

    /// Columns, counts, token bins and the saved summary of a run's results.
    pub fn results_overview(&self, run: &str) -> Result<ResultsOverview, StudioError> {
        let (root, table) = self.table(run)?;
        // The file is the core's ResultsSummary; only the part shown is read back.
        let text = std::fs::read_to_string(self.results_dir(&root).join(SUMMARY_FILE)).unwrap_or_default();
        // A run's results show without its plan (prepared elsewhere, or the folder gone); only a retry with
        // changes needs it.
        let asked = PreparedPlan::read(&root.prepared_dir.join(PLAN_FILE)).ok().map(|plan| RunAsked {
            model_id: plan.model.id.as_str().to_string(),
            max_tokens: plan.model.params.max_tokens,
            template: plan.templates.prompt,
        });
        Ok(ResultsOverview {
            run: root.id.to_string(),
            sandbox: root.sandbox,
            columns: table.columns().to_vec(),
            answer_fields: table.answer_fields().to_vec(),
            counts: table.counts().map_err(|e| invalid(e.to_string()))?,
            output_tokens: table.output_token_bins().map_err(|e| invalid(e.to_string()))?,
            summary: serde_json::from_str(&text).ok(),
            asked,
        })
    }

    /// The prompt sent for row `row` (1-based) of a run: the templates of the run that gave its chosen answer
    /// (the run's own, or a retry's) rendered on the row's input cells, with the schema's instruction when the
    /// answer's shape went by instruction.
    pub fn row_prompt(&self, run: &str, row: u64) -> Result<RenderedPrompt, StudioError> {
        let (root, table) = self.table(run)?;
        // A row answered again (a retry, perhaps with another template) was last sent with the chosen attempt's
        // run's templates.
        let chosen = self.row_attempts(run, row)?.into_iter().next().and_then(|attempt| attempt.run);
        let prepared = match chosen {
            Some(id) => self.history().run(&id)?.prepared_dir,
            None => root.prepared_dir.clone(),
        };
        let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
        if plan.record_ids.listed {
            // A job opened from elsewhere: what its record asked, from the lines that were sent.
            return opened_prompt(&root.prepared_dir, row);
        }
        let page = table.page(&RowFilter::default(), row.saturating_sub(1), 1).map_err(|e| invalid(e.to_string()))?;
        let (number, mut cells) = page.rows.into_iter().next().filter(|(n, _)| *n == row).ok_or_else(|| {
            invalid(format!("row {row} is not in the run's results; pick a row between 1 and {}", page.matching))
        })?;
        let inputs = table.export_columns().inputs;
        cells.truncate(inputs);
        let headers = &table.columns()[..inputs];
        let (prompt, system) = (&plan.templates.prompt, plan.templates.system.as_deref());
        let prompts = Prompts::compile(headers, prompt, system).map_err(|e| invalid(e.to_string()))?;
        let mut sent = RenderedPrompt::render(&prompts, number, cells).map_err(|e| invalid(e.to_string()))?;
        if plan.model.schema_delivery == Some(SchemaDelivery::Instruction)
            && let Some(schema) = plan.templates.answer.json_schema()
        {
            sent.prompt.push_str(&instruction(&schema));
        }
        Ok(sent)
    }

    /// Every answer row `row` (1-based) got when it was answered more than once (retries), the chosen one
    /// first, each with the run and model that gave it; none for a row answered once.
    pub fn row_attempts(&self, run: &str, row: u64) -> Result<Vec<RowAttempt>, StudioError> {
        let (_, table) = self.table(run)?;
        let attempts = table.attempts(row).map_err(|e| invalid(e.to_string()))?;
        if attempts.is_empty() {
            return Ok(Vec::new());
        }
        let history = self.history();
        let (runs, jobs) = (history.runs()?, history.jobs()?);
        Ok(attempts
            .into_iter()
            .map(|attempt| {
                // A batch job's folder is its job id; an on-demand run's starts with the run id.
                let run = jobs
                    .iter()
                    .find(|j| j.job_arn.as_deref().is_some_and(|arn| arn.ends_with(&format!("/{}", attempt.folder))))
                    .map(|j| j.run_id.to_string())
                    .or_else(|| {
                        runs.iter().find(|r| attempt.folder.starts_with(r.id.as_str())).map(|r| r.id.to_string())
                    });
                let model_id =
                    run.as_ref().and_then(|id| runs.iter().find(|r| r.id.as_str() == id)).map(|r| r.model_id.clone());
                RowAttempt { run, model_id, attempt }
            })
            .collect())
    }

    /// The record ids of the rows of a run's results that `filter` shows (a retry by condition).
    pub fn matching_record_ids(&self, run: &str, filter: &RowFilter) -> Result<HashSet<String>, StudioError> {
        let (_, table) = self.table(run)?;
        table.record_ids(filter).map_err(|e| invalid(e.to_string()))
    }

    /// Runs compared over the rows they share (the first the reference); with `export`, the rows where they
    /// disagree are written there as CSV.
    pub fn compare_runs(&self, runs: &[String], export: Option<&Path>) -> Result<RunComparison, StudioError> {
        let request = CompareRequest { runs: runs.to_vec(), prices: PriceTable::bundled() };
        let compared = compare_runs(&self.history, &request)?;
        if let Some(path) = export {
            write_disagreements(path, &compared.comparison).map_err(|e| invalid(e.to_string()))?;
        }
        Ok(compared)
    }

    /// A page of a run's results.
    pub fn results_page(
        &self,
        run: &str,
        filter: &RowFilter,
        offset: u64,
        limit: u64,
    ) -> Result<ResultsPage, StudioError> {
        self.table(run)?.1.page(filter, offset, limit).map_err(|e| invalid(e.to_string()))
    }

    /// Exports a run's results to `path` (CSV, XLSX, Parquet or JSONL by extension) from its results index
    /// — the rows the window pages, not a second join — never over the files the results are made from.
    pub async fn export(&self, run: &str, path: PathBuf, excel_safe: bool) -> Result<String, StudioError> {
        let root = self.root_run(run)?;
        let results = self.results_dir(&root);
        if !results.join(TABLE_FILE).is_file() {
            return Err(invalid(format!("run {run} has no results yet; wait for it to end (they are fetched then)")));
        }
        let prepared = root.prepared_dir.clone();
        tokio::task::spawn_blocking(move || -> Result<String, StudioError> {
            let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
            let mapping = prepared.join(&plan.record_ids.mapping_file);
            let sources: [(&Path, &'static str); 2] = [
                (Path::new(&plan.input.path), "the sheet the run was prepared from"),
                (&mapping, "the prepared run's record-id mapping"),
            ];
            refuse_overwriting(&path, &sources).map_err(|e| invalid(e.to_string()))?;
            let table = ResultsTable::open(&results.join(TABLE_FILE)).map_err(|e| invalid(e.to_string()))?;
            let written = table.export(&path, excel_safe).map_err(|e| invalid(e.to_string()))?;
            Ok(format!("{} rows written to {} ({})", written.rows, path.display(), written.format.label()))
        })
        .await
        .map_err(blocking_error)?
    }
}
