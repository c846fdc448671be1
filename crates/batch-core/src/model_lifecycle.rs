//! Where each bundled model is in Bedrock's lifecycle (from the dated, sourced model table): a legacy model is sent
//! with a warning naming its end of life and a current successor; one past its end of life is refused unless
//! the user insists.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::ModelId;
use crate::remedy::{HasRemedy, Remedy, Setting};

/// One model's lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Lifecycle {
    /// `ACTIVE` or `LEGACY`, as Bedrock's `modelLifecycle.status`.
    pub status: String,
    /// The day Bedrock stops serving it (`YYYY-MM-DD`), when announced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_of_life: Option<String>,
    /// A current model to use instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
}

impl Lifecycle {
    /// True when its end of life has come by `today` (`YYYY-MM-DD`): Bedrock no longer serves it.
    pub fn ended_by(&self, today: &str) -> bool {
        self.end_of_life.as_deref().is_some_and(|day| day <= today)
    }
}

/// The bundled lifecycle table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LifecycleTable {
    /// The day the table was checked.
    pub as_of: String,
    /// Where its dates come from.
    pub source: String,
    /// Lifecycles by foundation-model id (a profile's model is looked up by its base id).
    pub models: BTreeMap<String, Lifecycle>,
}

/// What sending records to a model means for its lifecycle on a given day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleNotice {
    /// Still served, but Bedrock has announced its end.
    #[error("{model} is a legacy model{}{}", until(end_of_life), instead(successor))]
    Legacy {
        /// The model.
        model: String,
        /// Its end of life, when announced.
        end_of_life: Option<String>,
        /// A current model to use instead.
        successor: Option<String>,
    },
    /// Past its end of life: Bedrock no longer serves it, so every record of a job would fail.
    #[error(
        "{model} reached its end of life on {end_of_life}: Bedrock no longer serves it, so every record would fail{}",
        instead(successor)
    )]
    EndOfLife {
        /// The model.
        model: String,
        /// The day it ended.
        end_of_life: String,
        /// A current model to use instead.
        successor: Option<String>,
    },
}

fn until(end_of_life: &Option<String>) -> String {
    end_of_life.as_ref().map(|day| format!(": Bedrock ends it on {day}")).unwrap_or_default()
}

fn instead(successor: &Option<String>) -> String {
    successor.as_ref().map(|s| format!("; use {s} instead")).unwrap_or_default()
}

impl HasRemedy for LifecycleNotice {
    fn remedy(&self) -> Option<Remedy> {
        Some(Remedy::change(Setting::Model))
    }
}

impl LifecycleTable {
    /// The lifecycles of the bundled model table, gathered once.
    pub fn bundled() -> &'static Self {
        static TABLE: std::sync::OnceLock<LifecycleTable> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            let catalogue = crate::model_catalogue::ModelCatalogue::bundled();
            Self {
                as_of: catalogue.as_of.clone(),
                source: catalogue.sources.get("lifecycle").cloned().unwrap_or_default(),
                models: catalogue.models.iter().map(|(id, model)| (id.clone(), model.lifecycle.clone())).collect(),
            }
        })
    }

    /// The lifecycle of `model` (or of a profile's model), when the table knows it.
    pub fn of(&self, model: &ModelId) -> Option<&Lifecycle> {
        self.models.get(model.without_arn()).or_else(|| self.models.get(model.base_id()))
    }

    /// The notice for sending records to `model` on `today` (`YYYY-MM-DD`), or `None` for a current model.
    pub fn notice(&self, model: &ModelId, today: &str) -> Option<LifecycleNotice> {
        let lifecycle = self.of(model)?;
        let (model, successor) = (model.to_string(), lifecycle.successor.clone());
        match &lifecycle.end_of_life {
            Some(day) if lifecycle.ended_by(today) => {
                Some(LifecycleNotice::EndOfLife { model, end_of_life: day.clone(), successor })
            }
            end_of_life if lifecycle.status == "LEGACY" || end_of_life.is_some() => {
                Some(LifecycleNotice::Legacy { model, end_of_life: end_of_life.clone(), successor })
            }
            _ => None,
        }
    }

    /// Checks `model` for a run prepared on `today`: a legacy model's warning to show, or a refusal past its end
    /// of life unless `insist` (the user knows better, e.g. an extension AWS granted).
    pub fn check(
        &self,
        model: &ModelId,
        today: &str,
        insist: bool,
    ) -> Result<Option<LifecycleNotice>, LifecycleNotice> {
        match self.notice(model, today) {
            Some(ended @ LifecycleNotice::EndOfLife { .. }) if !insist => Err(ended),
            other => Ok(other),
        }
    }
}

/// Today's date in UTC, `YYYY-MM-DD`, as the lifecycle dates are written.
pub fn today() -> String {
    crate::clock::now_rfc3339().chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> ModelId {
        ModelId::parse(text).unwrap()
    }

    #[test]
    fn a_legacy_model_warns_with_its_date_and_successor_and_past_its_end_it_is_refused_unless_insisted() {
        let table = LifecycleTable::bundled();
        let haiku3 = id("anthropic.claude-3-haiku-20240307-v1:0");
        let before = table.check(&haiku3, "2026-06-01", false).unwrap().expect("a warning before its end");
        let text = before.to_string();
        assert!(text.contains("legacy") && text.contains("2026-09-10") && text.contains("claude-haiku-4-5"), "{text}");
        let after = table.check(&haiku3, "2026-12-02", false).unwrap_err();
        assert!(matches!(after, LifecycleNotice::EndOfLife { ref end_of_life, .. } if end_of_life == "2026-09-10"));
        assert!(after.to_string().contains("every record would fail"), "{after}");
        assert_eq!(after.remedy(), Some(Remedy::change(Setting::Model)));
        assert!(matches!(table.check(&haiku3, "2026-12-02", true), Ok(Some(LifecycleNotice::EndOfLife { .. }))));
        // A profile of a legacy model is the model; a current model has no notice.
        let profile = id("us.anthropic.claude-3-5-haiku-20241022-v1:0");
        assert!(matches!(table.notice(&profile, "2026-12-02"), Some(LifecycleNotice::EndOfLife { .. })));
        assert_eq!(table.notice(&id("us.anthropic.claude-haiku-4-5-20251001-v1:0"), "2026-12-02"), None);
    }

    #[test]
    fn the_bundled_table_is_dated_sourced_and_names_successors_it_prices() {
        let table = LifecycleTable::bundled();
        assert!(table.as_of.len() == 10 && table.source.contains("docs.aws.amazon.com"));
        let prices = crate::pricing::PriceTable::bundled();
        for (model, lifecycle) in &table.models {
            assert!(prices.lookup(&id(model)).is_some(), "{model} is priced");
            if let Some(successor) = &lifecycle.successor {
                assert!(prices.lookup(&id(successor)).is_some(), "{successor} is priced");
                assert_eq!(table.notice(&id(successor), &table.as_of), None, "{successor} is current");
            }
        }
        assert_eq!(today().len(), 10);
    }
}
