//! What a run will cost before anything is spent, measured rather than guessed: the prepared records' input tokens
//! counted by the model's free CountTokens on a sample spread over their lengths (the estimate scaled by the
//! measured ratio, with its uncertainty band), and the answers' length from a few rows answered on demand and from
//! past runs of the same template and model — low, expected and worst case.

mod report;
mod sample;
#[cfg(test)]
mod tests;

use std::path::Path;

use batch_core::prepare::{PLAN_FILE, PrepareError, PreparedPlan};
use batch_core::results::extract;
use batch_core::sandbox_model::input_tokens;
use serde::Serialize;
use serde_json::Value;

use crate::ports::{RecordInvoker, ServiceError};
pub use report::{CostCheck, TierCost, check_cost, check_sample};
pub use sample::sample_records;

/// The input tokens of a prepared run: the estimate, and what CountTokens measured on a sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InputMeasure {
    /// Records in the run.
    pub records: u64,
    /// The streaming estimate over every record (characters per token).
    pub estimated: u64,
    /// Records counted.
    pub sampled: u64,
    /// Counted over estimated tokens on the sample (none when CountTokens could not be used).
    pub ratio: Option<f64>,
    /// The estimate scaled by the ratio: the expected input tokens.
    pub expected: u64,
    /// The expected tokens less two standard errors of the ratio.
    pub low: u64,
    /// The expected tokens plus two standard errors of the ratio.
    pub high: u64,
    /// Why CountTokens was not used, when it was not (model, Region or permissions): the estimate stands.
    pub unavailable: Option<String>,
}

/// Output tokens measured on a few rows answered on demand.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutputSample {
    /// Rows answered.
    pub rows: u64,
    /// Each answer's output tokens, in the order sent.
    pub output_tokens: Vec<u64>,
    /// Rows whose call failed.
    pub failed: u64,
}

/// Output tokens of a run: low, expected and worst case, and where the first two come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutputEstimate {
    /// Rows in the run.
    pub rows: u64,
    /// The fewest output tokens to expect (the shortest tenth of the sample's answers, or the lowest past run's).
    pub low: Option<u64>,
    /// The expected output tokens (the mean answer of the sample, or of past runs).
    pub expected: Option<u64>,
    /// Every answer at its maximum of tokens.
    pub worst: u64,
    /// "a sample of N rows", "N past runs", or why neither is known.
    pub basis: String,
}

/// Why a cost check could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CostCheckError {
    /// The prepared folder is unusable.
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    /// A part file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// What a cost check needs to know of a run besides its sample of records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostBasis {
    /// The model or profile.
    pub model: batch_core::model::ModelId,
    /// How its records are written.
    pub invocation: batch_core::model::InvocationType,
    /// Rows to send.
    pub rows: u64,
    /// The streaming estimate of their input tokens.
    pub estimated_input: u64,
    /// Most answer tokens a row.
    pub max_tokens: u64,
    /// The templates' fingerprint ([`crate::history::template_key`]).
    pub template_key: String,
}

impl CostBasis {
    /// The basis of a prepared run.
    pub fn of_plan(plan: &PreparedPlan) -> Self {
        Self {
            model: plan.model.id.clone(),
            invocation: plan.model.invocation_type,
            rows: plan.totals.records,
            estimated_input: plan.totals.input_tokens,
            max_tokens: u64::from(plan.model.params.max_tokens),
            template_key: crate::history::template_key(&plan.templates.prompt, plan.templates.system.as_deref()),
        }
    }

    /// The tool's own estimate of one record's input tokens (the same characters-per-token rule as `prepare`).
    fn estimated_tokens(&self, model_input: &Value) -> u64 {
        input_tokens(self.model.family(), self.invocation, model_input).unwrap_or(0).max(1)
    }
}

/// Counts the input tokens of up to `sample` records of the prepared run in `prepared` (spread over their
/// lengths) with `invoker`'s CountTokens, and scales the run's estimate by the measured ratio.
pub async fn measure_input<I: RecordInvoker>(
    prepared: &Path,
    invoker: &I,
    sample: usize,
) -> Result<InputMeasure, CostCheckError> {
    let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
    let records = sample_records(prepared, &plan, sample)?;
    Ok(measure_sample(&CostBasis::of_plan(&plan), &records, invoker).await)
}

