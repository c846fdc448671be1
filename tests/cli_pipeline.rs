//! The `bedrock-batch` binary end to end: prepare → sandbox-outputs → results on real files, the CLI contract's
//! names and exit codes, and clean errors for bad input.

use std::path::{Path, PathBuf};

use e2e_tests::path_text as s;
use e2e_tests::{fixtures, jsonl_under, prepare_sample, python, read_csv, run, samples};
use serde_json::Value;

fn quote(cell: &str) -> String {
    format!("\"{}\"", cell.replace('"', "\"\""))
}

/// Cells that have broken notebook pipelines: every one must come back exactly.
fn hostile_cells() -> Vec<String> {
    vec![
        "She said \"wow\"".into(),
        "two\nlines".into(),
        "crlf\r\nline".into(),
        "tab\tin".into(),
        "emoji 👍🏽🔥".into(),
        "עברית مرحبا".into(),
        "中文 日本語 한국어".into(),
        "=HYPERLINK(\"http://x\")".into(),
        "+1-2".into(),
        "{{ text }} {% if x %}y{% endif %}".into(),
        "\"}]}, \"recordId\": \"X\"}".into(),
        "back\\slash \\n".into(),
        "z".repeat(10_000),
        String::new(),
    ]
}

fn write_hostile_sheet(dir: &Path, rows: usize) -> std::path::PathBuf {
    let cells = hostile_cells();
    let mut text = String::from("id,text\r\n");
    for i in 0..rows {
        text.push_str(&format!("{},{}\r\n", quote(&format!("row-{i}")), quote(&cells[i % cells.len()])));
    }
    let path = dir.join("hostile.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `bedrock-batch results --input … --prepared … --outputs … --export …` plus `extra` arguments.
fn results(dir: &Path, [input, prepared, outputs, export]: [&Path; 4], extra: &[&str]) -> e2e_tests::Run {
    let mut args =
        vec!["results", "--input", s(input), "--prepared", s(prepared), "--outputs", s(outputs), "--export", s(export)];
    args.extend_from_slice(extra);
    run(dir, &args)
}

/// Prepares the shipped sample for `model` and writes its job's sandbox outputs; returns (prepared, outputs) under `dir`.
fn prepare_with_sandbox_outputs(dir: &Path, model: &str, faults: &[&str]) -> (PathBuf, PathBuf) {
    let prepared = prepare_sample(dir, model);
    let outputs = dir.join("out");
    let mut args = vec!["sandbox-outputs", "--prepared", s(&prepared), "--out", s(&outputs)];
    args.extend_from_slice(faults);
    run(dir, &args).ok();
    (prepared, outputs)
}

#[test]
fn hostile_cells_survive_the_whole_pipeline_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = write_hostile_sheet(dir.path(), 140);
    let template = dir.path().join("t.txt");
    std::fs::write(&template, "Text: {{ text }}\n").unwrap();
    let prepared = dir.path().join("prep");
    let outputs = dir.path().join("out");
    let export = dir.path().join("joined.csv");
    run(
        dir.path(),
        &[
            "prepare",
            "--input",
            s(&sheet),
            "--template",
            s(&template),
            "--model",
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            "--out",
            s(&prepared),
        ],
    )
    .ok();
    // Every line of the part parses alone and carries the cell text unchanged.
    let part = std::fs::read_to_string(prepared.join("part-001.jsonl")).unwrap();
    let cells = hostile_cells();
    for (i, line) in part.lines().enumerate() {
        let record: Value = serde_json::from_str(line).unwrap();
        let text = record["modelInput"]["messages"][0]["content"][0]["text"].as_str().unwrap();
        assert_eq!(text, format!("Text: {}", cells[i % cells.len()]), "record {i}");
    }
    // `simulate`, the command's name before the sandbox vocabulary, still works for scripts that use it.
    run(dir.path(), &["simulate", "--prepared", s(&prepared), "--out", s(&outputs)]).ok();
    results(dir.path(), [&sheet, &prepared, &outputs, &export], &[]).ok();
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
    assert_eq!(rows.len(), 140);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0], format!("row-{i}"), "input order");
        assert_eq!(row[1], cells[i % cells.len()], "row {i} exact");
        assert_eq!(row[3], "succeeded");
        assert_eq!(row[9], "batch", "a batch job's outputs");
    }
}

