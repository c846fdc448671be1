//! How the rows of a run can be sent, and what each way costs: a batch job (when there are at least as many rows
//! as a job takes) or on-demand calls (Standard, or Flex where the model offers it) — what the Model and Submit
//! steps show before anything is sent.

use batch_core::model::ModelId;
use batch_core::pricing::{PriceTable, TierEstimate, tier_estimate};
use batch_core::service_tier::{Tier, offers_flex};
use serde::Serialize;

use super::{Studio, StudioError};
use crate::ports::{BatchQuotas, Connector};

/// The ways `rows` rows can be sent, each priced.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SendWays {
    /// Rows to send.
    pub rows: u64,
    /// The fewest records a batch job of the model takes (the connection's quotas, else AWS's defaults).
    pub batch_minimum: u64,
    /// True when the rows are enough for a batch job.
    pub batch_possible: bool,
    /// True when the model offers the Flex tier for on-demand calls.
    pub flex_offered: bool,
    /// How this tool sends them unless told otherwise: batch when possible, else on demand (Flex where offered).
    pub suggested: Tier,
    /// Each way's estimate: batch, on demand (Standard), and Flex where offered.
    pub estimates: Vec<TierEstimate>,
}

/// The ways of sending `rows` rows of `input_tokens` in all, at most `max_tokens` answer tokens each, under a
/// batch minimum of `batch_minimum`.
pub fn send_ways(model: &ModelId, rows: u64, input_tokens: u64, max_tokens: u64, batch_minimum: u64) -> SendWays {
    let prices = PriceTable::bundled();
    let flex_offered = offers_flex(model);
    let tiers = [Tier::Batch, Tier::OnDemand].into_iter().chain(flex_offered.then_some(Tier::Flex));
    let max_output = rows.saturating_mul(max_tokens);
    let batch_possible = rows >= batch_minimum;
    SendWays {
        rows,
        batch_minimum,
        batch_possible,
        flex_offered,
        suggested: if batch_possible { Tier::Batch } else { Tier::on_demand_for(model, None) },
        estimates: tiers.map(|tier| tier_estimate(&prices, model, tier, rows, input_tokens, max_output)).collect(),
    }
}

impl<C: Connector> Studio<C> {
    /// The ways of sending `rows` rows of `model` (`input_tokens` in all, at most `max_tokens` answer tokens
    /// each), under the connection's batch quotas for the model (AWS's defaults before a connection).
    pub async fn send_ways(
        &self,
        model: &str,
        rows: u64,
        input_tokens: u64,
        max_tokens: u64,
    ) -> Result<SendWays, StudioError> {
        let model = ModelId::parse(model).map_err(|e| StudioError::Invalid(format!("model: {e}")))?;
        let quotas = match self.connected().await {
            Ok((connection, info)) => self.model_quotas(&connection, &info, model.as_str()).await,
            Err(_) => BatchQuotas::defaults("not connected"),
        };
        Ok(send_ways(&model, rows, input_tokens, max_tokens, quotas.limits.min_records_per_job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_below_the_minimum_go_on_demand_on_flex_where_the_model_offers_it() {
        let oss = ModelId::parse("openai.gpt-oss-120b-1:0").unwrap();
        let few = send_ways(&oss, 60, 6_000, 100, 100);
        assert!(!few.batch_possible && few.flex_offered);
        assert_eq!(few.suggested, Tier::Flex);
        let tiers: Vec<Tier> = few.estimates.iter().map(|e| e.tier).collect();
        assert_eq!(tiers, [Tier::Batch, Tier::OnDemand, Tier::Flex]);
        let most = |tier| few.estimates.iter().find(|e| e.tier == tier).unwrap().most_usd.unwrap();
        assert!(most(Tier::Flex) < most(Tier::OnDemand), "Flex is discounted");
        assert!(most(Tier::Batch) < most(Tier::OnDemand), "batch is half price");

        let claude = ModelId::parse("us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        let many = send_ways(&claude, 500, 50_000, 100, 100);
        assert!(many.batch_possible && !many.flex_offered);
        assert_eq!(many.suggested, Tier::Batch);
        assert_eq!(many.estimates.len(), 2, "no Flex line for a model without it");
        assert_eq!(send_ways(&claude, 99, 1, 1, 100).suggested, Tier::OnDemand);
    }
}
