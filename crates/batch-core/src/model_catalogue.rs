//! The models this tool knows offline (a dated, sourced table): each model's name, provider, lifecycle, how it
//! runs batch (in the Region, or only through a cross-Region inference profile) and its profiles' geographies.
//! Connected, the account's answers decide instead; this table is what the sandbox serves and what is shown when
//! the account's list cannot be read.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::ModelId;
use crate::model_lifecycle::Lifecycle;

const BUNDLED: &str = include_str!("../data/models.json");

/// How a model runs batch inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchRoute {
    /// Through its own id in the Region (its profiles work too).
    InRegion,
    /// Only through a cross-Region inference profile: its in-Region id is refused.
    Profile,
}

/// What a model answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum OutputKind {
    /// Text (chat and completion models).
    Text,
    /// Vectors (embedding models).
    Embedding,
}

/// One model of the bundled table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CatalogueModel {
    /// Its display name.
    pub name: String,
    /// Its provider.
    pub provider: String,
    /// What it answers with.
    pub output: OutputKind,
    /// How it runs batch.
    pub batch: BatchRoute,
    /// The geographies of its cross-Region profiles (`us`, `eu`, `global` …).
    pub profiles: Vec<String>,
    /// Where it is in Bedrock's lifecycle.
    #[serde(flatten)]
    pub lifecycle: Lifecycle,
    /// A remark on its facts, when one is doubtful.
    #[serde(default)]
    pub note: Option<String>,
    /// True when its on-demand calls can ask for the Flex service tier.
    #[serde(default)]
    pub flex: bool,
    /// The keys of the table's sources its facts come from.
    pub sources: Vec<String>,
}

/// The bundled model table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ModelCatalogue {
    /// The day it was checked.
    pub as_of: String,
    /// What it holds and what decides instead when connected.
    pub note: String,
    /// Its sources by key.
    pub sources: BTreeMap<String, String>,
    /// The destination Regions of each profile geography (`global` routes to every commercial Region).
    pub geographies: BTreeMap<String, Vec<String>>,
    /// Its models by foundation-model id.
    pub models: BTreeMap<String, CatalogueModel>,
}

/// A model or profile id the table offers for batch, with the model it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered<'a> {
    /// The id to submit: the model's own, or a profile's.
    pub id: ModelId,
    /// True for a profile id.
    pub profile: bool,
    /// The model.
    pub model: &'a CatalogueModel,
}

impl ModelCatalogue {
    /// The table shipped with the tool, read once.
    pub fn bundled() -> &'static Self {
        static TABLE: std::sync::OnceLock<ModelCatalogue> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            serde_json::from_str(BUNDLED).expect("the bundled model table is valid JSON (checked by a test)")
        })
    }

    /// The entry of a model, a profile of it or an ARN of either.
    pub fn entry(&self, model: &ModelId) -> Option<&CatalogueModel> {
        self.models.get(model.without_arn()).or_else(|| self.models.get(model.base_id()))
    }

    /// The ids a user can send batch jobs to on `today` (`YYYY-MM-DD`): a model's own id only when it runs batch
    /// in the Region, its profiles always; nothing for a model past its end of life.
    pub fn offered(&self, today: &str) -> Vec<Offered<'_>> {
        let mut offered = Vec::new();
        for (id, model) in &self.models {
            if model.lifecycle.ended_by(today) {
                continue;
            }
            let ids = (model.batch == BatchRoute::InRegion)
                .then(|| (id.clone(), false))
                .into_iter()
                .chain(model.profiles.iter().map(|geo| (format!("{geo}.{id}"), true)));
            for (id, profile) in ids {
                if let Ok(id) = ModelId::parse(&id) {
                    offered.push(Offered { id, profile, model });
                }
            }
        }
        offered
    }

    /// The Regions a profile id routes to (empty for `global`, which reaches every commercial Region), or `None`
    /// for an id that is not a profile the table knows.
    pub fn destinations(&self, profile: &ModelId) -> Option<&[String]> {
        let geo = profile.profile_prefix()?;
        self.entry(profile).filter(|model| model.profiles.iter().any(|g| g == geo))?;
        self.geographies.get(geo).map(Vec::as_slice)
    }

    /// Why `model` cannot run batch as given, when the table knows: an in-Region id of a profile-only model.
    pub fn route_problem(&self, model: &ModelId) -> Option<String> {
        let entry = self.entry(model)?;
        if entry.batch != BatchRoute::Profile || model.profile_prefix().is_some() {
            return None;
        }
        let geo = entry.profiles.first()?;
        Some(format!(
            "{} runs batch jobs only through a cross-Region inference profile, such as {geo}.{}",
            entry.name,
            model.base_id()
        ))
    }
}

