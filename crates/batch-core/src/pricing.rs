//! Token prices per model (a bundled, dated table the user can replace) and cost estimates.
//!
//! Batch inference costs 50% of on-demand; where the table lists an explicit batch price that is used.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::ModelId;
use crate::service_tier::Tier;

const BUNDLED: &str = include_str!("../data/prices.json");

/// Prices of one model in USD per 1,000,000 tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModelPrice {
    /// On-demand input price.
    pub input: f64,
    /// On-demand output price.
    pub output: f64,
    /// Batch input price; half of on-demand when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_input: Option<f64>,
    /// Batch output price; half of on-demand when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_output: Option<f64>,
}

impl ModelPrice {
    /// Batch (input, output) prices per 1M tokens.
    pub fn batch(&self) -> (f64, f64) {
        (self.batch_input.unwrap_or(self.input / 2.0), self.batch_output.unwrap_or(self.output / 2.0))
    }

    /// (input, output) prices per 1M tokens on `tier`: the batch prices, the on-demand (Standard) ones, or
    /// Flex's — half of Standard, as AWS reported it (no price table lists Flex yet).
    pub fn for_tier(&self, tier: Tier) -> (f64, f64) {
        match tier {
            Tier::Batch => self.batch(),
            Tier::OnDemand => (self.input, self.output),
            Tier::Flex => (self.input / 2.0, self.output / 2.0),
        }
    }
}

/// A dated table of model prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceTable {
    /// The date the prices were taken.
    pub as_of: String,
    /// Currency code.
    #[serde(default = "usd")]
    pub currency: String,
    /// Where the prices come from.
    #[serde(default)]
    pub source: String,
    /// Prices by model id or inference-profile id.
    pub models: BTreeMap<String, ModelPrice>,
}

fn usd() -> String {
    "USD".into()
}

/// A price table that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{}: not a usable price table: {detail}; expected {{\"as_of\": \"YYYY-MM-DD\", \"models\": {{\"<model id>\": {{\"input\": 1.0, \"output\": 5.0}}}}}} with prices per 1M tokens", path.display())]
pub struct PriceTableError {
    path: std::path::PathBuf,
    detail: String,
}

impl PriceTable {
    /// The table shipped with the tool.
    pub fn bundled() -> Self {
        serde_json::from_str(BUNDLED).expect("the bundled price table is valid JSON (checked by a test)")
    }

    /// Reads a user's table (same format as the bundled one).
    pub fn from_file(path: &Path) -> Result<Self, PriceTableError> {
        let err = |detail: String| PriceTableError { path: path.to_path_buf(), detail };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let table: Self = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        if let Some((id, _)) = table.models.iter().find(|(_, p)| !(p.input >= 0.0 && p.output >= 0.0)) {
            return Err(err(format!("model \"{id}\" has a negative or missing price")));
        }
        Ok(table)
    }

    /// The price of a model: its exact id, else its foundation model behind a profile prefix.
    pub fn lookup(&self, model: &ModelId) -> Option<ModelPrice> {
        self.models.get(model.without_arn()).or_else(|| self.models.get(model.base_id())).copied()
    }
}

/// Estimated cost of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CostEstimate {
    /// Estimated input tokens.
    pub input_tokens: u64,
    /// Output tokens if every record used `max_tokens` (an upper bound).
    pub max_output_tokens: u64,
    /// Batch cost of the input tokens plus the upper-bound output, USD; `None` without a price.
    pub batch_usd: Option<f64>,
    /// The same at on-demand prices.
    pub on_demand_usd: Option<f64>,
    /// Batch cost of the input tokens alone (the lower bound), USD.
    pub batch_input_usd: Option<f64>,
    /// The price used, per 1M tokens.
    pub price: Option<ModelPrice>,
    /// The price table's date.
    pub prices_as_of: String,
    /// Why there is no cost, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Prices `input_tokens` and `max_output_tokens` for `model` from `table`.
pub fn estimate_cost(table: &PriceTable, model: &ModelId, input_tokens: u64, max_output_tokens: u64) -> CostEstimate {
    let price = table.lookup(model);
    let per_million = |tokens: u64, rate: f64| tokens as f64 / 1_000_000.0 * rate;
    let (batch_usd, on_demand_usd, batch_input_usd) = match price {
        Some(p) => {
            let (bi, bo) = p.batch();
            (
                Some(per_million(input_tokens, bi) + per_million(max_output_tokens, bo)),
                Some(per_million(input_tokens, p.input) + per_million(max_output_tokens, p.output)),
                Some(per_million(input_tokens, bi)),
            )
        }
        None => (None, None, None),
    };
    CostEstimate {
        input_tokens,
        max_output_tokens,
        batch_usd,
        on_demand_usd,
        batch_input_usd,
        price,
        prices_as_of: table.as_of.clone(),
        note: price
            .is_none()
            .then(|| format!("no price for {model} in the table of {}; give a price table that lists it", table.as_of)),
    }
}

