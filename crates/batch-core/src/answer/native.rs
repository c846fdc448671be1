//! Where the answer's schema goes in a request: Bedrock's structured outputs (FACTS §8.1) where the model and
//! the invocation type take them — Converse's `outputConfig.textFormat`, the `output_config.format` of Claude's
//! InvokeModel body, an open-weight body's `response_format` — otherwise an instruction with the schema, added
//! to the prompt. The answer is checked against the schema either way.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::model::{InvocationType, ModelFamily, ModelId};

/// Claude models AWS lists for structured outputs, through Converse and InvokeModel
/// (https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-structured-outputs.html).
const CLAUDE_STRUCTURED: [&str; 4] = ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-5", "claude-opus-4-6"];
/// Open-weight models, which take `response_format` ("With open weight models, use the response_format request
/// field", structured-output.md); this tool sends them Converse bodies, where `outputConfig.textFormat` applies.
const OPEN_WEIGHT: [&str; 3] = ["openai.gpt-oss", "qwen.", "deepseek."];

/// How the schema reaches the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SchemaDelivery {
    /// Converse's `outputConfig.textFormat` (type `json_schema`, the schema as a JSON string).
    ConverseOutputConfig,
    /// Claude's InvokeModel body: `output_config.format` (type `json_schema`, the schema as an object).
    ClaudeOutputConfig,
    /// An open-weight model's InvokeModel body: `response_format` (OpenAI's `json_schema` form).
    ResponseFormat,
    /// No structured outputs for this model: the schema is written into the prompt.
    Instruction,
}

impl SchemaDelivery {
    /// How `model` called with `invocation` receives a schema.
    pub fn for_model(model: &ModelId, invocation: InvocationType) -> Self {
        let base = model.base_id().to_ascii_lowercase();
        let claude =
            model.family() == ModelFamily::AnthropicClaude && CLAUDE_STRUCTURED.iter().any(|m| base.contains(m));
        let open_weight = OPEN_WEIGHT.iter().any(|p| base.starts_with(p));
        match invocation {
            InvocationType::Converse if claude || open_weight => Self::ConverseOutputConfig,
            InvocationType::InvokeModel if claude => Self::ClaudeOutputConfig,
            InvocationType::InvokeModel if open_weight => Self::ResponseFormat,
            _ => Self::Instruction,
        }
    }

    /// True when Bedrock constrains the answer itself.
    pub fn is_native(self) -> bool {
        self != Self::Instruction
    }

    /// Says how, for the Model step and `prepare`.
    pub fn describe(self) -> &'static str {
        match self {
            Self::ConverseOutputConfig => {
                "structured output (Converse outputConfig.textFormat): Bedrock holds each answer to the schema"
            }
            Self::ClaudeOutputConfig => {
                "structured output (output_config.format in Claude's body): Bedrock holds each answer to the schema"
            }
            Self::ResponseFormat => {
                "structured output (response_format in the body): Bedrock holds each answer to the schema"
            }
            Self::Instruction => {
                "this model has no structured output here: the schema is added to the prompt, and answers that do not fit are marked invalid"
            }
        }
    }

    /// The body field that carries `schema` and its value (none for an instruction, which goes in the prompt).
    pub fn body_field(self, schema: &Value) -> Option<(&'static str, Value)> {
        match self {
            Self::ConverseOutputConfig => {
                let structure = json!({"jsonSchema": {"name": "answer", "schema": schema.to_string()}});
                Some(("outputConfig", json!({"textFormat": {"type": "json_schema", "structure": structure}})))
            }
            Self::ClaudeOutputConfig => {
                Some(("output_config", json!({"format": {"type": "json_schema", "schema": schema}})))
            }
            Self::ResponseFormat => {
                let format = json!({"name": "answer", "schema": schema, "strict": true});
                Some(("response_format", json!({"type": "json_schema", "json_schema": format})))
            }
            Self::Instruction => None,
        }
    }

    /// Puts `schema` into a record's `body` (its `modelInput`); an instruction leaves the body as it is (the
    /// prompt carries [`instruction`] instead).
    pub fn apply(self, body: &mut Value, schema: &Value) {
        if let (Some(object), Some((key, value))) = (body.as_object_mut(), self.body_field(schema)) {
            object.insert(key.into(), value);
        }
    }
}

/// The schema a request body carries in a structured-output field ([`SchemaDelivery::apply`] read back).
pub fn schema_in_body(body: &Value) -> Option<Value> {
    if let Some(text) = body.pointer("/outputConfig/textFormat/structure/jsonSchema/schema").and_then(Value::as_str) {
        return serde_json::from_str(text).ok();
    }
    ["/output_config/format/schema", "/response_format/json_schema/schema"]
        .iter()
        .find_map(|pointer| body.pointer(pointer).cloned())
}

/// The schema an [`instruction`] wrote into `prompt`, read back.
pub fn schema_in_prompt(prompt: &str) -> Option<Value> {
    let start = prompt.rfind(SCHEMA_FOLLOWS)? + SCHEMA_FOLLOWS.len();
    serde_json::Deserializer::from_str(&prompt[start..]).into_iter::<Value>().next()?.ok()
}

/// The words just before the schema in an [`instruction`] (how the sandbox model finds it).
pub const SCHEMA_FOLLOWS: &str = "It must match this JSON Schema:\n";

/// The words added after the prompt when the model has no structured output: answer only with JSON fitting
/// `schema`.
pub fn instruction(schema: &Value) -> String {
    format!("\n\nAnswer with one JSON object and nothing else (no prose, no code fence). {SCHEMA_FOLLOWS}{schema}")
}
