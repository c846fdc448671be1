//! Record tests: the body of every family and invocation type, structure safety and parameter checks.

use serde_json::{Value, json};

use super::*;
use crate::remedy::{HasRemedy, Remedy};

fn line(
    model: &str,
    invocation: Option<InvocationType>,
    prompt: &str,
    system: Option<&str>,
    params: InferenceParams,
) -> Value {
    let builder = RecordBuilder::new(&ModelId::parse(model).unwrap(), invocation, params, system.is_some()).unwrap();
    let mut out = Vec::new();
    builder.write_line("ABC00000001", prompt, system, &mut out);
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1, "exactly one line");
    assert_eq!(out.last(), Some(&b'\n'));
    serde_json::from_slice(&out).unwrap()
}

fn params() -> InferenceParams {
    InferenceParams { max_tokens: 300, temperature: Some(0.5), top_p: Some(0.9), stop_sequences: vec!["END".into()] }
}

#[test]
fn claude_messages_body() {
    let v = line(
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        Some(InvocationType::InvokeModel),
        "Hi",
        Some("Be brief"),
        params(),
    );
    assert_eq!(
        v,
        json!({"recordId": "ABC00000001", "modelInput": {
            "anthropic_version": "bedrock-2023-05-31", "max_tokens": 300, "system": "Be brief",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
            "temperature": 0.5, "top_p": 0.9, "stop_sequences": ["END"]}})
    );
}

#[test]
fn nova_and_converse_bodies() {
    let expected = json!({
        "system": [{"text": "Be brief"}],
        "messages": [{"role": "user", "content": [{"text": "Hi"}]}],
        "inferenceConfig": {"maxTokens": 300, "temperature": 0.5, "topP": 0.9, "stopSequences": ["END"]}});
    let nova = line("amazon.nova-lite-v1:0", Some(InvocationType::InvokeModel), "Hi", Some("Be brief"), params());
    assert_eq!(nova["modelInput"], expected);
    let converse =
        line("anthropic.claude-sonnet-4-6", Some(InvocationType::Converse), "Hi", Some("Be brief"), params());
    assert_eq!(converse["modelInput"], expected);
    let other = line("deepseek.r1-v1:0", None, "Hi", None, InferenceParams::default());
    assert_eq!(
        other["modelInput"],
        json!({"messages": [{"role": "user", "content": [{"text": "Hi"}]}], "inferenceConfig": {"maxTokens": 1024}}),
        "unknown providers default to Converse"
    );
}

#[test]
fn llama_mistral_and_titan_bodies() {
    let llama = line(
        "meta.llama3-1-8b-instruct-v1:0",
        Some(InvocationType::InvokeModel),
        "Hi",
        Some("Sys"),
        InferenceParams { stop_sequences: vec![], ..params() },
    );
    assert_eq!(
        llama["modelInput"]["prompt"],
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nSys<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
    );
    assert_eq!(llama["modelInput"]["max_gen_len"], 300);
    let mistral = line("mistral.mistral-small-2402-v1:0", Some(InvocationType::InvokeModel), "Hi", None, params());
    assert_eq!(
        mistral["modelInput"],
        json!({"prompt": "<s>[INST] Hi [/INST]", "max_tokens": 300, "stop": ["END"], "temperature": 0.5, "top_p": 0.9})
    );
    let embed =
        line("amazon.titan-embed-text-v2:0", Some(InvocationType::InvokeModel), "Hi", None, InferenceParams::default());
    assert_eq!(embed["modelInput"], json!({"inputText": "Hi"}));
    let titan =
        line("amazon.titan-text-express-v1", Some(InvocationType::InvokeModel), "Hi", None, InferenceParams::default());
    assert_eq!(titan["modelInput"], json!({"inputText": "Hi", "textGenerationConfig": {"maxTokenCount": 1024}}));
}

