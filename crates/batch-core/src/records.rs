//! Bedrock batch input lines: `{"recordId": …, "modelInput": {…}}` with the body each model family expects.
//!
//! Bodies are serialized from typed structs by serde_json, so quotes, newlines, backslashes or `"}]}` in a
//! prompt are escaped and can never change a record's structure.

use serde::{Deserialize, Serialize};

use crate::answer::AnswerShape;
use crate::answer::native::{SchemaDelivery, instruction};
use crate::json_escape::escape_into;
use crate::model::{InvocationType, ModelError, ModelFamily, ModelId};
use crate::remedy::{HasRemedy, Remedy};

/// Inference parameters shared by every record of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InferenceParams {
    /// Upper bound on generated tokens per record.
    pub max_tokens: u32,
    /// Sampling temperature (0–1), model default when absent.
    pub temperature: Option<f64>,
    /// Nucleus sampling (0–1), model default when absent.
    pub top_p: Option<f64>,
    /// Sequences that stop generation.
    pub stop_sequences: Vec<String>,
}

impl Default for InferenceParams {
    fn default() -> Self {
        Self { max_tokens: 1024, temperature: None, top_p: None, stop_sequences: Vec::new() }
    }
}

/// Why records cannot be built with these settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// The model or invocation type does not fit.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A parameter is out of range or unsupported by the family.
    #[error("{0}")]
    Parameter(String),
    /// A setting the model's InvokeModel body has no field for (Converse has).
    #[error("{what} is not supported by {model}'s InvokeModel body; remove it, or send the records with Converse")]
    NotInInvokeBody {
        /// The setting, e.g. "a system prompt".
        what: String,
        /// The model.
        model: String,
    },
}

impl HasRemedy for RecordError {
    fn remedy(&self) -> Option<Remedy> {
        match self {
            Self::Model(error) => error.remedy(),
            Self::Parameter(_) => None,
            Self::NotInInvokeBody { .. } => Some(Remedy::UseInvocation { invocation: InvocationType::Converse }),
        }
    }
}

/// Builds the JSONL line of each record for one model and invocation type.
#[derive(Debug, Clone)]
pub struct RecordBuilder {
    family: ModelFamily,
    invocation: InvocationType,
    params: InferenceParams,
    /// The line pre-serialized around its strings, without and with a system prompt.
    templates: [Option<LineTemplate>; 2],
    /// How the answer's schema reaches the model, with the body field or prompt words it takes.
    answer: AnswerDelivery,
}

/// How the answer's schema is sent: nowhere (free text), in a body field, or as words after the prompt.
#[derive(Debug, Clone, Default)]
enum AnswerDelivery {
    #[default]
    FreeText,
    /// The structured-output field's value (Converse's `outputConfig`, Claude's `output_config`).
    Field(SchemaDelivery, serde_json::Value),
    /// The instruction added after each prompt.
    Instruction(String),
}

/// The length of each Nova multimodal embedding: the largest of 256, 384, 1024 and 3072, as in AWS's examples.
pub const NOVA_EMBEDDING_DIMENSION: u32 = 3072;

const ID_MARK: &str = "\u{E000}";
const PROMPT_MARK: &str = "\u{E001}";
const SYSTEM_MARK: &str = "\u{E002}";

/// A piece of a pre-serialized line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// JSON text written as is.
    Static(Vec<u8>),
    /// The record id, escaped.
    Id,
    /// The prompt, escaped.
    Prompt,
    /// The system prompt, escaped.
    System,
}

/// A record line serialized once by serde with marker characters where the strings go, split at the markers.
/// Writing a row is then copying the static JSON and escaping only its strings; the structure always comes
/// from serde.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LineTemplate(Vec<Piece>);

