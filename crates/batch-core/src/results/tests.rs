//! Join tests: shuffled outputs, failures, missing rows, blank/corrupt/foreign/duplicate lines, every family.

use std::io::Write;
use std::path::Path;

use super::*;
use crate::model::{InvocationType, ModelFamily, ModelId};
use crate::prepare::PreparedPlan;
use crate::progress::NoProgress;
use crate::sandbox_model::{OutputFaults, answer_for, write_sandbox_outputs};
use crate::test_support::{prepared, prepared_as};

fn request(input: &Path, prepared: &Path, outputs: &Path, export: &Path) -> ResultsRequest {
    ResultsRequest {
        input: input.to_path_buf(),
        sheet: None,
        prepared: prepared.to_path_buf(),
        outputs: outputs.to_path_buf(),
        export: export.to_path_buf(),
        excel_safe: false,
        prices: PriceTable::bundled(),
        unfinished_list: None,
        allow_no_outputs: false,
    }
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (headers, rows)
}

/// True when a join left its scratch folder behind in `dir`.
fn scratch_left(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with(".bedrock-batch-join"))
}

fn append(path: &Path, text: &str) {
    std::fs::OpenOptions::new().append(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

#[test]
fn every_row_once_in_input_order_with_its_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let (input, prep, plan) = prepared(dir.path(), 100, "anthropic.claude-haiku-4-5-20251001-v1:0");
    assert_eq!(plan.parts.len(), 3);
    let outputs = dir.path().join("outputs");
    let faults = OutputFaults { fail_every: Some(10), drop_every: Some(7), shuffle: true, bad_answers: false };
    let jobs = write_sandbox_outputs(&prep, &outputs, faults).unwrap();
    let scheme = plan.record_ids.scheme();
    // Noise in the first job's file: blank lines, a corrupt line, a foreign record, and a retry that
    // succeeds for a row that failed (row 10 failed in part 1).
    let first_out = jobs[0].folder.join("part-001.jsonl.out");
    let retried = format!(
        "{{\"recordId\":\"{}\",\"modelInput\":{{}},\"modelOutput\":{{\"content\":[{{\"type\":\"text\",\"text\":\"retried\"}}],\"usage\":{{\"input_tokens\":1,\"output_tokens\":1}}}}}}\n",
        scheme.id_for(10)
    );
    append(
        &first_out,
        &format!(
            "\n  \n{{\"recordId\": \"broken\n{retried}{{\"recordId\":\"ZZZ00000001\",\"modelOutput\":{{\"content\":[]}}}}\n"
        ),
    );
    let export = dir.path().join("joined.csv");
    let summary = join_results(&request(&input, &prep, &outputs, &export), &NoProgress).unwrap();

    let (headers, rows) = read_csv(&export);
    assert_eq!(
        headers,
        [
            "id",
            "text",
            "record_id",
            "status",
            "output",
            "error",
            "input_tokens",
            "output_tokens",
            "stop_reason",
            "tier"
        ]
    );
    assert_eq!(rows.len(), 100, "every input row exactly once");
    for (i, row) in rows.iter().enumerate() {
        let n = i as u64 + 1;
        assert_eq!(row[0], format!("U{n}"), "input order");
        assert_eq!(row[2], scheme.id_for(n));
    }
    assert_eq!(rows[2][1], "quote \" and\nnewline =1+2", "input cells are exported exactly");
    // Row 10: failed in its job, then succeeded in the retry line — the success wins.
    assert_eq!((rows[9][3].as_str(), rows[9][4].as_str()), ("succeeded", "retried"));
    // Row 7 (the 7th record of part 1) was dropped: missing, with empty result fields.
    assert_eq!(rows[6][3], "missing");
    assert_eq!(rows[6][4..], ["", "", "", "", "", ""]);
    // Row 20 (the 20th record of part 1) failed.
    assert_eq!(rows[19][3], "failed");
    assert_eq!(rows[19][5], "400: Sandbox failure injected for testing");
    // A succeeded row carries the sandbox model's answer to its own prompt, not a neighbour's.
    assert_eq!(rows[0][3], "succeeded");
    assert_eq!(rows[0][4], answer_for("Summarise: review number 1"));
    assert_eq!(rows[0][8], "end_turn");
    assert_eq!((rows[0][9].as_str(), rows[19][9].as_str()), ("batch", "batch"), "batch jobs' folders answer on batch");
    assert!(rows[0][6].parse::<u64>().unwrap() > 0);

    assert!(!scratch_left(dir.path()), "the spill folder is removed after a join");
    assert_eq!(summary.rows, 100);
    assert_eq!(summary.succeeded + summary.failed + summary.missing, 100);
    assert_eq!(summary.corrupt_lines, 1);
    assert_eq!(summary.foreign_records, 1);
    assert_eq!(summary.duplicate_records, 1);
    assert_eq!(summary.manifests.len(), 3);
    assert_eq!(summary.cost_basis.as_deref(), Some("manifests"));
    assert!(summary.cost_usd.unwrap() > 0.0);
    let missing = rows.iter().filter(|r| r[3] == "missing").count() as u64;
    assert_eq!(summary.missing, missing);
    assert!(summary.warnings.iter().any(|w| w.contains("could not be read")));
    assert!(summary.warnings.iter().any(|w| w.contains("did not create")));
    assert!(!summary.warnings.iter().any(|w| w.contains("ALL")), "{:?}", summary.warnings);
}

#[test]
fn a_job_whose_records_all_failed_is_a_loud_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (input, prep, _) = prepared(dir.path(), 10, "amazon.nova-micro-v1:0");
    let outputs = dir.path().join("outputs");
    write_sandbox_outputs(&prep, &outputs, OutputFaults { fail_every: Some(1), ..Default::default() }).unwrap();
    let summary = join_results(&request(&input, &prep, &outputs, &dir.path().join("r.csv")), &NoProgress).unwrap();
    assert_eq!(summary.failed, 10);
    let loud: Vec<&String> = summary.warnings.iter().filter(|w| w.contains("ALL 10 records")).collect();
    assert_eq!(loud.len(), 2, "from the output lines and from the manifest: {:?}", summary.warnings);
}

