//! The sandbox model: a deterministic model, answering each record in its family's response shape.
//!
//! Used wherever no real model can run — tests, the outputs of a job written offline (`sandbox-outputs`) and the Bedrock
//! emulator's jobs and Converse answers. Answers are derived from the prompt text by a hash, so the same input always gives the same
//! output; they are labelled SANDBOX and carry no meaning.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::model::{InvocationType, ModelFamily};
use crate::prepare::{PLAN_FILE, PrepareError, PreparedPlan};
use crate::record_id::fnv1a;
use crate::results::{MANIFEST_FILE, Manifest};
use crate::tokens::estimate_tokens;

/// A per-record failure, as Bedrock writes it in the `error` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFailure {
    /// HTTP-like status code.
    pub code: u16,
    /// Message.
    pub message: String,
}

const ANSWERS: [&str; 3] = ["positive", "negative", "mixed"];

/// The sandbox answer for a prompt.
pub fn answer_for(prompt: &str) -> String {
    let hash = fnv1a(prompt.as_bytes(), 0);
    format!("{}: sandbox answer {:04x}", ANSWERS[(hash % 3) as usize], hash & 0xffff)
}

fn texts(content: Option<&Value>) -> Option<String> {
    let items = content?.as_array()?;
    let joined: String = items.iter().filter_map(|c| c.get("text").and_then(Value::as_str)).collect();
    (!items.is_empty()).then_some(joined)
}

/// A string, or the joined text of an array of text blocks.
fn string_or_texts(content: Option<&Value>) -> Option<String> {
    match content {
        Some(Value::String(text)) => Some(text.clone()),
        other => texts(other),
    }
}

/// The system and user text of Mistral's chat body, whose contents are strings.
fn mistral_chat_prompt(input: &Value, blank: &'static str) -> Result<String, &'static str> {
    let turns = input.get("messages").and_then(Value::as_array).ok_or("messages is required")?;
    if input.get("max_tokens").is_some_and(|m| !m.is_u64()) {
        return Err("max_tokens must be an integer");
    }
    let text = |role: &str| -> Result<String, &'static str> {
        let mut joined = String::new();
        for turn in turns.iter().filter(|t| t.get("role").and_then(Value::as_str) == Some(role)) {
            joined.push_str(turn.get("content").and_then(Value::as_str).ok_or("content must be a string")?);
        }
        Ok(joined)
    };
    let user = text("user")?;
    if user.trim().is_empty() { Err(blank) } else { Ok(text("system")? + &user) }
}

/// The text of a Nova multimodal embeddings body, checked as the model's schema says.
fn nova_embedding_text(input: &Value) -> Result<String, &'static str> {
    let params = input.get("singleEmbeddingParams").ok_or("singleEmbeddingParams is required")?;
    let dimension = params.get("embeddingDimension").and_then(Value::as_u64);
    if input.get("taskType").and_then(Value::as_str) != Some("SINGLE_EMBEDDING") {
        Err("taskType must be SINGLE_EMBEDDING")
    } else if params.get("embeddingPurpose").and_then(Value::as_str).is_none() {
        Err("singleEmbeddingParams.embeddingPurpose is required")
    } else if !dimension.is_some_and(|d| [256, 384, 1024, 3072].contains(&d)) {
        Err("singleEmbeddingParams.embeddingDimension must be 256, 384, 1024 or 3072")
    } else {
        params
            .pointer("/text/value")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or("singleEmbeddingParams.text.value is required")
    }
}

