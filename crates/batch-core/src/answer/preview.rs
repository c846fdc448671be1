//! What the Prompt and Model steps show of an answer shape before anything is sent: the schema the model will
//! receive, the columns the results will have, how the schema is sent to the chosen model, or why the shape
//! cannot run.

use serde::Serialize;

use super::native::SchemaDelivery;
use super::{AnswerField, AnswerShape};
use crate::model::{InvocationType, ModelId};

/// An answer shape as the window previews it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AnswerPreview {
    /// The JSON Schema the model receives, pretty-printed (none for free text).
    pub schema: Option<String>,
    /// The typed columns each answer fills (none for free text).
    pub columns: Vec<AnswerField>,
    /// How the schema reaches the model (none for free text, or without a model yet).
    pub delivery: Option<SchemaDelivery>,
    /// That, in words.
    pub how: Option<String>,
    /// Why the shape cannot run, when it cannot.
    pub problem: Option<String>,
    /// The input tokens the schema adds to every record for the chosen model (estimated; 0 for free text or
    /// without a model).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub tokens_per_record: u64,
}

impl AnswerShape {
    /// The preview of this shape for `model` (when chosen) called with `invocation` (the family's default when
    /// absent).
    pub fn preview(&self, model: Option<&ModelId>, invocation: Option<InvocationType>) -> AnswerPreview {
        let problem = self.validate().err().map(|e| e.to_string());
        let schema = self.json_schema().map(|s| serde_json::to_string_pretty(&s).unwrap_or_default());
        let embedding = model.is_some_and(|m| m.family().is_embedding());
        let delivery = model.filter(|_| schema.is_some() && !embedding).map(|m| {
            let invocation = invocation.unwrap_or_else(|| InvocationType::default_for(m.family()));
            SchemaDelivery::for_model(m, invocation)
        });
        let problem = problem.or_else(|| {
            (schema.is_some() && embedding)
                .then(|| "an embeddings model answers with vectors: choose a chat model, or keep free text".to_string())
        });
        let tokens_per_record = match model {
            Some(model) if delivery.is_some() && problem.is_none() => {
                let params = crate::records::InferenceParams { max_tokens: 1, ..Default::default() };
                crate::records::RecordBuilder::new(model, invocation, params, false)
                    .and_then(|builder| builder.with_answer(self, model))
                    .map_or(0, |builder| builder.answer_tokens_per_record())
            }
            _ => 0,
        };
        AnswerPreview {
            schema,
            columns: self.columns(),
            delivery,
            how: delivery.map(|d| d.describe().to_string()),
            problem,
            tokens_per_record,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_says_the_columns_the_schema_and_how_it_is_sent_or_why_not() {
        let shape =
            AnswerShape::Classify { labels: vec!["billing".into(), "shipping".into()], multi: false, other: false };
        let haiku = ModelId::parse("us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        let preview = shape.preview(Some(&haiku), None);
        assert_eq!(preview.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["label"]);
        assert!(preview.schema.as_deref().unwrap().contains("\"enum\": [\n"), "pretty-printed");
        assert_eq!(preview.delivery, Some(SchemaDelivery::ConverseOutputConfig));
        assert_eq!(preview.problem, None);
        let nova_preview = shape.preview(Some(&ModelId::parse("amazon.nova-lite-v1:0").unwrap()), None);
        // The schema a structured output reads, or the instruction written into each prompt: input either way.
        assert!(preview.tokens_per_record > 10 && nova_preview.tokens_per_record > 10);
        let nova = ModelId::parse("amazon.nova-lite-v1:0").unwrap();
        assert_eq!(shape.preview(Some(&nova), None).delivery, Some(SchemaDelivery::Instruction));
        assert_eq!(shape.preview(None, None).delivery, None, "no model chosen yet");
        let titan = ModelId::parse("amazon.titan-embed-text-v2:0").unwrap();
        assert!(shape.preview(Some(&titan), None).problem.unwrap().contains("embeddings"));
        let empty = AnswerShape::Classify { labels: vec![], multi: false, other: false };
        assert!(empty.preview(Some(&haiku), None).problem.unwrap().contains("at least one label"));
        let free = AnswerShape::FreeText.preview(Some(&haiku), None);
        assert!(free.schema.is_none() && free.columns.is_empty() && free.delivery.is_none() && free.problem.is_none());
        assert_eq!((free.tokens_per_record, shape.preview(None, None).tokens_per_record), (0, 0));
    }
}