#[test]
fn every_family_round_trips_through_the_sandbox_model() {
    for model in [
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "amazon.nova-lite-v1:0",
        "meta.llama3-1-8b-instruct-v1:0",
        "mistral.mistral-small-2402-v1:0",
        "us.meta.llama4-scout-17b-instruct-v1:0",
        "mistral.mistral-large-2407-v1:0",
        "amazon.titan-embed-text-v2:0",
        "amazon.nova-2-multimodal-embeddings-v1:0",
        "amazon.titan-text-express-v1",
        "deepseek.r1-v1:0",
    ] {
        let family = ModelId::parse(model).unwrap().family();
        // The model's native body (where the tool writes one) and Converse (where Converse serves it).
        let native = (family != ModelFamily::Other).then_some(InvocationType::InvokeModel);
        let converse = (!family.is_embedding()).then_some(InvocationType::Converse);
        for invocation in [native, converse].into_iter().flatten() {
            let dir = tempfile::tempdir().unwrap();
            let (input, prep, plan) = prepared_as(dir.path(), 6, model, Some(invocation));
            assert_eq!(plan.model.invocation_type, invocation);
            let outputs = dir.path().join("out");
            write_sandbox_outputs(&prep, &outputs, OutputFaults::default()).unwrap();
            let export = dir.path().join("r.jsonl");
            let summary = join_results(&request(&input, &prep, &outputs, &export), &NoProgress).unwrap();
            assert_eq!(summary.succeeded, 6, "{model} {invocation:?}");
            let text = std::fs::read_to_string(&export).unwrap();
            for line in text.lines() {
                let row: serde_json::Value = serde_json::from_str(line).unwrap();
                let output = row["output"].as_str().unwrap();
                if family.is_embedding() {
                    let dimension = if family == ModelFamily::NovaEmbedding { 3072 } else { 1024 };
                    assert_eq!(serde_json::from_str::<Vec<f64>>(output).unwrap().len(), dimension, "{model}");
                } else {
                    assert!(output.contains("sandbox answer"), "{model} {invocation:?}: {output}");
                }
            }
        }
    }
}

#[test]
fn missing_outputs_and_a_different_sheet_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (input, prep, _) = prepared(dir.path(), 10, "amazon.nova-micro-v1:0");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let err = join_results(&request(&input, &prep, &empty, &dir.path().join("r.csv")), &NoProgress).unwrap_err();
    assert!(matches!(err, ResultsError::NoOutputs { .. }), "{err}");
    assert!(!dir.path().join("r.csv").exists());

    let outputs = dir.path().join("outputs");
    write_sandbox_outputs(&prep, &outputs, OutputFaults::default()).unwrap();
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "name,text\na,b\n").unwrap();
    let err = join_results(&request(&other, &prep, &outputs, &dir.path().join("r.csv")), &NoProgress).unwrap_err();
    assert!(matches!(err, ResultsError::InputMismatch { .. }), "{err}");
    let fewer = dir.path().join("fewer.csv");
    std::fs::write(&fewer, "id,text\nU1,review number 1\n").unwrap();
    let err = join_results(&request(&fewer, &prep, &outputs, &dir.path().join("r.csv")), &NoProgress).unwrap_err();
    assert!(err.to_string().contains("1 data rows but 10 were prepared"), "{err}");
    assert!(!dir.path().join("r.csv").exists(), "no export is left behind when the join fails");
    assert!(!scratch_left(dir.path()), "nor a spill folder");
    let _ = PreparedPlan::read(&prep.join("plan.json")).unwrap();
}