impl LineTemplate {
    fn parse(serialized: &str, with_system: bool) -> Option<Self> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut seen = [0usize; 3];
        for c in serialized.chars() {
            let piece = match c {
                '\u{E000}' => Piece::Id,
                '\u{E001}' => Piece::Prompt,
                '\u{E002}' => Piece::System,
                other => {
                    text.push(other);
                    continue;
                }
            };
            seen[match piece {
                Piece::Id => 0,
                Piece::Prompt => 1,
                _ => 2,
            }] += 1;
            pieces.push(Piece::Static(std::mem::take(&mut text).into_bytes()));
            pieces.push(piece);
        }
        pieces.push(Piece::Static(text.into_bytes()));
        // Each string exactly once where expected; anything else falls back to full serialization.
        (seen == [1, 1, usize::from(with_system)]).then_some(Self(pieces))
    }

    fn write(&self, record_id: &str, prompt: &str, system: Option<&str>, out: &mut Vec<u8>) {
        for piece in &self.0 {
            match piece {
                Piece::Static(bytes) => out.extend_from_slice(bytes),
                Piece::Id => escape_into(record_id, out),
                Piece::Prompt => escape_into(prompt, out),
                Piece::System => escape_into(system.unwrap_or_default(), out),
            }
        }
    }
}

#[derive(Serialize)]
struct Line<'a, B> {
    #[serde(rename = "recordId")]
    record_id: &'a str,
    #[serde(rename = "modelInput")]
    model_input: B,
}

#[derive(Serialize)]
struct TextPart<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct ChatMessage<C> {
    role: &'static str,
    content: [C; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChatInferenceConfig<'a> {
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop_sequences: &'a [String],
}

/// Converse request body without `modelId`; also Amazon Nova's InvokeModel (messages-v1) body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChatBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<[TextPart<'a>; 1]>,
    messages: [ChatMessage<TextPart<'a>>; 1],
    inference_config: ChatInferenceConfig<'a>,
    /// Converse's structured output (`outputConfig.textFormat`), when the answer has a schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    output_config: Option<&'a serde_json::Value>,
}

#[derive(Serialize)]
struct ClaudeText<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
}

#[derive(Serialize)]
struct ClaudeBody<'a> {
    anthropic_version: &'static str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'a str>,
    messages: [ChatMessage<ClaudeText<'a>>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop_sequences: &'a [String],
    /// Claude's structured output (`output_config.format`), when the answer has a schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    output_config: Option<&'a serde_json::Value>,
}

#[derive(Serialize)]
struct LlamaBody<'a> {
    prompt: &'a str,
    max_gen_len: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
}

/// One turn of Mistral's chat body: the content is a plain string.
#[derive(Serialize)]
struct MistralTurn<'a> {
    role: &'static str,
    content: &'a str,
}

/// Mistral's chat-completion body (Large 2407 and newer): no stop sequences.
#[derive(Serialize)]
struct MistralChatBody<'a> {
    messages: Vec<MistralTurn<'a>>,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
}

#[derive(Serialize)]
struct MistralBody<'a> {
    prompt: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
}

#[derive(Serialize)]
struct TitanEmbedBody<'a> {
    #[serde(rename = "inputText")]
    input_text: &'a str,
}

/// The text to embed, cut at its end when longer than the model takes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NovaEmbedText<'a> {
    truncation_mode: &'static str,
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NovaEmbedParams<'a> {
    embedding_purpose: &'static str,
    embedding_dimension: u32,
    text: NovaEmbedText<'a>,
}

/// Amazon Nova multimodal embeddings' synchronous body for one text.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NovaEmbedBody<'a> {
    schema_version: &'static str,
    task_type: &'static str,
    single_embedding_params: NovaEmbedParams<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TitanTextConfig<'a> {
    max_token_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop_sequences: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TitanTextBody<'a> {
    input_text: &'a str,
    text_generation_config: TitanTextConfig<'a>,
}

fn check_unit(name: &str, value: Option<f64>) -> Result<(), RecordError> {
    match value {
        Some(v) if !(0.0..=1.0).contains(&v) || v.is_nan() => {
            Err(RecordError::Parameter(format!("{name} must be between 0 and 1, got {v}")))
        }
        _ => Ok(()),
    }
}