/// Bodies as AWS's and the model makers' documentation write them, for the families whose native body differs
/// from an older generation's: a real job of each would be accepted (FACTS §8.5).
#[test]
fn llama_4_mistral_chat_and_nova_embeddings_bodies_are_the_documented_ones() {
    let sampling =
        InferenceParams { max_tokens: 512, temperature: Some(0.5), top_p: Some(0.9), stop_sequences: vec![] };
    // Meta's Llama 4 model card: <|header_start|>role<|header_end|>, then the turn, then <|eot|>.
    let llama4 = line(
        "us.meta.llama4-maverick-17b-instruct-v1:0",
        Some(InvocationType::InvokeModel),
        "What is the capital of France?",
        Some("You are a helpful assistant"),
        sampling.clone(),
    );
    assert_eq!(
        llama4["modelInput"],
        json!({
            "prompt": "<|begin_of_text|><|header_start|>system<|header_end|>\n\nYou are a helpful assistant<|eot|>\
                       <|header_start|>user<|header_end|>\n\nWhat is the capital of France?<|eot|>\
                       <|header_start|>assistant<|header_end|>\n\n",
            "max_gen_len": 512, "temperature": 0.5, "top_p": 0.9
        })
    );
    // AWS's "Mistral AI chat completion" page: messages with string contents, max_tokens, temperature, top_p.
    let mistral = line(
        "mistral.mistral-large-2407-v1:0",
        Some(InvocationType::InvokeModel),
        "What is the most popular song on WZPZ?",
        None,
        sampling.clone(),
    );
    assert_eq!(
        mistral["modelInput"],
        json!({
            "messages": [{"role": "user", "content": "What is the most popular song on WZPZ?"}],
            "max_tokens": 512, "temperature": 0.5, "top_p": 0.9
        })
    );
    let pixtral =
        line("us.mistral.pixtral-large-2502-v1:0", Some(InvocationType::InvokeModel), "Hi", Some("Be brief"), sampling);
    assert_eq!(
        pixtral["modelInput"]["messages"],
        json!([{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hi"}])
    );
    // Amazon Nova's "Complete embeddings request and response schema", synchronous, one text.
    let nova = line(
        "amazon.nova-2-multimodal-embeddings-v1:0",
        Some(InvocationType::InvokeModel),
        "Hello, World!",
        None,
        InferenceParams::default(),
    );
    assert_eq!(
        nova["modelInput"],
        json!({
            "schemaVersion": "nova-multimodal-embed-v1",
            "taskType": "SINGLE_EMBEDDING",
            "singleEmbeddingParams": {
                "embeddingPurpose": "GENERIC_INDEX",
                "embeddingDimension": 3072,
                "text": {"truncationMode": "END", "value": "Hello, World!"}
            }
        })
    );
}

#[test]
fn converse_is_the_default_for_chat_models_and_invoke_model_for_embeddings() {
    let default = |id: &str| {
        RecordBuilder::new(&ModelId::parse(id).unwrap(), None, InferenceParams::default(), false).unwrap().invocation()
    };
    for chat in [
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "amazon.nova-lite-v1:0",
        "meta.llama3-1-8b-instruct-v1:0",
        "mistral.mistral-large-2407-v1:0",
        "deepseek.r1-v1:0",
    ] {
        assert_eq!(default(chat), InvocationType::Converse, "{chat}");
    }
    for embeddings in ["amazon.titan-embed-text-v2:0", "amazon.nova-2-multimodal-embeddings-v1:0"] {
        assert_eq!(default(embeddings), InvocationType::InvokeModel, "{embeddings}");
    }
}

#[test]
fn each_generation_gets_its_own_family_and_nova_embeddings_never_go_to_converse() {
    let family = |id: &str| ModelId::parse(id).unwrap().family();
    assert_eq!(family("meta.llama3-3-70b-instruct-v1:0"), ModelFamily::MetaLlama);
    assert_eq!(family("us.meta.llama4-scout-17b-instruct-v1:0"), ModelFamily::MetaLlama4);
    for text in
        ["mistral.mistral-7b-instruct-v0:2", "mistral.mixtral-8x7b-instruct-v0:1", "mistral.mistral-large-2402-v1:0"]
    {
        assert_eq!(family(text), ModelFamily::Mistral, "{text}");
    }
    for chat in ["mistral.mistral-large-2407-v1:0", "us.mistral.pixtral-large-2502-v1:0"] {
        assert_eq!(family(chat), ModelFamily::MistralChat, "{chat}");
    }
    let nova = ModelId::parse("amazon.nova-2-multimodal-embeddings-v1:0").unwrap();
    assert_eq!(nova.family(), ModelFamily::NovaEmbedding);
    assert!(nova.facts().embedding);
    let converse = RecordBuilder::new(&nova, Some(InvocationType::Converse), InferenceParams::default(), false);
    assert_eq!(converse.unwrap_err().remedy(), Some(Remedy::UseInvocation { invocation: InvocationType::InvokeModel }));
    let stops = InferenceParams { stop_sequences: vec!["END".into()], ..InferenceParams::default() };
    let mistral = ModelId::parse("mistral.mistral-large-2407-v1:0").unwrap();
    let refused = RecordBuilder::new(&mistral, Some(InvocationType::InvokeModel), stops, false).unwrap_err();
    assert!(refused.to_string().contains("stop sequences"), "{refused}");
}

#[test]
fn hostile_prompts_cannot_change_the_structure() {
    let nasty = "\"}]}, \"recordId\": \"X\"} \n\r\n\\ \u{0} 👍🏽 {{x}}";
    for model in [
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "amazon.nova-micro-v1:0",
        "meta.llama3-3-70b-instruct-v1:0",
        "mistral.mistral-small-2402-v1:0",
        "amazon.titan-embed-text-v2:0",
    ] {
        let v = line(model, Some(InvocationType::InvokeModel), nasty, None, InferenceParams::default());
        assert_eq!(v["recordId"], "ABC00000001", "{model}");
        assert_eq!(v.as_object().unwrap().len(), 2, "{model}: only recordId and modelInput");
        assert!(
            v.to_string().contains(&serde_json::to_string(nasty).unwrap()[1..20]),
            "{model}: the prompt is kept escaped"
        );
    }
}

#[test]
fn unsupported_combinations_are_refused_with_advice() {
    let model = |id: &str| ModelId::parse(id).unwrap();
    let err = RecordBuilder::new(
        &model("deepseek.r1-v1:0"),
        Some(InvocationType::InvokeModel),
        InferenceParams::default(),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("send its records with Converse"), "{err}");
    assert_eq!(err.remedy(), Some(Remedy::UseInvocation { invocation: InvocationType::Converse }));
    let err = RecordBuilder::new(
        &model("amazon.titan-embed-text-v2:0"),
        Some(InvocationType::Converse),
        InferenceParams::default(),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("send its records with InvokeModel"), "{err}");
    assert_eq!(err.remedy(), Some(Remedy::UseInvocation { invocation: InvocationType::InvokeModel }));
    let err =
        RecordBuilder::new(&model("amazon.titan-embed-text-v2:0"), None, InferenceParams::default(), true).unwrap_err();
    assert!(err.to_string().contains("no system prompt"), "{err}");
    let err = RecordBuilder::new(
        &model("meta.llama3-1-8b-instruct-v1:0"),
        Some(InvocationType::InvokeModel),
        params(),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("stop sequences"), "{err}");
    assert_eq!(err.remedy(), Some(Remedy::UseInvocation { invocation: InvocationType::Converse }));
    let hot = InferenceParams { temperature: Some(1.5), ..InferenceParams::default() };
    assert!(
        RecordBuilder::new(&model("amazon.nova-lite-v1:0"), None, hot, false)
            .unwrap_err()
            .to_string()
            .contains("temperature")
    );
    let zero = InferenceParams { max_tokens: 0, ..InferenceParams::default() };
    assert!(RecordBuilder::new(&model("amazon.nova-lite-v1:0"), None, zero, false).is_err());
    let ok =
        RecordBuilder::new(&model("meta.llama3-1-8b-instruct-v1:0"), Some(InvocationType::Converse), params(), false);
    assert!(ok.is_ok(), "Converse takes stop sequences for Llama");
}

#[test]
fn pre_serialized_lines_equal_full_serialization_for_every_family() {
    let prompts =
        ["Hi", "", "\"}]}, \"recordId\": \"X\"}\n\r\t\\ \u{0}\u{1f} 日本 👍🏽", "\u{E001} marker-like \u{E000}"];
    let cases = [
        ("anthropic.claude-haiku-4-5-20251001-v1:0", Some(InvocationType::InvokeModel)),
        ("anthropic.claude-haiku-4-5-20251001-v1:0", Some(InvocationType::Converse)),
        ("amazon.nova-lite-v1:0", Some(InvocationType::InvokeModel)),
        ("meta.llama3-1-8b-instruct-v1:0", Some(InvocationType::InvokeModel)),
        ("mistral.mistral-small-2402-v1:0", Some(InvocationType::InvokeModel)),
        ("us.meta.llama4-scout-17b-instruct-v1:0", Some(InvocationType::InvokeModel)),
        ("mistral.mistral-large-2407-v1:0", Some(InvocationType::InvokeModel)),
        ("amazon.titan-embed-text-v2:0", Some(InvocationType::InvokeModel)),
        ("amazon.nova-2-multimodal-embeddings-v1:0", Some(InvocationType::InvokeModel)),
        ("amazon.titan-text-express-v1", Some(InvocationType::InvokeModel)),
        ("deepseek.r1-v1:0", None),
    ];
    for (model, invocation) in cases {
        let model_id = ModelId::parse(model).unwrap();
        let family = model_id.family();
        let embedding = family.is_embedding();
        let no_stops = [ModelFamily::MetaLlama, ModelFamily::MetaLlama4, ModelFamily::MistralChat];
        let stops = if embedding || no_stops.contains(&family) { vec![] } else { vec!["END".to_string()] };
        let params = InferenceParams {
            max_tokens: 77,
            temperature: (!embedding).then_some(0.25),
            top_p: None,
            stop_sequences: stops,
        };
        for system in [None, Some("System \"rules\"\n")] {
            if (embedding || family == ModelFamily::TitanText) && system.is_some() {
                continue;
            }
            let plain = RecordBuilder::new(&model_id, invocation, params.clone(), system.is_some()).unwrap();
            // Free text, and (for models that answer in text) an answer shape: native or as an instruction.
            let shaped = (!embedding).then(|| plain.clone().with_answer(&labels(), &model_id).unwrap());
            for builder in std::iter::once(plain).chain(shaped) {
                assert!(builder.templates[usize::from(system.is_some())].is_some(), "{model}: the fast path is used");
                for prompt in prompts {
                    let mut fast = Vec::new();
                    builder.write_line("ABC00000001", prompt, system, &mut fast);
                    let mut slow = Vec::new();
                    builder.write_serialized("ABC00000001", prompt, system, &mut slow);
                    slow.push(b'\n');
                    assert_eq!(
                        String::from_utf8(fast).unwrap(),
                        String::from_utf8(slow).unwrap(),
                        "{model} {system:?} {prompt:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn marker_characters_in_parameters_fall_back_to_full_serialization() {
    let params = InferenceParams { stop_sequences: vec!["\u{E001}".into()], ..InferenceParams::default() };
    let builder = RecordBuilder::new(&ModelId::parse("amazon.nova-lite-v1:0").unwrap(), None, params, false).unwrap();
    assert!(builder.templates.iter().all(Option::is_none));
    let mut out = Vec::new();
    builder.write_line("ID", "p", None, &mut out);
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["modelInput"]["inferenceConfig"]["stopSequences"][0], "\u{E001}");
}

fn labels() -> crate::answer::AnswerShape {
    crate::answer::AnswerShape::Classify {
        labels: vec!["billing".into(), "shipping".into()],
        multi: false,
        other: true,
    }
}

fn shaped_line(model: &str, invocation: InvocationType, prompt: &str) -> (Value, Option<SchemaDelivery>) {
    let model = ModelId::parse(model).unwrap();
    let builder = RecordBuilder::new(&model, Some(invocation), InferenceParams::default(), false)
        .unwrap()
        .with_answer(&labels(), &model)
        .unwrap();
    let mut out = Vec::new();
    builder.write_line("ABC00000001", prompt, None, &mut out);
    (serde_json::from_slice(&out).unwrap(), builder.schema_delivery())
}

#[test]
fn an_answer_schema_goes_into_the_body_where_the_model_takes_it_else_after_the_prompt() {
    let schema = labels().json_schema().unwrap();
    // Claude 4.5 through Converse: outputConfig.textFormat as the service model shapes it, the prompt unchanged.
    let (converse, how) =
        shaped_line("us.anthropic.claude-haiku-4-5-20251001-v1:0", InvocationType::Converse, "Route: late");
    assert_eq!(how, Some(SchemaDelivery::ConverseOutputConfig));
    let format = &converse["modelInput"]["outputConfig"]["textFormat"];
    assert_eq!(format["type"], "json_schema");
    let sent: Value = serde_json::from_str(format["structure"]["jsonSchema"]["schema"].as_str().unwrap()).unwrap();
    assert_eq!(sent, schema);
    assert_eq!(converse["modelInput"]["messages"][0]["content"][0]["text"], "Route: late");
    // Claude's own body: output_config.format with the schema object, as Anthropic documents it.
    let (claude, how) =
        shaped_line("us.anthropic.claude-haiku-4-5-20251001-v1:0", InvocationType::InvokeModel, "Route: late");
    assert_eq!(how, Some(SchemaDelivery::ClaudeOutputConfig));
    assert_eq!(claude["modelInput"]["output_config"], json!({"format": {"type": "json_schema", "schema": schema}}));
    assert_eq!(claude["modelInput"]["anthropic_version"], "bedrock-2023-05-31");
    // A model without structured outputs: the schema is written after the prompt, the body is the usual one.
    let (nova, how) = shaped_line("amazon.nova-lite-v1:0", InvocationType::Converse, "Route: late");
    assert_eq!(how, Some(SchemaDelivery::Instruction));
    assert!(nova["modelInput"].get("outputConfig").is_none());
    let text = nova["modelInput"]["messages"][0]["content"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("Route: late\n\nAnswer with one JSON object") && text.contains("\"billing\""), "{text}");
    let (llama, _) = shaped_line("meta.llama3-1-8b-instruct-v1:0", InvocationType::InvokeModel, "Route: late");
    let prompt = llama["modelInput"]["prompt"].as_str().unwrap();
    assert!(prompt.contains("Route: late\n\nAnswer with one JSON object"), "inside the user turn: {prompt}");
    assert!(prompt.ends_with("<|start_header_id|>assistant<|end_header_id|>\n\n"), "{prompt}");
}

#[test]
fn an_answer_shape_is_refused_for_embeddings_and_when_it_cannot_run() {
    let titan = ModelId::parse("amazon.titan-embed-text-v2:0").unwrap();
    let builder = RecordBuilder::new(&titan, None, InferenceParams::default(), false).unwrap();
    let refused = builder.with_answer(&labels(), &titan).unwrap_err();
    assert!(refused.to_string().contains("answers with vectors"), "{refused}");
    let nova = ModelId::parse("amazon.nova-lite-v1:0").unwrap();
    let builder = RecordBuilder::new(&nova, None, InferenceParams::default(), false).unwrap();
    let empty = crate::answer::AnswerShape::Classify { labels: vec![], multi: false, other: false };
    assert!(builder.clone().with_answer(&empty, &nova).unwrap_err().to_string().contains("at least one label"));
    let free = builder.with_answer(&crate::answer::AnswerShape::FreeText, &nova).unwrap();
    assert_eq!(free.schema_delivery(), None);
}
