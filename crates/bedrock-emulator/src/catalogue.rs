//! ListFoundationModels' and ListInferenceProfiles' answers — the models and cross-region profiles the
//! bundled price table knows, as ACTIVE — and Converse's, from the sandbox model.

use batch_core::model::ModelId;
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

/// `{"modelSummaries": [...]}` for `region`.
pub(crate) fn foundation_models(region: &str) -> Value {
    let table = PriceTable::bundled();
    let summaries: Vec<Value> = table
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
                "modelLifecycle": { "status": "ACTIVE" }
            })
        })
        .collect();
    json!({ "modelSummaries": summaries })
}

/// `{"inferenceProfileSummaries": [...]}`: the price table's cross-region profiles (`us.…`, `eu.…`).
pub(crate) fn inference_profiles(region: &str, account: &str) -> Value {
    let table = PriceTable::bundled();
    let summaries: Vec<Value> = table
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
        .collect();
    json!({ "inferenceProfileSummaries": summaries })
}

/// Converse's answer for `model_id` from the sandbox model, or the validation error Bedrock would give.
pub(crate) fn converse(model_id: &str, body: &[u8]) -> Result<Value, crate::error::ApiError> {
    use crate::error::{ApiError, ErrorKind};
    let id = ModelId::parse(model_id)
        .map_err(|e| ApiError::new(ErrorKind::Validation, format!("The provided model identifier is invalid: {e}")))?;
    let input: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::new(ErrorKind::Validation, format!("The request body is not valid JSON: {e}")))?;
    let started = std::time::Instant::now();
    let mut answer =
        batch_core::sandbox_model::respond(id.family(), batch_core::model::InvocationType::Converse, &input)
            .map_err(|failure| ApiError::new(ErrorKind::Validation, failure.message))?;
    answer["metrics"] = json!({ "latencyMs": started.elapsed().as_millis() as u64 });
    Ok(answer)
}