impl RecordBuilder {
    /// Chooses the body format for `model` and checks the parameters fit it. `invocation` defaults to
    /// InvokeModel for families with a known body and Converse otherwise.
    pub fn new(
        model: &ModelId,
        invocation: Option<InvocationType>,
        params: InferenceParams,
        has_system: bool,
    ) -> Result<Self, RecordError> {
        let family = model.family();
        let invocation = invocation.unwrap_or_else(|| InvocationType::default_for(family));
        match (invocation, family) {
            (InvocationType::InvokeModel, ModelFamily::Other) => {
                return Err(ModelError::NoInvokeFormat(model.to_string()).into());
            }
            (InvocationType::Converse, f) if f.is_embedding() => {
                return Err(ModelError::NoConverse(model.to_string()).into());
            }
            _ => {}
        }
        if params.max_tokens == 0 {
            return Err(RecordError::Parameter("max tokens must be at least 1".into()));
        }
        check_unit("temperature", params.temperature)?;
        check_unit("top-p", params.top_p)?;
        if invocation == InvocationType::InvokeModel {
            let unsupported =
                |what: &str| Err(RecordError::NotInInvokeBody { what: what.to_string(), model: model.to_string() });
            match family {
                ModelFamily::TitanEmbedding | ModelFamily::NovaEmbedding => {
                    if has_system {
                        return Err(RecordError::Parameter(format!(
                            "{model} embeds one text per record and takes no system prompt; put that text into the template instead"
                        )));
                    }
                    if params.temperature.is_some() || params.top_p.is_some() || !params.stop_sequences.is_empty() {
                        return Err(RecordError::Parameter(format!(
                            "{model} is an embeddings model: temperature, top-p and stop sequences do not apply; remove them"
                        )));
                    }
                }
                ModelFamily::MetaLlama | ModelFamily::MetaLlama4 | ModelFamily::MistralChat
                    if !params.stop_sequences.is_empty() =>
                {
                    return unsupported("stop sequences");
                }
                ModelFamily::TitanText if has_system => return unsupported("a system prompt"),
                _ => {}
            }
        }
        let mut builder =
            Self { family, invocation, params, templates: [None, None], answer: AnswerDelivery::FreeText };
        builder.build_templates();
        Ok(builder)
    }

    /// Asks every record for answers of `shape`: through the model's structured output where `model` takes it
    /// with this invocation type, else with the schema written after the prompt.
    pub fn with_answer(mut self, shape: &AnswerShape, model: &ModelId) -> Result<Self, RecordError> {
        shape.validate().map_err(|e| RecordError::Parameter(e.to_string()))?;
        let Some(schema) = shape.json_schema() else { return Ok(self) };
        if self.family.is_embedding() {
            return Err(RecordError::Parameter(format!(
                "{model} answers with vectors: an answer shape (labels, fields, a schema) does not apply; keep free text"
            )));
        }
        let delivery = SchemaDelivery::for_model(model, self.invocation);
        self.answer = match delivery.body_field(&schema) {
            Some((_, field)) => AnswerDelivery::Field(delivery, field),
            None => AnswerDelivery::Instruction(instruction(&schema)),
        };
        self.build_templates();
        Ok(self)
    }

    /// How the answer's schema reaches the model (none for free text).
    pub fn schema_delivery(&self) -> Option<SchemaDelivery> {
        match &self.answer {
            AnswerDelivery::FreeText => None,
            AnswerDelivery::Field(delivery, _) => Some(*delivery),
            AnswerDelivery::Instruction(_) => Some(SchemaDelivery::Instruction),
        }
    }

    /// The input tokens the answer's schema adds to every record (estimated: the instruction's words, or the
    /// schema the structured output reads).
    pub fn answer_tokens_per_record(&self) -> u64 {
        match &self.answer {
            AnswerDelivery::FreeText => 0,
            AnswerDelivery::Field(_, value) => crate::tokens::estimate_tokens(&value.to_string()),
            AnswerDelivery::Instruction(words) => crate::tokens::estimate_tokens(words),
        }
    }

    /// Serializes the line once around marks, so each record only escapes its strings.
    fn build_templates(&mut self) {
        self.templates = [None, None];
        let marks = [ID_MARK, PROMPT_MARK, SYSTEM_MARK];
        if self.params.stop_sequences.iter().any(|s| marks.iter().any(|m| s.contains(m))) {
            return;
        }
        for (index, with_system) in [(0, false), (1, true)] {
            let mut line = Vec::new();
            self.write_serialized(ID_MARK, PROMPT_MARK, with_system.then_some(SYSTEM_MARK), &mut line);
            self.templates[index] =
                String::from_utf8(line).ok().and_then(|text| LineTemplate::parse(&text, with_system));
        }
    }

