//! ListFoundationModels' and ListInferenceProfiles' answers — the models and cross-region profiles the
//! bundled price table knows, as ACTIVE — and Converse's, from the sandbox model.

use batch_core::model::ModelId;
use batch_core::model_lifecycle::LifecycleTable;
use batch_core::pricing::PriceTable;
use serde_json::{Value, json};

fn provider(model_id: &str) -> &'static str {
    match model_id.split('.').next().unwrap_or("") {
        "anthropic" => "Anthropic",
        "amazon" => "Amazon",
        "meta" => "Meta",
        "mistral" => "Mistral AI",
        _ => "Other",
    }
}

/// ListFoundationModels' filters, as its query string gives them.
#[derive(Debug, Default)]
pub(crate) struct ModelFilter {
    /// `byProvider`: the provider's name, any case.
    pub(crate) provider: Option<String>,
    /// `byOutputModality`: TEXT, IMAGE or EMBEDDING.
    pub(crate) output_modality: Option<String>,
    /// `byInferenceType`: ON_DEMAND or PROVISIONED.
    pub(crate) inference_type: Option<String>,
    /// `byCustomizationType`: FINE_TUNING, CONTINUED_PRE_TRAINING or DISTILLATION.
    pub(crate) customization_type: Option<String>,
}

impl ModelFilter {
    /// Checks each filter as the service model constrains it.
    pub(crate) fn validate(&self) -> Result<(), crate::error::ApiError> {
        let refuse = |field: &str, value: &str, rule: &str| {
            crate::error::ApiError::validation(format!(
                "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {rule}"
            ))
        };
        let enums: [(&str, &Option<String>, &[&str]); 3] = [
            ("byOutputModality", &self.output_modality, &["TEXT", "IMAGE", "EMBEDDING"]),
            ("byInferenceType", &self.inference_type, &["ON_DEMAND", "PROVISIONED"]),
            (
                "byCustomizationType",
                &self.customization_type,
                &["FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"],
            ),
        ];
        for (field, value, allowed) in enums {
            if let Some(value) = value
                && !allowed.contains(&value.as_str())
            {
                return Err(refuse(
                    field,
                    value,
                    &format!("Member must satisfy enum value set: [{}]", allowed.join(", ")),
                ));
            }
        }
        if let Some(provider) = &self.provider
            && !((1..=63).contains(&provider.len())
                && provider.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b' '))
        {
            return Err(refuse(
                "byProvider",
                provider,
                "Member must satisfy regular expression pattern: [A-Za-z0-9- ]{1,63}",
            ));
        }
        Ok(())
    }

    fn admits(&self, summary: &Value) -> bool {
        let has = |list: &str, wanted: &Option<String>| {
            wanted.as_ref().is_none_or(|w| summary[list].as_array().is_some_and(|l| l.iter().any(|v| v == w.as_str())))
        };
        self.provider
            .as_ref()
            .is_none_or(|p| summary["providerName"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(p)))
            && has("outputModalities", &self.output_modality)
            && has("inferenceTypesSupported", &self.inference_type)
            && has("customizationsSupported", &self.customization_type)
    }
}

/// `{"modelSummaries": [...]}` for `region`: the models `filter` admits.
pub(crate) fn foundation_models(region: &str, filter: &ModelFilter) -> Value {
    let summaries: Vec<Value> = model_summaries(region).into_iter().filter(|summary| filter.admits(summary)).collect();
    json!({ "modelSummaries": summaries })
}

/// GetFoundationModel: `{"modelDetails": …}` for a model id or its ARN.
pub(crate) fn foundation_model(region: &str, identifier: &str) -> Result<Value, crate::error::ApiError> {
    use crate::error::{ApiError, ErrorKind};
    let id = identifier.rsplit_once(":foundation-model/").map_or(identifier, |(_, id)| id);
    ModelId::parse(id).map_err(|_| {
        ApiError::validation(format!(
            "1 validation error detected: Value '{identifier}' at 'modelIdentifier' failed to satisfy constraint: \
             Member must satisfy regular expression pattern"
        ))
    })?;
    model_summaries(region)
        .into_iter()
        .find(|summary| summary["modelId"] == id)
        .map(|details| json!({ "modelDetails": details }))
        .ok_or_else(|| ApiError::new(ErrorKind::ResourceNotFound, "The specified model identifier was not found."))
}

