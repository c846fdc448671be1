//! Output-line tests: every family's response shape, errors and corrupt lines.

use serde_json::json;

use super::*;

fn ok(body: serde_json::Value) -> Outcome {
    let line = json!({"recordId": "ABC00000001", "modelInput": {}, "modelOutput": body}).to_string();
    let parsed = parse_line(line.as_bytes()).unwrap();
    assert_eq!(parsed.status, Status::Succeeded);
    assert_eq!(parsed.record_id.as_deref(), Some("ABC00000001"));
    parsed.outcome
}

#[test]
fn claude_text_blocks_are_joined() {
    let out = ok(json!({"id": "m", "type": "message", "role": "assistant",
        "content": [{"type": "text", "text": "Hello "}, {"type": "tool_use", "id": "t"}, {"type": "text", "text": "world"}],
        "stop_reason": "end_turn", "usage": {"input_tokens": 12, "output_tokens": 3}}));
    assert_eq!(
        out,
        Outcome {
            output: "Hello world".into(),
            error: String::new(),
            input_tokens: Some(12),
            output_tokens: Some(3),
            stop_reason: "end_turn".into(),
            ..Outcome::default()
        }
    );
}

#[test]
fn prompt_cache_tokens_are_read_in_each_family_s_words_and_the_typed_path_agrees() {
    // Claude reports them on some lines only (FACTS §8.6); Converse and Nova's own body name them differently.
    let claude = json!({"content": [{"type": "text", "text": "x"}], "stop_reason": "end_turn",
        "usage": {"input_tokens": 4, "cache_creation_input_tokens": 2048, "cache_read_input_tokens": 0, "output_tokens": 9}});
    let converse = json!({"output": {"message": {"content": [{"text": "x"}]}}, "stopReason": "end_turn",
        "usage": {"inputTokens": 4, "outputTokens": 9, "totalTokens": 2061, "cacheReadInputTokens": 2048, "cacheWriteInputTokens": 0}});
    let nova = json!({"output": {"message": {"content": [{"text": "x"}]}}, "stopReason": "end_turn",
        "usage": {"inputTokens": 4, "outputTokens": 9, "cacheReadInputTokenCount": 7, "cacheWriteInputTokenCount": 3}});
    let without = json!({"content": [{"type": "text", "text": "x"}], "usage": {"input_tokens": 4, "output_tokens": 9}});
    for (body, read, write) in [
        (claude, Some(0), Some(2048)),
        (converse, Some(2048), Some(0)),
        (nova, Some(7), Some(3)),
        (without, None, None),
    ] {
        let out = ok(body.clone());
        assert_eq!((out.cache_read_tokens, out.cache_write_tokens, out.input_tokens), (read, write, Some(4)), "{body}");
        assert_eq!(extract(&body), out, "the general path agrees: {body}");
    }
}

#[test]
fn converse_and_nova_message_text() {
    let out = ok(json!({"output": {"message": {"role": "assistant", "content": [{"text": "a"}, {"text": "b"}]}},
        "stopReason": "max_tokens", "usage": {"inputTokens": 4, "outputTokens": 38, "totalTokens": 42}, "metrics": {"latencyMs": 302}}));
    assert_eq!(
        (out.output.as_str(), out.input_tokens, out.output_tokens, out.stop_reason.as_str()),
        ("ab", Some(4), Some(38), "max_tokens")
    );
}

#[test]
fn llama_mistral_titan_and_chat_completions() {
    let llama =
        ok(json!({"generation": "hi", "prompt_token_count": 9, "generation_token_count": 1, "stop_reason": "stop"}));
    assert_eq!((llama.output.as_str(), llama.input_tokens, llama.output_tokens), ("hi", Some(9), Some(1)));
    let mistral = ok(json!({"outputs": [{"text": "bonjour", "stop_reason": "length"}]}));
    assert_eq!(
        (mistral.output.as_str(), mistral.stop_reason.as_str(), mistral.input_tokens),
        ("bonjour", "length", None)
    );
    let embed = ok(json!({"embedding": [0.5, -1.0, 2e-3], "inputTextTokenCount": 3}));
    assert_eq!(embed.output, "[0.5,-1.0,0.002]");
    assert_eq!((embed.input_tokens, embed.output_tokens), (Some(3), None));
    let titan = ok(
        json!({"inputTextTokenCount": 8, "results": [{"tokenCount": 3, "outputText": "blue\n", "completionReason": "FINISH"}]}),
    );
    assert_eq!((titan.output.as_str(), titan.output_tokens, titan.stop_reason.as_str()), ("blue\n", Some(3), "FINISH"));
    let chat = ok(
        json!({"choices": [{"message": {"content": "yo"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 5, "completion_tokens": 1}}),
    );
    assert_eq!((chat.output.as_str(), chat.input_tokens), ("yo", Some(5)));
    // Mistral's chat models on Bedrock: the stop reason sits in the choice as "stop_reason".
    let mistral_chat = ok(
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "stop_reason": "length"}]}),
    );
    assert_eq!((mistral_chat.output.as_str(), mistral_chat.stop_reason.as_str()), ("ok", "length"));
    // Nova multimodal embeddings: the first (text) embedding.
    let nova = ok(json!({"embeddings": [{"embeddingType": "TEXT", "embedding": [0.25, -0.5]}]}));
    assert_eq!((nova.output.as_str(), nova.input_tokens), ("[0.25,-0.5]", None));
    let unknown = ok(json!({"something": "else"}));
    assert_eq!(unknown.output, "{\"something\":\"else\"}");
}