#[test]
fn unfinished_rows_are_listed_and_a_subset_folder_holds_exactly_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    // Minimum 10 records per job in the test plan; 100 rows.
    let (input, prep, plan) = prepared(dir.path(), 100, "anthropic.claude-haiku-4-5-20251001-v1:0");
    let outputs = dir.path().join("outputs");
    let faults = OutputFaults { fail_every: Some(4), drop_every: Some(9), shuffle: true, bad_answers: false };
    write_sandbox_outputs(&prep, &outputs, faults).unwrap();
    let mut req = request(&input, &prep, &outputs, &dir.path().join("joined.csv"));
    let list = dir.path().join("unfinished.txt");
    req.unfinished_list = Some(list.clone());
    let summary = join_results(&req, &NoProgress).unwrap();
    let ids: std::collections::HashSet<String> =
        std::fs::read_to_string(&list).unwrap().lines().map(str::to_string).collect();
    assert_eq!(ids.len() as u64, summary.failed + summary.missing);
    assert!(summary.failed > 0 && summary.missing > 0, "{summary:?}");

    let retry_dir = dir.path().join("retry");
    let subset = crate::prepare::prepare_subset(&prep, &ids, &retry_dir).unwrap();
    assert_eq!(subset.totals.records, ids.len() as u64);
    assert_eq!(subset.parts.iter().map(|p| p.records).sum::<u64>(), ids.len() as u64);
    assert!(subset.parts.iter().all(|p| p.records >= plan.limits.min_records_per_job));
    // The kept lines are the original lines, byte for byte, with the same record ids.
    let original: std::collections::HashMap<String, String> = plan
        .parts
        .iter()
        .flat_map(|p| {
            std::fs::read_to_string(prep.join(&p.file)).unwrap().lines().map(str::to_string).collect::<Vec<_>>()
        })
        .map(|line| {
            (serde_json::from_str::<serde_json::Value>(&line).unwrap()["recordId"].as_str().unwrap().to_string(), line)
        })
        .collect();
    let mut seen = 0;
    for part in &subset.parts {
        for line in std::fs::read_to_string(retry_dir.join(&part.file)).unwrap().lines() {
            let id = serde_json::from_str::<serde_json::Value>(line).unwrap()["recordId"].as_str().unwrap().to_string();
            assert!(ids.contains(&id));
            assert_eq!(original[&id], line);
            seen += 1;
        }
    }
    assert_eq!(seen, ids.len());
    // Too few rows for a job: the plan's minimum error, not an empty folder.
    let few: std::collections::HashSet<String> = ids.iter().take(3).cloned().collect();
    let error = crate::prepare::prepare_subset(&prep, &few, &dir.path().join("few")).unwrap_err();
    assert!(error.to_string().contains("at least"), "{error}");
}

