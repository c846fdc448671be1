//! Prepare tests: balanced parts on disk, mapping file, stable ids, atomic failure, replacement.

use std::collections::HashSet;
use std::path::Path;

use super::*;
use crate::progress::NoProgress;
use crate::test_support::{request, write_sheet};

fn jsonl_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walk(dir).into_iter().filter(|n| n.ends_with(".jsonl")).collect();
    names.sort();
    names
}

fn walk(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                found.extend(walk(&entry.path()));
            } else {
                found.push(entry.file_name().to_string_lossy().to_string());
            }
        }
    }
    found
}

#[test]
fn writes_balanced_parts_a_plan_and_the_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_sheet(dir.path(), 100);
    let out = dir.path().join("out");
    let plan = prepare(&request(&input, &out, "amazon.nova-lite-v1:0"), &NoProgress).unwrap();
    let counts: Vec<u64> = plan.parts.iter().map(|p| p.records).collect();
    assert_eq!(counts, [34, 33, 33]);
    assert_eq!(jsonl_files(&out), ["part-001.jsonl", "part-002.jsonl", "part-003.jsonl"]);
    let scheme = plan.record_ids.scheme();
    let mut row = 0u64;
    for part in &plan.parts {
        let text = std::fs::read_to_string(out.join(&part.file)).unwrap();
        assert_eq!(text.len() as u64, part.bytes);
        for line in text.lines() {
            row += 1;
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(value["recordId"], scheme.id_for(row));
        }
        assert_eq!(part.last_row, row);
    }
    assert_eq!(row, 100);
    assert_eq!(plan.totals.records, 100);
    assert_eq!(plan.totals.max_output_tokens, 100 * 50);
    assert!(plan.estimate.batch_usd.unwrap() > 0.0);
    assert_eq!(PreparedPlan::read(&out.join(PLAN_FILE)).unwrap(), plan, "plan.json round-trips");
    let mapping = std::fs::read_to_string(out.join(RECORDS_FILE)).unwrap();
    let lines: Vec<&str> = mapping.lines().collect();
    assert_eq!(lines[0], "record_id,row,id");
    assert_eq!(lines[1], format!("{},1,U1", scheme.id_for(1)));
    assert_eq!(mapping.lines().count(), 101);
    assert!(walk(&out).iter().all(|n| !n.starts_with(".prepare-staging")), "staging removed");
}

#[test]
fn record_ids_are_stable_for_the_same_inputs_and_differ_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_sheet(dir.path(), 20);
    let a = prepare(&request(&input, &dir.path().join("a"), "amazon.nova-lite-v1:0"), &NoProgress).unwrap();
    let b = prepare(&request(&input, &dir.path().join("b"), "amazon.nova-lite-v1:0"), &NoProgress).unwrap();
    assert_eq!(a.record_ids.tag, b.record_ids.tag);
    let mut changed = request(&input, &dir.path().join("c"), "amazon.nova-lite-v1:0");
    changed.template = "Other: {{text}}".into();
    let c = prepare(&changed, &NoProgress).unwrap();
    assert_ne!(a.record_ids.tag, c.record_ids.tag);
}

#[test]
fn a_failed_prepare_leaves_no_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_sheet(dir.path(), 4);
    let out = dir.path().join("out");
    let err = prepare(&request(&input, &out, "amazon.nova-lite-v1:0"), &NoProgress).unwrap_err();
    assert!(err.to_string().contains("at least 5 records"), "{err}");
    assert!(walk(&out).is_empty(), "nothing at all is left: {:?}", walk(&out));

    // A template that fails on row 3 (its text is not a number) after rows 1–2 were written.
    let input = write_sheet(dir.path(), 30);
    let mut failing = request(&input, &out, "amazon.nova-lite-v1:0");
    failing.template = "{{ (text | replace('review number ', '')) | int + 1 }}".into();
    let err = prepare(&failing, &NoProgress).unwrap_err();
    assert!(err.to_string().contains("row 3"), "{err}");
    assert!(walk(&out).is_empty(), "{:?}", walk(&out));

    let mut unknown = request(&input, &out, "amazon.nova-lite-v1:0");
    unknown.id_column = Some("ID".into());
    let err = prepare(&unknown, &NoProgress).unwrap_err();
    assert!(err.to_string().contains("did you mean \"id\""), "{err}");
}

#[test]
fn a_new_prepare_replaces_the_previous_parts() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_sheet(dir.path(), 100);
    let out = dir.path().join("out");
    prepare(&request(&input, &out, "amazon.nova-lite-v1:0"), &NoProgress).unwrap();
    assert_eq!(jsonl_files(&out).len(), 3);
    let mut bigger = request(&input, &out, "amazon.nova-lite-v1:0");
    bigger.limits.max_records_per_file = 1000;
    bigger.limits.max_records_per_job = 1000;
    let plan = prepare(&bigger, &NoProgress).unwrap();
    assert_eq!(plan.parts.len(), 1);
    assert_eq!(jsonl_files(&out), ["part-001.jsonl"]);
}

