//! Model identifiers, the model families whose request bodies differ, and the invocation type.

use serde::{Deserialize, Serialize};

/// Why a model id or an invocation choice cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The id is empty or contains characters a Bedrock model id never has.
    #[error(
        "model id \"{0}\" is not valid; use an id such as anthropic.claude-haiku-4-5-20251001-v1:0, an inference profile such as us.amazon.nova-lite-v1:0, or an ARN"
    )]
    Invalid(String),
    /// InvokeModel bodies are not known for this family.
    #[error("no InvokeModel request format is known for \"{0}\"; send its records with Converse")]
    NoInvokeFormat(String),
    /// Converse does not apply (embeddings).
    #[error("\"{0}\" is an embeddings model, which the Converse API does not serve; send its records with InvokeModel")]
    NoConverse(String),
}

/// A Bedrock model id: a foundation-model id, a (cross-region) inference profile id or an ARN of either.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ModelId(String);

/// Leading segments of cross-region / global inference profile ids.
const PROFILE_PREFIXES: &[&str] = &["us", "eu", "apac", "global", "us-gov", "jp", "au", "ca", "ap"];

impl ModelId {
    /// Validates the shape of a model id (the service validates existence).
    pub fn parse(raw: &str) -> Result<Self, ModelError> {
        let ok = !raw.is_empty()
            && raw.len() <= 2048
            && raw.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c));
        if ok { Ok(Self(raw.to_string())) } else { Err(ModelError::Invalid(raw.to_string())) }
    }

    /// The id as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id without an ARN prefix (`…:foundation-model/` or `…:inference-profile/`).
    pub fn without_arn(&self) -> &str {
        if self.0.starts_with("arn:") { self.0.rsplit('/').next().unwrap_or(&self.0) } else { &self.0 }
    }

    /// The inference-profile region prefix (`us`, `eu`, `global` …), if any.
    pub fn profile_prefix(&self) -> Option<&str> {
        let id = self.without_arn();
        let (first, rest) = id.split_once('.')?;
        (PROFILE_PREFIXES.contains(&first) && rest.contains('.')).then_some(first)
    }

    /// The foundation-model id behind a profile id (`us.anthropic.x` → `anthropic.x`).
    pub fn base_id(&self) -> &str {
        let id = self.without_arn();
        match self.profile_prefix() {
            Some(prefix) => &id[prefix.len() + 1..],
            None => id,
        }
    }

    /// The request-format family, from the base id.
    pub fn family(&self) -> ModelFamily {
        ModelFamily::of(self.base_id())
    }

    /// The longest prompt the model takes, in tokens: a conservative figure for its family.
    pub fn context_tokens(&self) -> u32 {
        let base = self.base_id().to_ascii_lowercase();
        match self.family() {
            ModelFamily::AnthropicClaude => 200_000,
            ModelFamily::AmazonNova if !base.starts_with("amazon.nova-micro") => 300_000,
            ModelFamily::TitanEmbedding => 8_192,
            _ => 128_000,
        }
    }
}

/// The Mistral models that take the `<s>[INST]` text-completion body (AWS's "Mistral AI text completion" page);
/// every other Mistral model takes the chat body.
const MISTRAL_TEXT_COMPLETION: &[&str] = &[
    "mistral.mistral-7b-instruct",
    "mistral.mixtral-8x7b-instruct",
    "mistral.mistral-small-2402",
    "mistral.mistral-large-2402",
];

/// Families whose InvokeModel request and response bodies differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ModelFamily {
    /// Anthropic Claude, Messages API body.
    AnthropicClaude,
    /// Amazon Nova text models (messages-v1 body).
    AmazonNova,
    /// Meta Llama 3.x instruct (prompt with the Llama 3 chat template).
    MetaLlama,
    /// Meta Llama 4 (prompt with Llama 4's own header and end-of-turn tokens).
    MetaLlama4,
    /// Mistral text-completion models (`<s>[INST] … [/INST]`): Mistral 7B, Mixtral 8x7B, Small and Large 2402.
    Mistral,
    /// Mistral chat-completion models (`messages` body): Large 2407 and newer, Pixtral and later models.
    MistralChat,
    /// Amazon Titan Text Embeddings (`inputText`).
    TitanEmbedding,
    /// Amazon Nova multimodal embeddings (`taskType` and `singleEmbeddingParams`), served only by InvokeModel.
    NovaEmbedding,
    /// Amazon Titan Text (legacy generation).
    TitanText,
    /// Any other provider: Converse only.
    Other,
}