/// Counts the input tokens of the sampled `records` (each `{"modelInput": …}`) with `invoker`'s CountTokens, and
/// scales the run's estimate by the measured ratio. Without an estimate of the whole run (0: not computed yet),
/// the sample's mean estimate per record stands for every row.
pub async fn measure_sample<I: RecordInvoker>(basis: &CostBasis, records: &[Value], invoker: &I) -> InputMeasure {
    let estimated = match basis.estimated_input {
        0 if !records.is_empty() => {
            let sampled: u64 =
                records.iter().map(|r| basis.estimated_tokens(r.get("modelInput").unwrap_or(&Value::Null))).sum();
            sampled * basis.rows / records.len() as u64
        }
        known => known,
    };
    let mut measure = InputMeasure {
        records: basis.rows,
        estimated,
        sampled: 0,
        ratio: None,
        expected: estimated,
        low: estimated,
        high: estimated,
        unavailable: None,
    };
    let mut ratios = Vec::with_capacity(records.len());
    let (mut counted_sum, mut estimated_sum) = (0u64, 0u64);
    for record in records {
        let input = record.get("modelInput").unwrap_or(&Value::Null);
        match invoker.count_tokens(input).await {
            Ok(counted) => {
                let guess = basis.estimated_tokens(input);
                ratios.push(counted as f64 / guess as f64);
                counted_sum += counted;
                estimated_sum += guess;
            }
            Err(error) => {
                measure.unavailable = Some(unavailable(&error));
                return measure;
            }
        }
    }
    if ratios.is_empty() {
        measure.unavailable = Some("there is no record to count".into());
        return measure;
    }
    let ratio = counted_sum as f64 / estimated_sum.max(1) as f64;
    let n = ratios.len() as f64;
    let mean = ratios.iter().sum::<f64>() / n;
    let spread = (ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    let margin = 2.0 * spread / n.sqrt();
    let scale = |r: f64| (estimated as f64 * r.max(0.0)).round() as u64;
    measure.sampled = ratios.len() as u64;
    measure.ratio = Some(ratio);
    measure.expected = scale(ratio);
    measure.low = scale(ratio - margin);
    measure.high = scale(ratio + margin);
    measure
}

/// Why CountTokens could not be used, in the user's words.
fn unavailable(error: &ServiceError) -> String {
    format!(
        "CountTokens could not be used ({}: {}); the estimate (about 4 characters a token) stands",
        error.operation, error.message
    )
}

/// Answers up to `rows` records of the prepared run on demand (spread over their lengths, as the input sample) to
/// measure the answers' length. These calls are billed at the invoker's tier.
pub async fn test_outputs<I: RecordInvoker>(
    prepared: &Path,
    invoker: &I,
    rows: usize,
) -> Result<OutputSample, CostCheckError> {
    let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
    let records = sample_records(prepared, &plan, rows)?;
    Ok(answer_sample(&records, invoker).await)
}

/// Answers the sampled `records` on demand and measures the answers' output tokens (billed at the invoker's tier).
pub async fn answer_sample<I: RecordInvoker>(records: &[Value], invoker: &I) -> OutputSample {
    let mut sample = OutputSample { rows: 0, output_tokens: Vec::new(), failed: 0 };
    for record in records {
        sample.rows += 1;
        match invoker.invoke(record.get("modelInput").unwrap_or(&Value::Null)).await {
            Ok(body) => sample.output_tokens.push(extract(&body).output_tokens.unwrap_or(0)),
            Err(_) => sample.failed += 1,
        }
    }
    sample
}

/// A past run's answers: rows answered and their output tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastAnswers {
    /// Rows that succeeded.
    pub rows: u64,
    /// Their output tokens.
    pub output_tokens: u64,
}

/// The output tokens of `rows` rows answering at most `max_tokens` each: from the sample when there is one, else
/// from past runs of the same template and model, else only the worst case.
pub fn output_estimate(
    rows: u64,
    max_tokens: u64,
    sample: Option<&OutputSample>,
    past: &[PastAnswers],
) -> OutputEstimate {
    let worst = rows.saturating_mul(max_tokens);
    let cap = |tokens: f64| ((tokens * rows as f64).round() as u64).min(worst);
    if let Some(sample) = sample.filter(|s| !s.output_tokens.is_empty()) {
        let mut sorted = sample.output_tokens.clone();
        sorted.sort_unstable();
        let mean = sorted.iter().sum::<u64>() as f64 / sorted.len() as f64;
        let tenth = sorted[(sorted.len() - 1) / 10] as f64;
        return OutputEstimate {
            rows,
            low: Some(cap(tenth)),
            expected: Some(cap(mean)),
            worst,
            basis: format!("answers of a sample of {} rows", sorted.len()),
        };
    }
    let answered: Vec<f64> =
        past.iter().filter(|p| p.rows > 0).map(|p| p.output_tokens as f64 / p.rows as f64).collect();
    if answered.is_empty() {
        return OutputEstimate {
            rows,
            low: None,
            expected: None,
            worst,
            basis: "no sample and no past run of this template and model: only the worst case is known".into(),
        };
    }
    let total_rows: u64 = past.iter().map(|p| p.rows).sum();
    let total_tokens: u64 = past.iter().map(|p| p.output_tokens).sum();
    let lowest = answered.iter().copied().fold(f64::INFINITY, f64::min);
    OutputEstimate {
        rows,
        low: Some(cap(lowest)),
        expected: Some(cap(total_tokens as f64 / total_rows.max(1) as f64)),
        worst,
        basis: format!("{} past run(s) of this template and model", answered.len()),
    }
}