#[test]
fn error_lines_fail_with_code_and_message() {
    let line = br#"{ "recordId" : "1223213ABCD", "modelInput" : {"inputText": "Hello world"}, "error" : {"errorCode" : 400, "errorMessage" : "bad request" }}"#;
    let parsed = parse_line(line).unwrap();
    assert_eq!(parsed.status, Status::Failed);
    assert_eq!(parsed.outcome.error, "400: bad request");
}

#[test]
fn corrupt_lines_say_why() {
    assert!(parse_line(b"{\"recordId\": \"x\"").unwrap_err().contains("not valid JSON"));
    assert!(parse_line(b"{\"recordId\": \"x\", \"modelInput\": {}}").unwrap_err().contains("neither"));
}

#[test]
fn the_typed_path_agrees_with_the_general_one() {
    let bodies = [
        json!({"output": {"message": {"role": "assistant", "content": [{"text": "a\"b\n"}, {"toolUse": {}}, {"text": "c"}]}}, "stopReason": "end_turn", "usage": {"inputTokens": 4, "outputTokens": 38}}),
        json!({"output": {"message": {"content": []}}, "stopReason": null}),
        json!({"content": [{"type": "text", "text": "Hé"}, {"type": "thinking", "text": "no"}, {"type": "text", "text": "llo"}], "stop_reason": "max_tokens", "usage": {"input_tokens": 1, "output_tokens": 2}}),
        json!({"content": [], "usage": {"input_tokens": -1}}),
        json!({"generation": "gen", "prompt_token_count": 3, "generation_token_count": 4, "stop_reason": "stop"}),
        json!({"generation": null, "outputs": [{"text": "x"}]}),
        json!({"outputs": [{"text": "bonjour", "stop_reason": "length"}]}),
        json!({"outputs": []}),
        json!({"choices": [{"message": {"content": "yo"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 5, "completion_tokens": 1}}),
        json!({"embedding": [0.5, -1.0, 2e-3], "inputTextTokenCount": 3}),
        json!({"inputTextTokenCount": 8, "results": [{"tokenCount": 3, "outputText": "blue\n", "completionReason": "FINISH"}]}),
        json!({"results": []}),
        json!({"something": "else"}),
        json!({"embedding": null, "results": [{"outputText": "x"}]}),
        json!({"content": "a string, not blocks"}),
        json!({"usage": {"inputTokens": 1.5}, "output": {"message": {"content": [{"text": "t"}]}}}),
    ];
    for body in bodies {
        let expected = extract(&body);
        let line = json!({"recordId": "R", "modelOutput": body}).to_string();
        assert_eq!(parse_line(line.as_bytes()).unwrap().outcome, expected, "{body}");
    }
}

/// `tests/fixtures/aws-outputs/`: output lines AWS documented or a real job wrote (see its README).
fn aws_fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/aws-outputs").join(name)
}

#[test]
fn lines_as_aws_documents_and_writes_them_are_read() {
    let text = std::fs::read_to_string(aws_fixture("documented.jsonl.out")).unwrap();
    let lines: Vec<ParsedLine> = text.lines().map(|l| parse_line(l.as_bytes()).unwrap()).collect();
    // The documentation's Titan Text answer (spaces around the colons and all).
    assert_eq!(lines[0].record_id.as_deref(), Some("3223593EFGH"));
    assert_eq!(lines[0].status, Status::Succeeded);
    assert_eq!(
        (lines[0].outcome.output.as_str(), lines[0].outcome.input_tokens, lines[0].outcome.output_tokens),
        ("blue\n", Some(8), Some(3))
    );
    assert_eq!(lines[0].outcome.stop_reason, "FINISH");
    // The documentation's failed record: a numeric error code and its message.
    assert_eq!((lines[1].record_id.as_deref(), lines[1].status), (Some("1223213ABCD"), Status::Failed));
    assert!(lines[1].outcome.error.contains("400") && lines[1].outcome.error.contains("bad request"), "{:?}", lines[1]);
    // A real Claude line: recordId last, raw UTF-8, a stop sequence, any id shape.
    assert_eq!(lines[2].record_id.as_deref(), Some("meta_Appliances_0_0"));
    assert!(lines[2].outcome.output.starts_with("HANSGO Держатель для яиц"), "{}", lines[2].outcome.output);
    assert_eq!(
        (lines[2].outcome.input_tokens, lines[2].outcome.output_tokens, lines[2].outcome.stop_reason.as_str()),
        (Some(111), Some(73), "stop_sequence")
    );
    // The Converse response body.
    assert_eq!(
        (lines[3].outcome.output.as_str(), lines[3].outcome.input_tokens, lines[3].outcome.output_tokens),
        ("positive", Some(4), Some(38))
    );
    // The manifest's documented field names, and totals that agree with the lines.
    let manifest = crate::results::manifest::read_manifest(&aws_fixture("manifest.json.out")).unwrap();
    assert_eq!((manifest.total_record_count, manifest.error_record_count), (4, 1));
    let tokens: (u64, u64) = lines
        .iter()
        .fold((0, 0), |(i, o), l| (i + l.outcome.input_tokens.unwrap_or(0), o + l.outcome.output_tokens.unwrap_or(0)));
    assert_eq!((manifest.input_token_count, manifest.output_token_count), tokens);
}

#[test]
fn a_status_reads_back_from_its_export_text() {
    for status in [Status::Succeeded, Status::Failed, Status::Missing] {
        assert_eq!(Status::from_text(status.as_str()), status);
    }
    assert_eq!(Status::from_text("unknown"), Status::Missing);
}