#[test]
fn outputs_written_as_a_real_job_writes_them_join_with_their_cost() {
    // Lines as real jobs write them (FACTS §8.6), by this test rather than the sandbox model: keys in the order
    // modelInput, modelOutput, recordId; raw UTF-8; a newline after every line; reverse order; a Claude body
    // like the public sample's; and a manifest with the documented field names.
    let dir = tempfile::tempdir().unwrap();
    let (input, prep, plan) = prepared(dir.path(), 6, "anthropic.claude-3-haiku-20240307-v1:0");
    let scheme = plan.record_ids.scheme();
    let job = dir.path().join("outputs").join("fxwjh9qklkqn");
    std::fs::create_dir_all(&job).unwrap();
    let mut lines = String::new();
    for row in (1..=6).rev() {
        let answer = format!("Ответ {row} — 答案");
        // The prompt cache, as Claude reports it on some lines only: written by the first, read by the next four.
        let cache = match row {
            6 => r#","cache_creation_input_tokens":2048,"cache_read_input_tokens":0"#,
            2..=5 => r#","cache_creation_input_tokens":0,"cache_read_input_tokens":2048"#,
            _ => "",
        };
        lines.push_str(&format!(
            "{{\"modelInput\":{{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":50,\"messages\":[{{\"role\":\"user\",\"content\":[{{\"type\":\"text\",\"text\":\"…\"}}]}}]}},\"modelOutput\":{{\"id\":\"msg_bdrk_{row}\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-haiku-20240307\",\"content\":[{{\"type\":\"text\",\"text\":\"{answer}\"}}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{{\"input_tokens\":100{cache},\"output_tokens\":10}}}},\"recordId\":\"{}\"}}\n",
            scheme.id_for(row)
        ));
    }
    std::fs::write(job.join("part-001.jsonl.out"), lines).unwrap();
    std::fs::write(
        job.join("manifest.json.out"),
        r#"{"totalRecordCount":6,"processedRecordCount":6,"successRecordCount":6,"errorRecordCount":0,"inputTokenCount":600,"outputTokenCount":60}"#,
    )
    .unwrap();
    let export = dir.path().join("joined.csv");
    let summary = join_results(&request(&input, &prep, &dir.path().join("outputs"), &export), &NoProgress).unwrap();
    assert_eq!((summary.rows, summary.succeeded, summary.corrupt_lines), (6, 6, 0));
    assert_eq!((summary.tokens.cache_read_from_outputs, summary.tokens.cache_write_from_outputs), (4 * 2048, 2048));
    let (headers, rows) = read_csv(&export);
    let output = headers.iter().position(|h| h == "output").unwrap();
    for (index, row) in rows.iter().enumerate() {
        assert_eq!(row[output], format!("Ответ {} — 答案", index + 1), "joined by recordId, not by line");
    }
    // The cost: the manifest's tokens at the bundled batch prices of this model.
    let price = PriceTable::bundled().lookup(&plan.model.id).unwrap();
    let (input_price, output_price) = price.batch();
    let expected = (600.0 * input_price + 60.0 * output_price) / 1e6;
    assert!((summary.cost_usd.unwrap() - expected).abs() < 1e-12, "{:?} vs {expected}", summary.cost_usd);
}

#[test]
fn rows_answered_on_demand_carry_their_tier_and_each_tier_is_priced_at_its_rate() {
    // A batch job answered rows 1-100 but failed row 5; an on-demand part (Flex) answered row 5 again.
    let dir = tempfile::tempdir().unwrap();
    let (input, prep, plan) = prepared(dir.path(), 100, "openai.gpt-oss-120b-1:0");
    let scheme = plan.record_ids.scheme();
    let outputs = dir.path().join("outputs");
    let line = |row: u64, ok: bool, tokens: (u64, u64)| {
        let body = if ok {
            format!(
                r#""modelOutput":{{"output":{{"message":{{"role":"assistant","content":[{{"text":"answer {row}"}}]}}}},"stopReason":"end_turn","usage":{{"inputTokens":{},"outputTokens":{}}}}}"#,
                tokens.0, tokens.1
            )
        } else {
            r#""error":{"errorCode":500,"errorMessage":"internal"}"#.to_string()
        };
        format!("{{\"modelInput\":{{}},{body},\"recordId\":\"{}\"}}\n", scheme.id_for(row))
    };
    let batch = outputs.join("job1");
    std::fs::create_dir_all(&batch).unwrap();
    let lines: String = (1..=100).map(|row| line(row, row != 5, (10, 4))).collect();
    std::fs::write(batch.join("part-001.jsonl.out"), lines).unwrap();
    std::fs::write(
        batch.join(MANIFEST_FILE),
        r#"{"totalRecordCount":100,"processedRecordCount":100,"successRecordCount":99,"errorRecordCount":1,"inputTokenCount":990,"outputTokenCount":396}"#,
    )
    .unwrap();
    let flex = outputs.join("run-x-on-demand-001");
    std::fs::create_dir_all(&flex).unwrap();
    std::fs::write(flex.join("part-001.jsonl.out"), line(5, true, (12, 6))).unwrap();
    let manifest = Manifest {
        total_record_count: 1,
        processed_record_count: 1,
        success_record_count: 1,
        input_token_count: 12,
        output_token_count: 6,
        service_tier: Some(Tier::Flex),
        ..Manifest::default()
    };
    std::fs::write(flex.join(MANIFEST_FILE), serde_json::to_string(&manifest).unwrap()).unwrap();

    let export = dir.path().join("joined.csv");
    let summary = join_results(&request(&input, &prep, &outputs, &export), &NoProgress).unwrap();
    assert_eq!((summary.succeeded, summary.failed, summary.missing), (100, 0, 0));
    let (headers, rows) = read_csv(&export);
    let tier = headers.iter().position(|h| h == "tier").unwrap();
    assert_eq!(rows[4][tier], "flex", "the on-demand answer of row 5 wins over its failed batch line");
    assert_eq!(rows[3][tier], "batch");
    let tiers: Vec<(Tier, u64, u64, u64)> =
        summary.tiers.iter().map(|t| (t.tier, t.rows, t.input_tokens, t.output_tokens)).collect();
    assert_eq!(tiers, [(Tier::Batch, 99, 990, 396), (Tier::Flex, 1, 12, 6)], "each tier's manifest counts");
    let prices = PriceTable::bundled();
    let price = prices.lookup(&plan.model.id).unwrap();
    let (bi, bo) = price.batch();
    let expected = (990.0 * bi + 396.0 * bo) / 1e6 + (12.0 * price.input + 6.0 * price.output) / 2.0 / 1e6;
    assert!((summary.cost_usd.unwrap() - expected).abs() < 1e-12, "{:?} vs {expected}", summary.cost_usd);
    // Beside each tier's cost, what was estimated for its rows: its estimated input and cost range.
    let flex_tier = &summary.tiers[1];
    assert_eq!(flex_tier.estimated_input_tokens, plan.totals.input_tokens / 100);
    let (least, most) = flex_tier.estimated_usd.unwrap();
    assert!(least < most && least > 0.0);
}