#[test]
fn sample_workflow_with_parts_failures_and_every_export_format() {
    let dir = tempfile::tempdir().unwrap();
    let prepared = dir.path().join("prep");
    let outputs = dir.path().join("outputs");
    let reviews = samples().join("reviews.csv");
    let json = run(
        dir.path(),
        &[
            "prepare",
            "--input",
            s(&reviews),
            "--template",
            s(&samples().join("prompt.txt")),
            "--system",
            s(&samples().join("system.txt")),
            "--model",
            "us.amazon.nova-lite-v1:0",
            "--invocation-type",
            "converse",
            "--max-tokens",
            "200",
            "--temperature",
            "0.2",
            "--id-column",
            "review_id",
            "--max-records-per-job",
            "50",
            "--min-records",
            "10",
            "--out",
            s(&prepared),
            "--format",
            "json",
        ],
    );
    let plan: Value = serde_json::from_str(json.ok()).unwrap();
    let parts: Vec<u64> = plan["parts"].as_array().unwrap().iter().map(|p| p["records"].as_u64().unwrap()).collect();
    assert_eq!(parts, [40, 40, 40], "120 rows, at most 50 per job: three balanced parts");
    assert_eq!(plan["model"]["invocation_type"], "Converse");
    assert!(plan["estimate"]["batch_usd"].as_f64().unwrap() > 0.0);
    assert_eq!(jsonl_under(&prepared).len(), 3);

    let simulated = run(
        dir.path(),
        &[
            "sandbox-outputs",
            "--prepared",
            s(&prepared),
            "--out",
            s(&outputs),
            "--fail-every",
            "9",
            "--drop-every",
            "13",
        ],
    );
    assert!(simulated.ok().starts_with("SANDBOX"), "the sandbox outputs are labelled");

    for ext in ["csv", "xlsx", "parquet", "jsonl"] {
        let export = dir.path().join(format!("results.{ext}"));
        let summary = results(dir.path(), [&reviews, &prepared, &outputs, &export], &["--format", "json"]);
        let summary: Value = serde_json::from_str(summary.ok()).unwrap();
        assert_eq!(summary["rows"], 120, "{ext}");
        let (ok, failed, missing) = (
            summary["succeeded"].as_u64().unwrap(),
            summary["failed"].as_u64().unwrap(),
            summary["missing"].as_u64().unwrap(),
        );
        assert_eq!(ok + failed + missing, 120);
        // Per 40-record job: records 9,18,27,36 fail (none of them is a multiple of 13); 13,26,39 are dropped.
        assert_eq!((failed, missing), (12, 9), "{ext}");
        assert_eq!(
            summary["export"]["format"],
            match ext {
                "csv" => "CSV",
                "xlsx" => "XLSX",
                "parquet" => "Parquet",
                _ => "JSON Lines",
            }
        );
        assert!(export.exists());
    }
    let (headers, rows) = read_csv(&dir.path().join("results.csv"));
    assert_eq!(headers[..6], ["review_id", "product", "rating", "title", "review text", "review_date"]);
    assert_eq!(rows[0][0], "R-0000001");
    assert_eq!(rows[8][7], "failed");
    assert_eq!(rows[12][7], "missing");
    assert!(rows[0][8].contains("sandbox answer"));

    // Read back by other programs (pyarrow, openpyxl), not by this tool's own readers: the types hold.
    let tokens = headers.iter().position(|h| h == "input_tokens").unwrap();
    let parquet = python(
        r#"
import sys, pyarrow.parquet as pq
table = pq.read_table(sys.argv[1])
types = {f.name: str(f.type) for f in table.schema}
# Text columns are Parquet UTF-8 strings (polars' embedded Arrow schema calls them string views).
columns = pq.ParquetFile(sys.argv[1]).schema
logical = {columns.column(i).name: str(columns.column(i).logical_type) for i in range(len(columns))}
print(logical["review_id"], logical["status"], types["input_tokens"], types["output_tokens"], table.num_rows)
print(table.column("input_tokens")[0].as_py(), table.column("input_tokens")[12].as_py())
"#,
        &[s(&dir.path().join("results.parquet"))],
    );
    let lines: Vec<&str> = parquet.lines().collect();
    assert_eq!(lines[0], "String String int64 int64 120", "Int64 token columns: {parquet}");
    assert_eq!(lines[1], format!("{} None", rows[0][tokens]), "a missing row has no tokens, not 0: {parquet}");
    let xlsx = python(
        r#"
import sys, openpyxl
sheet = openpyxl.load_workbook(sys.argv[1], read_only=True).active
rows = list(sheet.iter_rows())
header = [c.value for c in rows[0]]
tokens, text = header.index("input_tokens"), header.index("review text")
print(len(rows) - 1, type(rows[1][tokens].value).__name__, rows[1][tokens].value, rows[50][text].data_type)
print(rows[50][text].value)
"#,
        &[s(&dir.path().join("results.xlsx"))],
    );
    let lines: Vec<&str> = xlsx.lines().collect();
    // A number cell for tokens; a string cell ("s"), never a formula ("f"), for formula-looking text.
    assert_eq!(lines[0], format!("120 int {} s", rows[0][tokens]), "numbers are numbers: {xlsx}");
    assert_eq!(lines[1], "=SUM(A1:A3) looks like a formula", "a formula-looking text stays text: {xlsx}");
}

