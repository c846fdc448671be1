//! The models an analyst can pick, from the account (ListFoundationModels and ListInferenceProfiles, paged),
//! and "test one row now": one on-demand Converse call with the rendered prompt, its answer and tokens.

use aws_sdk_bedrock::types::{FoundationModelLifecycleStatus, InferenceProfileType, ModelModality};
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message, SystemContentBlock,
};
use batch_app::ports::{FailureKind, ModelChoice, OnDemandPrompt, ServiceError, TestAnswer};
use batch_core::model::ModelId;
use batch_core::pricing::PriceTable;

use crate::failure::service_error;

/// Text models and system inference profiles of the account's region, sorted by id; legacy models last.
pub async fn list_models(client: &aws_sdk_bedrock::Client) -> Result<Vec<ModelChoice>, ServiceError> {
    let prices = PriceTable::bundled();
    let priced = |id: &str| ModelId::parse(id).is_ok_and(|id| prices.lookup(&id).is_some());
    let models = client
        .list_foundation_models()
        .by_output_modality(ModelModality::Text)
        .send()
        .await
        .map_err(|e| service_error("ListFoundationModels", e))?;
    let mut choices: Vec<ModelChoice> = models
        .model_summaries()
        .iter()
        .filter(|m| m.model_lifecycle().is_none_or(|l| l.status() != &FoundationModelLifecycleStatus::from("EOL")))
        .map(|m| ModelChoice {
            id: m.model_id().to_string(),
            name: m.model_name().unwrap_or(m.model_id()).to_string(),
            provider: m.provider_name().unwrap_or_default().to_string(),
            profile: false,
            lifecycle: m.model_lifecycle().map_or("ACTIVE", |l| l.status().as_str()).to_string(),
            batch_priced: priced(m.model_id()),
        })
        .collect();
    let mut pages =
        client.list_inference_profiles().type_equals(InferenceProfileType::SystemDefined).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| service_error("ListInferenceProfiles", e))?;
        for p in page.inference_profile_summaries() {
            choices.push(ModelChoice {
                id: p.inference_profile_id().to_string(),
                name: p.inference_profile_name().to_string(),
                provider: String::new(),
                profile: true,
                lifecycle: p.status().as_str().to_string(),
                batch_priced: priced(p.inference_profile_id()),
            });
        }
    }
    choices.sort_by(|a, b| (a.lifecycle != "ACTIVE", &a.id).cmp(&(b.lifecycle != "ACTIVE", &b.id)));
    Ok(choices)
}

/// Sends one prompt through Converse.
pub async fn converse_once(
    client: &aws_sdk_bedrockruntime::Client,
    OnDemandPrompt { model, system, prompt, params }: OnDemandPrompt<'_>,
) -> Result<TestAnswer, ServiceError> {
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(prompt.to_string()))
        .build()
        .map_err(|e| ServiceError::new(FailureKind::Invalid, "Converse", e.to_string()))?;
    let mut config = InferenceConfiguration::builder().max_tokens(params.max_tokens.clamp(1, i32::MAX as u32) as i32);
    if let Some(t) = params.temperature {
        config = config.temperature(t as f32);
    }
    if let Some(p) = params.top_p {
        config = config.top_p(p as f32);
    }
    let mut request = client.converse().model_id(model.as_str()).messages(message).inference_config(config.build());
    if let Some(system) = system.filter(|s| !s.trim().is_empty()) {
        request = request.system(SystemContentBlock::Text(system.to_string()));
    }
    let answer = request.send().await.map_err(|e| service_error("Converse", e))?;
    let text = answer
        .output()
        .and_then(|o| o.as_message().ok())
        .map(|m| m.content().iter().filter_map(|c| c.as_text().ok()).cloned().collect::<Vec<_>>().join(""))
        .unwrap_or_default();
    let (input_tokens, output_tokens) =
        answer.usage().map_or((0, 0), |u| (u.input_tokens().max(0) as u64, u.output_tokens().max(0) as u64));
    let on_demand_usd = PriceTable::bundled()
        .lookup(model)
        .map(|p| (input_tokens as f64 * p.input + output_tokens as f64 * p.output) / 1_000_000.0);
    Ok(TestAnswer {
        answer: text,
        input_tokens,
        output_tokens,
        stop_reason: answer.stop_reason().as_str().to_string(),
        latency_ms: answer.metrics().map_or(0, |m| m.latency_ms().max(0) as u64),
        on_demand_usd,
    })
}