#[test]
fn answers_are_checked_against_the_run_s_shape_and_the_ones_that_fall_short_are_counted_and_retried() {
    let dir = tempfile::tempdir().unwrap();
    let input = crate::test_support::write_sheet(dir.path(), 40);
    let prep = dir.path().join("prep");
    let shape = crate::answer::AnswerShape::Classify {
        labels: vec!["praise".into(), "complaint".into()],
        multi: false,
        other: false,
    };
    let request_shaped = crate::prepare::PrepareRequest {
        answer: shape,
        ..crate::test_support::request(&input, &prep, "us.anthropic.claude-haiku-4-5-20251001-v1:0")
    };
    let plan = crate::prepare::prepare(&request_shaped, &NoProgress).unwrap();
    assert_eq!(plan.parts.len(), 1);
    let outputs = dir.path().join("outputs");
    let faults = OutputFaults { bad_answers: true, shuffle: true, ..OutputFaults::default() };
    write_sandbox_outputs(&prep, &outputs, faults).unwrap();
    let export = dir.path().join("joined.csv");
    let unfinished = dir.path().join("unfinished.txt");
    let summary = join_results(
        &ResultsRequest { unfinished_list: Some(unfinished.clone()), ..request(&input, &prep, &outputs, &export) },
        &NoProgress,
    )
    .unwrap();
    // Of 40 rows: 11, 22, 33 cut off; 7, 14, 21, 28, 35 prose.
    assert_eq!((summary.succeeded, summary.invalid, summary.truncated, summary.empty), (32, 5, 3, 0));
    let (headers, rows) = read_csv(&export);
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (status, error) = (column("status"), column("error"));
    assert_eq!(rows[6][status], "invalid");
    assert_eq!(rows[6][error], "the answer holds no JSON object");
    assert_eq!(rows[10][status], "truncated");
    assert!(
        rows[10][error].starts_with("the answer was cut off at the token limit (max_tokens)"),
        "{}",
        rows[10][error]
    );
    assert_eq!((rows[0][status].as_str(), rows[0][error].as_str()), ("succeeded", ""));
    // The label is its own column, right after the inputs: filled for the 32 valid answers, empty otherwise.
    let label = column("label");
    assert_eq!(label, column("record_id") - 1);
    let labelled: Vec<&str> = rows.iter().map(|r| r[label].as_str()).filter(|l| !l.is_empty()).collect();
    assert_eq!(labelled.len(), 32);
    assert!(labelled.iter().all(|l| ["praise", "complaint"].contains(l)));
    assert_eq!(rows[6][label], "");
    // The insight counts the labels of the valid answers, in the listed order.
    use crate::frame::insights::FieldSummary;
    let Some(FieldSummary::Labels { counts }) = &summary.insights[0].summary else { panic!("{:?}", summary.insights) };
    let praise = labelled.iter().filter(|l| **l == "praise").count() as u64;
    assert_eq!(
        counts.iter().map(|c| (c.value.as_str(), c.rows)).collect::<Vec<_>>(),
        [("praise", praise), ("complaint", 32 - praise)]
    );
    let listed = std::fs::read_to_string(&unfinished).unwrap();
    let scheme = plan.record_ids.scheme();
    let expected: Vec<String> = [7, 11, 14, 21, 22, 28, 33, 35].iter().map(|&r| scheme.id_for(r)).collect();
    assert_eq!(listed.lines().collect::<Vec<_>>(), expected, "a retry sends the rows that fell short");

    // A retry's good answer for row 7 wins over the earlier invalid one, whichever file is read first.
    let job = std::fs::read_dir(&outputs).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(job.join("part-001.jsonl.out")).unwrap();
    let good =
        text.lines().find(|l| l.contains(&scheme.id_for(1))).unwrap().replace(&scheme.id_for(1), &scheme.id_for(7));
    for folder in ["0-retry", "zz-retry"] {
        let retry = outputs.join(folder);
        std::fs::create_dir_all(&retry).unwrap();
        std::fs::write(retry.join("retry.jsonl.out"), format!("{good}\n")).unwrap();
        let summary = join_results(&request(&input, &prep, &outputs, &export), &NoProgress).unwrap();
        assert_eq!((summary.succeeded, summary.invalid), (33, 4), "{folder}");
        std::fs::remove_dir_all(&retry).unwrap();
    }
}