/// The prompt text inside a request body, or why the body is malformed.
fn prompt_of(family: ModelFamily, invocation: InvocationType, input: &Value) -> Result<String, String> {
    // Bedrock refuses a blank text block (Converse: "The text field in the ContentBlock object at
    // messages.0.content.0 is blank"; Claude: "text content blocks must be non-empty"): a record whose prompt
    // rendered empty fails, as it would on the service.
    let blank = "the text of messages[0].content is blank; add text to it";
    let chat = |input: &Value| {
        let system = input.pointer("/system").and_then(|s| texts(Some(s)));
        let user = texts(input.pointer("/messages/0/content")).ok_or("messages[0].content with text is required")?;
        if user.trim().is_empty() {
            return Err(blank);
        }
        Ok::<String, &str>(format!("{}{user}", system.unwrap_or_default()))
    };
    let result = match (invocation, family) {
        (InvocationType::Converse, _) | (InvocationType::InvokeModel, ModelFamily::AmazonNova) => chat(input),
        (InvocationType::InvokeModel, ModelFamily::AnthropicClaude) => {
            if input.get("anthropic_version").is_none() || input.get("max_tokens").and_then(Value::as_u64).is_none() {
                Err("anthropic_version and max_tokens are required")
            } else {
                // The Messages API takes a string or text blocks for both the system prompt and a turn's content.
                let system = string_or_texts(input.get("system")).unwrap_or_default();
                match string_or_texts(input.pointer("/messages/0/content")) {
                    Some(text) if text.trim().is_empty() => Err(blank),
                    Some(text) => Ok(system + &text),
                    None => Err("messages[0].content is required"),
                }
            }
        }
        (InvocationType::InvokeModel, ModelFamily::MistralChat) => mistral_chat_prompt(input, blank),
        (InvocationType::InvokeModel, ModelFamily::NovaEmbedding) => nova_embedding_text(input),
        (InvocationType::InvokeModel, ModelFamily::MetaLlama | ModelFamily::MetaLlama4 | ModelFamily::Mistral) => {
            input.get("prompt").and_then(Value::as_str).map(str::to_string).ok_or("prompt is required")
        }
        (InvocationType::InvokeModel, ModelFamily::TitanEmbedding | ModelFamily::TitanText) => {
            input.get("inputText").and_then(Value::as_str).map(str::to_string).ok_or("inputText is required")
        }
        (InvocationType::InvokeModel, ModelFamily::Other) => Err("no InvokeModel format is known for this model"),
    };
    result.map_err(|m| format!("Malformed input request: {m}, please reformat your input and try again."))
}

/// A deterministic vector of `dims` numbers in [-1, 1] for the prompt hashed to `hash`.
fn vector(dims: usize, hash: u64) -> Vec<f64> {
    (0..dims).map(|k| ((fnv1a(&k.to_le_bytes(), hash) % 2001) as f64 - 1000.0) / 1000.0).collect()
}

/// The input tokens the sandbox model counts for a request body (what CountTokens answers), or why it is malformed.
pub fn input_tokens(
    family: ModelFamily,
    invocation: InvocationType,
    model_input: &Value,
) -> Result<u64, RecordFailure> {
    let prompt = prompt_of(family, invocation, model_input).map_err(|message| RecordFailure { code: 400, message })?;
    Ok(estimate_tokens(&prompt))
}

/// Scales a vector to length 1 (Titan Text Embeddings V2's `normalize`, on by default).
fn normalised(vector: Vec<f64>) -> Vec<f64> {
    let length = vector.iter().map(|x| x * x).sum::<f64>().sqrt();
    if length > 0.0 { vector.into_iter().map(|x| x / length).collect() } else { vector }
}

/// Titan Text Embeddings V2's answer: `embedding`, `inputTextTokenCount` and `embeddingsByType` with each type
/// `embeddingTypes` asks for (`float` by default; `binary` is the sign of each number).
fn titan_embedding(model_input: &Value, hash: u64, input_tokens: u64) -> Value {
    let dims = model_input.get("dimensions").and_then(Value::as_u64).unwrap_or(1024) as usize;
    let raw = vector(dims, hash);
    let floats =
        if model_input.get("normalize").and_then(Value::as_bool).unwrap_or(true) { normalised(raw) } else { raw };
    let asked: Vec<&str> = model_input
        .get("embeddingTypes")
        .and_then(Value::as_array)
        .map_or_else(|| vec!["float"], |types| types.iter().filter_map(Value::as_str).collect());
    let mut by_type = serde_json::Map::new();
    if asked.contains(&"float") {
        by_type.insert("float".into(), json!(floats));
    }
    if asked.contains(&"binary") {
        by_type.insert("binary".into(), json!(floats.iter().map(|x| u8::from(*x > 0.0)).collect::<Vec<_>>()));
    }
    json!({"embedding": floats, "inputTextTokenCount": input_tokens, "embeddingsByType": by_type})
}

/// The sandbox model's response body for one record, or the record's failure.
pub fn respond(family: ModelFamily, invocation: InvocationType, model_input: &Value) -> Result<Value, RecordFailure> {
    respond_spoiled(family, invocation, model_input, None)
}

/// How an answer is spoiled on purpose, as real models' sometimes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerFault {
    /// Prose instead of the JSON asked for.
    Invalid,
    /// Cut off half way, at the token limit.
    Truncated,
}

impl AnswerFault {
    /// The fault of the `ordinal`-th record (1-based) of a job with bad answers: every 11th is cut off, every
    /// other 7th is prose.
    pub fn for_record(ordinal: u64) -> Option<Self> {
        if ordinal.is_multiple_of(11) {
            Some(Self::Truncated)
        } else if ordinal.is_multiple_of(7) {
            Some(Self::Invalid)
        } else {
            None
        }
    }
}

