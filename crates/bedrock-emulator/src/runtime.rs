//! bedrock-runtime's calls, served on the emulator's port (the sandbox points both clients there): Converse,
//! InvokeModel and CountTokens, answered by the sandbox model for the models the bundled table lists, refused as
//! Bedrock refuses an unknown model, an ended one, or a profile-only model called by its own id.

use batch_core::model::{InvocationType, ModelId};
use batch_core::model_catalogue::{BatchRoute, ModelCatalogue};
use batch_core::model_lifecycle::today;
use batch_core::sandbox_model;
use serde_json::{Value, json};

use crate::error::{ApiError, ErrorKind};

/// The model behind `model_id` if Bedrock would serve it on demand, else the error it answers.
fn served_model(model_id: &str) -> Result<ModelId, ApiError> {
    let invalid = || ApiError::new(ErrorKind::Validation, "The provided model identifier is invalid.");
    let id = ModelId::parse(model_id).map_err(|_| invalid())?;
    let catalogue = ModelCatalogue::bundled();
    let model = catalogue.entry(&id).ok_or_else(invalid)?;
    if model.lifecycle.ended_by(&today()) {
        return Err(ApiError::new(
            ErrorKind::ResourceNotFound,
            "This model version has reached the end of its life. Please refer to the AWS documentation for more details.",
        ));
    }
    if id.profile_prefix().is_some() && catalogue.destinations(&id).is_none() {
        return Err(invalid());
    }
    if model.batch == BatchRoute::Profile && id.profile_prefix().is_none() {
        return Err(ApiError::new(
            ErrorKind::Validation,
            format!(
                "Invocation of model ID {} with on-demand throughput isn’t supported. Retry your request with the ID \
                 or ARN of an inference profile that contains this model.",
                id.base_id()
            ),
        ));
    }
    Ok(id)
}

fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::new(ErrorKind::Validation, format!("The request body is not valid JSON: {e}")))
}

fn refused(failure: sandbox_model::RecordFailure) -> ApiError {
    ApiError::new(ErrorKind::Validation, failure.message)
}

