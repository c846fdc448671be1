//! One output line of a batch job turned into an outcome: status, the model's text, error, tokens.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::service_tier::Tier;

mod typed;

/// What happened to one input row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The model answered.
    Succeeded,
    /// Bedrock returned an error for the record.
    Failed,
    /// No output line names the record (not processed, or outputs not downloaded).
    Missing,
    /// The model answered, but not in the shape asked for (the error says which field and why).
    Invalid,
    /// The model's answer was cut off at its token limit.
    Truncated,
    /// The model answered nothing.
    Empty,
}

impl Status {
    /// Every status, in the order counts and filters show them.
    pub const ALL: [Status; 6] =
        [Self::Succeeded, Self::Failed, Self::Missing, Self::Invalid, Self::Truncated, Self::Empty];

    /// The text written to exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Missing => "missing",
            Self::Invalid => "invalid",
            Self::Truncated => "truncated",
            Self::Empty => "empty",
        }
    }

    /// The status an export's text names ([`Status::as_str`] read back); any other text is `Missing`.
    pub fn from_text(text: &str) -> Self {
        Self::ALL.into_iter().find(|s| s.as_str() == text).unwrap_or(Self::Missing)
    }

    /// True when the row has an answer worth keeping: a retry sends every other row again.
    pub fn is_done(self) -> bool {
        self == Self::Succeeded
    }
}

/// The joined result of one row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// The model's text (or an embedding as a JSON array).
    pub output: String,
    /// `errorCode: errorMessage` of a failed record.
    pub error: String,
    /// Input tokens reported by the model.
    pub input_tokens: Option<u64>,
    /// Output tokens reported by the model.
    pub output_tokens: Option<u64>,
    /// Why generation stopped.
    pub stop_reason: String,
    /// Prompt tokens read from the prompt cache (Claude's `cache_read_input_tokens`, Converse's
    /// `cacheReadInputTokens`, Nova's `cacheReadInputTokenCount`), when the model reports them.
    pub cache_read_tokens: Option<u64>,
    /// Prompt tokens written to the prompt cache (`cache_creation_input_tokens`, `cacheWriteInputTokens`,
    /// `cacheWriteInputTokenCount`).
    pub cache_write_tokens: Option<u64>,
    /// The tier that answered the row (none for a missing row).
    pub tier: Option<Tier>,
}

impl Outcome {
    /// The tier's name as exports write it (empty for a missing row).
    pub fn tier_text(&self) -> &'static str {
        self.tier.map_or("", Tier::as_str)
    }
}

#[derive(Deserialize)]
struct OutputLine<'a> {
    #[serde(rename = "recordId")]
    record_id: Option<String>,
    #[serde(rename = "modelOutput", borrow)]
    model_output: Option<&'a RawValue>,
    error: Option<Value>,
}

/// A parsed output line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLine {
    /// The record id (may be absent when Bedrock generated none and the input had none).
    pub record_id: Option<String>,
    /// Succeeded or failed.
    pub status: Status,
    /// Extracted fields.
    pub outcome: Outcome,
}

/// Parses a full output line; `Err` carries a short reason for the corrupt-line report.
pub fn parse_line(line: &[u8]) -> Result<ParsedLine, String> {
    let parsed: OutputLine = serde_json::from_slice(line).map_err(|e| format!("not valid JSON ({e})"))?;
    match (parsed.error, parsed.model_output) {
        (Some(error), _) if !error.is_null() => Ok(ParsedLine {
            record_id: parsed.record_id,
            status: Status::Failed,
            outcome: Outcome { error: error_text(&error), ..Outcome::default() },
        }),
        (_, Some(output)) if output.get() != "null" => {
            let outcome = match typed::extract(output.get()) {
                Some(outcome) => outcome,
                None => extract(&serde_json::from_str(output.get()).map_err(|e| format!("not valid JSON ({e})"))?),
            };
            Ok(ParsedLine { record_id: parsed.record_id, status: Status::Succeeded, outcome })
        }
        _ => Err("has neither modelOutput nor error".into()),
    }
}