#[test]
fn preview_renders_one_row_and_totals_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_sheet(dir.path(), 12);
    let request = PreviewRequest {
        input,
        sheet: Default::default(),
        template: "T: {{text}}".into(),
        system: Some("S {{id}}".into()),
        row: 3,
    };
    let shown = preview(&request).unwrap();
    assert_eq!(shown.prompt, "T: quote \" and\nnewline =1+2");
    assert_eq!(shown.system.as_deref(), Some("S U3"));
    assert_eq!(shown.rows, 12);
    assert!(shown.total_tokens >= shown.row_tokens && shown.row_tokens > 0);
    let err = preview(&PreviewRequest { row: 13, ..request }).unwrap_err();
    assert!(err.to_string().contains("12 data rows"), "{err}");
}

/// Reads every part back and checks that lines 1..=rows appear once, in order, split as the plan says.
fn assert_parts_hold_every_row(out: &Path, plan: &PreparedPlan) {
    let scheme = plan.record_ids.scheme();
    let mut row = 0u64;
    for part in &plan.parts {
        let text = std::fs::read_to_string(out.join(&part.file)).unwrap();
        assert_eq!(text.len() as u64, part.bytes, "{}", part.file);
        assert_eq!(text.lines().count() as u64, part.records, "{}", part.file);
        for line in text.lines() {
            row += 1;
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(value["recordId"], scheme.id_for(row));
        }
    }
    assert_eq!(row, plan.totals.records);
    assert_eq!(jsonl_files(out).len(), plan.parts.len(), "no stray files");
    assert!(walk(out).iter().all(|n| !n.ends_with(".tmp")), "{:?}", walk(out));
}

#[test]
fn a_misleading_row_count_hint_is_corrected_by_a_resplit() {
    // A quote inside an unquoted field is literal to the reader but throws the quick count off.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("odd.csv");
    let mut text = String::from("id,text\nU1,say \"hi\nU2,x\n");
    for i in 3..=100 {
        text.push_str(&format!("U{i},row {i}\n"));
    }
    std::fs::write(&input, text).unwrap();
    assert_ne!(crate::sheet::open_sheet(&input, &Default::default()).unwrap().count_hint(), Some(100));
    let out = dir.path().join("out");
    let plan = prepare(&request(&input, &out, "amazon.nova-lite-v1:0"), &NoProgress).unwrap();
    assert_eq!(plan.parts.iter().map(|p| p.records).collect::<Vec<_>>(), [34, 33, 33]);
    assert_parts_hold_every_row(&out, &plan);
}

#[test]
fn byte_limits_that_need_more_parts_than_the_count_suggests() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_sheet(dir.path(), 100);
    let out = dir.path().join("out");
    let mut small_files = request(&input, &out, "amazon.nova-lite-v1:0");
    small_files.limits.max_file_bytes = 3_000;
    let plan = prepare(&small_files, &NoProgress).unwrap();
    assert!(plan.parts.len() > 3, "bytes, not records, decide: {} parts", plan.parts.len());
    assert!(plan.parts.iter().all(|p| p.bytes <= 3_000));
    assert_parts_hold_every_row(&out, &plan);
}

#[test]
fn an_answer_shape_is_kept_in_the_plan_asked_of_every_record_and_counted_in_the_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_sheet(dir.path(), 20);
    let shape = crate::answer::AnswerShape::Classify {
        labels: vec!["praise".into(), "complaint".into()],
        multi: false,
        other: true,
    };
    let free = prepare(&request(&input, &dir.path().join("free"), "amazon.nova-lite-v1:0"), &NoProgress).unwrap();
    let out = dir.path().join("shaped");
    let shaped = PrepareRequest { answer: shape.clone(), ..request(&input, &out, "amazon.nova-lite-v1:0") };
    let plan = prepare(&shaped, &NoProgress).unwrap();
    assert_eq!(plan.templates.answer, shape);
    assert_eq!(plan.model.schema_delivery, Some(crate::answer::native::SchemaDelivery::Instruction));
    assert_eq!(PreparedPlan::read(&out.join(PLAN_FILE)).unwrap(), plan, "plan.json round-trips with the shape");
    // Nova Lite has no structured output: every prompt carries the schema, and the estimate counts it.
    let text = std::fs::read_to_string(out.join(&plan.parts[0].file)).unwrap();
    assert!(text.lines().all(|l| l.contains("It must match this JSON Schema") && l.contains("complaint")));
    let per_record = (plan.totals.input_tokens - free.totals.input_tokens) / 20;
    assert!(per_record > 20, "the schema's tokens in every record: {per_record}");
    // A plan written before answer shapes reads as free text.
    let mut old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join(PLAN_FILE)).unwrap()).unwrap();
    old["templates"].as_object_mut().unwrap().remove("answer");
    old["model"].as_object_mut().unwrap().remove("schema_delivery");
    let old: PreparedPlan = serde_json::from_value(old).unwrap();
    assert!(old.templates.answer.is_free_text() && old.model.schema_delivery.is_none());
}

