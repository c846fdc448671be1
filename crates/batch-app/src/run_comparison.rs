//! Runs compared over the same rows (different models, templates or parameters): each fetched run's answers are
//! joined afresh from its downloaded outputs, whatever format its export took, then compared field by field —
//! with each run's rows, tokens and cost beside the agreement.

use std::sync::Mutex;

use batch_core::export::{ExportError, ResultFields, RowWriter};
use batch_core::frame::compare::{Comparison, RunAnswers, compare};
use batch_core::pricing::PriceTable;
use batch_core::sheet::Row;
use serde::Serialize;

use crate::fetched_rows::{FetchedRowsError, FetchedRun};
use crate::history::History;

/// Which runs to compare.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// Two or more run ids (or job ids of their runs), the first the reference for confusion matrices.
    pub runs: Vec<String>,
    /// Prices for each run's cost.
    pub prices: PriceTable,
}

/// One compared run's totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunTotals {
    /// The run id.
    pub run: String,
    /// Its model.
    pub model_id: String,
    /// Rows it holds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rows: u64,
    /// Rows answered in full.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub succeeded: u64,
    /// Input tokens billed (as the outputs report them).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub input_tokens: u64,
    /// Output tokens billed.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub output_tokens: u64,
    /// Its cost, USD (none for a model without a price).
    pub cost_usd: Option<f64>,
}

/// Runs compared, with each run's totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunComparison {
    /// Agreement per field and the rows that differ.
    pub comparison: Comparison,
    /// Each run's rows, tokens and cost, in the order given.
    pub totals: Vec<RunTotals>,
    /// Things to look at (runs prepared from different sheets).
    pub warnings: Vec<String>,
}

/// Why runs could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// Fewer than two runs.
    #[error("give two or more runs to compare (run ids, as `jobs` lists them)")]
    TooFew,
    /// A run's answers are free text.
    #[error(
        "run {run} has free-text answers; compare runs whose answers have fields (--classify, --extract or --output-schema)"
    )]
    NoFields {
        /// The run.
        run: String,
    },
    /// A run's rows could not be read.
    #[error(transparent)]
    Rows(#[from] FetchedRowsError),
    /// The comparison itself failed.
    #[error("the runs could not be compared: {0}")]
    Frame(String),
}

impl CompareError {
    /// The run to fetch first, when that is what stands in the way.
    pub fn unfetched_run(&self) -> Option<&str> {
        match self {
            Self::Rows(FetchedRowsError::NotFetched { run }) => Some(run),
            _ => None,
        }
    }
}

impl batch_core::remedy::HasRemedy for CompareError {
    fn remedy(&self) -> Option<batch_core::remedy::Remedy> {
        self.unfetched_run().map(|run| batch_core::remedy::Remedy::FetchRun { run: run.to_string() })
    }
}

/// Collects a run's rows as the join streams them.
struct Collect<'a>(&'a mut RunAnswers);

impl RowWriter for Collect<'_> {
    fn write(&mut self, input: &Row, result: &ResultFields<'_>) -> Result<(), ExportError> {
        self.0.push(input.number(), result.status, result.answer);
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), ExportError> {
        Ok(())
    }
}

/// Compares the runs' answers over the rows they share.
pub fn compare_runs(history: &Mutex<History>, request: &CompareRequest) -> Result<RunComparison, CompareError> {
    if request.runs.len() < 2 {
        return Err(CompareError::TooFew);
    }
    let mut answers = Vec::new();
    let mut totals = Vec::new();
    let mut sheets: Vec<(String, String)> = Vec::new();
    for target in &request.runs {
        let fetched = FetchedRun::find(history, target)?;
        let id = fetched.run.id.to_string();
        let fields = fetched.plan.templates.answer.columns();
        if fields.is_empty() {
            return Err(CompareError::NoFields { run: id });
        }
        let mut run_answers = RunAnswers::new(&id, &fields);
        let summary = fetched.join_into(&request.prices, Box::new(Collect(&mut run_answers)))?;
        totals.push(RunTotals {
            run: id.clone(),
            model_id: fetched.plan.model.id.as_str().to_string(),
            rows: summary.rows,
            succeeded: summary.succeeded,
            input_tokens: summary.tokens.input_from_manifests.unwrap_or(summary.tokens.input_from_outputs),
            output_tokens: summary.tokens.output_from_manifests.unwrap_or(summary.tokens.output_from_outputs),
            cost_usd: summary.cost_usd,
        });
        sheets.push((id, fetched.plan.input.fingerprint.clone()));
        answers.push(run_answers);
    }
    let mut warnings = Vec::new();
    if let Some((first, fingerprint)) = sheets.first()
        && let Some((other, _)) = sheets.iter().find(|(_, f)| f != fingerprint)
    {
        warnings.push(format!(
            "runs {first} and {other} were prepared from different sheets; rows are matched by their number"
        ));
    }
    let comparison = compare(answers).map_err(|e| CompareError::Frame(e.to_string()))?;
    Ok(RunComparison { comparison, totals, warnings })
}