#[test]
fn excel_safe_export_neutralises_formula_cells() {
    let dir = tempfile::tempdir().unwrap();
    let reviews = samples().join("reviews.csv");
    let (prepared, outputs) = prepare_with_sandbox_outputs(dir.path(), "amazon.nova-micro-v1:0", &[]);
    let plain = dir.path().join("plain.csv");
    let safe = dir.path().join("safe.csv");
    for (export, extra) in [(&plain, &[][..]), (&safe, &["--excel-safe"][..])] {
        results(dir.path(), [&reviews, &prepared, &outputs, export], extra).ok();
    }
    // Row 50 of the sample holds "=SUM(A1:A3) looks like a formula".
    assert_eq!(read_csv(&plain).1[49][4], "=SUM(A1:A3) looks like a formula");
    assert_eq!(read_csv(&safe).1[49][4], "'=SUM(A1:A3) looks like a formula");

    // Header cells are cells too: a column named like a formula is neutralised with the rest.
    let hostile = dir.path().join("hostile-header.csv");
    let text = std::fs::read_to_string(&reviews).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let renamed = header.replacen("review_id", "\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"", 1);
    std::fs::write(&hostile, format!("{renamed}\n{body}")).unwrap();
    let template = dir.path().join("t.txt");
    std::fs::write(&template, "{{ review text }}").unwrap();
    let hostile_prep = dir.path().join("hostile-prep");
    let hostile_out = dir.path().join("hostile-out");
    run(
        dir.path(),
        &[
            "prepare",
            "--input",
            s(&hostile),
            "--template",
            s(&template),
            "--model",
            "amazon.nova-micro-v1:0",
            "--out",
            s(&hostile_prep),
        ],
    )
    .ok();
    run(dir.path(), &["sandbox-outputs", "--prepared", s(&hostile_prep), "--out", s(&hostile_out)]).ok();
    let safe_header = dir.path().join("safe-header.csv");
    results(dir.path(), [&hostile, &hostile_prep, &hostile_out, &safe_header], &["--excel-safe"]).ok();
    assert_eq!(read_csv(&safe_header).0[0], "'=HYPERLINK(\"http://evil\",\"x\")");

    // --prices replaces the bundled table: the measured cost is the manifests' tokens at those prices.
    let table = dir.path().join("prices.json");
    let prices = r#"{"as_of": "2026-12-01", "models": {"amazon.nova-micro-v1:0": {"input": 2.0, "output": 8.0, "batch_input": 1.0, "batch_output": 4.0}}}"#;
    std::fs::write(&table, prices).unwrap();
    let priced = dir.path().join("priced.csv");
    let summary =
        results(dir.path(), [&reviews, &prepared, &outputs, &priced], &["--prices", s(&table), "--format", "json"]);
    let summary: serde_json::Value = serde_json::from_str(summary.ok()).unwrap();
    let tokens = &summary["tokens"];
    let expected = (tokens["input_from_manifests"].as_f64().unwrap() * 1.0
        + tokens["output_from_manifests"].as_f64().unwrap() * 4.0)
        / 1e6;
    assert!((summary["cost_usd"].as_f64().unwrap() - expected).abs() < 1e-12, "{summary}");
    assert!(expected > 0.0);

    // An export over the sheet it is joined to is refused, however the path is spelled, and the sheet stays.
    let sheet = dir.path().join("reviews.csv");
    std::fs::copy(&reviews, &sheet).unwrap();
    let same = dir.path().join("sub").join("..").join("reviews.csv");
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    let refused = results(dir.path(), [&sheet, &prepared, &outputs, &same], &[]);
    assert!(refused.failed().contains("the sheet the results are joined to"), "{}", refused.stderr);
    assert_eq!(std::fs::read(&sheet).unwrap(), std::fs::read(&reviews).unwrap());
}

#[test]
fn preview_shows_a_row_and_token_estimates() {
    let dir = tempfile::tempdir().unwrap();
    let reviews = samples().join("reviews.csv");
    let text = run(
        dir.path(),
        &["preview", "--input", s(&reviews), "--template", s(&samples().join("prompt.txt")), "--row", "75"],
    );
    assert!(text.ok().contains("Template-looking {{title}} and {% if x %} text"), "{}", text.stdout);
    let json = run(
        dir.path(),
        &[
            "preview",
            "--input",
            s(&reviews),
            "--template",
            s(&samples().join("prompt-jinja.txt")),
            "--row",
            "2",
            "--format",
            "json",
        ],
    );
    let shown: Value = serde_json::from_str(json.ok()).unwrap();
    assert_eq!(shown["rows"], 120);
    assert!(shown["prompt"].as_str().unwrap().contains("SMART PLUG (2-PACK)"));
    assert!(shown["total_tokens"].as_u64().unwrap() > shown["row_tokens"].as_u64().unwrap());
}

#[test]
fn workbook_input_with_a_sheet_choice() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("t.txt");
    std::fs::write(&template, "{{name}} scored {{score}} on {{when}}").unwrap();
    let prepared = dir.path().join("prep");
    let xls = fixtures().join("typed.xls");
    run(
        dir.path(),
        &[
            "prepare",
            "--input",
            s(&xls),
            "--sheet",
            "Data",
            "--template",
            s(&template),
            "--model",
            "meta.llama3-1-8b-instruct-v1:0",
            "--min-records",
            "1",
            "--out",
            s(&prepared),
        ],
    )
    .ok();
    let part = std::fs::read_to_string(prepared.join("part-001.jsonl")).unwrap();
    assert!(part.contains("Ann scored 4 on 2024-05-01"), "{part}");
    let wrong = run(dir.path(), &["preview", "--input", s(&xls), "--sheet", "Nope", "--template", s(&template)]);
    assert!(wrong.failed().contains("\"Data\""));
}