/// [`respond`], with the answer spoiled by `fault`: prose, or cut off with the family's token-limit stop reason.
pub fn respond_spoiled(
    family: ModelFamily,
    invocation: InvocationType,
    model_input: &Value,
    fault: Option<AnswerFault>,
) -> Result<Value, RecordFailure> {
    let prompt = prompt_of(family, invocation, model_input).map_err(|message| RecordFailure { code: 400, message })?;
    let hash = fnv1a(prompt.as_bytes(), 1);
    let mut answer = match crate::sandbox_answer::requested_schema(model_input, &prompt) {
        Some((schema, by_instruction)) if !family.is_embedding() => {
            crate::sandbox_answer::answer_in_schema(&schema, hash, by_instruction)
        }
        _ => answer_for(&prompt),
    };
    match fault {
        Some(AnswerFault::Invalid) => answer = format!("Sure! Having read it, I would say: {}", answer_for(&prompt)),
        Some(AnswerFault::Truncated) => answer = answer.chars().take(answer.chars().count() / 2).collect(),
        None => {}
    }
    let cut = fault == Some(AnswerFault::Truncated);
    let (i, o) = (estimate_tokens(&prompt), estimate_tokens(&answer));
    Ok(match (invocation, family) {
        (InvocationType::Converse, _) => json!({
            "output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
            "stopReason": if cut { "max_tokens" } else { "end_turn" },
            "usage": {"inputTokens": i, "outputTokens": o, "totalTokens": i + o},
            "metrics": {"latencyMs": 100 + hash % 900}
        }),
        (_, ModelFamily::AmazonNova) => json!({
            "output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
            "stopReason": if cut { "max_tokens" } else { "end_turn" },
            "usage": {"inputTokens": i, "outputTokens": o, "totalTokens": i + o}
        }),
        (_, ModelFamily::AnthropicClaude) => json!({
            "id": format!("msg_bdrk_{hash:016x}"), "type": "message", "role": "assistant", "model": "sandbox",
            "content": [{"type": "text", "text": answer}],
            "stop_reason": if cut { "max_tokens" } else { "end_turn" }, "stop_sequence": null,
            "usage": {"input_tokens": i, "output_tokens": o}
        }),
        (_, ModelFamily::MetaLlama | ModelFamily::MetaLlama4) => json!({
            "generation": answer, "prompt_token_count": i, "generation_token_count": o,
            "stop_reason": if cut { "length" } else { "stop" }
        }),
        (_, ModelFamily::Mistral) => {
            json!({"outputs": [{"text": answer, "stop_reason": if cut { "length" } else { "stop" }}]})
        }
        (_, ModelFamily::MistralChat) => json!({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                "stop_reason": if cut { "length" } else { "stop" }}]
        }),
        (_, ModelFamily::NovaEmbedding) => {
            let dims = model_input.pointer("/singleEmbeddingParams/embeddingDimension").and_then(Value::as_u64);
            json!({"embeddings": [{"embeddingType": "TEXT", "embedding": vector(dims.unwrap_or(3072) as usize, hash)}]})
        }
        (_, ModelFamily::TitanEmbedding) => titan_embedding(model_input, hash, i),
        (_, ModelFamily::TitanText) => json!({
            "inputTextTokenCount": i,
            "results": [{"tokenCount": o, "outputText": answer, "completionReason": if cut { "LENGTH" } else { "FINISH" }}]
        }),
        (InvocationType::InvokeModel, ModelFamily::Other) => unreachable!("prompt_of refuses this pair"),
    })
}

/// Faults to inject into a job's sandbox outputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutputFaults {
    /// Every n-th record fails with a 400 error.
    pub fail_every: Option<u64>,
    /// Every n-th record gets no output line (as if not processed).
    pub drop_every: Option<u64>,
    /// Write output lines in a scrambled order (as Bedrock may).
    pub shuffle: bool,
    /// Spoil some answers: every 11th cut off at the token limit, every other 7th prose ([`AnswerFault`]).
    pub bad_answers: bool,
}

/// One sandbox job's output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxJob {
    /// The job id used as the folder name.
    pub job_id: String,
    /// The folder written.
    pub folder: PathBuf,
    /// Its counts.
    pub manifest: Manifest,
}

/// A 12-character lowercase job id, as Bedrock's, derived from a seed.
pub fn job_id_from(seed: u64) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut value = seed;
    (0..12)
        .map(|_| {
            let c = ALPHABET[(value % 36) as usize] as char;
            value = (value / 36) ^ fnv1a(&value.to_le_bytes(), 3);
            c
        })
        .collect()
}