/// Every foundation model the bundled price table knows, as ListFoundationModels summarises them.
fn model_summaries(region: &str) -> Vec<Value> {
    let table = PriceTable::bundled();
    let lifecycles = LifecycleTable::bundled();
    table
        .models
        .keys()
        .filter_map(|id| ModelId::parse(id).ok())
        .filter(|id| id.profile_prefix().is_none())
        .map(|id| {
            let embedding = id.family().is_embedding();
            json!({
                "modelArn": format!("arn:aws:bedrock:{region}::foundation-model/{id}"),
                "modelId": id.as_str(),
                "modelName": id.as_str(),
                "providerName": provider(id.as_str()),
                "inputModalities": ["TEXT"],
                "outputModalities": [if embedding { "EMBEDDING" } else { "TEXT" }],
                "responseStreamingSupported": !embedding,
                "customizationsSupported": [],
                "inferenceTypesSupported": ["ON_DEMAND"],
                "modelLifecycle": { "status": lifecycles.of(&id).map_or("ACTIVE", |l| l.status.as_str()) }
            })
        })
        .collect()
}

/// `{"inferenceProfileSummaries": [...]}`: the price table's cross-region profiles (`us.…`, `eu.…`).
pub(crate) fn inference_profiles(region: &str, account: &str) -> Value {
    json!({ "inferenceProfileSummaries": profile_summaries(region, account) })
}

/// GetInferenceProfile: the profile with this id or ARN.
pub(crate) fn inference_profile(
    region: &str,
    account: &str,
    identifier: &str,
) -> Result<Value, crate::error::ApiError> {
    use crate::error::{ApiError, ErrorKind};
    let id = identifier.rsplit_once(":inference-profile/").map_or(identifier, |(_, id)| id);
    profile_summaries(region, account)
        .into_iter()
        .find(|profile| profile["inferenceProfileId"] == id)
        .ok_or_else(|| ApiError::new(ErrorKind::ResourceNotFound, "The specified inference profile was not found."))
}

/// The price table's cross-region profiles, as ListInferenceProfiles summarises them.
fn profile_summaries(region: &str, account: &str) -> Vec<Value> {
    let table = PriceTable::bundled();
    table
        .models
        .keys()
        .filter_map(|id| ModelId::parse(id).ok())
        .filter_map(|id| Some((id.profile_prefix()?.to_string(), id)))
        .map(|(prefix, id)| {
            let model = id.as_str().trim_start_matches(&format!("{prefix}.")).to_string();
            json!({
                "inferenceProfileName": format!("{} {model}", prefix.to_uppercase()),
                "inferenceProfileArn": format!("arn:aws:bedrock:{region}:{account}:inference-profile/{id}"),
                "inferenceProfileId": id.as_str(),
                "description": format!("Routes requests for {model} across {} regions", prefix.to_uppercase()),
                "models": [{ "modelArn": format!("arn:aws:bedrock:{region}::foundation-model/{model}") }],
                "status": "ACTIVE",
                "type": "SYSTEM_DEFINED"
            })
        })
        .collect()
}