#[test]
fn the_newest_attempt_s_answer_wins_among_answers_in_full_and_every_answer_is_kept_as_the_row_s_attempts() {
    use crate::export::{ExportError, ResultFields, RowWriter};
    use crate::sheet::Row;
    let dir = tempfile::tempdir().unwrap();
    let (input, prep, plan) = prepared(dir.path(), 40, "amazon.nova-micro-v1:0");
    let outputs = dir.path().join("outputs");
    write_sandbox_outputs(&prep, &outputs, OutputFaults::default()).unwrap();
    let original = std::fs::read_dir(&outputs).unwrap().next().unwrap().unwrap();
    let original_folder = original.file_name().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(original.path().join("part-001.jsonl.out")).unwrap();
    let id = plan.record_ids.scheme().id_for(1);
    let line = text.lines().find(|l| l.contains(&id)).unwrap();
    let answer = parse_line(line.as_bytes()).unwrap().outcome.output;
    let retried = line.replace(&answer, "a better answer");
    // The retry's folder sorts before the original's by name: only the attempts list says it is newer.
    std::fs::create_dir_all(outputs.join("0-retry")).unwrap();
    std::fs::write(outputs.join("0-retry").join("retry.jsonl.out"), format!("{retried}\n")).unwrap();

    /// Each row's chosen answer and its attempts.
    type Kept = Vec<(String, Vec<Attempt>)>;
    struct Keep(std::rc::Rc<std::cell::RefCell<Kept>>);
    impl RowWriter for Keep {
        fn write(&mut self, _: &Row, result: &ResultFields<'_>) -> Result<(), ExportError> {
            self.0.borrow_mut().push((result.outcome.output.clone(), result.attempts.to_vec()));
            Ok(())
        }
        fn finish(self: Box<Self>) -> Result<(), ExportError> {
            Ok(())
        }
    }
    let join = |order: &[&str]| {
        let attempts: Vec<Vec<String>> = order.iter().map(|f| vec![f.to_string()]).collect();
        write_attempts(&outputs, &attempts).unwrap();
        let rows = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let keep = Keep(rows.clone());
        let export = dir.path().join("unused.csv");
        join_results_into(
            &request(&input, &prep, &outputs, &export),
            &NoProgress,
            "rows",
            Box::new(move |_| Ok(Box::new(keep) as Box<dyn RowWriter>)),
        )
        .unwrap();
        rows.take()
    };
    let rows = join(&[&original_folder, "0-retry"]);
    assert_eq!(rows[0].0, "a better answer", "the retry is the newer attempt");
    let folders: Vec<&str> = rows[0].1.iter().map(|a| a.folder.as_str()).collect();
    assert_eq!(folders, ["0-retry", original_folder.as_str()], "both answers kept, the chosen one first");
    assert_eq!(rows[0].1[1].output, answer);
    assert!(rows[1].1.is_empty(), "a row answered once keeps no attempts list");
    let rows = join(&["0-retry", &original_folder]);
    assert_eq!(rows[0].0, answer, "listed the other way round, the original is the newer");
}
