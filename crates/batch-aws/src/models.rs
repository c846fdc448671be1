//! What the account lists of its models (ListFoundationModels, ListInferenceProfiles, the batch quotas' names),
//! and "test one row now": one on-demand Converse call with the rendered prompt, its answer and tokens.

use aws_sdk_bedrock::types::{InferenceProfileType, ModelModality};
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message, SystemContentBlock,
};
use batch_app::ports::{
    AccountModels, FailureKind, ListedModel, ListedProfile, OnDemandPrompt, ServiceError, TestAnswer,
};
use batch_core::pricing::PriceTable;

use crate::failure::service_error;

/// The account's text and embedding models (ListFoundationModels) and system-defined inference profiles
/// (ListInferenceProfiles, paged), with the model names of its batch quotas: `batch_model_names` says how they
/// are read (the sandbox's emulator serves only models that run batch, so its list names them all).
pub async fn list_models(
    client: &aws_sdk_bedrock::Client,
    batch_model_names: Option<Result<Vec<String>, ServiceError>>,
) -> Result<AccountModels, ServiceError> {
    let listed = client.list_foundation_models().send().await.map_err(|e| service_error("ListFoundationModels", e))?;
    let models: Vec<ListedModel> = listed
        .model_summaries()
        .iter()
        .filter(|m| m.output_modalities().iter().any(|o| matches!(o, ModelModality::Text | ModelModality::Embedding)))
        .map(|m| ListedModel {
            id: m.model_id().to_string(),
            name: m.model_name().unwrap_or(m.model_id()).to_string(),
            provider: m.provider_name().unwrap_or_default().to_string(),
            lifecycle: m.model_lifecycle().map_or("ACTIVE", |l| l.status().as_str()).to_string(),
            inference_types: m.inference_types_supported().iter().map(|t| t.as_str().to_string()).collect(),
        })
        .collect();
    let mut profiles = Vec::new();
    let mut pages =
        client.list_inference_profiles().type_equals(InferenceProfileType::SystemDefined).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| service_error("ListInferenceProfiles", e))?;
        profiles.extend(page.inference_profile_summaries().iter().map(|p| ListedProfile {
            id: p.inference_profile_id().to_string(),
            name: p.inference_profile_name().to_string(),
            status: p.status().as_str().to_string(),
        }));
    }
    let batch_model_names = match batch_model_names {
        Some(read) => read.map_err(|e| e.message.lines().next().unwrap_or_default().to_string()),
        None => Ok(models.iter().map(|m| m.name.clone()).collect()),
    };
    Ok(AccountModels { models, profiles, batch_model_names })
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