    /// The model family the bodies are written for.
    pub fn family(&self) -> ModelFamily {
        self.family
    }

    /// The invocation type the bodies are written for.
    pub fn invocation(&self) -> InvocationType {
        self.invocation
    }

    /// The parameters written into every body.
    pub fn params(&self) -> &InferenceParams {
        &self.params
    }

    /// Most output tokens one record can produce (0 for embeddings).
    pub fn max_output_tokens(&self) -> u64 {
        if self.family.is_embedding() { 0 } else { u64::from(self.params.max_tokens) }
    }

    /// Appends one JSONL line (with trailing newline) for a record to `out`.
    pub fn write_line(&self, record_id: &str, prompt: &str, system: Option<&str>, out: &mut Vec<u8>) {
        match &self.templates[usize::from(system.is_some())] {
            Some(template) => template.write(record_id, prompt, system, out),
            None => self.write_serialized(record_id, prompt, system, out),
        }
        out.push(b'\n');
    }

    /// Serializes one record line with serde (no trailing newline).
    fn write_serialized(&self, record_id: &str, prompt: &str, system: Option<&str>, out: &mut Vec<u8>) {
        let p = &self.params;
        let with_instruction;
        let prompt = match &self.answer {
            AnswerDelivery::Instruction(words) => {
                with_instruction = format!("{prompt}{words}");
                with_instruction.as_str()
            }
            _ => prompt,
        };
        let output_config = match &self.answer {
            AnswerDelivery::Field(_, value) => Some(value),
            _ => None,
        };
        let result = match (self.invocation, self.family) {
            (InvocationType::Converse, _) | (InvocationType::InvokeModel, ModelFamily::AmazonNova) => {
                let body = ChatBody {
                    system: system.map(|text| [TextPart { text }]),
                    messages: [ChatMessage { role: "user", content: [TextPart { text: prompt }] }],
                    inference_config: ChatInferenceConfig {
                        max_tokens: p.max_tokens,
                        temperature: p.temperature,
                        top_p: p.top_p,
                        stop_sequences: &p.stop_sequences,
                    },
                    output_config,
                };
                serde_json::to_writer(&mut *out, &Line { record_id, model_input: body })
            }
            (InvocationType::InvokeModel, ModelFamily::AnthropicClaude) => {
                let body = ClaudeBody {
                    anthropic_version: "bedrock-2023-05-31",
                    max_tokens: p.max_tokens,
                    system,
                    messages: [ChatMessage { role: "user", content: [ClaudeText { kind: "text", text: prompt }] }],
                    temperature: p.temperature,
                    top_p: p.top_p,
                    stop_sequences: &p.stop_sequences,
                    output_config,
                };
                serde_json::to_writer(&mut *out, &Line { record_id, model_input: body })
            }
            (InvocationType::InvokeModel, family @ (ModelFamily::MetaLlama | ModelFamily::MetaLlama4)) => {
                let prompt = match family {
                    ModelFamily::MetaLlama4 => llama4_prompt(prompt, system),
                    _ => llama_prompt(prompt, system),
                };
                let body = LlamaBody {
                    prompt: &prompt,
                    max_gen_len: p.max_tokens,
                    temperature: p.temperature,
                    top_p: p.top_p,
                };
                serde_json::to_writer(&mut *out, &Line { record_id, model_input: body })
            }
            (InvocationType::InvokeModel, ModelFamily::Mistral) => {
                let prompt = mistral_prompt(prompt, system);
                let body = MistralBody {
                    prompt: &prompt,
                    max_tokens: p.max_tokens,
                    stop: &p.stop_sequences,
                    temperature: p.temperature,
                    top_p: p.top_p,
                };
                serde_json::to_writer(&mut *out, &Line { record_id, model_input: body })
            }
            (InvocationType::InvokeModel, ModelFamily::MistralChat) => {
                let system = system.map(|content| MistralTurn { role: "system", content });
                let body = MistralChatBody {
                    messages: system.into_iter().chain([MistralTurn { role: "user", content: prompt }]).collect(),
                    max_tokens: p.max_tokens,
                    temperature: p.temperature,
                    top_p: p.top_p,
                };
                serde_json::to_writer(&mut *out, &Line { record_id, model_input: body })
            }
            (InvocationType::InvokeModel, ModelFamily::NovaEmbedding) => {
                let body = NovaEmbedBody {
                    schema_version: "nova-multimodal-embed-v1",
                    task_type: "SINGLE_EMBEDDING",
                    single_embedding_params: NovaEmbedParams {
                        embedding_purpose: "GENERIC_INDEX",
                        embedding_dimension: NOVA_EMBEDDING_DIMENSION,
                        text: NovaEmbedText { truncation_mode: "END", value: prompt },
                    },
                };
                serde_json::to_writer(&mut *out, &Line { record_id, model_input: body })
            }
            (InvocationType::InvokeModel, ModelFamily::TitanEmbedding) => serde_json::to_writer(
                &mut *out,
                &Line { record_id, model_input: TitanEmbedBody { input_text: prompt } },
            ),
            (InvocationType::InvokeModel, ModelFamily::TitanText) => {
                let body = TitanTextBody {
                    input_text: prompt,
                    text_generation_config: TitanTextConfig {
                        max_token_count: p.max_tokens,
                        temperature: p.temperature,
                        top_p: p.top_p,
                        stop_sequences: &p.stop_sequences,
                    },
                };
                serde_json::to_writer(&mut *out, &Line { record_id, model_input: body })
            }
            (InvocationType::InvokeModel, ModelFamily::Other) => {
                unreachable!("RecordBuilder::new refuses InvokeModel for unknown families")
            }
        };
        // Writing into a Vec cannot fail, and every field is a string or a finite number.
        debug_assert!(result.is_ok());
    }
}

