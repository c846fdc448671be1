//! The prompt inside any record's `modelInput`, read by its shape rather than by the tool that wrote it: Converse
//! and Nova bodies, Claude's Messages body, chat-completions bodies (Mistral chat, OpenAI-style models), Llama and
//! Mistral text prompts, Titan's `inputText` and Nova's embeddings text. Parts that are not text (images,
//! documents, video, tool calls) are noted rather than dropped silently, and so is a conversation of several turns.

use serde_json::Value;

/// The columns of a sheet of what records asked (a job opened from elsewhere, with no sheet of its own).
pub const REQUEST_COLUMNS: [&str; 3] = ["system", "prompt", "notes"];

/// The text a record asked, as a results row shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestText {
    /// The system prompt (empty when none).
    pub system: String,
    /// The user's text: every user turn's text, turns separated by a blank line.
    pub prompt: String,
    /// What the text leaves out: non-text parts, earlier assistant turns, or a body of no known shape.
    pub notes: Vec<String>,
}

impl RequestText {
    /// The notes as one cell ("" when none).
    pub fn notes_text(&self) -> String {
        self.notes.join("; ")
    }
}

/// The prompt and system text of `model_input`, whatever family's body it is.
pub fn request_text(model_input: &Value) -> RequestText {
    let mut found = RequestText::default();
    if let Some(messages) = model_input.get("messages").and_then(Value::as_array) {
        let mut users = Vec::new();
        let mut assistant_turns = 0;
        for (index, message) in messages.iter().enumerate() {
            let content = message.get("content");
            let text = content_text(content, &format!("message {}", index + 1), &mut found.notes);
            match message.get("role").and_then(Value::as_str) {
                // Chat-completions bodies carry the system prompt as the first message.
                Some("system") => push_paragraph(&mut found.system, &text),
                Some("assistant") => assistant_turns += 1,
                _ => users.push(text),
            }
        }
        if assistant_turns > 0 {
            found.notes.push(format!("a conversation: {assistant_turns} earlier assistant turn(s) not shown"));
        }
        found.prompt = users.into_iter().filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n\n");
        if let Some(system) = model_input.get("system") {
            let text = content_text(Some(system), "the system prompt", &mut found.notes);
            push_paragraph(&mut found.system, &text);
        }
    } else if let Some(prompt) = model_input.get("prompt").and_then(Value::as_str) {
        found.prompt = prompt.to_string();
    } else if let Some(text) = model_input.get("inputText").and_then(Value::as_str) {
        found.prompt = text.to_string();
    } else if let Some(text) = model_input.pointer("/singleEmbeddingParams/text/value").and_then(Value::as_str) {
        found.prompt = text.to_string();
    } else {
        found.notes.push("a request body of no known shape: see the record's modelInput".to_string());
    }
    found
}

/// Appends `text` to `to` as a paragraph of its own.
fn push_paragraph(to: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    if !to.is_empty() {
        to.push_str("\n\n");
    }
    to.push_str(text);
}

/// The text of a content (a string, or blocks of any family), noting each block that is not text.
fn content_text(content: Option<&Value>, place: &str, notes: &mut Vec<String>) -> String {
    match content {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(blocks)) => {
            let mut text = String::new();
            for block in blocks {
                match block {
                    Value::String(piece) => text.push_str(piece),
                    Value::Object(fields) => match fields.get("text").and_then(Value::as_str) {
                        // Converse and Nova: {"text": …}; Claude and chat-completions: {"type": "text", "text": …}.
                        Some(piece) => text.push_str(piece),
                        None => notes.push(format!("{place}: a {} part (not text) not shown", block_kind(block))),
                    },
                    other => notes.push(format!("{place}: a {} part not shown", json_kind(other))),
                }
            }
            text
        }
        Some(other) => {
            notes.push(format!("{place}: a {} content not shown", json_kind(other)));
            String::new()
        }
    }
}