/// What rows would cost on one tier: from their input alone (every answer empty) to every answer at its maximum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierEstimate {
    /// The tier.
    pub tier: Tier,
    /// Rows sent on it.
    pub rows: u64,
    /// Their estimated input tokens.
    pub input_tokens: u64,
    /// Their output tokens if every answer took its maximum.
    pub max_output_tokens: u64,
    /// The input tokens' cost, USD: the least the rows cost; `None` without a price.
    pub input_usd: Option<f64>,
    /// Input plus every answer at its maximum, USD: the most the rows cost.
    pub most_usd: Option<f64>,
}

/// Prices `rows` rows of `input_tokens` (in all) answering at most `max_output_tokens` (in all) on `tier`.
pub fn tier_estimate(
    table: &PriceTable,
    model: &ModelId,
    tier: Tier,
    rows: u64,
    input_tokens: u64,
    max_output_tokens: u64,
) -> TierEstimate {
    TierEstimate {
        tier,
        rows,
        input_tokens,
        max_output_tokens,
        input_usd: tier_cost(table, model, tier, input_tokens, 0),
        most_usd: tier_cost(table, model, tier, input_tokens, max_output_tokens),
    }
}

/// Batch cost in USD of measured token counts, or `None` without a price.
pub fn batch_cost(table: &PriceTable, model: &ModelId, input_tokens: u64, output_tokens: u64) -> Option<f64> {
    tier_cost(table, model, Tier::Batch, input_tokens, output_tokens)
}

/// Cost in USD of token counts answered on `tier`, or `None` without a price.
pub fn tier_cost(
    table: &PriceTable,
    model: &ModelId,
    tier: Tier,
    input_tokens: u64,
    output_tokens: u64,
) -> Option<f64> {
    let (input, output) = table.lookup(model)?.for_tier(tier);
    Some(input_tokens as f64 / 1e6 * input + output_tokens as f64 / 1e6 * output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_table_parses_and_is_dated() {
        let table = PriceTable::bundled();
        assert_eq!(table.as_of, "2026-12-03");
        assert!(table.models.len() >= 10);
    }

    #[test]
    fn batch_is_half_of_on_demand_unless_listed() {
        let table = PriceTable::bundled();
        let sonnet46 = ModelId::parse("anthropic.claude-sonnet-4-6").unwrap();
        assert_eq!(table.lookup(&sonnet46).unwrap().batch(), (1.5, 7.5));
        let nova = ModelId::parse("amazon.nova-micro-v1:0").unwrap();
        assert_eq!(table.lookup(&nova).unwrap().batch(), (0.0175, 0.07));
    }

    #[test]
    fn profiles_use_their_own_price_else_the_base_model() {
        let table = PriceTable::bundled();
        let us = ModelId::parse("us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        assert_eq!(table.lookup(&us).unwrap().input, 1.10);
        let eu = ModelId::parse("eu.amazon.nova-lite-v1:0").unwrap();
        assert_eq!(table.lookup(&eu).unwrap().input, 0.078, "the EU profile has its own price");
        let us_lite = ModelId::parse("us.amazon.nova-lite-v1:0").unwrap();
        assert_eq!(table.lookup(&us_lite).unwrap().input, 0.06, "the US profile costs what the model costs");
    }

    #[test]
    fn estimate_multiplies_tokens_by_rates() {
        let table = PriceTable::bundled();
        let haiku = ModelId::parse("anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        let est = estimate_cost(&table, &haiku, 2_000_000, 1_000_000);
        assert!((est.batch_usd.unwrap() - (2.0 * 0.5 + 2.5)).abs() < 1e-9);
        assert!((est.on_demand_usd.unwrap() - (2.0 * 1.0 + 5.0)).abs() < 1e-9);
        let unknown = estimate_cost(&table, &ModelId::parse("acme.model-v1").unwrap(), 10, 10);
        assert!(unknown.batch_usd.is_none() && unknown.note.is_some());
    }

    #[test]
    fn each_tier_has_its_own_rate() {
        let table = PriceTable::bundled();
        let oss = ModelId::parse("openai.gpt-oss-120b-1:0").unwrap();
        let price = table.lookup(&oss).unwrap();
        let cost = |tier| tier_cost(&table, &oss, tier, 1_000_000, 1_000_000).unwrap();
        assert!((cost(Tier::OnDemand) - (price.input + price.output)).abs() < 1e-9);
        assert!((cost(Tier::Flex) - cost(Tier::OnDemand) / 2.0).abs() < 1e-9);
        let (bi, bo) = price.batch();
        assert!((cost(Tier::Batch) - (bi + bo)).abs() < 1e-9);
        assert_eq!(batch_cost(&table, &oss, 1_000_000, 1_000_000), Some(cost(Tier::Batch)));
    }
}
