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
            stop_reason: "end_turn".into()
        }
    );
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