/// Converse's `inferenceConfig` as the service model bounds it: `maxTokens` at least 1, `temperature` and
/// `topP` between 0 and 1, at most 2,500 stop sequences, none empty (bedrock-runtime's service model).
fn check_inference_config(input: &Value) -> Result<(), crate::error::ApiError> {
    let Some(config) = input.get("inferenceConfig") else { return Ok(()) };
    let refuse = |field: &str, value: &Value, rule: &str| {
        crate::error::ApiError::validation(format!(
            "1 validation error detected: Value '{value}' at 'inferenceConfig.{field}' failed to satisfy constraint: {rule}"
        ))
    };
    if let Some(max) = config.get("maxTokens")
        && max.as_u64().is_none_or(|m| m < 1)
    {
        return Err(refuse("maxTokens", max, "Member must have value greater than or equal to 1"));
    }
    for field in ["temperature", "topP"] {
        if let Some(value) = config.get(field)
            && !value.as_f64().is_some_and(|v| (0.0..=1.0).contains(&v))
        {
            return Err(refuse(field, value, "Member must have value between 0 and 1"));
        }
    }
    if let Some(stops) = config.get("stopSequences") {
        let list = stops.as_array().filter(|s| s.len() <= 2500);
        if list.is_none() {
            return Err(refuse("stopSequences", stops, "Member must have length less than or equal to 2500"));
        }
        if let Some(empty) = list.into_iter().flatten().find(|s| s.as_str().is_none_or(str::is_empty)) {
            return Err(refuse("stopSequences", empty, "Member must have length greater than or equal to 1"));
        }
    }
    Ok(())
}

/// Converse's answer for `model_id` from the sandbox model, or the validation error Bedrock would give.
pub(crate) fn converse(model_id: &str, body: &[u8]) -> Result<Value, crate::error::ApiError> {
    use crate::error::{ApiError, ErrorKind};
    let invalid_model = || ApiError::new(ErrorKind::Validation, "The provided model identifier is invalid.");
    // A model the catalogue does not list is refused as Bedrock refuses an unknown id: not as "not found".
    let id = ModelId::parse(model_id).map_err(|_| invalid_model())?;
    if PriceTable::bundled().lookup(&id).is_none() {
        return Err(invalid_model());
    }
    if id.family().is_embedding() {
        return Err(ApiError::new(
            ErrorKind::Validation,
            "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
        ));
    }
    let input: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::new(ErrorKind::Validation, format!("The request body is not valid JSON: {e}")))?;
    check_inference_config(&input)?;
    let started = std::time::Instant::now();
    let mut answer =
        batch_core::sandbox_model::respond(id.family(), batch_core::model::InvocationType::Converse, &input)
            .map_err(|failure| ApiError::new(ErrorKind::Validation, failure.message))?;
    answer["metrics"] = json!({ "latencyMs": started.elapsed().as_millis() as u64 });
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn ask(model: &str, config: Value) -> Result<Value, crate::error::ApiError> {
        let body = json!({
            "messages": [{"role": "user", "content": [{"text": "Classify: fine"}]}],
            "inferenceConfig": config
        });
        converse(model, body.to_string().as_bytes())
    }

    #[test]
    fn converse_refuses_unknown_and_embedding_models_and_out_of_range_settings_as_bedrock_does() {
        let answered = ask("us.anthropic.claude-haiku-4-5-20251001-v1:0", json!({"maxTokens": 20, "temperature": 0.0}));
        assert_eq!(answered.unwrap()["stopReason"], "end_turn");
        let unknown = ask("acme.model-v1:0", json!({})).unwrap_err();
        assert_eq!(
            (unknown.kind, unknown.message.as_str()),
            (ErrorKind::Validation, "The provided model identifier is invalid.")
        );
        let embeddings = ask("amazon.titan-embed-text-v2:0", json!({})).unwrap_err();
        assert!(embeddings.message.contains("doesn't support the model"), "{embeddings:?}");
        for (config, field) in [
            (json!({"maxTokens": 0}), "maxTokens"),
            (json!({"temperature": 1.5}), "temperature"),
            (json!({"topP": -0.1}), "topP"),
            (json!({"stopSequences": ["END", ""]}), "stopSequences"),
        ] {
            let refused = ask("amazon.nova-lite-v1:0", config).unwrap_err();
            assert_eq!(refused.kind, ErrorKind::Validation, "{field}");
            assert!(refused.message.contains(&format!("inferenceConfig.{field}")), "{refused:?}");
        }
    }
}
