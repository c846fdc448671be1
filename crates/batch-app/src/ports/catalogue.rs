//! The model catalogue and one on-demand call: the models an analyst can pick for batch (the account's, or the
//! bundled table's), and "test one row now".

use batch_core::model::ModelId;
use batch_core::model_catalogue::{ModelCatalogue, quota_names_model};
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

/// The bundled model table's offer on `today`: each model that runs batch in the Region by its own id, every
/// model through its profiles, none past its end of life; current models first.
pub fn bundled_models(today: &str) -> Vec<ModelChoice> {
    let catalogue = ModelCatalogue::bundled();
    let prices = PriceTable::bundled();
    let mut choices: Vec<ModelChoice> = catalogue
        .offered(today)
        .into_iter()
        .map(|offer| ModelChoice {
            name: match offer.id.profile_prefix() {
                Some(geo) => format!("{} ({} profile)", offer.model.name, geo.to_uppercase()),
                None => offer.model.name.clone(),
            },
            provider: offer.model.provider.clone(),
            profile: offer.profile,
            lifecycle: offer.model.lifecycle.status.clone(),
            batch_priced: prices.lookup(&offer.id).is_some(),
            id: offer.id.as_str().to_string(),
        })
        .collect();
    sort_choices(&mut choices);
    choices
}

/// Current models first, then by id.
fn sort_choices(choices: &mut [ModelChoice]) {
    choices.sort_by(|a, b| (a.lifecycle != "ACTIVE", &a.id).cmp(&(b.lifecycle != "ACTIVE", &b.id)));
}

/// A foundation model as the account lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedModel {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its provider.
    pub provider: String,
    /// `ACTIVE` or `LEGACY` (`modelLifecycle.status`).
    pub lifecycle: String,
    /// Its `inferenceTypesSupported` (`ON_DEMAND`, `INFERENCE_PROFILE`, `PROVISIONED`).
    pub inference_types: Vec<String>,
}

/// A system-defined inference profile as the account lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedProfile {
    /// Its id (`us.anthropic.…`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// `ACTIVE` when usable.
    pub status: String,
}

/// What the account says of its models: the foundation models, the inference profiles, and the model names its
/// batch quotas are written for (`Err` with the reason when Service Quotas could not be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountModels {
    /// ListFoundationModels' text and embedding models.
    pub models: Vec<ListedModel>,
    /// ListInferenceProfiles' system-defined profiles.
    pub profiles: Vec<ListedProfile>,
    /// The model names of Service Quotas' batch quotas.
    pub batch_model_names: Result<Vec<String>, String>,
}

/// The account's offer for batch: a model that the batch quotas name (every model when they cannot be read) by
/// its own id when it serves requests in the Region (`ON_DEMAND`), and through each active profile of it; legacy
/// models last. A model only reachable through profiles is never offered by its own id.
pub fn batch_offer(account: &AccountModels) -> Vec<ModelChoice> {
    let prices = PriceTable::bundled();
    let priced = |id: &str| ModelId::parse(id).is_ok_and(|id| prices.lookup(&id).is_some());
    let runs_batch = |model: &ListedModel| match &account.batch_model_names {
        Ok(names) => names.iter().any(|name| quota_names_model(name, &model.id)),
        Err(_) => true,
    };
    let mut choices = Vec::new();
    for model in account.models.iter().filter(|m| runs_batch(m)) {
        if model.inference_types.iter().any(|t| t == "ON_DEMAND") {
            choices.push(ModelChoice {
                id: model.id.clone(),
                name: model.name.clone(),
                provider: model.provider.clone(),
                profile: false,
                lifecycle: model.lifecycle.clone(),
                batch_priced: priced(&model.id),
            });
        }
        let of_model =
            |p: &&ListedProfile| p.status == "ACTIVE" && ModelId::parse(&p.id).is_ok_and(|id| id.base_id() == model.id);
        for profile in account.profiles.iter().filter(of_model) {
            choices.push(ModelChoice {
                id: profile.id.clone(),
                name: profile.name.clone(),
                provider: model.provider.clone(),
                profile: true,
                lifecycle: model.lifecycle.clone(),
                batch_priced: priced(&profile.id),
            });
        }
    }
    sort_choices(&mut choices);
    choices
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
