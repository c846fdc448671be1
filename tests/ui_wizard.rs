//! The desktop app as a person uses it: the real binary in a real webview (WebKitGTK through tauri-driver
//! and WebKitWebDriver, under Xvfb). It connects to the offline sandbox, opens the sample sheet by path,
//! pages through it, writes a template and sees the rendered prompt, picks a model and sees the cost; a
//! screenshot of every step is kept in
//! `target/e2e-screenshots/`.

use e2e_tests::samples;
use e2e_tests::webdriver::{Driver, Session, app_binary, screenshot_dir};

#[test]
fn connect_open_a_sheet_preview_a_prompt_and_price_a_model_in_the_sandbox() {
    let home = tempfile::tempdir().unwrap();
    // The app reads no AWS credentials here (the sandbox is chosen explicitly) and keeps its data in `home`.
    // SAFETY: set before any thread of this test reads the environment.
    unsafe {
        std::env::set_var("BEDROCK_BATCH_HOME", home.path());
    }
    let driver = Driver::start();
    let shots = screenshot_dir().join("wizard");
    let _ = std::fs::remove_dir_all(&shots);
    let mut app = Session::start(&driver, &app_binary(), &shots);

    app.find("#connect-sandbox");
    app.screenshot("connect");
    app.click("#connect-sandbox");
    let badge = app.wait_for_text("#simulation-badge", "SIMULATION");
    assert!(badge.contains("offline sandbox"), "{badge}");

    let sample = samples().join("reviews.csv");
    app.type_into("#sheet-path", &sample.to_string_lossy());
    app.click("#sheet-load");
    let summary = app.wait_for_text("#sheet-summary", "120 rows");
    assert!(summary.contains("CSV"), "{summary}");
    // The first page of rows arrived from Rust.
    app.wait_for_content("[role=grid] [aria-rowindex='2']", "R-0000001");
    app.screenshot("data");

    app.click("#step-prompt");
    app.type_into("#template", "Classify this review of {{product}}: {{review text}}");
    let rendered = app.wait_for_text("#rendered-prompt", "Classify this review of");
    assert!(!rendered.contains("{{"), "placeholders are filled: {rendered}");
    app.wait_for_text("#token-estimate", "all 120 rows");
    let shot = app.screenshot("prompt");
    assert!(std::fs::metadata(shot).unwrap().len() > 10_000, "a real picture of the window");

    app.click("#step-model");
    app.click("#model option[value='us.anthropic.claude-haiku-4-5-20251001-v1:0']");
    app.type_into("#max-tokens", "300");
    let cost = app.wait_for_text("#cost-estimate", "max 300 tokens");
    assert!(cost.contains("Batch: $") && cost.contains("on-demand would be up to $"), "{cost}");
    app.screenshot("model");
}
