//! A job made elsewhere, opened: its records joined with their own ids, to the requests or to the analyst's sheet,
//! and its failed records cut again from the lines that were sent.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;
use crate::model::{InvocationType, ModelFamily};
use crate::pricing::PriceTable;
use crate::progress::NoProgress;
use crate::results::{ResultsRequest, join_results};

const UUID: &str = "7f9c2ba4-e88f-4f5e-9c1d-1c5b0d2f6a11";

/// A Claude Messages request, as a notebook writes it.
fn body(text: &str) -> serde_json::Value {
    json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64, "system": "Label it.",
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}]})
}

fn request_line(id: &serde_json::Value, text: &str) -> String {
    json!({"recordId": id, "modelInput": body(text)}).to_string()
}

fn answered(id: &str, text: &str) -> String {
    let input = body(text);
    let output =
        crate::sandbox_model::respond(ModelFamily::AnthropicClaude, InvocationType::InvokeModel, &input).unwrap();
    json!({"recordId": id, "modelInput": input, "modelOutput": output}).to_string()
}

fn failed(id: &str, text: &str) -> String {
    json!({"recordId": id, "modelInput": body(text),
        "error": {"errorCode": 400, "errorMessage": "Malformed input request"}})
    .to_string()
}

/// A job of 6 records — ids 0…3 (one a JSON number), a UUID and free text — whose outputs (in another order)
/// answer 4, fail one and leave one out; returns (input file, outputs folder).
fn job(dir: &Path) -> (PathBuf, PathBuf) {
    let input = dir.join("input.jsonl");
    let lines = [
        request_line(&json!("0"), "first"),
        request_line(&json!(1), "second"),
        request_line(&json!("2"), "third"),
        request_line(&json!("3"), "fourth"),
        request_line(&json!(UUID), "fifth"),
        request_line(&json!("row: é/7"), "sixth"),
    ];
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let outputs = dir.join("outputs").join("j0b1d");
    std::fs::create_dir_all(&outputs).unwrap();
    let out = [answered(UUID, "fifth"), failed("2", "third"), answered("0", "first"), answered("1", "second")];
    std::fs::write(outputs.join("input.jsonl.out"), out.join("\n") + "\n").unwrap();
    std::fs::write(outputs.join("more.jsonl.out"), answered("row: é/7", "sixth") + "\n").unwrap();
    (input, dir.join("outputs"))
}

fn open(dir: &Path, requests: Option<PathBuf>, outputs: &Path, sheet: Option<SheetJoin>) -> OpenedPlan {
    prepare_opened(&OpenedJobRequest {
        requests,
        outputs: outputs.to_path_buf(),
        sheet,
        model: Some(ModelId::parse("anthropic.claude-haiku-4-5-20251001-v1:0").unwrap()),
        answer: crate::answer::AnswerShape::default(),
        out_dir: dir.join("opened"),
        prices: PriceTable::bundled(),
    })
    .unwrap()
}

fn joined(dir: &Path, opened: &OpenedPlan, outputs: &Path) -> (crate::results::ResultsSummary, Vec<Vec<String>>) {
    let export = dir.join("results.csv");
    let request = ResultsRequest {
        input: opened.sheet.clone(),
        sheet: None,
        prepared: dir.join("opened"),
        outputs: outputs.to_path_buf(),
        export: export.clone(),
        excel_safe: false,
        prices: PriceTable::bundled(),
        allow_no_outputs: false,
        unfinished_list: Some(dir.join("unfinished.txt")),
    };
    let summary = join_results(&request, &NoProgress).unwrap();
    let mut reader = csv::Reader::from_path(&export).unwrap();
    let mut rows = vec![reader.headers().unwrap().iter().map(str::to_string).collect::<Vec<_>>()];
    rows.extend(reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()));
    (summary, rows)
}

fn column<'a>(rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let at = rows[0].iter().position(|h| h == name).unwrap();
    rows[1..].iter().map(|r| r[at].as_str()).collect()
}