#[test]
fn refusals_are_one_clear_line_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("t.txt");
    std::fs::write(&template, "{{text}}").unwrap();
    let small = dir.path().join("small.csv");
    std::fs::write(&small, "text\na\nb\n").unwrap();
    let out = dir.path().join("prep");
    let prepare = |input: &Path| {
        let args = ["prepare", "--input", s(input), "--template", s(&template), "--model", "amazon.nova-lite-v1:0"];
        run(dir.path(), &[&args[..], &["--out", s(&out)]].concat())
    };
    let too_few = prepare(&small);
    let line = too_few.failed();
    assert!(line.contains("at least 100 records") && line.contains("pass --on-demand"), "{line}");
    assert!(jsonl_under(&out).is_empty());

    let not_a_sheet = dir.path().join("photo.xlsx");
    std::fs::write(&not_a_sheet, b"\x89PNG\r\n\x1a\n").unwrap();
    let line =
        run(dir.path(), &["preview", "--input", s(&not_a_sheet), "--template", s(&template)]).failed().to_string();
    assert!(line.contains("photo.xlsx") && line.contains("not a sheet"), "{line}");

    let unknown = dir.path().join("u.txt");
    std::fs::write(&unknown, "{{ txt }}").unwrap();
    let line = run(dir.path(), &["preview", "--input", s(&small), "--template", s(&unknown)]).failed().to_string();
    assert!(line.contains("did you mean \"text\""), "{line}");

    let bad_model = run(
        dir.path(),
        &["prepare", "--input", s(&small), "--template", s(&template), "--model", "claude haiku", "--out", s(&out)],
    );
    assert!(bad_model.failed().contains("not valid"));

    let bad_delimiter =
        run(dir.path(), &["preview", "--input", s(&small), "--template", s(&template), "--delimiter", "ab"]);
    assert_ne!(bad_delimiter.code, Some(0));

    let missing = run(
        dir.path(),
        &["results", "--input", s(&small), "--prepared", s(&out), "--outputs", s(&out), "--export", "x.csv"],
    );
    assert!(missing.failed().contains("plan.json"), "{}", missing.stderr);

    // 200 rows, a quote opened in row 10 that never closes: refused, never "Prepared 10 rows".
    let stray = dir.path().join("stray.csv");
    let rows: Vec<String> =
        (1..=200).map(|i| if i == 10 { "\"stray".to_string() } else { format!("review {i}") }).collect();
    std::fs::write(&stray, format!("text\n{}\n", rows.join("\n"))).unwrap();
    let refused = prepare(&stray);
    let line = refused.failed();
    assert!(line.contains("stray.csv: line 11:") && line.contains("closing quote never comes"), "{line}");
    assert!(jsonl_under(&out).is_empty());
}

