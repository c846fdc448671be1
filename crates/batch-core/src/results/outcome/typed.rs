//! A typed, borrowing parse of the common response bodies — the same answers as [`super::extract`], without
//! building a JSON tree. Anything unexpected (another type, an embedding, an unknown shape) returns `None`
//! and the caller falls back to the general path, so results never depend on which path ran.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::Outcome;

#[derive(Deserialize)]
struct Text<'a> {
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Block<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow)]
    content: Option<Vec<Text<'a>>>,
}

#[derive(Deserialize)]
struct ConverseOutput<'a> {
    #[serde(borrow)]
    message: Option<Message<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(non_snake_case)]
struct Usage {
    inputTokens: Option<u64>,
    outputTokens: Option<u64>,
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
    cacheReadInputTokens: Option<u64>,
    cacheWriteInputTokens: Option<u64>,
    cacheReadInputTokenCount: Option<u64>,
    cacheWriteInputTokenCount: Option<u64>,
    cache_read_input_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct Completion<'a> {
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    stop_reason: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct ChoiceMessage<'a> {
    #[serde(borrow)]
    content: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Choice<'a> {
    #[serde(borrow)]
    message: Option<ChoiceMessage<'a>>,
    #[serde(borrow)]
    finish_reason: Option<Cow<'a, str>>,
    /// Mistral's chat models on Bedrock name it so.
    #[serde(borrow)]
    stop_reason: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct TitanResult<'a> {
    tokenCount: Option<u64>,
    #[serde(borrow)]
    outputText: Option<Cow<'a, str>>,
    #[serde(borrow)]
    completionReason: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct Body<'a> {
    #[serde(borrow)]
    output: Option<ConverseOutput<'a>>,
    #[serde(borrow)]
    stopReason: Option<Cow<'a, str>>,
    usage: Option<Usage>,
    #[serde(borrow)]
    content: Option<Vec<Block<'a>>>,
    #[serde(borrow)]
    stop_reason: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "present")]
    generation: Option<&'a RawValue>,
    prompt_token_count: Option<u64>,
    generation_token_count: Option<u64>,
    #[serde(borrow)]
    outputs: Option<Vec<Completion<'a>>>,
    #[serde(borrow)]
    choices: Option<Vec<Choice<'a>>>,
    #[serde(borrow, default, deserialize_with = "present")]
    embedding: Option<&'a RawValue>,
    inputTextTokenCount: Option<u64>,
    #[serde(borrow)]
    results: Option<Vec<TitanResult<'a>>>,
}

/// Keeps a key that is present with `null` as present (plain `Option` would make it absent).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(deserializer).map(Some)
}

fn text(value: Option<Cow<'_, str>>) -> String {
    value.map(Cow::into_owned).unwrap_or_default()
}

/// The outcome of a response body, or `None` where the general path must decide.
pub(super) fn extract(raw: &str) -> Option<Outcome> {
    let body: Body<'_> = serde_json::from_str(raw).ok()?;
    let usage = body.usage.unwrap_or_default();
    if let Some(content) = body.output.and_then(|o| o.message).and_then(|m| m.content) {
        return Some(Outcome {
            output: content.into_iter().filter_map(|t| t.text).collect(),
            error: String::new(),
            input_tokens: usage.inputTokens,
            output_tokens: usage.outputTokens,
            stop_reason: text(body.stopReason),
            cache_read_tokens: usage.cacheReadInputTokens.or(usage.cacheReadInputTokenCount),
            cache_write_tokens: usage.cacheWriteInputTokens.or(usage.cacheWriteInputTokenCount),
            tier: None,
        });
    }
    if let Some(blocks) = body.content {
        return Some(Outcome {
            output: blocks.into_iter().filter(|b| b.kind.as_deref() == Some("text")).filter_map(|b| b.text).collect(),
            error: String::new(),
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            stop_reason: text(body.stop_reason),
            cache_read_tokens: usage.cache_read_input_tokens,
            cache_write_tokens: usage.cache_creation_input_tokens,
            tier: None,
        });
    }
    if let Some(generation) = body.generation {
        // Only a string is handled here; null or another type goes the general way.
        let generation: Cow<'_, str> = serde_json::from_str(generation.get()).ok()?;
        return Some(Outcome {
            output: generation.into_owned(),
            error: String::new(),
            input_tokens: body.prompt_token_count,
            output_tokens: body.generation_token_count,
            stop_reason: text(body.stop_reason),
            ..Outcome::default()
        });
    }
    if let Some(outputs) = body.outputs {
        let first = outputs.into_iter().next();
        let (output, stop) = first.map(|c| (text(c.text), text(c.stop_reason))).unwrap_or_default();
        return Some(Outcome {
            output,
            error: String::new(),
            input_tokens: None,
            output_tokens: None,
            stop_reason: stop,
            ..Outcome::default()
        });
    }
    if let Some(choices) = body.choices {
        let first = choices.into_iter().next();
        let (output, stop) = first
            .map(|c| (text(c.message.and_then(|m| m.content)), text(c.finish_reason.or(c.stop_reason))))
            .unwrap_or_default();
        return Some(Outcome {
            output,
            error: String::new(),
            input_tokens: usage.prompt_tokens,
            output_tokens: usage.completion_tokens,
            stop_reason: stop,
            ..Outcome::default()
        });
    }
    if body.embedding.is_some() {
        return None; // re-serialized compactly by the general path
    }
    if let Some(results) = body.results {
        let first = results.into_iter().next();
        return Some(Outcome {
            output: first.as_ref().map(|r| text(r.outputText.clone())).unwrap_or_default(),
            error: String::new(),
            input_tokens: body.inputTextTokenCount,
            output_tokens: first.as_ref().and_then(|r| r.tokenCount),
            stop_reason: first.map(|r| text(r.completionReason)).unwrap_or_default(),
            ..Outcome::default()
        });
    }
    None
}