#[test]
fn a_revised_follow_up_renders_the_chosen_rows_anew_under_their_record_ids() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_sheet(dir.path(), 30);
    let out = dir.path().join("out");
    let shape =
        crate::answer::AnswerShape::Classify { labels: vec!["a".into(), "b".into()], multi: false, other: false };
    let shaped = PrepareRequest { answer: shape.clone(), ..request(&input, &out, "amazon.nova-lite-v1:0") };
    let original = prepare(&shaped, &NoProgress).unwrap();
    let scheme = original.record_ids.scheme();
    let keep: HashSet<String> = [3u64, 7, 12, 20, 29].iter().map(|&row| scheme.id_for(row)).collect();
    let revision = Revision {
        model: Some(crate::model::ModelId::parse("anthropic.claude-haiku-4-5-20251001-v1:0").unwrap()),
        max_tokens: Some(300),
        template: Some("Label this review: {{text}} (customer {{id}})".into()),
    };
    let retry = dir.path().join("retry");
    let plan = prepare_revised(&out, &keep, &revision, &retry, (&PriceTable::bundled(), false)).unwrap();
    assert_eq!(plan.totals.records, 5);
    assert_eq!(plan.model.id.as_str(), "anthropic.claude-haiku-4-5-20251001-v1:0");
    assert_eq!(plan.model.family, crate::model::ModelFamily::AnthropicClaude);
    assert_eq!(plan.model.params.max_tokens, 300);
    assert_eq!(plan.templates.answer, shape, "the answer's shape is kept");
    assert_eq!(plan.templates.columns_used, ["id", "text"]);
    assert_eq!(plan.record_ids, original.record_ids, "the same record ids");
    assert_eq!(PreparedPlan::read(&retry.join(PLAN_FILE)).unwrap(), plan);
    let mut seen = Vec::new();
    for part in &plan.parts {
        for line in std::fs::read_to_string(retry.join(&part.file)).unwrap().lines() {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let row = scheme.row_of(value["recordId"].as_str().unwrap()).unwrap();
            // The run's Converse body, with the new template rendered over that row and the new token budget.
            let prompt = value["modelInput"]["messages"][0]["content"].to_string();
            assert!(prompt.contains(&format!("(customer U{row})")), "row {row}: {prompt}");
            assert_eq!(value["modelInput"]["inferenceConfig"]["maxTokens"], 300);
            seen.push(row);
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, [3, 7, 12, 20, 29]);
    assert_eq!((plan.parts[0].first_row, plan.parts.last().unwrap().last_row), (3, 29));
    assert!(plan.estimate.batch_usd.unwrap() > 0.0 && plan.warnings[0].contains("a changed template"));
    // Claude Haiku 4.5 reads the schema natively (Nova Lite had it written into each prompt).
    assert_eq!(plan.model.schema_delivery, Some(crate::answer::native::SchemaDelivery::ConverseOutputConfig));
    assert!(!std::fs::read_to_string(retry.join(&plan.parts[0].file)).unwrap().contains("It must match"));
    // Too few rows for a batch job, unless sent on demand.
    let two: HashSet<String> = [1u64, 2].iter().map(|&row| scheme.id_for(row)).collect();
    let few = prepare_revised(&out, &two, &revision, &dir.path().join("few"), (&PriceTable::bundled(), false));
    assert!(matches!(few, Err(PrepareError::Plan(crate::plan::PlanError::TooFewRecords { rows: 2, .. }))));
    let on_demand =
        prepare_revised(&out, &two, &revision, &dir.path().join("od"), (&PriceTable::bundled(), true)).unwrap();
    assert_eq!(on_demand.totals.records, 2);
    // A sheet changed since: refused, nothing written.
    std::fs::write(&input, "id,text\nU1,other\n").unwrap();
    let changed = prepare_revised(&out, &keep, &revision, &dir.path().join("changed"), (&PriceTable::bundled(), false));
    let error = changed.unwrap_err();
    assert!(matches!(error, PrepareError::SheetChanged { .. }) && error.to_string().contains("put the original"));
    assert!(jsonl_files(&dir.path().join("changed")).is_empty());
}
