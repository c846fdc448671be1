//! The on-demand path's adapter: one record's `modelInput` sent through bedrock-runtime — the Converse body of a
//! Converse-type record as a Converse call (its text turns, system prompt and inference settings), a native body
//! as InvokeModel — on the service tier asked for, answered as the response body a batch job writes.

use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ConverseTokensRequest, CountTokensInput, InferenceConfiguration,
    InvokeModelTokensRequest, JsonSchemaDefinition, Message, OutputConfig, OutputFormat, OutputFormatStructure,
    OutputFormatType, ServiceTier, ServiceTierType, SystemContentBlock,
};
use batch_app::ports::{FailureKind, RecordInvoker, ServiceError};
use batch_core::model::{InvocationType, ModelId};
use batch_core::service_tier::Tier;
use serde_json::{Value, json};

use crate::failure::service_error;

/// Sends records of one model and invocation type on demand.
#[derive(Debug, Clone)]
pub struct RuntimeInvoker {
    client: aws_sdk_bedrockruntime::Client,
    model: ModelId,
    invocation: InvocationType,
    tier: Tier,
}

impl RuntimeInvoker {
    /// An invoker for `model`'s records written for `invocation`, on `tier` (Flex, or else Standard).
    pub fn new(config: &aws_config::SdkConfig, model: ModelId, invocation: InvocationType, tier: Tier) -> Self {
        Self::over(&aws_sdk_bedrockruntime::Client::new(config), model, invocation, tier)
    }

    /// The same over an existing client's configuration (its endpoint and credentials).
    pub fn over(
        client: &aws_sdk_bedrockruntime::Client,
        model: ModelId,
        invocation: InvocationType,
        tier: Tier,
    ) -> Self {
        // The SDK's own retries are off: the on-demand path retries with its adaptive rate, which must see each
        // throttle to slow down.
        let config = client.config().to_builder().retry_config(aws_config::retry::RetryConfig::disabled()).build();
        Self { client: aws_sdk_bedrockruntime::Client::from_conf(config), model, invocation, tier }
    }
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::new(FailureKind::Invalid, "Converse", message)
}

/// The text of a Converse content list (`[{"text": …}, …]`), which is all this tool's records hold.
fn texts(content: &Value) -> Result<Vec<String>, ServiceError> {
    let blocks = content.as_array().ok_or_else(|| invalid("content must be a list of text blocks"))?;
    blocks
        .iter()
        .map(|b| {
            b.get("text")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| invalid("only text blocks are sent on demand"))
        })
        .collect()
}

/// A Converse response as the batch output's `modelOutput` of a Converse-type job holds it.
fn converse_body(answer: &aws_sdk_bedrockruntime::operation::converse::ConverseOutput) -> Value {
    let text: String = answer
        .output()
        .and_then(|o| o.as_message().ok())
        .map(|m| m.content().iter().filter_map(|c| c.as_text().ok()).cloned().collect())
        .unwrap_or_default();
    let mut usage = json!({});
    if let Some(u) = answer.usage() {
        usage = json!({"inputTokens": u.input_tokens(), "outputTokens": u.output_tokens(), "totalTokens": u.total_tokens()});
        if let Some(read) = u.cache_read_input_tokens() {
            usage["cacheReadInputTokens"] = json!(read);
        }
        if let Some(write) = u.cache_write_input_tokens() {
            usage["cacheWriteInputTokens"] = json!(write);
        }
    }
    json!({
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": answer.stop_reason().as_str(),
        "usage": usage,
        "metrics": {"latencyMs": answer.metrics().map_or(0, |m| m.latency_ms())}
    })
}

/// The turns and system prompt of a Converse-type record, as the runtime's types.
/// The record's structured-output request (`outputConfig.textFormat`, a JSON Schema as a string) as the SDK's
/// `OutputConfig`, so an answer on demand keeps the shape a batch record asks for.
fn output_config(model_input: &Value) -> Result<Option<OutputConfig>, ServiceError> {
    let Some(format) = model_input.pointer("/outputConfig/textFormat") else { return Ok(None) };
    let definition = format.pointer("/structure/jsonSchema").cloned().unwrap_or(Value::Null);
    let text = |key: &str| definition.get(key).and_then(Value::as_str).map(str::to_string);
    let schema = JsonSchemaDefinition::builder()
        .set_schema(text("schema"))
        .set_name(text("name"))
        .set_description(text("description"))
        .build()
        .map_err(|e| invalid(e.to_string()))?;
    let kind = OutputFormatType::from(format.get("type").and_then(Value::as_str).unwrap_or("json_schema"));
    let format = OutputFormat::builder()
        .r#type(kind)
        .structure(OutputFormatStructure::JsonSchema(schema))
        .build()
        .map_err(|e| invalid(e.to_string()))?;
    Ok(Some(OutputConfig::builder().text_format(format).build()))
}