/// Converse's `inferenceConfig` as the service model bounds it: `maxTokens` at least 1, `temperature` and
/// `topP` between 0 and 1, at most 2,500 stop sequences, none empty (bedrock-runtime's service model).
fn check_inference_config(input: &Value) -> Result<(), ApiError> {
    let Some(config) = input.get("inferenceConfig") else { return Ok(()) };
    let refuse = |field: &str, value: &Value, rule: &str| {
        ApiError::validation(format!(
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

/// Each message's `role` is one of the service model's ConversationRole values.
fn check_roles(input: &Value) -> Result<(), ApiError> {
    let messages = input.get("messages").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for (n, message) in messages.iter().enumerate() {
        let role = message.get("role").cloned().unwrap_or(Value::Null);
        if !matches!(role.as_str(), Some("user" | "assistant")) {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{}' at 'messages.{}.member.role' failed to satisfy constraint: \
                 Member must satisfy enum value set: [user, assistant]",
                role.as_str().unwrap_or("null"),
                n + 1
            )));
        }
    }
    Ok(())
}

/// Converse's answer for `model_id` from the sandbox model, or the validation error Bedrock would give.
pub(crate) fn converse(model_id: &str, body: &[u8]) -> Result<Value, ApiError> {
    let id = served_model(model_id)?;
    if id.family().is_embedding() {
        return Err(ApiError::new(
            ErrorKind::Validation,
            "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
        ));
    }
    let input = json_body(body)?;
    check_roles(&input)?;
    check_inference_config(&input)?;
    let started = std::time::Instant::now();
    let mut answer = sandbox_model::respond(id.family(), InvocationType::Converse, &input).map_err(refused)?;
    answer["metrics"] = json!({ "latencyMs": started.elapsed().as_millis() as u64 });
    Ok(answer)
}

/// InvokeModel's answer: the model's native response body, with its input and output token counts (sent as
/// Bedrock sends them, in `X-Amzn-Bedrock-Input-Token-Count` and `X-Amzn-Bedrock-Output-Token-Count`).
pub(crate) fn invoke_model(model_id: &str, body: &[u8]) -> Result<(Value, u64, u64), ApiError> {
    let id = served_model(model_id)?;
    let input = json_body(body)?;
    let answer = sandbox_model::respond(id.family(), InvocationType::InvokeModel, &input).map_err(refused)?;
    let (input_tokens, output_tokens) = sandbox_model::extract_tokens(&answer);
    Ok((answer, input_tokens, output_tokens))
}

/// CountTokens' answer, `{"inputTokens": n}`: the input tokens the sandbox model counts for the `invokeModel`
/// body (base64, as the service model's blob) or the `converse` messages, exactly one of which is given.
pub(crate) fn count_tokens(model_id: &str, body: &[u8]) -> Result<Value, ApiError> {
    let id = served_model(model_id)?;
    let request = json_body(body)?;
    let input = request.get("input").and_then(Value::as_object).ok_or_else(|| {
        ApiError::validation(
            "1 validation error detected: Value null at 'input' failed to satisfy constraint: Member must not be null",
        )
    })?;
    let (invocation, model_input) = match (input.get("invokeModel"), input.get("converse")) {
        (Some(invoke), None) => {
            let encoded = invoke.get("body").and_then(Value::as_str).unwrap_or_default();
            let decoded = aws_smithy_types::base64::decode(encoded)
                .map_err(|_| ApiError::validation("The invokeModel body is not valid base64."))?;
            (InvocationType::InvokeModel, json_body(&decoded)?)
        }
        (None, Some(converse)) => (InvocationType::Converse, converse.clone()),
        _ => return Err(ApiError::validation("Exactly one of invokeModel or converse must be set in input.")),
    };
    let tokens = sandbox_model::input_tokens(id.family(), invocation, &model_input).map_err(refused)?;
    Ok(json!({ "inputTokens": tokens }))
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

    #[test]
    fn a_profile_only_model_s_own_id_and_an_ended_model_are_refused_as_bedrock_refuses_them() {
        let own_id = ask("anthropic.claude-sonnet-4-6", json!({})).unwrap_err();
        assert_eq!(own_id.kind, ErrorKind::Validation);
        assert!(own_id.message.contains("with on-demand throughput isn’t supported"), "{own_id:?}");
        assert!(ask("us.anthropic.claude-sonnet-4-6", json!({})).is_ok());
        assert_eq!(
            ask("eu.amazon.nova-premier-v1:0", json!({})).unwrap_err().kind,
            ErrorKind::Validation,
            "no such profile"
        );
        let ended = ask("anthropic.claude-3-haiku-20240307-v1:0", json!({})).unwrap_err();
        assert_eq!(ended.kind, ErrorKind::ResourceNotFound);
        assert!(ended.message.contains("end of its life"));
    }

    #[test]
    fn invoke_model_answers_the_native_body_with_its_token_counts_and_count_tokens_agrees() {
        let body = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20,
            "messages": [{"role": "user", "content": "Classify: the battery died in a day"}]});
        let (answer, input_tokens, output_tokens) =
            invoke_model("us.anthropic.claude-haiku-4-5-20251001-v1:0", body.to_string().as_bytes()).unwrap();
        assert_eq!(answer["type"], "message");
        assert_eq!(
            (answer["usage"]["input_tokens"].as_u64(), answer["usage"]["output_tokens"].as_u64()),
            (Some(input_tokens), Some(output_tokens))
        );
        let encoded = aws_smithy_types::base64::encode(body.to_string());
        let counted = count_tokens(
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            json!({"input": {"invokeModel": {"body": encoded}}}).to_string().as_bytes(),
        )
        .unwrap();
        assert_eq!(counted["inputTokens"].as_u64(), Some(input_tokens));
        let converse = json!({"input": {"converse": {"messages": [{"role": "user", "content": [{"text": "Classify: the battery died in a day"}]}]}}});
        let through_converse = count_tokens("amazon.nova-lite-v1:0", converse.to_string().as_bytes()).unwrap();
        assert_eq!(through_converse["inputTokens"].as_u64(), Some(input_tokens), "the same prompt, the same count");
        let both = json!({"input": {"converse": {}, "invokeModel": {"body": ""}}});
        assert!(
            count_tokens("amazon.nova-lite-v1:0", both.to_string().as_bytes())
                .unwrap_err()
                .message
                .contains("Exactly one")
        );
        let malformed = invoke_model("meta.llama3-1-8b-instruct-v1:0", b"{}").unwrap_err();
        assert!(malformed.message.contains("Malformed input request"), "{malformed:?}");
    }
}