/// Writes, for each part of a prepared folder, the `<out>/<jobId>/<part>.jsonl.out` and `manifest.json.out`
/// a Bedrock job would, answered by the sandbox model.
pub fn write_sandbox_outputs(
    prepared: &Path,
    out: &Path,
    faults: OutputFaults,
) -> Result<Vec<SandboxJob>, PrepareError> {
    let plan = PreparedPlan::read(&prepared.join(PLAN_FILE))?;
    let (family, invocation) = (plan.model.family, plan.model.invocation_type);
    let mut jobs = Vec::new();
    for (index, part) in plan.parts.iter().enumerate() {
        let job_id = job_id_from(fnv1a(format!("{}{}", plan.record_ids.tag, part.file).as_bytes(), index as u64));
        let folder = out.join(&job_id);
        std::fs::create_dir_all(&folder).map_err(|e| PrepareError::output(&folder, e))?;
        let source = prepared.join(&part.file);
        let reader = BufReader::new(File::open(&source).map_err(|e| PrepareError::output(&source, e))?);
        let mut lines: Vec<String> = Vec::new();
        let mut manifest = Manifest::default();
        for (n, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| PrepareError::output(&source, e))?;
            let record: Value = serde_json::from_str(&line)
                .map_err(|e| PrepareError::PlanFile { path: source.clone(), detail: e.to_string() })?;
            let ordinal = n as u64 + 1;
            manifest.total_record_count += 1;
            if faults.drop_every.is_some_and(|k| ordinal.is_multiple_of(k)) {
                continue;
            }
            manifest.processed_record_count += 1;
            let input = record.get("modelInput").cloned().unwrap_or(Value::Null);
            let injected = faults.fail_every.is_some_and(|k| ordinal.is_multiple_of(k));
            let response = if injected {
                Err(RecordFailure { code: 400, message: "Sandbox failure injected for testing".into() })
            } else {
                respond_spoiled(
                    family,
                    invocation,
                    &input,
                    AnswerFault::for_record(ordinal).filter(|_| faults.bad_answers),
                )
            };
            match &response {
                Ok(body) => {
                    manifest.success_record_count += 1;
                    manifest.input_token_count += extract_tokens(body).0;
                    manifest.output_token_count += extract_tokens(body).1;
                }
                Err(_) => manifest.error_record_count += 1,
            }
            let record_id = record.get("recordId").cloned().unwrap_or(Value::Null);
            lines.push(output_line(record_id, input, response).to_string());
        }
        if faults.shuffle {
            // A deterministic scramble: sort by a hash of each line.
            lines.sort_by_key(|l| fnv1a(l.as_bytes(), 9));
        }
        let target = folder.join(format!("{}.out", part.file));
        let mut writer = BufWriter::new(File::create(&target).map_err(|e| PrepareError::output(&target, e))?);
        for line in &lines {
            writeln!(writer, "{line}").map_err(|e| PrepareError::output(&target, e))?;
        }
        writer.flush().map_err(|e| PrepareError::output(&target, e))?;
        let manifest_path = folder.join(MANIFEST_FILE);
        let text = serde_json::to_string(&manifest)
            .map_err(|e| PrepareError::output(&manifest_path, std::io::Error::other(e)))?;
        std::fs::write(&manifest_path, text).map_err(|e| PrepareError::output(&manifest_path, e))?;
        jobs.push(SandboxJob { job_id, folder, manifest });
    }
    Ok(jobs)
}

/// One line of a job's `.jsonl.out`, its keys in the order real output files show them: `modelInput`, then
/// `modelOutput` (or `error` for a failed record), then `recordId`.
pub fn output_line(record_id: Value, model_input: Value, response: Result<Value, RecordFailure>) -> Value {
    let mut line = serde_json::Map::new();
    line.insert("modelInput".into(), model_input);
    match response {
        Ok(body) => line.insert("modelOutput".into(), body),
        Err(failure) => {
            line.insert("error".into(), json!({"errorCode": failure.code, "errorMessage": failure.message}))
        }
    };
    line.insert("recordId".into(), record_id);
    Value::Object(line)
}

