//! The cost check as one answer: input measured, the model's past estimates against their bills, the answers'
//! length, and each tier's cost from low to worst.

use std::path::Path;
use std::sync::Mutex;

use batch_core::prepare::{PLAN_FILE, PreparedPlan};
use batch_core::pricing::{PriceTable, tier_cost};
use batch_core::service_tier::{Tier, offers_flex};
use serde::Serialize;

use serde_json::Value;

use super::{
    CostBasis, CostCheckError, InputMeasure, OutputEstimate, OutputSample, PastAnswers, answer_sample, measure_sample,
    output_estimate, sample_records,
};
use crate::history::{History, PastEstimate, billed_ratio};
use crate::ports::RecordInvoker;

/// One tier's cost of the run: low, expected and worst case, USD (none without a price or an expectation).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierCost {
    /// The tier.
    pub tier: Tier,
    /// Low input and low output.
    pub low_usd: Option<f64>,
    /// Expected input and output.
    pub expected_usd: Option<f64>,
    /// High input and every answer at its maximum.
    pub worst_usd: Option<f64>,
}

/// What a prepared run will cost, measured before anything is spent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CostCheck {
    /// The input tokens, estimated and measured.
    pub input: InputMeasure,
    /// Billed over estimated input tokens in this model's past runs.
    pub past_ratio: Option<f64>,
    /// This model's last fetched runs, their estimates beside their bills (newest first, at most 5).
    pub past_runs: Vec<PastEstimate>,
    /// The answers' tokens.
    pub output: OutputEstimate,
    /// The rows answered on demand to measure the answers, when asked for.
    pub output_sample: Option<OutputSample>,
    /// Batch, on demand and (where offered) Flex: low, expected, worst.
    pub costs: Vec<TierCost>,
}

/// The cost check of the prepared run in `prepared`: CountTokens on `sample` records through `invoker`,
/// `test_rows` records answered on demand (billed; 0 for none), and the history's past runs of the model.
pub async fn check_cost<I: RecordInvoker>(
    prepared: &Path,
    invoker: &I,
    history: &Mutex<History>,
    (sample, test_rows): (usize, usize),
    prices: &PriceTable,
) -> Result<CostCheck, CostCheckError> {
    let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
    let records = sample_records(prepared, &plan, sample.max(test_rows))?;
    Ok(check_sample(&CostBasis::of_plan(&plan), &records, invoker, history, (sample, test_rows), prices).await)
}

/// The cost check of a run described by `basis` from its sampled `records` (spread over their lengths): the first
/// `sample` counted, the first `test_rows` answered on demand (billed; 0 for none).
pub async fn check_sample<I: RecordInvoker>(
    basis: &CostBasis,
    records: &[Value],
    invoker: &I,
    history: &Mutex<History>,
    (sample, test_rows): (usize, usize),
    prices: &PriceTable,
) -> CostCheck {
    let spread = |n: usize| -> Vec<Value> {
        let n = n.min(records.len());
        (0..n)
            .map(|i| records[if n > 1 { i * (records.len() - 1) / (n - 1) } else { records.len() / 2 }].clone())
            .collect()
    };
    let input = measure_sample(basis, &spread(sample), invoker).await;
    let output_sample = match test_rows {
        0 => None,
        rows => Some(answer_sample(&spread(rows), invoker).await),
    };
    let model = basis.model.as_str();
    let (of_model, of_template) = {
        let history = history.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // An unreadable history only loses what it would teach.
        (
            history.past_estimates(model, None).unwrap_or_default(),
            history.past_estimates(model, Some(&basis.template_key)).unwrap_or_default(),
        )
    };
    let past: Vec<PastAnswers> =
        of_template.iter().map(|p| PastAnswers { rows: p.answered_rows, output_tokens: p.billed_output }).collect();
    let output = output_estimate(basis.rows, basis.max_tokens, output_sample.as_ref(), &past);
    let tiers = [Tier::Batch, Tier::OnDemand].into_iter().chain(offers_flex(&basis.model).then_some(Tier::Flex));
    let cost =
        |tier, input: u64, output: Option<u64>| output.and_then(|o| tier_cost(prices, &basis.model, tier, input, o));
    let costs = tiers
        .map(|tier| TierCost {
            tier,
            low_usd: cost(tier, input.low, output.low),
            expected_usd: cost(tier, input.expected, output.expected),
            worst_usd: cost(tier, input.high, Some(output.worst)),
        })
        .collect();
    CostCheck {
        past_ratio: billed_ratio(&of_model),
        past_runs: of_model.into_iter().take(5).collect(),
        input,
        output,
        output_sample,
        costs,
    }
}