fn error_text(error: &Value) -> String {
    match error {
        Value::Object(map) => {
            let code = map.get("errorCode").map(scalar_text).unwrap_or_default();
            let message = map.get("errorMessage").map(scalar_text).unwrap_or_default();
            match (code.is_empty(), message.is_empty()) {
                (false, false) => format!("{code}: {message}"),
                (true, false) => message,
                (false, true) => code,
                (true, true) => error.to_string(),
            }
        }
        other => scalar_text(other),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn u64_at(value: &Value, pointer: &str) -> Option<u64> {
    value.pointer(pointer).and_then(Value::as_u64)
}

fn str_at(value: &Value, pointer: &str) -> String {
    value.pointer(pointer).map(scalar_text).unwrap_or_default()
}

fn join_texts(items: &[Value], only_type_text: bool) -> String {
    items
        .iter()
        .filter(|item| !only_type_text || item.get("type").and_then(Value::as_str) == Some("text"))
        .filter_map(|item| item.get("text").and_then(Value::as_str))
        .collect()
}

/// Extracts text, tokens and stop reason from any family's response body.
pub fn extract(output: &Value) -> Outcome {
    // Converse and Amazon Nova: {"output":{"message":{"content":[{"text"}]}}, "usage":{"inputTokens"…}}
    if let Some(content) = output.pointer("/output/message/content").and_then(Value::as_array) {
        return Outcome {
            output: join_texts(content, false),
            error: String::new(),
            input_tokens: u64_at(output, "/usage/inputTokens"),
            output_tokens: u64_at(output, "/usage/outputTokens"),
            stop_reason: str_at(output, "/stopReason"),
            // Converse names them cache…InputTokens; Nova's own body cache…InputTokenCount.
            cache_read_tokens: u64_at(output, "/usage/cacheReadInputTokens")
                .or_else(|| u64_at(output, "/usage/cacheReadInputTokenCount")),
            cache_write_tokens: u64_at(output, "/usage/cacheWriteInputTokens")
                .or_else(|| u64_at(output, "/usage/cacheWriteInputTokenCount")),
            tier: None,
        };
    }
    // Anthropic Messages: {"content":[{"type":"text","text"}], "usage":{"input_tokens"…}, "stop_reason"}
    if let Some(content) = output.get("content").and_then(Value::as_array) {
        return Outcome {
            output: join_texts(content, true),
            error: String::new(),
            input_tokens: u64_at(output, "/usage/input_tokens"),
            output_tokens: u64_at(output, "/usage/output_tokens"),
            stop_reason: str_at(output, "/stop_reason"),
            cache_read_tokens: u64_at(output, "/usage/cache_read_input_tokens"),
            cache_write_tokens: u64_at(output, "/usage/cache_creation_input_tokens"),
            tier: None,
        };
    }
    // Meta Llama: {"generation", "prompt_token_count", "generation_token_count", "stop_reason"}
    if let Some(generation) = output.get("generation") {
        return Outcome {
            output: scalar_text(generation),
            error: String::new(),
            input_tokens: u64_at(output, "/prompt_token_count"),
            output_tokens: u64_at(output, "/generation_token_count"),
            stop_reason: str_at(output, "/stop_reason"),
            ..Outcome::default()
        };
    }
    // Mistral text completion: {"outputs":[{"text","stop_reason"}]}
    if output.get("outputs").is_some_and(Value::is_array) {
        return Outcome {
            output: str_at(output, "/outputs/0/text"),
            error: String::new(),
            input_tokens: None,
            output_tokens: None,
            stop_reason: str_at(output, "/outputs/0/stop_reason"),
            ..Outcome::default()
        };
    }
    // Chat-completions style: {"choices":[{"message":{"content"},"finish_reason"}], "usage":{"prompt_tokens"…}};
    // Mistral's chat models on Bedrock say "stop_reason" in the choice instead.
    if output.get("choices").is_some_and(Value::is_array) {
        let finish = str_at(output, "/choices/0/finish_reason");
        return Outcome {
            output: str_at(output, "/choices/0/message/content"),
            error: String::new(),
            input_tokens: u64_at(output, "/usage/prompt_tokens"),
            output_tokens: u64_at(output, "/usage/completion_tokens"),
            stop_reason: if finish.is_empty() { str_at(output, "/choices/0/stop_reason") } else { finish },
            ..Outcome::default()
        };
    }
    // Nova multimodal embeddings: {"embeddings":[{"embeddingType":"TEXT","embedding":[…]}]}
    if let Some(embedding) = output.pointer("/embeddings/0/embedding") {
        return Outcome { output: embedding.to_string(), ..Outcome::default() };
    }
    // Titan embeddings: {"embedding":[…], "inputTextTokenCount"}
    if let Some(embedding) = output.get("embedding") {
        return Outcome {
            output: embedding.to_string(),
            error: String::new(),
            input_tokens: u64_at(output, "/inputTextTokenCount"),
            output_tokens: None,
            stop_reason: String::new(),
            ..Outcome::default()
        };
    }
    // Titan text: {"inputTextTokenCount", "results":[{"tokenCount","outputText","completionReason"}]}
    if output.get("results").is_some_and(Value::is_array) {
        return Outcome {
            output: str_at(output, "/results/0/outputText"),
            error: String::new(),
            input_tokens: u64_at(output, "/inputTextTokenCount"),
            output_tokens: u64_at(output, "/results/0/tokenCount"),
            stop_reason: str_at(output, "/results/0/completionReason"),
            ..Outcome::default()
        };
    }
    Outcome { output: output.to_string(), ..Outcome::default() }
}

#[cfg(test)]
mod tests;