#[test]
fn delimiter_option_overrides_sniffing() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("semi.csv");
    std::fs::write(&sheet, "a;b\n1;2\n").unwrap();
    let template = dir.path().join("t.txt");
    std::fs::write(&template, "{{a;b}}").unwrap();
    let forced = run(dir.path(), &["preview", "--input", s(&sheet), "--template", s(&template), "--delimiter", ","]);
    assert!(forced.ok().contains("1;2"), "{}", forced.stdout);
    let sniffed = run(dir.path(), &["preview", "--input", s(&sheet), "--template", s(&template)]);
    assert!(sniffed.failed().contains("\"a;b\""));
}

#[test]
fn every_model_shape_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let reviews = samples().join("reviews.csv");
    let template = samples().join("prompt.txt");
    for (i, (model, invocation)) in [
        ("us.anthropic.claude-haiku-4-5-20251001-v1:0", "invoke-model"),
        ("anthropic.claude-sonnet-4-6", "converse"),
        ("amazon.nova-micro-v1:0", "invoke-model"),
        ("meta.llama3-3-70b-instruct-v1:0", "invoke-model"),
        ("mistral.mistral-small-2402-v1:0", "invoke-model"),
        ("amazon.titan-embed-text-v2:0", "invoke-model"),
        ("qwen.qwen3-32b-v1:0", "converse"),
    ]
    .iter()
    .enumerate()
    {
        let prepared = dir.path().join(format!("prep{i}"));
        let outputs = dir.path().join(format!("out{i}"));
        let export = dir.path().join(format!("r{i}.jsonl"));
        run(
            dir.path(),
            &[
                "prepare",
                "--input",
                s(&reviews),
                "--template",
                s(&template),
                "--model",
                model,
                "--invocation-type",
                invocation,
                "--out",
                s(&prepared),
            ],
        )
        .ok();
        run(dir.path(), &["sandbox-outputs", "--prepared", s(&prepared), "--out", s(&outputs)]).ok();
        results(dir.path(), [&reviews, &prepared, &outputs, &export], &[]).ok();
        let text = std::fs::read_to_string(&export).unwrap();
        let rows: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(rows.len(), 120, "{model}");
        for row in &rows {
            assert_eq!(row["status"], "succeeded", "{model}");
            let output = row["output"].as_str().unwrap();
            if model.contains("embed") {
                assert!(output.starts_with('[') && row["output_tokens"].is_null(), "{model}");
            } else {
                assert!(output.contains("sandbox answer"), "{model}: {output}");
            }
        }
    }
}

