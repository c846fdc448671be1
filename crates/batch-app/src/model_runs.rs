//! The same rows sent to several models, one run each, to compare their answers: the models checked before
//! anything is sent, each run named after its model.

use std::collections::HashSet;

use batch_core::aws_names::JobName;
use batch_core::model::ModelId;

/// Why rows cannot be sent to these models.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelRunsError {
    /// Fewer than two different models.
    #[error("choose two or more different models to send the rows to (the same model twice compares nothing)")]
    TooFew,
    /// A model id is not valid.
    #[error("model {given:?}: {reason}")]
    Model {
        /// The id given.
        given: String,
        /// Why it is not valid.
        reason: String,
    },
    /// The answers are free text, which runs cannot be compared on.
    #[error(
        "runs are compared on the answer's fields, and these rows are answered in free text; define labels or \
         fields for the answer first"
    )]
    FreeText,
}

/// The models to send the rows to, parsed, in the order given, without repeats; refused when fewer than two
/// remain or the answer has no fields.
pub fn models_to_compare(given: &[String], answer_has_fields: bool) -> Result<Vec<ModelId>, ModelRunsError> {
    let mut seen = HashSet::new();
    let mut models = Vec::new();
    for text in given.iter().map(|g| g.trim()).filter(|g| !g.is_empty()) {
        let model = ModelId::parse(text)
            .map_err(|e| ModelRunsError::Model { given: text.to_string(), reason: e.to_string() })?;
        if seen.insert(model.as_str().to_string()) {
            models.push(model);
        }
    }
    if models.len() < 2 {
        return Err(ModelRunsError::TooFew);
    }
    if !answer_has_fields {
        return Err(ModelRunsError::FreeText);
    }
    Ok(models)
}

/// The job name of `model`'s run: `base` followed by the model's short name (`reviews-nova-pro-v1-0`).
pub fn model_run_name(base: &JobName, model: &ModelId) -> JobName {
    let id = model.base_id();
    let short = id.split_once('.').map_or(id, |(_, name)| name);
    let mut slug: String =
        short.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    slug.truncate(32);
    let slug = slug.trim_matches('-');
    JobName::derive(base.as_str(), slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_or_more_different_models_with_answer_fields() {
        let given = ["us.amazon.nova-pro-v1:0".to_string(), " us.amazon.nova-pro-v1:0".into(), "".into()];
        assert_eq!(models_to_compare(&given, true), Err(ModelRunsError::TooFew));
        let two = ["us.amazon.nova-pro-v1:0".to_string(), "anthropic.claude-haiku-4-5-20251001-v1:0".into()];
        let models = models_to_compare(&two, true).unwrap();
        assert_eq!(
            models.iter().map(ModelId::as_str).collect::<Vec<_>>(),
            two.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(models_to_compare(&two, false), Err(ModelRunsError::FreeText));
        let bad = ["us.amazon.nova-pro-v1:0".to_string(), "not a model".into()];
        assert!(
            matches!(models_to_compare(&bad, true), Err(ModelRunsError::Model { given, .. }) if given == "not a model")
        );
    }

    #[test]
    fn each_run_is_named_after_its_model_within_the_job_name_rules() {
        let base = JobName::parse("reviews").unwrap();
        let nova = model_run_name(&base, &ModelId::parse("us.amazon.nova-pro-v1:0").unwrap());
        assert_eq!(nova.as_str(), "reviews-nova-pro-v1-0");
        let claude = model_run_name(&base, &ModelId::parse("anthropic.claude-haiku-4-5-20251001-v1:0").unwrap());
        assert_eq!(claude.as_str(), "reviews-claude-haiku-4-5-20251001-v1-0");
        let long = JobName::parse(&"q".repeat(63)).unwrap();
        let named = model_run_name(&long, &ModelId::parse("us.amazon.nova-pro-v1:0").unwrap());
        assert!(named.as_str().len() <= 63 && named.as_str().ends_with("-nova-pro-v1-0"), "{named}");
    }
}
