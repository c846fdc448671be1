//! ListFoundationModels' answer: the models the bundled price table knows, as ACTIVE batch-capable models.

use batch_core::model::{ModelFamily, ModelId};
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
            let embedding = id.family() == ModelFamily::TitanEmbedding;
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