/// The input and output tokens a response body reports (zero where it reports none).
pub fn extract_tokens(body: &Value) -> (u64, u64) {
    let outcome = crate::results::extract(body);
    (outcome.input_tokens.unwrap_or(0), outcome.output_tokens.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_deterministic() {
        assert_eq!(answer_for("abc"), answer_for("abc"));
        assert_ne!(answer_for("abc"), answer_for("abd"));
    }

    #[test]
    fn job_ids_look_like_bedrock_ids() {
        let id = job_id_from(42);
        assert_eq!(id.len(), 12);
        assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert_ne!(job_id_from(42), job_id_from(43));
    }

    #[test]
    fn a_malformed_body_is_a_record_error() {
        let err =
            respond(ModelFamily::AnthropicClaude, InvocationType::InvokeModel, &json!({"messages": []})).unwrap_err();
        assert_eq!(err.code, 400);
        assert!(err.message.contains("Malformed input request"));
    }

    #[test]
    fn a_blank_prompt_fails_as_bedrock_refuses_blank_text() {
        let converse = json!({"messages": [{"role": "user", "content": [{"text": "  "}]}]});
        let err = respond(ModelFamily::AmazonNova, InvocationType::Converse, &converse).unwrap_err();
        assert!(err.message.contains("is blank"), "{}", err.message);
        let claude = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5,
            "messages": [{"role": "user", "content": [{"type": "text", "text": ""}]}]});
        let err = respond(ModelFamily::AnthropicClaude, InvocationType::InvokeModel, &claude).unwrap_err();
        assert_eq!(err.code, 400);
        let fine = json!({"messages": [{"role": "user", "content": [{"text": "hi"}]}]});
        assert!(respond(ModelFamily::AmazonNova, InvocationType::Converse, &fine).is_ok());
    }

    #[test]
    fn claude_takes_string_content_and_system_as_the_messages_api_does() {
        let blocks = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "system": [{"type": "text", "text": "Be brief. "}],
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Rate: good"}]}]});
        let strings = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "system": "Be brief. ",
            "messages": [{"role": "user", "content": "Rate: good"}]});
        let answer = |body: &Value| respond(ModelFamily::AnthropicClaude, InvocationType::InvokeModel, body).unwrap();
        assert_eq!(answer(&blocks), answer(&strings), "the same prompt either way");
        let blank = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": [{"role": "user", "content": " "}]});
        assert!(respond(ModelFamily::AnthropicClaude, InvocationType::InvokeModel, &blank).is_err());
    }

    #[test]
    fn titan_v2_vectors_are_normalised_by_default_and_given_by_type() {
        let body = |extra: Value| {
            let mut input = json!({"inputText": "a sentence to embed", "dimensions": 256});
            input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            respond(ModelFamily::TitanEmbedding, InvocationType::InvokeModel, &input).unwrap()
        };
        let length = |v: &Value| v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap().powi(2)).sum::<f64>().sqrt();
        let default = body(json!({}));
        assert_eq!(default["embedding"].as_array().unwrap().len(), 256);
        assert!((length(&default["embedding"]) - 1.0).abs() < 1e-9, "unit length");
        assert_eq!(default["embeddingsByType"]["float"], default["embedding"]);
        assert!(default["embeddingsByType"].get("binary").is_none());
        let raw = body(json!({"normalize": false}));
        assert!((length(&raw["embedding"]) - 1.0).abs() > 1e-3, "not normalised when asked not to be");
        let both = body(json!({"embeddingTypes": ["binary", "float"]}));
        let binary = both["embeddingsByType"]["binary"].as_array().unwrap();
        assert!(binary.iter().all(|b| b == 0 || b == 1) && binary.len() == 256);
    }

    #[test]
    fn count_tokens_counts_the_prompt_and_refuses_a_malformed_body() {
        let converse = json!({"messages": [{"role": "user", "content": [{"text": "twelve characters long"}]}]});
        let counted = input_tokens(ModelFamily::AmazonNova, InvocationType::Converse, &converse).unwrap();
        assert_eq!(counted, estimate_tokens("twelve characters long"));
        assert!(input_tokens(ModelFamily::MetaLlama, InvocationType::InvokeModel, &json!({})).is_err());
    }

    #[test]
    fn output_lines_keep_the_key_order_and_raw_text_of_real_files() {
        let ok = output_line(json!("R1"), json!({"prompt": "Bø"}), Ok(json!({"generation": "é"})));
        assert_eq!(
            ok.to_string(),
            r#"{"modelInput":{"prompt":"Bø"},"modelOutput":{"generation":"é"},"recordId":"R1"}"#
        );
        let failed = output_line(json!("R2"), json!({}), Err(RecordFailure { code: 400, message: "bad".into() }));
        assert_eq!(
            failed.to_string(),
            r#"{"modelInput":{},"error":{"errorCode":400,"errorMessage":"bad"},"recordId":"R2"}"#
        );
    }
}
