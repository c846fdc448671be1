//! The desktop app as a person uses it: the real binary in a real webview (WebKitGTK through tauri-driver
//! and WebKitWebDriver, under Xvfb), in the offline sandbox. One walk through the whole wizard — connect,
//! open the sample, write a template with the completion, pick a model, check access (generated policies
//! pass, a broken trust policy fails with its fix), submit, follow the run to its end, page, search and
//! open a row of the results, export a CSV whose every row the test checks — then a restart that finds the
//! run and the last choices again. A screenshot of every step is kept in `target/e2e-screenshots/wizard/`.

use std::path::Path;
use std::time::Instant;

use e2e_tests::samples;
use e2e_tests::webdriver::{Driver, Session, app_binary, fresh_screenshot_dir};

const ENTER: &str = "\u{E007}";

/// The rows of a CSV file (a small reader for the checks: quoted fields with doubled quotes and newlines).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let (mut rows, mut row, mut field, mut quoted) = (Vec::new(), Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    rows
}

#[test]
fn the_whole_wizard_in_the_sandbox_from_a_sheet_to_a_checked_export() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let driver = Driver::start(home.path());
    let shots = fresh_screenshot_dir("wizard");
    let mut app = Session::start(&driver, &app_binary(), &shots);

    // 1. Connect.
    app.find("#connect-sandbox");
    app.screenshot("connect");
    app.click("#connect-sandbox");
    let badge = app.wait_for_text("#sandbox-badge", "SANDBOX");
    assert!(badge.contains("offline, answers from the sandbox model"), "{badge}");

    // 2. Data.
    let sample = samples().join("reviews.csv");
    app.type_into("#sheet-path", &sample.to_string_lossy());
    app.click("#sheet-load");
    let summary = app.wait_for_text("#sheet-summary", "120 rows");
    assert!(summary.contains("CSV"), "{summary}");
    app.wait_for_content("[role=grid] [aria-rowindex='2']", "R-0000001");
    app.screenshot("data");

    // 3. Prompt: "{{prod" + Enter completes the column.
    app.click("#step-prompt");
    app.type_into("#template", "Classify this review of {{prod");
    app.wait_for_content("#column-completions", "product");
    app.keys("#template", ENTER);
    assert_eq!(app.value("#template"), "Classify this review of {{product}}");
    app.keys("#template", ": {{review text}}");
    // The row re-renders as the template changes: wait for the finished template's rendering.
    let rendered = app.wait_for_text("#rendered-prompt", "Classify this review of Aero Kettle: Five stars");
    assert!(!rendered.contains("{{"), "placeholders are filled: {rendered}");
    app.wait_for_text("#token-estimate", "all 120 rows");
    // The highlight is Rust's analysis of the template: both placeholders are columns.
    app.wait_for_content("#template-highlight mark.known:last-of-type", "{{review text}}");
    assert_eq!(app.content("#template-highlight"), "Classify this review of {{product}}: {{review text}}");
    assert_eq!(app.content("#template-highlight mark.known"), "{{product}}");
    assert_eq!(app.content("#template-highlight mark.unknown"), "");
    app.screenshot("prompt");

    // 4. Model.
    app.click("#step-model");
    app.click("#model option[value='us.anthropic.claude-haiku-4-5-20251001-v1:0']");
    app.type_into("#max-tokens", "300");
    let cost = app.wait_for_text("#cost-estimate", "max 300 tokens");
    assert!(cost.contains("Batch: $") && cost.contains("on-demand would be up to $"), "{cost}");
    app.wait_for_text("#job-plan", "1 job: 120 records");
    // "Test one row now": an on-demand Converse call through the SDK, answered by the sandbox model.
    app.click("#test-row");
    let tested = app.wait_for_text("#test-answer", "sandbox answer");
    assert!(tested.contains("SANDBOX") && tested.contains("stopped: end_turn"), "{tested}");
    app.screenshot("model");

    // 5. Access: the generated policies pass; a trust policy naming the account root fails, with the fix.
    app.click("#step-access");
    app.click("#use-fixes");
    app.wait_for_content("#trust-policy", "bedrock.amazonaws.com");
    app.click("#check-access");
    app.wait_for_text("#access-verdict", "Everything needed is allowed");
    app.screenshot("access-pass");
    let broken = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}"#;
    app.type_into("#trust-policy", broken);
    app.click("#check-access");
    app.wait_for_text("#access-verdict", "Something will stop this job");
    let trust = app.text("[data-check='trust.bedrock_principal']");
    assert!(trust.contains("Bedrock"), "the failing trust check explains itself: {trust}");
    let class = app.run_script(
        "return document.querySelector(\"[data-check='trust.bedrock_principal']\").className;",
        serde_json::json!([]),
    );
    assert_eq!(class, "fail");
    app.click("[data-check='trust.bedrock_principal'] summary");
    app.wait_for_text("[data-check='trust.bedrock_principal'] .fix", "bedrock.amazonaws.com");
    app.screenshot("access-broken-trust");

    // 6. Submit.
    app.click("#step-submit");
    // Browse S3 for the input location: the buckets, then a bucket.
    app.click("#browse-input");
    app.wait_for_text(".s3-entries", "sandbox-output");
    app.click(".s3-entries li:first-child button");
    app.wait_for_text(".s3-browser", "s3://sandbox-input/");
    app.click("#s3-use");
    assert_eq!(app.value("#input-uri"), "s3://sandbox-input/");
    app.type_into("#job-name", "reviews-e2e");
    app.type_into("#tags", "team=analytics");
    app.click("#submit-run");
    let submitted = app.wait_for_text("#submitted", "120 records in 1 part");
    assert!(submitted.contains("SANDBOX"), "{submitted}");
    // The upload's events (sent before the submit call answers, for so small a run) reach the progress bar.
    app.wait_for_attribute("#upload-progress", "aria-valuetext", "100%");
    app.wait_for_content("[aria-label='Jobs of this run']", "part 1: ");
    app.screenshot("submit");

    // 7. Jobs: followed to its end, results fetched, and said so.
    app.click("#open-jobs");
    app.wait_for_text("#toast", "reviews-e2e ended: 120 succeeded, 0 failed, 0 missing");
    let row = app.wait_for_text("#runs tbody tr", "Results ready");
    assert!(row.contains("reviews-e2e") && row.contains("120 / 120") && row.contains("SANDBOX"), "{row}");
    app.screenshot("jobs");

    // 8. Results: the first rows, a search, a row's detail, and an export checked row by row.
    let opened = Instant::now();
    app.click("#runs .open-results");
    app.wait_for_content("[aria-label='Results'] [aria-rowindex='2']", "R-0000001");
    let seen_ms = opened.elapsed().as_millis();
    let first_rows_ms = app.wait_for_text("#first-rows-ms", "first rows in");
    eprintln!("results: first rows {first_rows_ms} (in the page); {seen_ms} ms from the click as WebDriver saw it");
    app.wait_for_exact_text("#results-matching", "120 rows");
    app.wait_for_text("#results-cost", "batch cost $");
    app.screenshot("results");
    assert!(app.text("#results-sandbox").contains("SANDBOX"), "the results say they come from the sandbox");
    app.type_into("#results-search", "R-0000042");
    app.wait_for_exact_text("#results-matching", "1 row");
    app.wait_for_content("[aria-label='Results'] [aria-rowindex='2']", "R-0000042");
    // Virtualised rows are absolutely positioned, which WebDriver counts as not interactable: click in the page.
    app.run_script(
        "document.querySelector(arguments[0]).click();",
        serde_json::json!(["[aria-label='Results'] [aria-rowindex='2']"]),
    );
    let detail = app.wait_for_text("#row-detail", "Row 42");
    assert!(detail.contains("succeeded") && detail.contains("record_id"), "{detail}");
    // The detail shows the prompt that was sent, then the outcome: the answer before the row's input.
    app.wait_for_text("#row-prompt summary", "Prompt sent");
    app.click("#row-prompt summary");
    let row_42 = csv_rows(&sample)[42].clone();
    let sent = app.wait_for_text("#row-prompt", "Classify this review of");
    let expected = format!("Classify this review of {}: {}", row_42[1], row_42[4]);
    assert!(sent.contains(&expected), "the wizard's template rendered on row 42: {sent}");
    let detail = app.text("#row-detail");
    let answer_at = detail.find("output").unwrap();
    assert!(answer_at < detail.find("review text").unwrap(), "{detail}");
    app.screenshot("results-detail");

    // The answer column is wide, the others narrow; a double-click on a column's edge narrows or widens it,
    // and the width is remembered; answers can wrap onto three lines.
    let widths = || {
        app.run_script(
            "return Object.fromEntries([...document.querySelectorAll(\"[aria-label='Results'] [role='columnheader']\")].map((h) => [h.textContent, Number(h.dataset.width)]));",
            serde_json::json!([]),
        )
    };
    assert_eq!(
        (widths()["output"].clone(), widths()["status"].clone()),
        (serde_json::json!(420), serde_json::json!(120))
    );
    let toggle = "document.querySelector(\"[aria-label='Resize output']\").dispatchEvent(new MouseEvent('dblclick', {bubbles: true}));";
    app.run_script(toggle, serde_json::json!([]));
    assert_eq!(widths()["output"], serde_json::json!(120));
    let remembered = app.run_script("return localStorage.getItem('grid-widths:results');", serde_json::json!([]));
    assert_eq!(remembered, serde_json::json!("{\"output\":120}"));
    app.run_script(toggle, serde_json::json!([]));
    assert_eq!(widths()["output"], serde_json::json!(420));
    app.click("#wrap-answers");
    app.find("[aria-label='Results'].wrap");
    app.screenshot("results-wrapped");
    app.click("#wrap-answers");

    let export = work.path().join("answers.csv");
    app.type_into("#export-path", &export.to_string_lossy());
    app.click("#export-run");
    app.wait_for_text("#results-message", "120 rows written");
    let exported = csv_rows(&export);
    let input = csv_rows(&sample);
    assert_eq!(exported.len(), 121, "a header and every input row");
    let header = &exported[0];
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    assert_eq!(header[..input[0].len()], input[0][..], "the input columns come first");
    // Excel-safe (on by default): a cell a spreadsheet would run as a formula starts with an apostrophe.
    let safe = |cell: &String| {
        if cell.starts_with(['=', '+', '-', '@']) { format!("'{cell}") } else { cell.clone() }
    };
    let mut neutralised = 0;
    for (got, want) in exported[1..].iter().zip(&input[1..]) {
        let want: Vec<String> = want.iter().map(safe).collect();
        neutralised += want.iter().filter(|c| c.starts_with('\'')).count();
        assert_eq!(got[..want.len()], want[..], "input cells in input order");
        assert_eq!(got[column("status")], "succeeded");
        assert!(!got[column("output")].is_empty(), "row {} has an answer", want[0]);
        assert!(got[column("output_tokens")].parse::<u64>().is_ok_and(|t| t > 0));
    }
    let ids: std::collections::HashSet<&String> = exported[1..].iter().map(|r| &r[column("record_id")]).collect();
    assert_eq!(ids.len(), 120, "every record id once");
    assert!(neutralised > 0, "the sample has formula-like cells, and they were neutralised");
    app.screenshot("exported");

    // The dark theme, chosen in the header: the page's colours change, and the choice is remembered.
    let background = |app: &Session| {
        app.run_script("return getComputedStyle(document.documentElement).backgroundColor;", serde_json::json!([]))
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let light = background(&app);
    app.click("#theme option[value='dark']");
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    while background(&app) == light {
        assert!(Instant::now() < deadline, "the background stayed {light} in the dark theme");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    app.screenshot("results-dark");
    let settings = home.path().join("settings.json");
    while !std::fs::read_to_string(&settings).unwrap_or_default().contains("\"dark\"") {
        assert!(Instant::now() < deadline, "the dark theme was not remembered in {}", settings.display());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    drop(app);

    // A restart: the run is in the history and the last choices come back.
    let mut again = Session::start(&driver, &app_binary(), &shots);
    again.click("#connect-sandbox");
    again.wait_for_text("#sandbox-badge", "SANDBOX");
    again.click("#step-jobs");
    again.screenshot("restarted-jobs");
    let row = again.wait_for_text("#runs tbody tr", "reviews-e2e");
    assert!(row.contains("Results ready"), "{row}");
    again.click("#step-data");
    again.type_into("#sheet-path", &sample.to_string_lossy());
    again.click("#sheet-load");
    again.wait_for_text("#sheet-summary", "120 rows");
    again.click("#step-prompt");
    assert_eq!(again.value("#template"), "Classify this review of {{product}}: {{review text}}");
    assert_eq!(again.value("#theme"), "dark", "the theme chosen before the restart");
    again.screenshot("restarted");
}

/// A sheet of 300 rows whose every tenth text is empty (such a prompt is refused by Bedrock, so it fails).
fn failing_sheet(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("tickets.csv");
    let mut text = String::from("id,text\n");
    for i in 1..=300 {
        let cell = if i % 10 == 0 { String::new() } else { format!("ticket {i}: the app crashes") };
        text.push_str(&format!("T{i:03},{cell}\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn failed_and_missing_rows_are_shown_and_a_retry_from_the_window_answers_what_it_can() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let driver = Driver::start(home.path());
    let shots = fresh_screenshot_dir("retry");
    let mut app = Session::start(&driver, &app_binary(), &shots);
    app.click("#connect-sandbox");
    app.wait_for_text("#sandbox-badge", "SANDBOX");

    // The window never opens a file in the app's own data (or in ~/.aws, ~/.ssh…), whatever is typed.
    let inside = home.path().join("copied.csv");
    std::fs::write(&inside, "id,text\n1,a\n").unwrap();
    app.type_into("#sheet-path", &inside.to_string_lossy());
    app.click("#sheet-load");
    app.wait_for_text("[role=alert]", "never opened or written from the window (the app's own data)");
    app.screenshot("protected-path-refused");

    let sheet = failing_sheet(work.path());
    app.type_into("#sheet-path", &sheet.to_string_lossy());
    app.click("#sheet-load");
    app.wait_for_text("#sheet-summary", "300 rows · 2 columns");
    app.click("#step-prompt");
    app.type_into("#template", "{{tex");
    app.wait_for_content("#column-completions", "text");
    app.keys("#template", ENTER);
    assert_eq!(app.value("#template"), "{{text}}");
    app.click("#step-model");
    app.click("#model option[value='us.anthropic.claude-haiku-4-5-20251001-v1:0']");
    app.click("#step-submit");
    app.type_into("#job-name", "partial-e2e");
    // The emulator answers only the first half of the job's records (as a job that ran out of time).
    app.type_into("#tags", "emulator-fault=partial");
    app.click("#submit-run");
    app.wait_for_text("#submitted", "300 records in 1 part");
    app.click("#open-jobs");
    // Rows 1–150 were processed: the 15 with an empty text failed; rows 151–300 are missing.
    app.wait_for_text("#toast", "partial-e2e ended: 135 succeeded, 15 failed, 150 missing");
    app.screenshot("partial-ended");

    app.click("#runs .open-results");
    app.wait_for_exact_text("#results-matching", "300 rows");
    let caption = app.text("#outcome-caption");
    assert!(
        caption.contains("135 succeeded") && caption.contains("15 failed") && caption.contains("150 missing"),
        "{caption}"
    );
    app.click("#status-filter option[value='failed']");
    app.wait_for_exact_text("#results-matching", "15 rows");
    app.wait_for_content("[aria-label='Results'] [aria-rowindex='2']", "T010");
    app.screenshot("failed-rows");
    app.click("#status-filter option[value='missing']");
    app.wait_for_exact_text("#results-matching", "150 rows");
    app.wait_for_content("[aria-label='Results'] [aria-rowindex='2']", "T151");
    app.screenshot("missing-rows");

    // Retry from the window: the 165 failed or missing rows, as a job that again answers its first half.
    app.wait_for_exact_text("#retry-failed", "Retry 165 failed or missing rows");
    app.click("#retry-failed");
    app.wait_for_text("#results-message", "submitted with 165 rows");
    app.screenshot("retry-submitted");
    // The retry's first 83 records: the 15 empty rows fail again, rows 151–218 are answered but the 6 empty
    // ones among them: 135 + 62 succeeded, 15 + 6 failed, 82 still missing — merged into the same results.
    app.wait_for_text("#toast", "partial-e2e ended: 197 succeeded, 21 failed, 82 missing");
    app.click("#step-jobs");
    app.click("#runs .open-results");
    app.click("#status-filter option[value='']");
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let caption = app.text("#outcome-caption");
        if caption.contains("197 succeeded") && caption.contains("21 failed") && caption.contains("82 missing") {
            break;
        }
        assert!(Instant::now() < deadline, "the merged counts never showed: {caption}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    app.wait_for_exact_text("#retry-failed", "Retry 103 failed or missing rows");
    app.screenshot("after-retry");

    // Fewer rows than a batch job takes are left: "Retry on demand" sends them with on-demand calls (Claude is
    // not on Flex: Standard). The 9 empty rows among the 82 missing fail like the 21 before; the rest are answered.
    app.click("#retry-on-demand");
    app.wait_for_text("#results-message", "sent on demand (Standard) with 103 rows");
    app.wait_for_text("#toast", "partial-e2e ended: 270 succeeded, 30 failed, 0 missing");
    app.click("#step-jobs");
    app.click("#runs .open-results");
    app.wait_for_text("#results-cost", "on demand (Standard)");
    app.screenshot("after-on-demand-retry");
}

/// Connects to the sandbox, opens a sheet of `rows` tickets written in `dir`, writes the template
/// "Summarise: {{text}}" (completing the column) and goes to the Model step.
fn open_small_sheet(app: &mut Session, dir: &Path, rows: usize) {
    app.click("#connect-sandbox");
    app.wait_for_text("#sandbox-badge", "SANDBOX");
    let sheet = small_sheet(dir, rows);
    app.type_into("#sheet-path", &sheet.to_string_lossy());
    app.click("#sheet-load");
    app.wait_for_text("#sheet-summary", &format!("{rows} rows"));
    app.click("#step-prompt");
    app.type_into("#template", "Summarise: {{tex");
    app.wait_for_content("#column-completions", "text");
    app.keys("#template", ENTER);
    app.click("#step-model");
}

/// A sheet of `rows` support tickets.
fn small_sheet(dir: &Path, rows: usize) -> std::path::PathBuf {
    let path = dir.join("few-tickets.csv");
    let mut text = String::from("id,text\n");
    for i in 1..=rows {
        text.push_str(&format!("F{i:03},ticket {i}: the export button does nothing\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_sheet_below_the_batch_minimum_is_sent_on_demand_from_the_window() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let driver = Driver::start(home.path());
    let shots = fresh_screenshot_dir("small-run");
    let mut app = Session::start(&driver, &app_binary(), &shots);
    open_small_sheet(&mut app, work.path(), 60);
    // Nova Pro offers the Flex tier: the 60 rows go there, and the Model step says so with the cost.
    app.click("#model option[value='amazon.nova-pro-v1:0']");
    let split = app.wait_for_text("#send-split", "fewer than the 100 a batch job takes");
    assert!(split.contains("on demand (Flex): $"), "{split}");
    app.screenshot("model-split");
    // The cost measured before anything is sent: CountTokens on 30 of the rows, and 2 rows answered on demand.
    app.type_into("#measure-test-rows", "2");
    app.click("#measure-cost");
    let checked = app.wait_for_text("#cost-check", "CountTokens on 30 rows");
    assert!(checked.contains("answers of a sample of 2 rows"), "{checked}");
    app.wait_for_text("#cost-check [data-tier='flex']", "on demand (Flex)");
    app.screenshot("model-cost-measured");

    app.click("#step-submit");
    app.wait_for_text("#send-ways", "on demand (Flex)");
    let batch = app.run_script("return document.getElementById('send-batch').disabled;", serde_json::json!([]));
    assert_eq!(batch, true, "a batch job cannot take 60 rows");
    let flex = app.run_script("return document.getElementById('send-flex').checked;", serde_json::json!([]));
    assert_eq!(flex, true, "Flex is chosen for a model that offers it");
    app.type_into("#job-name", "few-e2e");
    app.screenshot("submit-on-demand");
    app.wait_for_exact_text("#submit-run", "Send on demand (Flex)");
    app.click("#submit-run");
    app.wait_for_text("#submitted", "60 records, sent on demand (Flex)");
    app.click("#open-jobs");
    app.wait_for_text("#toast", "few-e2e ended: 60 succeeded, 0 failed, 0 missing");
    app.wait_for_text("#runs tbody tr", "Results ready (on demand (Flex))");
    app.screenshot("jobs-on-demand");

    app.click("#runs .open-results");
    app.wait_for_exact_text("#results-matching", "60 rows");
    let cost = app.wait_for_text("#results-cost", "on demand (Flex) 60 rows: $");
    assert!(cost.starts_with("Tokens:"), "{cost}");
    app.wait_for_content("[aria-label='Results'] [aria-rowindex='2']", "flex");
    app.screenshot("results-on-demand");
}

#[test]
fn a_deadline_set_in_the_window_stops_a_held_run_and_its_rows_are_answered_on_demand() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let driver = Driver::start(home.path());
    let shots = fresh_screenshot_dir("deadline");
    let mut app = Session::start(&driver, &app_binary(), &shots);
    open_small_sheet(&mut app, work.path(), 150);
    app.click("#model option[value='us.anthropic.claude-haiku-4-5-20251001-v1:0']");
    app.click("#step-submit");
    app.wait_for_text("#send-split", "go in a batch job");
    app.type_into("#job-name", "late-e2e");
    // The sandbox holds the job in progress: it cannot end by its deadline, a few seconds away.
    app.type_into("#tags", "emulator-fault=hold");
    app.type_into("#deadline", "+0.2m");
    app.type_into("#fallback-budget", "5");
    app.screenshot("submit-with-deadline");
    app.click("#submit-run");
    app.wait_for_text("#submitted", "150 records in 1 part");
    app.click("#open-jobs");
    app.wait_for_text("#runs tbody tr", "deadline");
    // The model's backlog, as the sandbox's CloudWatch publishes it: the held job's records wait (no pace yet).
    app.wait_for_text("#runs tbody tr", "model backlog 150 records");
    app.screenshot("jobs-with-deadline");
    let toast = app.wait_for_text("#toast", "late-e2e stopped: 150 succeeded, 0 failed, 0 missing");
    assert!(toast.contains("answered on demand"), "{toast}");
    app.screenshot("deadline-ended");
    app.click("#runs .open-results");
    // What the stopped job wrote is kept (its rows answered by batch); only the rest went on demand.
    let cost = app.wait_for_text("#results-cost", "on demand (Standard)");
    assert!(cost.contains("batch job"), "{cost}");
    app.screenshot("results-after-deadline");
}

#[test]
fn labels_defined_in_the_prompt_step_reach_the_model_and_come_back_as_json() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let driver = Driver::start(home.path());
    let shots = fresh_screenshot_dir("answer-shape");
    let mut app = Session::start(&driver, &app_binary(), &shots);
    open_small_sheet(&mut app, work.path(), 120);
    // The Prompt step: a label from a list, "other" allowed; Rust previews the column and the schema.
    app.click("#step-prompt");
    app.click("#answer-classify");
    app.wait_for_text("#answer-problem", "give at least one label");
    app.type_into("#answer-labels", "bug, question, praise");
    app.click("#answer-other");
    app.wait_for_text("#answer-columns", "label · one of bug, question, praise, other");
    app.screenshot("prompt-classify");
    // The shape is remembered with the other choices, for the next launch.
    let settings = home.path().join("settings.json");
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    while !std::fs::read_to_string(&settings).unwrap_or_default().contains(r#""question""#) {
        assert!(Instant::now() < deadline, "the answer shape was not remembered in {}", settings.display());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The Model step says how each model gets the schema.
    app.click("#step-model");
    app.click("#model option[value='amazon.nova-lite-v1:0']");
    app.wait_for_text("#answer-delivery", "the schema is added to the prompt");
    app.click("#model option[value='us.anthropic.claude-haiku-4-5-20251001-v1:0']");
    app.wait_for_text("#answer-delivery", "structured output (Converse outputConfig.textFormat)");
    app.screenshot("model-answer-delivery");

    app.click("#step-submit");
    app.type_into("#job-name", "labels-e2e");
    // The sandbox spoils some answers as models sometimes do: every 11th cut off, every other 7th prose.
    app.type_into("#tags", "emulator-fault=bad-answers");
    app.click("#submit-run");
    app.wait_for_text("#submitted", "120 records");
    app.click("#open-jobs");
    app.wait_for_text("#toast", "labels-e2e ended: 94 succeeded, 0 failed, 0 missing, 16 invalid, 10 truncated");
    app.click("#runs .open-results");
    app.wait_for_exact_text("#results-matching", "120 rows");
    app.wait_for_text("#outcome-caption", "16 invalid");
    // The label's distribution over the 94 valid answers, drawn from the summary Rust made when fetching.
    app.wait_for_text("#field-insights", "label 94 rows with a value");
    app.screenshot("results-labels");
    // The rows that fell short are filterable, each with why, and a retry would send them.
    app.click("#status-filter option[value='invalid']");
    app.wait_for_exact_text("#results-matching", "16 rows");
    app.wait_for_content("[aria-label='Results'] [aria-rowindex='2']", "the answer holds no JSON object");
    app.wait_for_text("#retry-failed", "Retry 26 rows not answered in full");
    app.wait_for_exact_text("#retry-matching", "Retry the 16 rows shown");
    app.screenshot("results-invalid");

    let export = work.path().join("labels.csv");
    app.type_into("#export-path", &export.to_string_lossy());
    app.click("#export-run");
    app.wait_for_text("#results-message", "120 rows written");
    let rows = csv_rows(&export);
    let column = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let (output, status) = (column("output"), column("status"));
    for row in rows[1..].iter().filter(|r| r[status] == "succeeded") {
        let answer: serde_json::Value = serde_json::from_str(&row[output]).unwrap_or_else(|e| panic!("{row:?}: {e}"));
        let label = answer["label"].as_str().unwrap_or_default();
        assert!(["bug", "question", "praise", "other"].contains(&label), "{answer}");
    }
    assert_eq!(rows[1..].iter().filter(|r| r[status] == "truncated").count(), 10);
    // The label is its own column, filled for exactly the valid answers, as the distribution counted them.
    let label = column("label");
    let labelled = rows[1..].iter().filter(|r| !r[label].is_empty());
    assert!(labelled.clone().all(|r| r[status] == "succeeded"));
    assert_eq!(labelled.count(), 94);
    // The bars come in the labels' order (bug, question, praise, other), each with its rows in the export.
    let insights = app.text("#field-insights");
    let mut at = 0;
    for name in ["bug", "question", "praise", "other"] {
        let rows_with = rows[1..].iter().filter(|r| r[label] == name).count();
        let found = insights[at..]
            .find(&format!("{rows_with} ("))
            .unwrap_or_else(|| panic!("{name}: {rows_with} in {insights}"));
        at += found + 1;
    }

    // The typed Parquet export reads back with the label as text and the token counts as numbers.
    let parquet = work.path().join("labels.parquet");
    app.click("#export-format option[value='parquet']");
    app.type_into("#export-path", &parquet.to_string_lossy());
    app.click("#export-run");
    app.wait_for_text("#results-message", "labels.parquet");
    use polars::prelude::{DataType, ParquetReader, SerReader};
    let frame = ParquetReader::new(std::fs::File::open(&parquet).unwrap()).finish().unwrap();
    assert_eq!(frame.height(), 120);
    assert_eq!(frame.column("label").unwrap().dtype(), &DataType::String);
    assert_eq!(frame.column("label").unwrap().null_count(), 26, "no label where the answer fell short");
    assert_eq!(frame.column("output_tokens").unwrap().dtype(), &DataType::Int64);
    app.screenshot("results-exported-parquet");

    // The invalid rows, as the filter shows them, go again on demand (fewer than a batch job takes), with the
    // schema; merged, each is answered in full and keeps its two attempts.
    app.click("#status-filter option[value='invalid']");
    app.wait_for_exact_text("#results-matching", "16 rows");
    app.click("#retry-matching-on-demand");
    app.wait_for_text("#results-message", "with 16 rows");
    app.wait_for_text("#toast", "labels-e2e ended: 110 succeeded, 0 failed, 0 missing, 10 truncated");
    app.click("#step-jobs");
    app.click("#runs .open-results");
    app.click("#status-filter option[value='']");
    app.wait_for_text("#outcome-caption", "110 succeeded");
    app.wait_for_text("#field-insights", "label 110 rows with a value");
    app.click("[aria-label='Results'] [aria-rowindex='8']");
    app.wait_for_text("#row-attempts", "2 attempts");
    app.wait_for_text("#row-attempts", "invalid");
    app.screenshot("retried-row-attempts");

    // The cut-off rows go again with changes: another model and more answer tokens, on demand. Merged, every row
    // is answered in full, and a cut-off row's newest attempt is that model's.
    app.click("#status-filter option[value='truncated']");
    app.wait_for_exact_text("#results-matching", "10 rows");
    app.open_details("#retry-changes");
    app.type_into("#retry-model", "amazon.nova-pro-v1:0");
    app.type_into("#retry-max-tokens", "400");
    app.wait_for_text("#retry-changes summary", "Retry with changes: model amazon.nova-pro-v1:0, 400 answer tokens");
    app.screenshot("retry-with-changes");
    app.click("#retry-matching-on-demand");
    app.wait_for_text("#results-message", "with 10 rows (model amazon.nova-pro-v1:0, 400 answer tokens)");
    app.wait_for_text("#toast", "labels-e2e ended: 120 succeeded, 0 failed, 0 missing");
    app.click("#step-jobs");
    app.click("#runs .open-results");
    app.click("#status-filter option[value='']");
    app.wait_for_text("#outcome-caption", "120 succeeded");
    app.wait_for_text("#field-insights", "label 120 rows with a value");
    // Row 11 (ticket F011) was cut off at the limit the first time.
    app.type_into("#results-search", "F011");
    app.wait_for_exact_text("#results-matching", "1 row");
    app.click("[aria-label='Results'] [aria-rowindex='2']");
    app.wait_for_text("#row-attempts", "2 attempts");
    let attempts = app.text("#row-attempts");
    let newest = attempts.find("amazon.nova-pro-v1:0").unwrap_or_else(|| panic!("{attempts}"));
    assert!(newest < attempts.find("truncated").unwrap_or_else(|| panic!("{attempts}")), "{attempts}");
    app.screenshot("retried-with-another-model");
}

#[test]
fn the_same_sample_goes_to_two_models_from_the_window_and_is_compared() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let driver = Driver::start(home.path());
    let shots = fresh_screenshot_dir("compare-models");
    let mut app = Session::start(&driver, &app_binary(), &shots);
    open_small_sheet(&mut app, work.path(), 300);
    app.click("#step-prompt");
    app.click("#answer-classify");
    app.type_into("#answer-labels", "bug, question, praise");
    app.wait_for_text("#answer-columns", "label · one of bug, question, praise");
    // The preset: Claude Haiku and Nova Pro, on a sample of the first 200 rows.
    app.click("#step-model");
    app.click("#model option[value='us.anthropic.claude-haiku-4-5-20251001-v1:0']");
    // The step's lines above the preset arrive as Rust answers: the page settles before it is used.
    app.wait_for_text("#job-plan", "Job plan: 1 job: 300 records");
    app.wait_for_text("#cost-estimate", "Batch:");
    app.open_details("#compare-models");
    app.type_into("#compare-model", "amazon.nova-pro-v1:0");
    app.click("#compare-sample");
    app.wait_for_text(
        "#compare-preset",
        "200 rows to us.anthropic.claude-haiku-4-5-20251001-v1:0 and to amazon.nova-pro-v1:0, a run each",
    );
    app.screenshot("model-compare-preset");

    app.click("#step-submit");
    app.type_into("#job-name", "cmp-e2e");
    app.wait_for_exact_text("#submit-run", "Upload and submit to 2 models");
    app.screenshot("submit-to-two-models");
    app.click("#submit-run");
    let runs = app.wait_for_text("#compared-runs", "amazon.nova-pro-v1:0: run");
    assert!(runs.contains("(cmp-e2e-claude-haiku-4-5-20251001-v1-0)"), "{runs}");
    assert!(runs.contains("(cmp-e2e-nova-pro-v1-0)"), "{runs}");
    app.click("#open-jobs");
    app.wait_for_text("#runs tbody tr:nth-child(1)", "Results ready");
    app.wait_for_text("#runs tbody tr:nth-child(2)", "Results ready");
    app.screenshot("jobs-two-models");

    // Either run's results compare it with the other: each model's rows and the label's agreement.
    app.click("#runs .open-results");
    app.wait_for_exact_text("#results-matching", "200 rows");
    app.open_details("#compare-runs");
    app.click("#compare-runs input[type='checkbox']");
    app.click("#compare-run");
    let compared = app.wait_for_text("#comparison", "label: agree on");
    assert!(compared.contains("of 200 rows answered by every run"), "{compared}");
    for model in ["us.anthropic.claude-haiku-4-5-20251001-v1:0", "amazon.nova-pro-v1:0"] {
        assert!(compared.contains(&format!("{model}: 200 of 200 rows answered in full")), "{model}: {compared}");
    }
    app.screenshot("results-compared");

    // The label is a filter: the rows labelled "bug", as many as its bar (the first, in the labels' order) counts.
    let insights = app.text("#field-insights");
    let bars = insights.split("with a value").nth(1).unwrap_or_default();
    let bugs: u64 = bars.split(" (").next().and_then(|n| n.trim().parse().ok()).unwrap_or_else(|| panic!("{insights}"));
    app.click("#field-filter option[value='label']");
    app.type_into("#field-value", "bug");
    app.wait_for_exact_text("#results-matching", &format!("{bugs} rows"));
    app.screenshot("results-filtered-by-label");
}