/// What a non-text block holds: its `type` (Claude, chat-completions) or its one key (Converse: `image`,
/// `document`, `video`, `toolUse`, `cachePoint`…).
fn block_kind(block: &Value) -> String {
    if let Some(kind) = block.get("type").and_then(Value::as_str) {
        return kind.to_string();
    }
    block.as_object().and_then(|fields| fields.keys().next().cloned()).unwrap_or_else(|| "empty".to_string())
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "text",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{InvocationType, ModelId};
    use crate::records::{InferenceParams, RecordBuilder};

    /// The modelInput this tool writes for `model` and `invocation`, with a system prompt.
    fn body(model: &str, invocation: InvocationType) -> Value {
        let model = ModelId::parse(model).unwrap();
        let params = InferenceParams { max_tokens: 50, ..InferenceParams::default() };
        let builder = RecordBuilder::new(&model, Some(invocation), params, true).unwrap();
        let mut line = Vec::new();
        builder.write_line("r1", "Rate: \"great\" ✓", Some("Be brief."), &mut line);
        let record: Value = serde_json::from_slice(&line).unwrap();
        record["modelInput"].clone()
    }

    #[test]
    fn every_family_s_body_gives_back_its_prompt_and_system_text() {
        for (model, invocation) in [
            ("us.anthropic.claude-haiku-4-5-20251001-v1:0", InvocationType::Converse),
            ("us.anthropic.claude-haiku-4-5-20251001-v1:0", InvocationType::InvokeModel),
            ("amazon.nova-lite-v1:0", InvocationType::InvokeModel),
            ("amazon.nova-lite-v1:0", InvocationType::Converse),
            ("mistral.mistral-large-2407-v1:0", InvocationType::InvokeModel),
            ("openai.gpt-oss-120b-1:0", InvocationType::Converse),
        ] {
            let found = request_text(&body(model, invocation));
            assert_eq!(found.prompt, "Rate: \"great\" ✓", "{model} {invocation:?}");
            assert_eq!(found.system, "Be brief.", "{model} {invocation:?}");
            assert!(found.notes.is_empty(), "{model} {invocation:?}: {:?}", found.notes);
        }
        // Llama and Mistral's text bodies hold one prompt, the system text formatted into it.
        let llama = request_text(&body("meta.llama3-1-8b-instruct-v1:0", InvocationType::InvokeModel));
        assert!(llama.prompt.contains("Be brief.") && llama.prompt.contains("Rate: \"great\" ✓"), "{llama:?}");
        let titan = request_text(&json!({"inputText": "embed me"}));
        assert_eq!(titan.prompt, "embed me");
    }

    #[test]
    fn images_documents_and_earlier_turns_are_noted_not_dropped() {
        let converse = json!({
            "system": [{"text": "You read invoices."}],
            "messages": [
                {"role": "user", "content": [{"text": "What is the total?"}, {"image": {"format": "png", "source": {"bytes": "…"}}}]},
                {"role": "assistant", "content": [{"text": "Which currency?"}]},
                {"role": "user", "content": [{"text": "Euros."}]}
            ]
        });
        let found = request_text(&converse);
        assert_eq!(found.system, "You read invoices.");
        assert_eq!(found.prompt, "What is the total?\n\nEuros.");
        assert_eq!(
            found.notes_text(),
            "message 1: a image part (not text) not shown; a conversation: 1 earlier assistant turn(s) not shown"
        );
        let claude = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10, "system": "Be terse.",
            "messages": [{"role": "user", "content": [{"type": "document", "source": {}}, {"type": "text", "text": "Sum it up"}]}]});
        let found = request_text(&claude);
        assert_eq!((found.system.as_str(), found.prompt.as_str()), ("Be terse.", "Sum it up"));
        assert_eq!(found.notes, ["message 1: a document part (not text) not shown"]);
        let chat = json!({"messages": [{"role": "system", "content": "Answer in French."}, {"role": "user", "content": "Hello"}]});
        let found = request_text(&chat);
        assert_eq!((found.system.as_str(), found.prompt.as_str()), ("Answer in French.", "Hello"));
        let unknown = request_text(&json!({"texts": ["a"], "input_type": "search_document"}));
        assert_eq!((unknown.prompt.as_str(), unknown.notes.len()), ("", 1));
    }
}