#[test]
fn blank_corrupt_and_foreign_lines_are_reported_and_the_rest_joins() {
    let dir = tempfile::tempdir().unwrap();
    let reviews = samples().join("reviews.csv");
    let (prepared, outputs) = prepare_with_sandbox_outputs(dir.path(), "amazon.nova-lite-v1:0", &[]);
    let job = std::fs::read_dir(&outputs).unwrap().next().unwrap().unwrap().path();
    let file = job.join("part-001.jsonl.out");
    let original = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<&str> = original.lines().collect();
    let removed = lines.remove(5); // one record never came back
    assert!(removed.contains("recordId"));
    let noisy = format!(
        "\n{}\n\n{{\"recordId\": \"half\n{{\"recordId\":\"QQQ00000001\",\"modelOutput\":{{}}}}\n",
        lines.join("\n")
    );
    std::fs::write(&file, noisy).unwrap();
    let export = dir.path().join("r.csv");
    let summary = results(dir.path(), [&reviews, &prepared, &outputs, &export], &["--format", "json"]);
    let parsed: Value = serde_json::from_str(summary.ok()).unwrap();
    assert_eq!((parsed["succeeded"].as_u64(), parsed["missing"].as_u64()), (Some(119), Some(1)));
    assert_eq!(parsed["corrupt_lines"], 1);
    assert_eq!(parsed["foreign_records"], 1);
    assert!(summary.stderr.contains("WARNING: 1 output lines could not be read"), "{}", summary.stderr);
    assert_eq!(read_csv(&export).1.len(), 120);
}

#[test]
fn a_job_whose_records_all_failed_warns_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let reviews = samples().join("reviews.csv");
    let (prepared, outputs) = prepare_with_sandbox_outputs(dir.path(), "amazon.nova-lite-v1:0", &["--fail-every", "1"]);
    let text = results(dir.path(), [&reviews, &prepared, &outputs, &dir.path().join("r.csv")], &[]);
    assert!(text.ok().contains("0 succeeded, 120 failed"));
    assert!(text.stderr.contains("WARNING: ALL 120 records in job folder"), "{}", text.stderr);
}

#[test]
fn damaged_workbooks_give_one_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("t.txt");
    std::fs::write(&template, "{{id}}").unwrap();
    for name in ["damaged-truncated-1.xls", "damaged-truncated-2.xls"] {
        let damaged = fixtures().join(name);
        let line =
            run(dir.path(), &["preview", "--input", s(&damaged), "--template", s(&template)]).failed().to_string();
        assert!(line.contains(name) && line.contains("damaged"), "{line}");
    }
}

#[test]
fn help_describes_the_tool_for_its_users() {
    let dir = tempfile::tempdir().unwrap();
    let help = run(dir.path(), &["--help"]);
    let first = help.ok().lines().next().unwrap_or_default().to_string();
    assert!(first.starts_with("Run Amazon Bedrock batch inference on a spreadsheet"), "{first}");
    for command in ["prepare", "preview", "results", "sandbox-outputs", "emulator"] {
        assert!(help.stdout.contains(&format!("  {command}")), "{command} is listed");
    }
}

