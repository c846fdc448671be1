//! Which way a record is answered — by a batch job, or by an on-demand call on the Standard or the Flex tier —
//! and so what its tokens cost.

use serde::{Deserialize, Serialize};

use crate::model::ModelId;
use crate::model_catalogue::ModelCatalogue;

/// How records are answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Tier {
    /// By a batch job (half the on-demand price, hours of queue, at least the batch minimum of records).
    #[default]
    Batch,
    /// By on-demand calls on the Standard tier (full price, no minimum, no queue).
    OnDemand,
    /// By on-demand calls on the Flex tier (discounted, slower; only some models offer it).
    Flex,
}

impl Tier {
    /// Every tier, in the order results list them.
    pub const ALL: [Tier; 3] = [Tier::Batch, Tier::OnDemand, Tier::Flex];

    /// The tier's name as results and exports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Batch => "batch",
            Self::OnDemand => "on-demand",
            Self::Flex => "flex",
        }
    }

    /// The tier written as [`Tier::as_str`] says.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tier| tier.as_str() == text)
    }

    /// True for the on-demand tiers (Standard and Flex).
    pub fn is_on_demand(self) -> bool {
        self != Self::Batch
    }

    /// The on-demand tier to send `model`'s records on: Flex where the model offers it and `flex` is not
    /// `Some(false)`, Standard otherwise (asking for Flex on a model without it gets Standard).
    pub fn on_demand_for(model: &ModelId, flex: Option<bool>) -> Self {
        if flex != Some(false) && offers_flex(model) { Self::Flex } else { Self::OnDemand }
    }
}

/// True when the bundled table says `model` (or the model behind a profile) is offered on the Flex tier.
pub fn offers_flex(model: &ModelId) -> bool {
    ModelCatalogue::bundled().entry(model).is_some_and(|entry| entry.flex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> ModelId {
        ModelId::parse(text).unwrap()
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        for tier in Tier::ALL {
            assert_eq!(Tier::parse(tier.as_str()), Some(tier));
            assert_eq!(serde_json::to_value(tier).unwrap(), tier.as_str());
        }
        assert_eq!(Tier::parse("priority"), None);
    }

    #[test]
    fn flex_is_chosen_only_where_the_model_offers_it() {
        assert_eq!(Tier::on_demand_for(&id("openai.gpt-oss-120b-1:0"), None), Tier::Flex);
        assert_eq!(Tier::on_demand_for(&id("us.amazon.nova-premier-v1:0"), None), Tier::Flex);
        assert_eq!(Tier::on_demand_for(&id("openai.gpt-oss-120b-1:0"), Some(false)), Tier::OnDemand);
        // Anthropic models are not on Flex: asking for it gets Standard.
        assert_eq!(Tier::on_demand_for(&id("us.anthropic.claude-haiku-4-5-20251001-v1:0"), Some(true)), Tier::OnDemand);
        assert_eq!(Tier::on_demand_for(&id("amazon.nova-lite-v1:0"), None), Tier::OnDemand);
    }
}
