//! A batch job made by another tool — created with boto3, as a notebook does, against the emulator over moto's
//! S3 — listed by `jobs --remote` as made elsewhere, opened with `bedrock-batch open JOB` (its input and outputs
//! downloaded, its own record ids kept: numbers from 0, UUIDs, free text), then listed as opened.

use std::path::Path;

use e2e_tests::notebook::NotebookServers;
use e2e_tests::path_text as s;
use e2e_tests::{command, finish, read_csv};

fn cli(dir: &Path, servers: &NotebookServers, args: &[&str]) -> e2e_tests::Run {
    let vars = servers.aws_environment();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut command = command(dir, dir, &vars);
    command.args(args);
    finish(command)
}

#[test]
fn a_job_made_with_boto3_is_listed_as_made_elsewhere_opened_with_its_own_ids_and_then_listed_as_opened() {
    let dir = tempfile::tempdir().unwrap();
    let servers = NotebookServers::start();
    let (arn, status) = servers.notebook_job();
    assert_eq!(status, "Completed", "a refused record is an error line of a completed job");
    let arn = arn.as_str();
    let job_id = arn.rsplit('/').next().unwrap();

    let listed = cli(dir.path(), &servers, &["jobs", "--remote"]);
    let text = listed.ok();
    assert!(text.contains("notebook-reviews") && text.contains("made elsewhere"), "{text}");
    assert!(text.contains("anthropic.claude-3-haiku-20240307-v1:0") && text.contains("150/150 records"), "{text}");

    let out = dir.path().join("opened");
    let opened = cli(dir.path(), &servers, &["open", job_id, "--out", s(&out)]);
    let text = opened.ok();
    assert!(text.contains("job notebook-reviews (Completed"), "{text}");
    assert!(text.contains("records    150 (read from its request lines)"), "{text}");
    assert!(text.contains("Joined 150 rows: 149 succeeded, 1 failed, 0 missing"), "{text}");
    let (headers, rows) = read_csv(&out.join("results.csv"));
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r[at("record_id")].as_str()).collect();
    assert_eq!(ids[..3], ["0", "1", "2"]);
    assert_eq!(ids[100], "00000000-0000-0000-0000-000000000001");
    assert_eq!(ids[149], "review é/9 #x", "free text, kept as written");
    let row = &rows[120];
    assert_eq!(
        (row[at("system")].as_str(), row[at("prompt")].as_str()),
        ("Answer with one word.", "Review 120: label it")
    );
    assert_eq!(row[at("status")], "succeeded");
    assert!(!row[at("output")].is_empty());
    assert_eq!(rows[7][at("status")], "failed", "{:?}", rows[7]);
    assert!(!rows[7][at("error")].is_empty());
    // The input was downloaded as the job read it.
    assert!(out.join("input").join("reviews.jsonl").is_file());

    let again = cli(dir.path(), &servers, &["jobs", "--remote"]);
    let run = text.split("opened as run ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap();
    assert!(again.ok().contains(&format!("opened as {run}")), "{}", again.ok());
    // Opening it twice is refused with the way on: fetch the run.
    let twice = cli(dir.path(), &servers, &["open", arn]);
    assert!(twice.failed().contains(&format!("bedrock-batch fetch {run}")), "{}", twice.failed());
    // `fetch` reads it again from S3, like any run.
    let fetched = cli(dir.path(), &servers, &["fetch", run, "--out", s(&out)]);
    assert!(fetched.ok().contains("Joined 150 rows: 149 succeeded, 1 failed"), "{}", fetched.ok());
}