/// True when every word of a quota's model name appears, in order, among the model id's words
/// ("Claude Haiku 4.5" ↔ `anthropic.claude-haiku-4-5-20251001-v1:0`; "Nova Lite V1" ↔ `amazon.nova-lite-v1:0`).
pub fn quota_names_model(display: &str, model_id: &str) -> bool {
    let id = words(model_id);
    let mut at = 0;
    for word in words(display) {
        match id[at..].iter().position(|w| *w == word) {
            Some(found) => at += found + 1,
            None => return false,
        }
    }
    true
}

/// The words of a name, lowercased, letters and digits only.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::PriceTable;

    fn id(text: &str) -> ModelId {
        ModelId::parse(text).unwrap()
    }

    #[test]
    fn every_bundled_model_is_sourced_priced_and_offered_only_as_it_runs_batch() {
        let catalogue = ModelCatalogue::bundled();
        let prices = PriceTable::bundled();
        assert_eq!(catalogue.as_of.len(), 10);
        for (model, entry) in &catalogue.models {
            assert!(!entry.sources.is_empty(), "{model} names its sources");
            for source in &entry.sources {
                assert!(catalogue.sources.contains_key(source), "{model}: source {source} is listed");
            }
            for geo in &entry.profiles {
                assert!(catalogue.geographies.contains_key(geo), "{model}: geography {geo} is listed");
            }
            assert!(prices.lookup(&id(model)).is_some(), "{model} is priced");
            assert_eq!(ModelId::parse(model).unwrap().family().is_embedding(), entry.output == OutputKind::Embedding);
        }
        let offered = catalogue.offered("2026-12-03");
        let has = |text: &str| offered.iter().any(|o| o.id.as_str() == text);
        // The current generations are there, each priced.
        for current in [
            "us.anthropic.claude-opus-4-6-v1",
            "global.anthropic.claude-sonnet-4-6",
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "us.amazon.nova-2-lite-v1:0",
            "us.amazon.nova-premier-v1:0",
            "amazon.nova-2-multimodal-embeddings-v1:0",
            "us.meta.llama4-maverick-17b-instruct-v1:0",
            "openai.gpt-oss-120b-1:0",
            "qwen.qwen3-32b-v1:0",
            "us.deepseek.r1-v1:0",
        ] {
            assert!(has(current), "{current} is offered");
            assert!(prices.lookup(&id(current)).is_some(), "{current} is priced");
        }
        // A profile-only model is offered through its profiles only; an ended model not at all.
        assert!(!has("anthropic.claude-sonnet-4-6") && !has("amazon.nova-2-lite-v1:0"));
        assert!(has("amazon.nova-lite-v1:0") && has("eu.amazon.nova-lite-v1:0"));
        assert!(!has("anthropic.claude-3-haiku-20240307-v1:0") && !has("us.anthropic.claude-3-5-haiku-20241022-v1:0"));
        assert!(
            catalogue.offered("2026-06-01").iter().any(|o| o.id.as_str() == "anthropic.claude-3-haiku-20240307-v1:0")
        );
    }

    #[test]
    fn a_profile_only_model_s_own_id_is_named_with_the_profile_to_use_and_profiles_know_their_regions() {
        let catalogue = ModelCatalogue::bundled();
        let problem = catalogue.route_problem(&id("anthropic.claude-sonnet-4-6")).unwrap();
        assert!(
            problem.contains("only through a cross-Region inference profile, such as us.anthropic.claude-sonnet-4-6")
        );
        assert_eq!(catalogue.route_problem(&id("us.anthropic.claude-sonnet-4-6")), None);
        assert_eq!(catalogue.route_problem(&id("amazon.nova-lite-v1:0")), None);
        assert_eq!(catalogue.route_problem(&id("acme.unknown-v1")), None);
        let us = catalogue.destinations(&id("us.anthropic.claude-haiku-4-5-20251001-v1:0")).unwrap();
        assert!(us.iter().any(|r| r == "us-east-1") && us.iter().any(|r| r == "us-west-2"));
        assert_eq!(catalogue.destinations(&id("global.anthropic.claude-haiku-4-5-20251001-v1:0")), Some(&[][..]));
        assert_eq!(catalogue.destinations(&id("anthropic.claude-haiku-4-5-20251001-v1:0")), None);
        assert_eq!(
            catalogue.destinations(&id("eu.amazon.nova-premier-v1:0")),
            None,
            "Nova Premier has a US profile only"
        );
    }

    #[test]
    fn quota_names_match_model_ids_word_by_word_in_order() {
        assert!(quota_names_model("Claude Haiku 4.5", "anthropic.claude-haiku-4-5-20251001-v1:0"));
        assert!(quota_names_model("Nova Lite V1", "amazon.nova-lite-v1:0"));
        assert!(!quota_names_model("Nova Pro", "amazon.nova-lite-v1:0"));
        assert!(!quota_names_model("4.5 Haiku Claude", "anthropic.claude-haiku-4-5-20251001-v1:0"), "order counts");
    }
}