impl ModelFamily {
    /// The family of a foundation-model id.
    pub fn of(base_id: &str) -> Self {
        let id = base_id.to_ascii_lowercase();
        if id.starts_with("anthropic.claude") {
            Self::AnthropicClaude
        } else if id.starts_with("amazon.nova") && id.contains("embed") {
            Self::NovaEmbedding
        } else if id.starts_with("amazon.nova")
            && !id.contains("embed")
            && !id.contains("sonic")
            && !id.contains("canvas")
            && !id.contains("reel")
        {
            Self::AmazonNova
        } else if id.starts_with("meta.llama4") {
            Self::MetaLlama4
        } else if id.starts_with("meta.llama") {
            Self::MetaLlama
        } else if MISTRAL_TEXT_COMPLETION.iter().any(|prefix| id.starts_with(prefix)) {
            Self::Mistral
        } else if id.starts_with("mistral.") {
            Self::MistralChat
        } else if id.starts_with("amazon.titan-embed-text") {
            Self::TitanEmbedding
        } else if id.starts_with("amazon.titan-text") {
            Self::TitanText
        } else {
            Self::Other
        }
    }

    /// True for embedding models (no chat, no Converse, no output tokens).
    pub fn is_embedding(self) -> bool {
        matches!(self, Self::TitanEmbedding | Self::NovaEmbedding)
    }
}

/// How Bedrock invokes the model for each record: the model's native body or the Converse API body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum InvocationType {
    /// The model's own request body (Bedrock's default).
    InvokeModel,
    /// The Converse request body, the same for every chat model.
    Converse,
}

impl InvocationType {
    /// The default for a family: Converse for every chat model (one request format across models, and the
    /// only one some organisations allow), InvokeModel for embeddings, which Converse does not serve.
    pub fn default_for(family: ModelFamily) -> Self {
        if family.is_embedding() { Self::InvokeModel } else { Self::Converse }
    }

    /// The CLI spelling.
    pub fn cli_name(self) -> &'static str {
        match self {
            Self::InvokeModel => "invoke-model",
            Self::Converse => "converse",
        }
    }
}

crate::string_newtype::string_newtype!(ModelId, ModelError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_windows_follow_the_family_and_the_profile_s_base_model() {
        let context = |id: &str| ModelId::parse(id).unwrap().context_tokens();
        assert_eq!(context("us.anthropic.claude-haiku-4-5-20251001-v1:0"), 200_000);
        assert_eq!(context("amazon.nova-lite-v1:0"), 300_000);
        assert_eq!(context("us.amazon.nova-micro-v1:0"), 128_000);
        assert_eq!(context("amazon.titan-embed-text-v2:0"), 8_192);
        assert_eq!(context("meta.llama3-1-70b-instruct-v1:0"), 128_000);
    }

    #[test]
    fn profile_ids_resolve_to_the_base_model() {
        let id = ModelId::parse("us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        assert_eq!(id.profile_prefix(), Some("us"));
        assert_eq!(id.base_id(), "anthropic.claude-haiku-4-5-20251001-v1:0");
        assert_eq!(id.family(), ModelFamily::AnthropicClaude);
        let arn =
            ModelId::parse("arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.amazon.nova-lite-v1:0")
                .unwrap();
        assert_eq!(arn.base_id(), "amazon.nova-lite-v1:0");
        assert_eq!(arn.family(), ModelFamily::AmazonNova);
    }

    #[test]
    fn families_follow_the_provider() {
        assert_eq!(ModelFamily::of("meta.llama3-1-8b-instruct-v1:0"), ModelFamily::MetaLlama);
        assert_eq!(ModelFamily::of("mistral.mistral-small-2402-v1:0"), ModelFamily::Mistral);
        assert_eq!(ModelFamily::of("amazon.titan-embed-text-v2:0"), ModelFamily::TitanEmbedding);
        assert_eq!(ModelFamily::of("amazon.nova-2-multimodal-embeddings-v1:0"), ModelFamily::NovaEmbedding);
        assert_eq!(ModelFamily::of("meta.llama4-scout-17b-instruct-v1:0"), ModelFamily::MetaLlama4);
        assert_eq!(ModelFamily::of("mistral.mistral-large-2407-v1:0"), ModelFamily::MistralChat);
        assert_eq!(ModelFamily::of("deepseek.r1-v1:0"), ModelFamily::Other);
    }

    #[test]
    fn rejects_ids_with_spaces() {
        assert!(ModelId::parse("claude haiku").is_err());
        assert!(ModelId::parse("").is_err());
    }
}