#[test]
fn a_model_past_its_end_of_life_is_refused_unless_insisted_on() {
    let dir = tempfile::tempdir().unwrap();
    let (sheet, template) = (samples().join("reviews.csv"), samples().join("prompt.txt"));
    let prepare = |extra: &[&str]| {
        let mut args = vec![
            "prepare",
            "--input",
            s(&sheet),
            "--template",
            s(&template),
            "--model",
            "anthropic.claude-3-haiku-20240307-v1:0",
            "--min-records",
            "10",
            "--out",
            "prep",
        ];
        args.extend_from_slice(extra);
        run(dir.path(), &args)
    };
    let refused = prepare(&[]);
    let line = refused.failed();
    assert!(line.contains("end of life on 2026-09-10") && line.contains("claude-haiku-4-5"), "{line}");
    assert!(line.contains("--allow-end-of-life"), "the CLI words the remedy with its flags: {line}");
    assert!(!dir.path().join("prep").exists(), "nothing is prepared");
    let insisted = prepare(&["--allow-end-of-life"]);
    insisted.ok();
    assert!(insisted.stderr.contains("WARNING") && insisted.stderr.contains("end of life"), "{}", insisted.stderr);
}

#[test]
fn an_answer_shape_from_the_flags_reaches_every_record_and_the_sandbox_answers_in_it() {
    let fields = ["--extract", "tone:one-of(praise|complaint|mixed):overall", "--extract", "stars:integer"];
    for (model, native) in [("us.anthropic.claude-haiku-4-5-20251001-v1:0", true), ("amazon.nova-lite-v1:0", false)] {
        let dir = tempfile::tempdir().unwrap();
        let prepared = e2e_tests::prepare_sample_with(dir.path(), model, &fields);
        let plan: Value = serde_json::from_str(&std::fs::read_to_string(prepared.join("plan.json")).unwrap()).unwrap();
        assert_eq!(plan["templates"]["answer"]["shape"], "extract", "{model}");
        let records = std::fs::read_to_string(prepared.join("part-001.jsonl")).unwrap();
        let first: Value = serde_json::from_str(records.lines().next().unwrap()).unwrap();
        let body = &first["modelInput"];
        assert_eq!(body.get("outputConfig").is_some(), native, "{model}: {body}");
        let prompt = body["messages"][0]["content"][0]["text"].as_str().unwrap();
        assert_eq!(prompt.contains("It must match this JSON Schema"), !native, "{model}: {prompt}");

        let outputs = dir.path().join("out");
        run(dir.path(), &["sandbox-outputs", "--prepared", s(&prepared), "--out", s(&outputs)]).ok();
        let job = std::fs::read_dir(&outputs).unwrap().next().unwrap().unwrap().path();
        let answered = std::fs::read_to_string(job.join("part-001.jsonl.out")).unwrap();
        assert_eq!(answered.lines().count(), 120);
        for line in answered.lines() {
            let line: Value = serde_json::from_str(line).unwrap();
            let text = line["modelOutput"]["output"]["message"]["content"][0]["text"].as_str().unwrap();
            let json = text.trim().trim_start_matches("```json").trim_end_matches("```");
            let answer: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{model}: {text}: {e}"));
            assert!(["praise", "complaint", "mixed"].contains(&answer["tone"].as_str().unwrap()), "{answer}");
            assert!(answer["stars"].is_u64(), "{answer}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let refused = e2e_tests::run(
        dir.path(),
        &[
            "prepare",
            "--input",
            s(&samples().join("reviews.csv")),
            "--template",
            s(&samples().join("prompt.txt")),
            "--model",
            "amazon.nova-lite-v1:0",
            "--out",
            "prep",
            "--extract",
            "status:text",
        ],
    );
    assert_eq!(refused.code, Some(1));
    assert!(refused.stderr.contains("field name `status` is not usable"), "{}", refused.stderr);
    assert!(!dir.path().join("prep").exists(), "nothing written");
}