fn converse_turns(model_input: &Value) -> Result<(Vec<Message>, Vec<SystemContentBlock>), ServiceError> {
    let mut messages = Vec::new();
    for turn in model_input.get("messages").and_then(Value::as_array).into_iter().flatten() {
        let role = match turn.get("role").and_then(Value::as_str) {
            Some("assistant") => ConversationRole::Assistant,
            _ => ConversationRole::User,
        };
        let mut message = Message::builder().role(role);
        for text in texts(turn.get("content").unwrap_or(&Value::Null))? {
            message = message.content(ContentBlock::Text(text));
        }
        messages.push(message.build().map_err(|e| invalid(e.to_string()))?);
    }
    let system = match model_input.get("system") {
        Some(system) => texts(system)?.into_iter().map(SystemContentBlock::Text).collect(),
        None => Vec::new(),
    };
    Ok((messages, system))
}

impl RecordInvoker for RuntimeInvoker {
    fn tier(&self) -> Tier {
        self.tier
    }

    async fn count_tokens(&self, model_input: &Value) -> Result<u64, ServiceError> {
        let input = match self.invocation {
            InvocationType::InvokeModel => CountTokensInput::InvokeModel(
                InvokeModelTokensRequest::builder()
                    .body(Blob::new(model_input.to_string()))
                    .build()
                    .map_err(|e| invalid(e.to_string()))?,
            ),
            InvocationType::Converse => {
                let (messages, system) = converse_turns(model_input)?;
                CountTokensInput::Converse(
                    ConverseTokensRequest::builder().set_messages(Some(messages)).set_system(Some(system)).build(),
                )
            }
        };
        let answer = self
            .client
            .count_tokens()
            .model_id(self.model.as_str())
            .input(input)
            .send()
            .await
            .map_err(|e| service_error("CountTokens", e))?;
        Ok(u64::try_from(answer.input_tokens()).unwrap_or(0))
    }

    async fn invoke(&self, model_input: &Value) -> Result<Value, ServiceError> {
        match self.invocation {
            InvocationType::InvokeModel => {
                let mut request = self
                    .client
                    .invoke_model()
                    .model_id(self.model.as_str())
                    .content_type("application/json")
                    .accept("application/json")
                    .body(Blob::new(model_input.to_string()));
                if self.tier == Tier::Flex {
                    request = request.service_tier(ServiceTierType::Flex);
                }
                let answer = request.send().await.map_err(|e| service_error("InvokeModel", e))?;
                serde_json::from_slice(answer.body().as_ref()).map_err(|e| {
                    ServiceError::new(FailureKind::Other, "InvokeModel", format!("the answer is not JSON: {e}"))
                })
            }
            InvocationType::Converse => {
                let (messages, system) = converse_turns(model_input)?;
                let mut request = self
                    .client
                    .converse()
                    .model_id(self.model.as_str())
                    .set_messages(Some(messages))
                    .set_system((!system.is_empty()).then_some(system));
                if let Some(config) = model_input.get("inferenceConfig") {
                    let number = |key: &str| config.get(key).and_then(Value::as_f64);
                    let stops = config
                        .get("stopSequences")
                        .and_then(Value::as_array)
                        .map(|s| s.iter().filter_map(Value::as_str).map(str::to_string).collect::<Vec<_>>());
                    request = request.inference_config(
                        InferenceConfiguration::builder()
                            .set_max_tokens(
                                config
                                    .get("maxTokens")
                                    .and_then(Value::as_i64)
                                    .map(|m| m.clamp(1, i32::MAX as i64) as i32),
                            )
                            .set_temperature(number("temperature").map(|t| t as f32))
                            .set_top_p(number("topP").map(|p| p as f32))
                            .set_stop_sequences(stops)
                            .build(),
                    );
                }
                if let Some(format) = output_config(model_input)? {
                    request = request.output_config(format);
                }
                if self.tier == Tier::Flex {
                    let tier = ServiceTier::builder()
                        .r#type(ServiceTierType::Flex)
                        .build()
                        .map_err(|e| invalid(e.to_string()))?;
                    request = request.service_tier(tier);
                }
                let answer = request.send().await.map_err(|e| service_error("Converse", e))?;
                Ok(converse_body(&answer))
            }
        }
    }
}