/// The special tokens of one Llama prompt format: around a role's name, and after each turn.
struct LlamaTokens {
    header_start: &'static str,
    header_end: &'static str,
    end_of_turn: &'static str,
}

/// Llama 3.x: `<|start_header_id|>`, `<|end_header_id|>`, `<|eot_id|>`.
const LLAMA_3: LlamaTokens =
    LlamaTokens { header_start: "<|start_header_id|>", header_end: "<|end_header_id|>", end_of_turn: "<|eot_id|>" };

/// Llama 4 (Meta's model card): `<|header_start|>`, `<|header_end|>`, `<|eot|>` — Llama 3's are other tokens to it.
const LLAMA_4: LlamaTokens =
    LlamaTokens { header_start: "<|header_start|>", header_end: "<|header_end|>", end_of_turn: "<|eot|>" };

/// One user turn (after an optional system turn) in a Llama prompt format, ending where the answer starts.
fn llama_turns(tokens: &LlamaTokens, prompt: &str, system: Option<&str>) -> String {
    let LlamaTokens { header_start, header_end, end_of_turn } = tokens;
    let mut text = String::with_capacity(prompt.len() + 160);
    text.push_str("<|begin_of_text|>");
    for (role, turn) in system.map(|s| ("system", s)).into_iter().chain([("user", prompt)]) {
        text.push_str(&format!("{header_start}{role}{header_end}\n\n"));
        text.push_str(turn);
        text.push_str(end_of_turn);
    }
    text.push_str(&format!("{header_start}assistant{header_end}\n\n"));
    text
}

/// The Llama 3 instruct chat template around one user turn.
pub fn llama_prompt(prompt: &str, system: Option<&str>) -> String {
    llama_turns(&LLAMA_3, prompt, system)
}

/// Meta's Llama 4 prompt format around one user turn.
pub fn llama4_prompt(prompt: &str, system: Option<&str>) -> String {
    llama_turns(&LLAMA_4, prompt, system)
}

/// The Mistral instruct wrapper; a system prompt is placed before the user text inside `[INST]`.
pub fn mistral_prompt(prompt: &str, system: Option<&str>) -> String {
    match system {
        Some(system) => format!("<s>[INST] {system}\n\n{prompt} [/INST]"),
        None => format!("<s>[INST] {prompt} [/INST]"),
    }
}

#[cfg(test)]
mod tests;