#[test]
fn a_job_with_its_input_opens_a_row_per_record_in_input_order_with_its_own_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (input, outputs) = job(dir.path());
    let opened = open(dir.path(), Some(input), &outputs, None);
    assert_eq!((opened.records, opened.rows, opened.unmatched_records), (6, 6, 0));
    assert_eq!(opened.plan.model.invocation_type, InvocationType::InvokeModel, "Claude's own body");
    let (summary, rows) = joined(dir.path(), &opened, &outputs);
    assert_eq!((summary.rows, summary.succeeded, summary.failed, summary.missing), (6, 4, 1, 1));
    assert_eq!(summary.foreign_records, 0);
    assert_eq!(column(&rows, "record_id"), ["0", "1", "2", "3", UUID, "row: é/7"]);
    assert_eq!(column(&rows, "prompt"), ["first", "second", "third", "fourth", "fifth", "sixth"]);
    assert_eq!(column(&rows, "system")[0], "Label it.");
    assert_eq!(column(&rows, "status"), ["succeeded", "succeeded", "failed", "missing", "succeeded", "succeeded"]);
    assert!(column(&rows, "error")[2].contains("Malformed input request"));
    assert!(column(&rows, "output")[4].contains("sandbox answer"), "{:?}", rows[5]);
    let unfinished = std::fs::read_to_string(dir.path().join("unfinished.txt")).unwrap();
    assert_eq!(unfinished.lines().collect::<Vec<_>>(), ["2", "3"]);

    // A retry sends the lines that were sent, under the same ids (record "1" was a JSON number: now text).
    let keep: HashSet<String> = ["2", "3"].map(String::from).into();
    let retry = crate::prepare::prepare_subset_on_demand(&dir.path().join("opened"), &keep, &dir.path().join("r"));
    let retry = retry.unwrap();
    let part = std::fs::read_to_string(dir.path().join("r").join(&retry.parts[0].file)).unwrap();
    let sent: Vec<serde_json::Value> = part.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(sent.len(), 2);
    assert_eq!((sent[0]["recordId"].as_str(), sent[1]["recordId"].as_str()), (Some("2"), Some("3")));
    assert_eq!(sent[1]["modelInput"], body("fourth"));
}

#[test]
fn without_the_input_the_records_come_from_the_outputs_and_a_revision_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, outputs) = job(dir.path());
    let opened = open(dir.path(), None, &outputs, None);
    assert!(opened.requests_from_outputs);
    assert_eq!(opened.rows, 5, "record 3 wrote no line, so it is not known");
    assert!(opened.warnings.iter().any(|w| w.contains("read from the output lines")), "{:?}", opened.warnings);
    let (summary, rows) = joined(dir.path(), &opened, &outputs);
    assert_eq!((summary.succeeded, summary.failed, summary.missing), (4, 1, 0));
    assert_eq!(column(&rows, "record_id"), [UUID, "2", "0", "1", "row: é/7"], "in the outputs' order");
    let revision = Revision { max_tokens: Some(500), ..Revision::default() };
    let error = prepare_revised(
        &dir.path().join("opened"),
        &["2".to_string()].into(),
        &revision,
        &dir.path().join("r"),
        (&PriceTable::bundled(), true),
    )
    .unwrap_err();
    assert!(matches!(error, PrepareError::NoTemplate { .. }), "{error}");
}

#[test]
fn joined_to_a_sheet_by_id_column_or_row_number_every_row_and_record_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let (input, outputs) = job(dir.path());
    // The notebook's DataFrame: rows for ids 0…3 and the UUID, one row no record names, none for "row: é/7".
    let sheet = dir.path().join("reviews.csv");
    std::fs::write(&sheet, format!("key,review\n0,first\n1,second\n2,third\n3,fourth\n{UUID},fifth\nextra,none\n"))
        .unwrap();
    let by_column =
        SheetJoin { path: sheet.clone(), options: SheetOptions::default(), key: RowKey::Column("key".into()) };
    let opened = open(dir.path(), Some(input.clone()), &outputs, Some(by_column));
    assert_eq!((opened.rows, opened.records, opened.unmatched_records, opened.rows_without_record), (6, 6, 1, 1));
    let unmatched = std::fs::read_to_string(opened.unmatched_list.as_ref().unwrap()).unwrap();
    assert_eq!(unmatched.trim(), "row: é/7");
    let (summary, rows) = joined(dir.path(), &opened, &outputs);
    assert_eq!((summary.rows, summary.succeeded, summary.failed, summary.missing), (6, 3, 1, 2));
    assert_eq!(summary.foreign_records, 1, "the output of the unmatched record is counted, not joined");
    assert_eq!(rows[0][..2], ["key", "review"]);
    assert_eq!(column(&rows, "record_id"), ["0", "1", "2", "3", UUID, "extra"]);
    assert_eq!(column(&rows, "status"), ["succeeded", "succeeded", "failed", "missing", "succeeded", "missing"]);

    // A DataFrame index: row number from 0.
    std::fs::remove_dir_all(dir.path().join("opened")).unwrap();
    let by_number =
        SheetJoin { path: sheet.clone(), options: SheetOptions::default(), key: RowKey::RowNumber { first: 0 } };
    let opened = open(dir.path(), Some(input.clone()), &outputs, Some(by_number));
    assert_eq!((opened.unmatched_records, opened.rows_without_record), (2, 2), "the UUID and the text name no row");
    let (summary, rows) = joined(dir.path(), &opened, &outputs);
    assert_eq!(column(&rows, "record_id"), ["0", "1", "2", "3", "4", "5"]);
    assert_eq!((summary.succeeded, summary.failed, summary.missing), (2, 1, 3));

    // A column whose values repeat cannot name rows.
    std::fs::write(&sheet, "key,review\na,x\nb,y\na,z\n").unwrap();
    let twice = SheetJoin { path: sheet, options: SheetOptions::default(), key: RowKey::Column("key".into()) };
    let error = prepare_opened(&OpenedJobRequest {
        requests: Some(input),
        outputs,
        sheet: Some(twice),
        model: None,
        answer: crate::answer::AnswerShape::default(),
        out_dir: dir.path().join("again"),
        prices: PriceTable::bundled(),
    })
    .unwrap_err();
    assert!(matches!(error, PrepareError::DuplicateRecordId { first: 1, second: 3, .. }), "{error}");
}

