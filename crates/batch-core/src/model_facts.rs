//! What the window needs to know of a model, in one answer: the facts of its id (family, context window,
//! default invocation) and where the lifecycle table puts it today.

use serde::Serialize;

use crate::model::{InvocationType, ModelFamily, ModelId};
use crate::model_catalogue::ModelCatalogue;
use crate::model_lifecycle::{LifecycleTable, today};

/// What the window needs to know of a model: its family, context window, whether it embeds, how its records are
/// sent by default, and where it is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModelFacts {
    /// The request-format family.
    pub family: ModelFamily,
    /// The longest prompt it takes, in tokens (a conservative figure for the family).
    pub context_tokens: u32,
    /// True for embedding models (no chat, no Converse).
    pub embedding: bool,
    /// How its records are sent when the user does not choose.
    pub default_invocation: InvocationType,
    /// Where it is in Bedrock's lifecycle today, when it is legacy or past its end of life.
    pub lifecycle_notice: Option<String>,
    /// Why this id cannot run batch, when the bundled table says so (a profile-only model's own id).
    pub route_notice: Option<String>,
}

impl ModelId {
    /// What the window needs to know of this model.
    pub fn facts(&self) -> ModelFacts {
        let family = self.family();
        ModelFacts {
            family,
            context_tokens: self.context_tokens(),
            embedding: family.is_embedding(),
            default_invocation: InvocationType::default_for(family),
            lifecycle_notice: LifecycleTable::bundled().notice(self, &today()).map(|notice| notice.to_string()),
            route_notice: ModelCatalogue::bundled().route_problem(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_embeddings_model_a_chat_model_and_an_ended_model_are_described_for_the_window() {
        let facts = ModelId::parse("amazon.titan-embed-text-v2:0").unwrap().facts();
        let embeds = ModelFacts {
            family: ModelFamily::TitanEmbedding,
            context_tokens: 8_192,
            embedding: true,
            default_invocation: InvocationType::InvokeModel,
            lifecycle_notice: None,
            route_notice: None,
        };
        assert_eq!(facts, embeds);
        let ended = ModelId::parse("anthropic.claude-3-haiku-20240307-v1:0").unwrap().facts();
        assert!(ended.lifecycle_notice.is_some_and(|n| n.contains("end of life")), "the window is told");
        let chat = ModelId::parse("us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap().facts();
        assert_eq!(chat.default_invocation, InvocationType::Converse, "chat models default to Converse");
        assert_eq!(chat.route_notice, None);
        let in_region = ModelId::parse("anthropic.claude-haiku-4-5-20251001-v1:0").unwrap().facts();
        assert!(
            in_region.route_notice.is_some_and(|n| n.contains("us.anthropic.claude-haiku-4-5")),
            "the profile is named"
        );
    }
}
