//! The desktop app opening a job it did not make, as a person does: connected to "AWS" (the emulator over moto's
//! S3 and STS), the Jobs step lists a notebook's job — made with boto3, its record ids its own — as made
//! elsewhere, opens it, and its 150 records show in the Results step with their prompts and answers.
//! Screenshots of each step under `target/e2e-screenshots/open-job/`.

use e2e_tests::notebook::NotebookServers;
use e2e_tests::webdriver::{Driver, Session, app_binary, fresh_screenshot_dir};

#[test]
fn a_job_made_with_boto3_is_listed_opened_and_read_in_the_window() {
    let servers = NotebookServers::start();
    let (arn, status) = servers.notebook_job();
    assert_eq!(status, "Completed");
    let job_id = arn.rsplit('/').next().unwrap().to_string();
    let home = tempfile::tempdir().unwrap();
    let driver = Driver::start_with(home.path(), &servers.aws_environment());
    let shots = fresh_screenshot_dir("open-job");
    let mut app = Session::start(&driver, &app_binary(), &shots);

    app.click("#connect-aws");
    app.wait_for_text("#aws-badge", "AWS 123456789012 · us-east-1");
    app.click("#step-jobs");
    app.wait_for_text("#jobs-title", "Jobs");
    app.open_details("#open-elsewhere");
    app.screenshot("jobs-step");

    app.click("#list-account-jobs");
    let row = format!("#account-jobs [data-job='{job_id}']");
    let listed = app.wait_for_text(&row, "made elsewhere");
    assert!(listed.contains("notebook-reviews") && listed.contains("150 / 150"), "{listed}");
    assert!(listed.contains("anthropic.claude-3-haiku-20240307-v1:0"), "{listed}");
    app.screenshot("account-jobs");

    app.click(&format!("{row} .open-job"));
    app.wait_for_exact_text("#results-matching", "150 rows");
    let caption = app.text("#outcome-caption");
    assert!(caption.contains("149 succeeded") && caption.contains("1 failed"), "{caption}");
    app.screenshot("opened-results");

    // A record with a UUID for its id: found by it, its prompt the one the notebook wrote.
    app.type_into("#results-search", "00000000-0000-0000-0000-000000000001");
    app.wait_for_exact_text("#results-matching", "1 row");
    app.wait_for_content("[aria-label='Results'] [aria-rowindex='2']", "Review 100: label it");
    app.run_script(
        "document.querySelector(arguments[0]).click();",
        serde_json::json!(["[aria-label='Results'] [aria-rowindex='2']"]),
    );
    let detail = app.wait_for_text("#row-detail", "Row 101");
    assert!(detail.contains("succeeded") && detail.contains("00000000-0000-0000-0000-000000000001"), "{detail}");
    app.click("#row-prompt summary");
    app.wait_for_text("#row-prompt", "Review 100: label it");
    app.screenshot("opened-row-detail");

    // The refused record, and the run now listed among the runs as opened.
    app.type_into("#results-search", "");
    app.click("#status-filter option[value='failed']");
    app.wait_for_exact_text("#results-matching", "1 row");
    app.screenshot("opened-failed-row");
    app.click("#step-jobs");
    let runs = app.wait_for_text("#runs", "opened");
    assert!(
        runs.contains("notebook-reviews") && runs.contains("Results ready") && runs.contains("150 / 150"),
        "{runs}"
    );
    app.open_details("#open-elsewhere");
    app.click("#list-account-jobs");
    app.wait_for_text(&row, "opened here");
    app.screenshot("jobs-after-opening");
}
