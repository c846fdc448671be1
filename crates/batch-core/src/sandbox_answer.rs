//! The sandbox model's answers to a request that asks for JSON: the schema found where each family carries it
//! (Converse's `outputConfig`, Claude's `output_config`, `response_format`, or the instruction after the prompt),
//! answered with a deterministic object that fits it — a label, numbers, dates and lists derived from the
//! prompt's hash. Asked by instruction, some answers come in a code fence, as real models' sometimes do.

use serde_json::{Map, Value, json};

use crate::answer::native::{schema_in_body, schema_in_prompt};
use crate::record_id::fnv1a;

/// The JSON Schema a request body (or its `prompt` text) asks the answer to fit, and whether it came by
/// instruction (not enforced by the service).
pub(crate) fn requested_schema(model_input: &Value, prompt: &str) -> Option<(Value, bool)> {
    schema_in_body(model_input).map(|s| (s, false)).or_else(|| schema_in_prompt(prompt).map(|s| (s, true)))
}

/// A value fitting `schema`, chosen by `hash`.
fn value_for(schema: &Value, hash: u64, depth: usize) -> Value {
    if let Some(values) = schema.get("enum").and_then(Value::as_array).filter(|v| !v.is_empty()) {
        return values[(hash % values.len() as u64) as usize].clone();
    }
    let kind = match schema.get("type") {
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
        Some(Value::String(t)) => t.as_str(),
        _ => "string",
    };
    match kind {
        "object" if depth < 4 => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let object: Map<String, Value> = properties
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, (name, property))| {
                    (name.clone(), value_for(property, fnv1a(&i.to_le_bytes(), hash), depth + 1))
                })
                .collect();
            Value::Object(object)
        }
        "array" if depth < 4 => {
            let items = schema.get("items").unwrap_or(&Value::Null);
            let count = 1 + hash % 2;
            Value::Array((0..count).map(|i| value_for(items, fnv1a(&i.to_le_bytes(), hash), depth + 1)).collect())
        }
        "number" => json!(((hash % 1000) as f64) / 1000.0),
        "integer" => json!(hash % 10),
        "boolean" => json!(hash.is_multiple_of(2)),
        "null" => Value::Null,
        _ if schema.get("format").and_then(Value::as_str) == Some("date") => {
            json!(format!("2026-{:02}-{:02}", 1 + hash % 12, 1 + (hash >> 8) % 28))
        }
        _ => json!(format!("sandbox text {:04x}", hash & 0xffff)),
    }
}

/// The sandbox's answer text to a prompt hashed to `hash` asking for JSON fitting `schema`.
pub(crate) fn answer_in_schema(schema: &Value, hash: u64, by_instruction: bool) -> String {
    let text = value_for(schema, hash, 0).to_string();
    // Models asked in words now and then fence their JSON: the answer check finds it all the same.
    if by_instruction && hash.is_multiple_of(5) { format!("```json\n{text}\n```") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::check::{AnswerCheck, check_answer};
    use crate::answer::native::{SchemaDelivery, instruction};
    use crate::answer::{AnswerField, AnswerShape, FieldKind};

    #[test]
    fn answers_fit_the_schema_however_it_was_sent() {
        let shape = AnswerShape::Extract {
            fields: vec![
                AnswerField::new("team", FieldKind::OneOf(vec!["billing".into(), "shipping".into()]), ""),
                AnswerField::new("score", FieldKind::Number, ""),
                AnswerField::new("count", FieldKind::Integer, ""),
                AnswerField::new("urgent", FieldKind::Boolean, ""),
                AnswerField::new("due", FieldKind::Date, ""),
                AnswerField::new("tags", FieldKind::SomeOf(vec!["a".into(), "b".into()]), ""),
                AnswerField::new("note", FieldKind::Text, ""),
            ],
        };
        let schema = shape.json_schema().unwrap();
        let mut converse = json!({"messages": []});
        SchemaDelivery::ConverseOutputConfig.apply(&mut converse, &schema);
        let mut claude = json!({"messages": []});
        SchemaDelivery::ClaudeOutputConfig.apply(&mut claude, &schema);
        let prompt = format!("Route this{}", instruction(&schema));
        assert_eq!(requested_schema(&converse, "Route this"), Some((schema.clone(), false)));
        assert_eq!(requested_schema(&claude, "Route this"), Some((schema.clone(), false)));
        assert_eq!(requested_schema(&json!({}), &prompt), Some((schema.clone(), true)));
        assert_eq!(requested_schema(&json!({}), "Route this"), None);
        let mut fenced = 0;
        for hash in 0..200u64 {
            let text = answer_in_schema(&schema, hash, true);
            fenced += usize::from(text.starts_with("```"));
            assert!(matches!(check_answer(&shape, &text, Some("end_turn")), AnswerCheck::Valid(_)), "{text}");
        }
        assert!(fenced > 0, "some answers by instruction are fenced");
    }

    #[test]
    fn spoiled_answers_check_as_invalid_or_truncated_in_every_family() {
        use crate::model::{InvocationType, ModelId};
        use crate::records::{InferenceParams, RecordBuilder};
        use crate::sandbox_model::{AnswerFault, respond_spoiled};
        let shape =
            AnswerShape::Classify { labels: vec!["praise".into(), "complaint".into()], multi: false, other: false };
        let models = [
            ("us.anthropic.claude-haiku-4-5-20251001-v1:0", InvocationType::Converse),
            ("us.anthropic.claude-haiku-4-5-20251001-v1:0", InvocationType::InvokeModel),
            ("amazon.nova-lite-v1:0", InvocationType::InvokeModel),
            ("meta.llama3-1-8b-instruct-v1:0", InvocationType::InvokeModel),
            ("mistral.mistral-large-2407-v1:0", InvocationType::InvokeModel),
            ("amazon.titan-text-express-v1", InvocationType::InvokeModel),
        ];
        for (id, invocation) in models {
            let model = ModelId::parse(id).unwrap();
            let builder = RecordBuilder::new(&model, Some(invocation), InferenceParams::default(), false)
                .unwrap()
                .with_answer(&shape, &model)
                .unwrap();
            let mut line = Vec::new();
            builder.write_line("R1", "Great kettle, fast delivery", None, &mut line);
            let input: Value = serde_json::from_slice::<Value>(&line).unwrap()["modelInput"].clone();
            let check = |fault| {
                let body = respond_spoiled(model.family(), invocation, &input, fault).unwrap();
                let outcome = crate::results::extract(&body);
                check_answer(&shape, &outcome.output, Some(&outcome.stop_reason))
            };
            assert!(matches!(check(None), AnswerCheck::Valid(_)), "{id} {invocation:?}");
            assert!(matches!(check(Some(AnswerFault::Invalid)), AnswerCheck::Invalid(_)), "{id} {invocation:?}");
            assert_eq!(check(Some(AnswerFault::Truncated)), AnswerCheck::Truncated, "{id} {invocation:?}");
        }
        let faults: Vec<Option<AnswerFault>> = [1, 7, 11, 14, 77].map(AnswerFault::for_record).to_vec();
        assert_eq!(
            faults,
            [
                None,
                Some(AnswerFault::Invalid),
                Some(AnswerFault::Truncated),
                Some(AnswerFault::Invalid),
                Some(AnswerFault::Truncated)
            ]
        );
    }
}