#[test]
fn output_lines_as_aws_wrote_them_open_each_record_with_its_request_and_answer() {
    // tests/fixtures/aws-outputs: AWS's documented lines (spaced keys, an error line) and a real Claude 3 Haiku
    // job's line (keys in AWS's order, raw UTF-8, a recordId of the job's own), with a manifest (see its README).
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/aws-outputs");
    let dir = tempfile::tempdir().unwrap();
    let outputs = dir.path().join("outputs").join("job1");
    std::fs::create_dir_all(&outputs).unwrap();
    for name in ["documented.jsonl.out", "manifest.json.out"] {
        std::fs::copy(fixtures.join(name), outputs.join(name)).unwrap();
    }
    let opened = open(dir.path(), None, &dir.path().join("outputs"), None);
    assert_eq!((opened.records, opened.corrupt_lines), (4, 0));
    let (summary, rows) = joined(dir.path(), &opened, &dir.path().join("outputs"));
    assert_eq!((summary.rows, summary.succeeded, summary.failed, summary.missing), (4, 3, 1, 0));
    assert_eq!(summary.manifests.len(), 1);
    assert_eq!(column(&rows, "record_id"), ["3223593EFGH", "1223213ABCD", "meta_Appliances_0_0", "ROW00000001"]);
    let prompts = column(&rows, "prompt");
    assert_eq!(prompts[0], "Roses are red, violets are");
    assert_eq!(prompts[1], "Hello world");
    assert!(prompts[2].starts_with("你是一位翻译专家"), "{}", prompts[2]);
    assert_eq!(prompts[3], "Classify: …");
    assert_eq!(column(&rows, "system")[3], "You are a classifier.");
    assert_eq!(column(&rows, "status"), ["succeeded", "failed", "succeeded", "succeeded"]);
    assert_eq!(column(&rows, "error")[1], "400: bad request");
    let outputs = column(&rows, "output");
    assert_eq!(outputs[0], "blue\n");
    assert!(outputs[2].starts_with("HANSGO Держатель для яиц"), "raw UTF-8 kept: {}", outputs[2]);
    assert_eq!(outputs[3], "positive");
}

#[test]
fn answers_asked_as_labels_come_back_as_a_typed_column_and_a_stray_one_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = dir.path().join("outputs").join("job1");
    std::fs::create_dir_all(&outputs).unwrap();
    let line = |id: &str, text: &str| {
        json!({"modelInput": body("Label it"), "recordId": id, "modelOutput": {"type": "message", "role": "assistant",
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 9, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 4, "output_tokens": 5}}})
        .to_string()
    };
    let lines =
        [line("a", r#"{"label": "bug"}"#), line("b", r#"{"label": "praise"}"#), line("c", "I think it is a bug")];
    std::fs::write(outputs.join("in.jsonl.out"), lines.join("\n")).unwrap();
    let opened = prepare_opened(&OpenedJobRequest {
        requests: None,
        outputs: dir.path().join("outputs"),
        sheet: None,
        model: None,
        answer: crate::answer::AnswerShape::classify("bug,praise", false, false).unwrap(),
        out_dir: dir.path().join("opened"),
        prices: PriceTable::bundled(),
    })
    .unwrap();
    let (summary, rows) = joined(dir.path(), &opened, &dir.path().join("outputs"));
    assert_eq!((summary.succeeded, summary.invalid), (2, 1));
    assert_eq!(column(&rows, "label"), ["bug", "praise", ""]);
    assert_eq!(column(&rows, "status"), ["succeeded", "succeeded", "invalid"]);
    assert_eq!(summary.tokens.cache_read_from_outputs, 12, "Claude's cache fields are read");
}

#[test]
fn input_lines_without_record_ids_open_from_the_ids_bedrock_added_to_the_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.jsonl");
    let lines: Vec<String> = ["one", "two"].iter().map(|t| json!({"modelInput": body(t)}).to_string()).collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let outputs = dir.path().join("outputs").join("job1");
    std::fs::create_dir_all(&outputs).unwrap();
    let out = [answered("K3J9Q2M7X1A", "two"), answered("B8N4R6T2P0C", "one")];
    std::fs::write(outputs.join("input.jsonl.out"), out.join("\n")).unwrap();
    let opened = open(dir.path(), Some(input), &dir.path().join("outputs"), None);
    assert!(opened.requests_from_outputs);
    assert!(opened.warnings.iter().any(|w| w.contains("have no recordId")), "{:?}", opened.warnings);
    let (summary, rows) = joined(dir.path(), &opened, &dir.path().join("outputs"));
    assert_eq!((summary.rows, summary.succeeded), (2, 2));
    assert_eq!(column(&rows, "record_id"), ["K3J9Q2M7X1A", "B8N4R6T2P0C"]);
    assert_eq!(column(&rows, "prompt"), ["two", "one"]);
}
