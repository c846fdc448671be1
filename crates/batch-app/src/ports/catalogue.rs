//! The model catalogue and one on-demand call: the models an analyst can pick, and "test one row now".

use batch_core::model::ModelId;
use batch_core::model_lifecycle::LifecycleTable;
use batch_core::pricing::PriceTable;
use serde::Serialize;

/// A model or inference profile as the Model step lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModelChoice {
    /// The id to submit (`anthropic.claude-…` or `us.anthropic.claude-…`).
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its provider.
    pub provider: String,
    /// True for a cross-region inference profile.
    pub profile: bool,
    /// `ACTIVE` or `LEGACY`.
    pub lifecycle: String,
    /// True when the bundled price table has a batch price for it (batch inference is known to work).
    pub batch_priced: bool,
}

/// The bundled price table's models and profiles (when the account's cannot be listed).
pub fn bundled_models() -> Vec<ModelChoice> {
    let lifecycles = LifecycleTable::bundled();
    PriceTable::bundled()
        .models
        .into_keys()
        .filter_map(|id| ModelId::parse(&id).ok())
        .map(|id| ModelChoice {
            name: id.as_str().to_string(),
            provider: String::new(),
            profile: id.profile_prefix().is_some(),
            lifecycle: lifecycles.of(&id).map_or_else(|| "ACTIVE".to_string(), |l| l.status.clone()),
            batch_priced: true,
            id: id.as_str().to_string(),
        })
        .collect()
}

/// What one on-demand call answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TestAnswer {
    /// The answer's text.
    pub answer: String,
    /// Input tokens, as the service counted them.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Why generation stopped.
    pub stop_reason: String,
    /// The service's latency.
    pub latency_ms: u64,
    /// What this call cost at on-demand prices, when the model is priced.
    pub on_demand_usd: Option<f64>,
}

/// Sampling settings of the test call.
#[derive(Debug, Clone, Default)]
pub struct TestParams {
    /// Most answer tokens.
    pub max_tokens: u32,
    /// Temperature.
    pub temperature: Option<f64>,
    /// Top-p.
    pub top_p: Option<f64>,
}

/// One prompt to send on demand.
#[derive(Debug, Clone, Copy)]
pub struct OnDemandPrompt<'a> {
    /// The model or inference profile.
    pub model: &'a ModelId,
    /// The system prompt, if any.
    pub system: Option<&'a str>,
    /// The user prompt.
    pub prompt: &'a str,
    /// Sampling settings.
    pub params: &'a TestParams,
}
