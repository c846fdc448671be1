//! The job lifecycle through the `bedrock-batch` binary: against moto's S3 and STS with the Bedrock
//! emulator in its own process (submit, status --watch, fetch, retry, stop, jobs; a process killed right
//! after submitting), and the offline sandbox, which is what runs when no credentials are found.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use e2e_tests::http::request;
use e2e_tests::path_text as s;
use e2e_tests::{KillOnDrop, Run, aws_job_args, command, finish, read_csv, samples, spawn_listening};
use serde_json::Value;
use test_servers::Moto;

/// moto for S3 and STS, the emulator (over moto's S3) for Bedrock, and the variables that point the CLI there.
struct Aws {
    moto: Moto,
    emulator: KillOnDrop,
    bedrock: String,
    vars: Vec<(String, String)>,
}

/// The Bedrock emulator in its own process over moto's S3, and its address.
fn start_emulator(home: &Path, moto: &Moto) -> (KillOnDrop, String) {
    let mut emulator = command(
        home,
        home,
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL_S3", &moto.endpoint()),
        ],
    );
    emulator
        .args(["emulator", "--listen", "127.0.0.1:0", "--tick-ms", "20", "--min-records", "10"])
        .stderr(Stdio::inherit());
    let (emulator, bedrock) = spawn_listening(emulator);
    (KillOnDrop(emulator), bedrock)
}

impl Aws {
    fn start(home: &Path) -> Self {
        let moto = Moto::start();
        let s3 = moto.endpoint().trim_start_matches("http://").to_string();
        for bucket in ["in-bucket", "out-bucket"] {
            assert_eq!(request(&s3, "PUT", &format!("/{bucket}"), b"").status, 200);
        }
        let (emulator, bedrock) = start_emulator(home, &moto);
        let vars: Vec<(String, String)> = [
            ("AWS_ACCESS_KEY_ID", "testing".to_string()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
            ("AWS_REGION", "us-east-1".to_string()),
            ("AWS_ENDPOINT_URL_S3", moto.endpoint()),
            ("AWS_ENDPOINT_URL_STS", moto.endpoint()),
            ("AWS_ENDPOINT_URL_SERVICE_QUOTAS", moto.endpoint()),
            ("AWS_ENDPOINT_URL_BEDROCK", format!("http://{bedrock}")),
            ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", format!("http://{bedrock}")),
            // The emulator publishes the batch metrics CloudWatch would.
            ("AWS_ENDPOINT_URL_CLOUDWATCH", format!("http://{bedrock}")),
            // The emulator's jobs take milliseconds: poll for them so.
            ("BEDROCK_BATCH_POLLING", "emulator".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Self { moto, emulator, bedrock, vars }
    }

    /// Replaces the emulator with a fresh one that knows no job (as a Bedrock in another region would).
    fn restart_emulator(&mut self, home: &Path) {
        let (emulator, bedrock) = start_emulator(home, &self.moto);
        self.emulator = emulator;
        self.bedrock = bedrock;
        for (name, value) in &mut self.vars {
            if matches!(
                name.as_str(),
                "AWS_ENDPOINT_URL_BEDROCK" | "AWS_ENDPOINT_URL_BEDROCK_RUNTIME" | "AWS_ENDPOINT_URL_CLOUDWATCH"
            ) {
                *value = format!("http://{}", self.bedrock);
            }
        }
    }

    /// Keeps releasing held jobs in the background (jobs submitted later are held too) until dropped.
    fn keep_releasing(&self) -> Releaser {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, bedrock) = (stop.clone(), self.bedrock.clone());
        let thread = std::thread::spawn(move || {
            while !flag.load(std::sync::atomic::Ordering::SeqCst) {
                assert_eq!(request(&bedrock, "POST", "/emulator/release", b"").status, 200);
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        });
        Releaser { stop, thread: Some(thread) }
    }

    /// `prepare` of the sample into `<dir>/prep` (three parts, see [`prepare_args`]).
    fn prepare_sample(&self, dir: &Path) {
        let mut prepare: Vec<String> = vec!["prepare".into()];
        prepare.extend(prepare_args(dir));
        self.cli(dir, &prepare.iter().map(String::as_str).collect::<Vec<_>>()).ok();
    }

    fn cli(&self, dir: &Path, args: &[&str]) -> Run {
        let mut cli = command(dir, dir, &borrow(&self.vars));
        cli.args(args);
        finish(cli)
    }

    /// The jobs the emulator has, as ListModelInvocationJobs returns them.
    fn remote_jobs(&self) -> Vec<Value> {
        let listed: Value =
            serde_json::from_slice(&request(&self.bedrock, "GET", "/model-invocation-jobs", b"").body).unwrap();
        listed["invocationJobSummaries"].as_array().cloned().unwrap_or_default()
    }
}

/// Stops the background releaser when dropped.
struct Releaser {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Releaser {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn borrow(vars: &[(String, String)]) -> Vec<(&str, &str)> {
    vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// `prepare` of the sample into `<dir>/prep`, in three parts of 40 rows.
fn prepare_args(dir: &Path) -> Vec<String> {
    let mut args = sample_args(dir);
    args.extend(["--min-records", "10", "--max-records-per-file", "50"].map(str::to_string));
    args
}

/// `prepare` of the sample into `<dir>/prep` with Bedrock's default limits: one part of 120 rows.
fn sample_args(dir: &Path) -> Vec<String> {
    [
        "--input",
        s(&samples().join("reviews.csv")),
        "--template",
        s(&samples().join("prompt.txt")),
        "--model",
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "--out",
        s(&dir.join("prep")),
    ]
    .into_iter()
    .map(str::to_string)
    .collect()
}

fn json(run: &Run) -> Value {
    serde_json::from_str(run.ok()).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

#[test]
fn a_run_on_aws_apis_is_submitted_followed_fetched_and_retried() {
    let dir = tempfile::tempdir().unwrap();
    let aws = Aws::start(dir.path());
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(prepare_args(dir.path()));
    let mut full: Vec<&str> = args.iter().map(String::as_str).collect();
    full.extend(aws_job_args("reviews"));
    full.extend(["--max-concurrent-jobs", "2", "--tag", "emulator-fault=partial", "--format", "json"]);
    let submitted = aws.cli(dir.path(), &full);
    let report = json(&submitted);
    assert!(submitted.stderr.contains("AWS account 123456789012 as arn:aws"), "identity first: {}", submitted.stderr);
    assert_eq!(report["sandbox"], false);
    assert_eq!(report["parts"].as_array().unwrap().len(), 3);
    assert_eq!(report["waiting_parts"], 1, "the cap of 2 holds the third part back");
    let run_id = report["run"]["id"].as_str().unwrap().to_string();

    let watched = json(&aws.cli(dir.path(), &["status", &run_id, "--watch", "--format", "json"]));
    assert_eq!(watched["run"]["state"], "ended");
    let statuses: Vec<&str> =
        watched["jobs"].as_array().unwrap().iter().map(|j| j["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["PartiallyCompleted"; 3]);
    assert_eq!(aws.remote_jobs().len(), 3);

    let out = dir.path().join("fetched");
    let fetched = json(&aws.cli(dir.path(), &["fetch", &run_id, "--out", s(&out), "--format", "json"]));
    assert_eq!(fetched["summary"]["rows"], 120);
    let missing = fetched["summary"]["missing"].as_u64().unwrap();
    assert!(missing > 0);
    let (_, rows) = read_csv(&out.join("results.csv"));
    assert_eq!(rows.len(), 120, "every input row once");

    // The retry carries only the missing rows; fetching afterwards merges its answers into the run.
    let retried = json(&aws.cli(dir.path(), &["retry", &run_id, "--wait", "--format", "json"]));
    let retry_records: u64 = retried["parts"].as_array().unwrap().iter().map(|p| p["records"].as_u64().unwrap()).sum();
    assert_eq!(retry_records, missing);
    let merged = json(&aws.cli(dir.path(), &["fetch", &run_id, "--out", s(&out), "--format", "json"]));
    assert!(merged["summary"]["missing"].as_u64().unwrap() < missing, "{merged}");
    assert_eq!(merged["summary"]["rows"], 120);

    // What is still unanswered goes on demand, however few rows (no batch minimum), priced before it is sent;
    // the next fetch merges the answers and no row is left.
    let left = merged["summary"]["missing"].as_u64().unwrap() + merged["summary"]["failed"].as_u64().unwrap();
    assert!(left > 0, "the partial fault leaves rows for the on-demand retry: {merged}");
    let on_demand =
        aws.cli(dir.path(), &["retry", &run_id, "--on-demand", "--requests-per-minute", "6000", "--format", "json"]);
    let sent = json(&on_demand);
    assert_eq!(
        (sent["rows"].as_u64(), sent["succeeded"].as_u64(), sent["calls"].as_u64()),
        (Some(left), Some(left), Some(left))
    );
    assert!(
        on_demand.stderr.contains(&format!("retry of run {run_id}: sending {left} rows on demand (on-demand)")),
        "Claude is not on Flex: Standard, priced first: {}",
        on_demand.stderr
    );
    assert!(on_demand.stderr.contains("every answer at its maximum"), "{}", on_demand.stderr);
    let finished = json(&aws.cli(dir.path(), &["fetch", &run_id, "--out", s(&out), "--format", "json"]));
    assert_eq!(
        (finished["summary"]["succeeded"].as_u64(), finished["summary"]["missing"].as_u64()),
        (Some(120), Some(0))
    );
    let tiers = finished["summary"]["tiers"].as_array().unwrap();
    assert_eq!(tiers.len(), 2, "batch and on-demand rows, each priced at its tier: {tiers:?}");
    assert_eq!((tiers[1]["tier"].as_str(), tiers[1]["rows"].as_u64()), (Some("on-demand"), Some(left)));

    // The history lists every job with the names the contract promises.
    let jobs = json(&aws.cli(dir.path(), &["jobs", "--format", "json"]));
    let jobs = jobs.as_array().unwrap();
    assert_eq!(jobs.len(), aws.remote_jobs().len());
    assert!(jobs.iter().all(|j| j["job_arn"].is_string() && j["job_name"].is_string() && j["status"].is_string()));
    // The service's own list, filtered and paged through ListModelInvocationJobs.
    let remote = json(&aws.cli(dir.path(), &["jobs", "--remote", "--name-contains", "retry", "--format", "json"]));
    assert_eq!(remote.as_array().unwrap().len(), retried["parts"].as_array().unwrap().len(), "{remote}");
    let partial =
        json(&aws.cli(
            dir.path(),
            &["jobs", "--remote", "--status", "PartiallyCompleted", "--limit", "2", "--format", "json"],
        ));
    assert_eq!(partial.as_array().unwrap().len(), 2);
}

/// A sheet of `rows` reviews and a template over it, in `dir`.
fn small_sheet(dir: &Path, rows: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    let (sheet, template) = (dir.join("small.csv"), dir.join("small-prompt.txt"));
    let mut text = String::from("id,review\n");
    for i in 1..=rows {
        text.push_str(&format!("{i},\"review number {i}, quite good\"\n"));
    }
    std::fs::write(&sheet, text).unwrap();
    std::fs::write(&template, "Summarise in one line: {{review}}").unwrap();
    (sheet, template)
}

fn runtime_calls(bedrock: &str) -> u64 {
    let answer: Value = serde_json::from_slice(&request(bedrock, "GET", "/emulator/runtime-calls", b"").body).unwrap();
    answer["calls"].as_u64().unwrap()
}

#[test]
fn a_sheet_below_the_batch_minimum_runs_on_demand_priced_first_and_within_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let aws = Aws::start(dir.path());
    let (sheet, template) = small_sheet(dir.path(), 60);
    let prep = dir.path().join("small-prep");
    let run = |extra: &[&str]| {
        let mut args =
            vec!["run", "--input", s(&sheet), "--template", s(&template), "--out", s(&prep), "--format", "json"];
        args.extend(["--model", "amazon.nova-pro-v1:0"]);
        args.extend(extra);
        aws.cli(dir.path(), &args)
    };
    // As a batch job: refused (60 rows, a job takes at least 100), with the way on.
    let refused = run(&[]);
    let line = refused.failed();
    assert!(line.contains("60 data rows") && line.contains("--on-demand"), "{line}");
    // On demand, with a cap below the most it can cost: refused with the numbers, and nothing is sent.
    let capped = run(&["--on-demand", "--max-cost", "0.00001"]);
    let line = capped.failed();
    assert!(line.contains("60 rows on flex may cost up to $") && line.contains("--max-cost"), "{line}");
    assert_eq!(runtime_calls(&aws.bedrock), 0);
    // On demand within the cap: Flex (Nova Pro offers it), every row answered and joined, one call per row.
    let sent = run(&["--on-demand", "--max-cost", "5", "--requests-per-minute", "6000"]);
    let summary = json(&sent);
    assert!(sent.stderr.contains("run: sending 60 rows on demand (flex) to amazon.nova-pro-v1:0"), "{}", sent.stderr);
    assert_eq!(
        (summary["summary"]["succeeded"].as_u64(), summary["summary"]["missing"].as_u64()),
        (Some(60), Some(0)),
        "{summary}"
    );
    assert_eq!(summary["summary"]["tiers"][0]["tier"], "flex");
    assert_eq!(runtime_calls(&aws.bedrock), 60);
    let (headers, rows) = read_csv(&prep.join("results").join("results.csv"));
    let tier = headers.iter().position(|h| h == "tier").unwrap();
    assert!(rows.iter().all(|r| r[tier] == "flex"), "each row says which tier answered it");
    // The run is in the history, ended; running it again continues it and sends nothing.
    let again = run(&["--on-demand", "--requests-per-minute", "6000"]);
    assert!(again.stderr.contains("continuing run"), "{}", again.stderr);
    assert_eq!(runtime_calls(&aws.bedrock), 60, "no row is paid for twice");
    let runs = json(&aws.cli(dir.path(), &["status", "--format", "json"]));
    let on_demand: Vec<&Value> = runs.as_array().unwrap().iter().filter(|r| r["tier"] == "flex").collect();
    assert_eq!(on_demand.len(), 1);
    assert_eq!(on_demand[0]["state"], "fetched");
}

#[test]
fn a_deadline_stops_a_slow_run_and_its_rows_are_answered_on_demand_within_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let aws = Aws::start(dir.path());
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(prepare_args(dir.path()));
    let deadline = batch_core::clock::rfc3339_from_unix(batch_core::clock::unix_now() + 3);
    let mut full: Vec<&str> = args.iter().map(String::as_str).collect();
    full.extend(aws_job_args("slow"));
    // The emulator holds the jobs in progress: they cannot end by the deadline.
    full.extend(["--tag", "emulator-fault=hold", "--wait", "--deadline", &deadline, "--fallback-budget", "5"]);
    full.extend(["--requests-per-minute", "6000"]);
    full.extend(["--format", "json"]);
    let finished = aws.cli(dir.path(), &full);
    let summary = json(&finished);
    assert!(finished.stderr.contains("stopping the run's jobs: its deadline"), "{}", finished.stderr);
    assert!(finished.stderr.contains("deadline fallback of run"), "priced before sending: {}", finished.stderr);
    assert_eq!(
        (summary["summary"]["rows"].as_u64(), summary["summary"]["succeeded"].as_u64()),
        (Some(120), Some(120)),
        "every row is answered by the end: {summary}"
    );
    let statuses: Vec<String> =
        aws.remote_jobs().iter().map(|j| j["status"].as_str().unwrap_or_default().to_string()).collect();
    assert!(statuses.iter().all(|s| s == "Stopped"), "the held jobs were stopped: {statuses:?}");
    let tiers = summary["summary"]["tiers"].as_array().unwrap();
    assert!(tiers.iter().any(|t| t["tier"] == "on-demand"), "{tiers:?}");
    assert!(runtime_calls(&aws.bedrock) > 0);

    // Without an approved budget nothing is sent after the deadline: the cost and the command are printed.
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(prepare_args(&dir.path().join("again")));
    let deadline = batch_core::clock::rfc3339_from_unix(batch_core::clock::unix_now() + 2);
    let mut full: Vec<&str> = args.iter().map(String::as_str).collect();
    full.extend(aws_job_args("slow-again"));
    full.extend(["--tag", "emulator-fault=hold", "--wait", "--deadline", &deadline, "--new-run"]);
    let calls_before = runtime_calls(&aws.bedrock);
    let unsent = aws.cli(dir.path(), &full);
    unsent.ok();
    assert!(unsent.stderr.contains("not sent: no budget was approved beforehand"), "{}", unsent.stderr);
    assert!(unsent.stderr.contains("--on-demand"), "{}", unsent.stderr);
    assert_eq!(runtime_calls(&aws.bedrock), calls_before);
}

#[test]
fn the_cost_is_measured_before_spending_and_past_runs_teach_the_next_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let aws = Aws::start(dir.path());
    aws.prepare_sample(dir.path());
    let prep = dir.path().join("prep");
    let estimate = |extra: &[&str]| {
        let mut args = vec!["estimate", "--prepared", s(&prep), "--sample", "10", "--format", "json"];
        args.extend(extra);
        json(&aws.cli(dir.path(), &args))
    };
    // CountTokens on 10 records (free) and 3 rows answered on demand: 13 runtime calls, nothing else.
    let first = estimate(&["--test-rows", "3"]);
    assert_eq!(runtime_calls(&aws.bedrock), 13);
    assert_eq!((first["input"]["records"].as_u64(), first["input"]["sampled"].as_u64()), (Some(120), Some(10)));
    assert!(first["input"]["ratio"].as_f64().is_some_and(|r| r > 0.0), "{first}");
    let (low, expected, high) =
        (first["input"]["low"].as_u64(), first["input"]["expected"].as_u64(), first["input"]["high"].as_u64());
    assert!(low <= expected && expected <= high, "{first}");
    assert!(first["output"]["basis"].as_str().unwrap().contains("sample of 3 rows"), "{first}");
    let costs = first["costs"].as_array().unwrap();
    let tiers: Vec<&str> = costs.iter().map(|c| c["tier"].as_str().unwrap()).collect();
    assert_eq!(tiers, ["batch", "on-demand"], "Claude is not on Flex");
    assert!(costs[0]["expected_usd"].as_f64().unwrap() <= costs[0]["worst_usd"].as_f64().unwrap());
    assert!(first["past_runs"].as_array().unwrap().is_empty());

    // After a run is fetched, the next estimate of the model shows it, estimated beside billed.
    let mut submit = vec!["submit", "--prepared", s(&prep), "--wait"];
    submit.extend(aws_job_args("measured"));
    aws.cli(dir.path(), &submit).ok();
    let run = json(&aws.cli(dir.path(), &["status", "--format", "json"]))[0]["id"].as_str().unwrap().to_string();
    let out = dir.path().join("fetched");
    let fetched = aws.cli(dir.path(), &["fetch", &run, "--out", s(&out)]);
    assert!(fetched.ok().contains("estimate   batch: "), "estimate beside actual: {}", fetched.stdout);
    let second = estimate(&[]);
    let past = second["past_runs"].as_array().unwrap();
    assert_eq!(past.len(), 1);
    assert_eq!(past[0]["run_id"], run.as_str());
    assert!(second["past_ratio"].as_f64().is_some_and(|r| r > 0.0), "{second}");
    assert!(second["output"]["basis"].as_str().unwrap().contains("1 past run"), "{second}");
}

#[test]
fn a_process_killed_right_after_submitting_leaves_one_job_that_the_next_start_follows() {
    let dir = tempfile::tempdir().unwrap();
    let aws = Aws::start(dir.path());
    aws.prepare_sample(dir.path());

    // One job at a time, held in progress: parts 2 and 3 cannot get a job before the kill, whatever the timing.
    let mut submit = command(dir.path(), dir.path(), &borrow(&aws.vars));
    let mut args =
        vec!["submit", "--prepared", "prep", "--wait", "--tag", "emulator-fault=hold", "--max-concurrent-jobs", "1"];
    args.extend(aws_job_args("killed"));
    submit.args(&args).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = KillOnDrop(submit.spawn().unwrap());
    let stderr = child.0.stderr.take().unwrap();
    let mut seen = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("part 1: job arn:") {
            break;
        }
    }
    // Killed (SIGKILL) right after the first job was created and recorded.
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    assert!(seen.contains("part 1: job arn:"), "{seen}");
    assert_eq!(aws.remote_jobs().len(), 1, "exactly the one job the killed process created");

    let runs = json(&aws.cli(dir.path(), &["status", "--format", "json"]));
    let run_id = runs[0]["id"].as_str().unwrap().to_string();
    assert_eq!(runs[0]["state"], "submitting", "an unfinished run is found: {runs}");
    // The next start takes up every unfinished run (the held jobs are let go as they come).
    let releasing = aws.keep_releasing();
    let resumed = json(&aws.cli(dir.path(), &["status", "--watch", "--format", "json"]));
    drop(releasing);
    assert_eq!(resumed.as_array().unwrap().len(), 1);
    let watched = &resumed[0];
    assert_eq!(watched["run"]["id"], run_id.as_str());
    assert_eq!(watched["run"]["state"], "ended");
    let remote = aws.remote_jobs();
    assert_eq!(remote.len(), 3, "one job per part, none twice: {remote:?}");
    let recorded: Vec<&str> =
        watched["jobs"].as_array().unwrap().iter().map(|j| j["job_arn"].as_str().unwrap()).collect();
    assert!(remote.iter().all(|r| recorded.contains(&r["jobArn"].as_str().unwrap())));
}

#[test]
fn the_same_submit_again_continues_its_run_and_a_new_run_is_asked_for_explicitly() {
    let dir = tempfile::tempdir().unwrap();
    let aws = Aws::start(dir.path());
    aws.prepare_sample(dir.path());
    let mut args = vec!["submit", "--prepared", "prep", "--format", "json"];
    args.extend(aws_job_args("again"));
    let first = aws.cli(dir.path(), &args);
    let run = json(&first)["run"]["id"].as_str().unwrap().to_string();
    assert!(first.stderr.contains(&format!("run {run} recorded")), "{}", first.stderr);
    assert_eq!(aws.remote_jobs().len(), 3);

    let second = aws.cli(dir.path(), &args);
    assert_eq!(json(&second)["run"]["id"], run.as_str(), "the same run");
    assert!(second.stderr.contains(&format!("continuing run {run}")), "says which run: {}", second.stderr);
    assert_eq!(aws.remote_jobs().len(), 3, "no part got a second job");

    args.push("--new-run");
    let third = aws.cli(dir.path(), &args);
    assert_ne!(json(&third)["run"]["id"], run.as_str());
    assert_eq!(aws.remote_jobs().len(), 6, "--new-run submits the parts again");
}

#[test]
fn watching_every_run_reports_one_that_cannot_be_followed_and_follows_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut aws = Aws::start(dir.path());
    aws.prepare_sample(dir.path());
    let mut args = vec!["submit", "--prepared", "prep", "--tag", "emulator-fault=hold", "--format", "json"];
    args.extend(aws_job_args("lost"));
    let lost = json(&aws.cli(dir.path(), &args))["run"]["id"].as_str().unwrap().to_string();
    // A Bedrock that never saw those jobs, as another region's would be.
    aws.restart_emulator(dir.path());
    let mut args = vec!["submit", "--prepared", "prep", "--new-run", "--format", "json"];
    args.extend(aws_job_args("kept"));
    let kept = json(&aws.cli(dir.path(), &args))["run"]["id"].as_str().unwrap().to_string();

    let watched = aws.cli(dir.path(), &["status", "--watch", "--format", "json"]);
    assert_eq!(watched.code, Some(1), "a run could not be followed: {}", watched.stderr);
    assert!(watched.stderr.contains(&format!("error: run {lost} cannot be followed")), "{}", watched.stderr);
    // The kept run is followed to its end; it may have ended before the watch began (its job can finish
    // while its own submit still polls, on a busy machine), and then only the status below shows it.
    let reports: Value = serde_json::from_str(&watched.stdout).unwrap();
    let reports = reports.as_array().unwrap();
    assert!(reports.iter().all(|r| r["run"]["id"] == kept.as_str() && r["run"]["state"] == "ended"), "{reports:?}");
    let runs = json(&aws.cli(dir.path(), &["status", "--format", "json"]));
    let state = |id: &str| runs.as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()["state"].clone();
    assert_eq!(state(&kept), "ended");
    assert_eq!(state(&lost), "running", "the broken run is kept as it was");
}

#[test]
fn status_shows_the_model_s_backlog_from_cloudwatch_and_when_it_clears() {
    let dir = tempfile::tempdir().unwrap();
    let aws = Aws::start(dir.path());
    aws.prepare_sample(dir.path());
    // A first run of the model answers its records: the metrics now have a pace, in input tokens a minute.
    let mut args = vec!["submit", "--prepared", "prep", "--wait", "--format", "json"];
    args.extend(aws_job_args("first"));
    json(&aws.cli(dir.path(), &args));
    // A second one is held in progress: its records wait.
    let mut args =
        vec!["submit", "--prepared", "prep", "--new-run", "--tag", "emulator-fault=hold", "--format", "json"];
    args.extend(aws_job_args("waiting"));
    let run = json(&aws.cli(dir.path(), &args))["run"]["id"].as_str().unwrap().to_string();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let (report, text) = loop {
        let report = json(&aws.cli(dir.path(), &["status", &run, "--format", "json"]));
        let backlog = &report["progress"]["backlog"];
        // Every part validated (its records counted) and none ended.
        let counted = report["jobs"].as_array().unwrap().iter().all(|j| j["total_records"].is_u64());
        if counted && backlog["backlog"]["records_pending"].as_f64() == Some(120.0) {
            break (report.clone(), aws.cli(dir.path(), &["status", &run]).stdout);
        }
        assert!(std::time::Instant::now() < deadline, "the backlog never showed the held records: {report}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let reading = &report["progress"]["backlog"];
    assert!(reading["backlog"]["input_tokens_per_minute"].as_f64().unwrap() > 0.0, "{reading}");
    // 120 records at the first run's pace: within the next minutes.
    let clears = reading["clears_at"].as_str().expect("a pace and a record size tell when it clears");
    let clears = batch_core::clock::unix_from_rfc3339(clears).unwrap();
    let now = batch_core::clock::unix_now();
    assert!((now..now + 60 * 60).contains(&clears), "{reading}");
    assert!(text.contains("120 records pending") && text.contains("the backlog clears about"), "{text}");
}

#[test]
fn commands_started_at_once_on_a_new_home_all_open_the_history() {
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let children: Vec<_> = (0..6)
            .map(|_| {
                let mut status = command(dir.path(), dir.path(), &[]);
                status.args(["status", "--format", "json"]).stdout(Stdio::piped()).stderr(Stdio::piped());
                status.spawn().unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "round {round}: {stderr}");
            assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "[]");
        }
    }
}

#[test]
fn stop_and_bad_input_give_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let aws = Aws::start(dir.path());
    aws.prepare_sample(dir.path());
    let mut args = vec!["submit", "--prepared", "prep", "--tag", "emulator-fault=hold", "--format", "json"];
    args.extend(aws_job_args("stopme"));
    let submitted = aws.cli(dir.path(), &args);
    // Without --max-concurrent-jobs the cap comes from Service Quotas (moto has none for Bedrock: defaults).
    assert!(submitted.stderr.contains("quotas: defaults ("), "the quota source is named: {}", submitted.stderr);
    let report = json(&submitted);
    let arn = report["jobs"][0]["job_arn"].as_str().unwrap().to_string();
    let stopped = aws.cli(dir.path(), &["stop", &arn]);
    assert!(stopped.ok().contains("Stopping") || stopped.ok().contains("Stopped"), "{}", stopped.stdout);
    let again = aws.cli(dir.path(), &["stop", &arn]);
    assert!(again.failed().contains("cannot be stopped"), "{}", again.stderr);
    // A whole run, by its id: its running job is stopped, and watching it reaches its end.
    let mut args =
        vec!["submit", "--prepared", "prep", "--new-run", "--tag", "emulator-fault=hold", "--format", "json"];
    args.extend(aws_job_args("stoprun"));
    let run = json(&aws.cli(dir.path(), &args))["run"]["id"].as_str().unwrap().to_string();
    let stopped = aws.cli(dir.path(), &["stop", &run]);
    assert!(stopped.ok().contains(&format!("{run}: stopped (")), "{}", stopped.stdout);
    let watched = json(&aws.cli(dir.path(), &["status", &run, "--watch", "--format", "json"]));
    assert_eq!(watched["run"]["state"], "ended", "{watched}");
    assert_eq!(watched["run"]["stop_requested"], true, "{watched}");

    let mut bad_role = vec!["submit", "--prepared", "prep"];
    bad_role.extend(aws_job_args("x"));
    bad_role[4] = "not-an-arn";
    let refused = aws.cli(dir.path(), &bad_role);
    assert!(refused.failed().contains("--role-arn"), "{}", refused.stderr);
    let mut short = vec!["submit", "--prepared", "prep", "--timeout-hours", "12"];
    short.extend(aws_job_args("x"));
    assert!(aws.cli(dir.path(), &short).failed().contains("24 to 168"));
    assert!(aws.cli(dir.path(), &["fetch", "run-nope", "--out", "x"]).failed().contains("bedrock-batch jobs"));
}

#[test]
fn without_credentials_the_offline_sandbox_runs_the_whole_flow_labelled_as_the_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let no_aws: [(&str, &str); 0] = [];
    let cli = |args: &[&str]| {
        let mut c = command(dir.path(), dir.path(), &no_aws);
        c.args(args);
        finish(c)
    };
    // `run` with nothing configured falls back to the sandbox and says so.
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(sample_args(dir.path()));
    args.extend(["--format".into(), "json".into()]);
    let submitted = cli(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let report = json(&submitted);
    assert!(submitted.stderr.contains("no AWS credentials found"), "{}", submitted.stderr);
    assert!(submitted.stderr.contains("SANDBOX"));
    assert_eq!(report["sandbox"], true);
    let run_id = report["run"]["id"].as_str().unwrap().to_string();
    // A later command follows the same run: the sandbox kept its jobs.
    let watched = json(&cli(&["status", &run_id, "--watch", "--format", "json"]));
    assert_eq!(watched["run"]["state"], "ended");
    let text = cli(&["status", &run_id]);
    assert!(text.ok().starts_with("SANDBOX"), "{}", text.stdout);
    let out = dir.path().join("fetched");
    let fetched = cli(&["fetch", &run_id, "--out", s(&out)]);
    assert!(fetched.ok().starts_with("SANDBOX"));
    assert!(fetched.ok().contains("120 succeeded"), "{}", fetched.stdout);
    let jobs = json(&cli(&["jobs", "--format", "json"]));
    assert!(jobs.as_array().unwrap().iter().all(|j| j["sandbox"] == true && j["status"] == "Completed"));
    // As text, every sandbox job and run says it is the sandbox's.
    let listed = cli(&["jobs"]);
    assert!(listed.ok().lines().all(|l| l.ends_with(&format!("{run_id}  [SANDBOX]"))), "{}", listed.stdout);
    let runs = cli(&["status"]);
    assert!(runs.ok().lines().all(|l| l.starts_with("run-") && l.ends_with("  [SANDBOX]")), "{}", runs.stdout);

    // `sandbox` does it all in one go and exports, with the same export options as `results` and `fetch`.
    let export = dir.path().join("answers.csv");
    let mut all: Vec<String> = vec!["sandbox".into()];
    all.extend(sample_args(&dir.path().join("second")));
    all.extend(["--export".into(), s(&export).into(), "--excel-safe".into()]);
    let done = cli(&all.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(done.ok().contains("Exported 120 rows"), "{}", done.stdout);
    let (headers, rows) = read_csv(&export);
    let text = headers.iter().position(|h| h == "review text").unwrap();
    assert_eq!(rows[49][text], "'=SUM(A1:A3) looks like a formula", "--excel-safe reached the export");
}

#[test]
fn sandbox_commands_sharing_a_home_at_once_lose_no_job() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..3 {
        // Two prepared folders, submitted to the sandbox by two processes at the same moment.
        let folders: Vec<std::path::PathBuf> = (0..2).map(|i| dir.path().join(format!("r{round}-{i}"))).collect();
        for folder in &folders {
            let mut prepare: Vec<String> = vec!["prepare".into()];
            prepare.extend(sample_args(folder));
            let mut cli = command(dir.path(), dir.path(), &[]);
            cli.args(&prepare);
            finish(cli).ok();
        }
        let children: Vec<_> = folders
            .iter()
            .map(|folder| {
                let mut submit = command(dir.path(), dir.path(), &[]);
                submit
                    .args(["submit", "--sandbox", "--prepared", s(&folder.join("prep")), "--format", "json"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                submit.spawn().unwrap()
            })
            .collect();
        let mut runs = Vec::new();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success(), "round {round}: {}", String::from_utf8_lossy(&output.stderr));
            let submitted: Value = serde_json::from_slice(&output.stdout).unwrap();
            runs.push(submitted["run"]["id"].as_str().unwrap().to_string());
        }
        // Every run is followed to its end: no job was lost, none is unknown to the sandbox. (A run whose job
        // ended while its own submit still polled is ended already and not watched again.)
        let mut watch = command(dir.path(), dir.path(), &[]);
        watch.args(["status", "--watch", "--format", "json"]);
        let watched = finish(watch);
        assert_eq!(watched.code, Some(0), "round {round}: {}", watched.stderr);
        let mut status = command(dir.path(), dir.path(), &[]);
        status.args(["status", "--format", "json"]);
        let listed = json(&finish(status));
        for run in &runs {
            let state = listed.as_array().unwrap().iter().find(|r| r["id"] == run.as_str()).map(|r| r["state"].clone());
            assert_eq!(state, Some(Value::from("ended")), "round {round}, run {run}: {listed}");
        }
    }
    let mut jobs = command(dir.path(), dir.path(), &[]);
    jobs.args(["jobs", "--format", "json"]);
    let jobs = json(&finish(jobs));
    assert_eq!(jobs.as_array().unwrap().len(), 6, "{jobs}");
    assert!(jobs.as_array().unwrap().iter().all(|j| j["status"] == "Completed"), "{jobs}");
}

#[test]
fn the_sandbox_answers_in_the_labels_asked_for_and_its_bad_answers_fault_spoils_some() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("labels.csv");
    let mut all: Vec<String> = vec!["sandbox".into()];
    all.extend(sample_args(dir.path()));
    let extra = ["--classify", "praise,complaint", "--tag", "emulator-fault=bad-answers", "--export", s(&export)];
    all.extend(extra.map(str::to_string));
    let mut cli = command(dir.path(), dir.path(), &[]);
    cli.args(&all);
    assert!(finish(cli).ok().contains("Exported 120 rows"));
    let (headers, rows) = read_csv(&export);
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (output, stop) = (column("output"), column("stop_reason"));
    for (i, row) in rows.iter().enumerate() {
        let ordinal = i + 1;
        let answer = serde_json::from_str::<Value>(&row[output]);
        if ordinal % 11 == 0 {
            assert_eq!(row[stop], "max_tokens", "row {ordinal} is cut off at the limit");
            assert!(answer.is_err(), "row {ordinal}: half an object: {}", row[output]);
        } else if ordinal % 7 == 0 {
            assert!(row[output].starts_with("Sure!") && answer.is_err(), "row {ordinal}: prose: {}", row[output]);
        } else {
            let label = answer.unwrap()["label"].as_str().unwrap().to_string();
            assert!(["praise", "complaint"].contains(&label.as_str()), "row {ordinal}: {label}");
        }
    }

    // The rows that fell short, chosen by status, go again on demand — with the schema, as the batch records
    // had it — and the next fetch merges them: every row answered in full.
    let cli = |args: &[&str]| {
        let mut c = command(dir.path(), dir.path(), &[]);
        c.args(args);
        finish(c)
    };
    let run = cli(&["status"]).ok().split_whitespace().next().unwrap().to_string();
    // They go to another model, with more answer tokens and a terser template (a template with an unknown column
    // is refused first, nothing sent).
    let terse = dir.path().join("terse.txt");
    std::fs::write(&terse, "Label: {{ review text }}").unwrap();
    let typo = dir.path().join("typo.txt");
    std::fs::write(&typo, "Label: {{ review txt }}").unwrap();
    let revised = ["--model", "us.amazon.nova-pro-v1:0", "--max-tokens", "400", "--on-demand"];
    let refused = cli(&[&["retry", &run, "--status", "invalid", "--template", s(&typo)][..], &revised[..]].concat());
    assert!(refused.code != Some(0) && refused.stderr.contains("review txt"), "{}", refused.stderr);
    let retried =
        cli(&[&["retry", &run, "--status", "invalid,truncated", "--template", s(&terse)][..], &revised[..]].concat());
    assert!(retried.stderr.contains("26 rows are invalid or truncated"), "{}", retried.stderr);
    assert!(
        retried
            .stderr
            .contains("rendered anew with model us.amazon.nova-pro-v1:0, 400 answer tokens, a changed template"),
        "{}",
        retried.stderr
    );
    // Nova Pro is offered on the Flex tier (Claude Haiku, the run's model, was not).
    assert!(retried.ok().contains("26 rows on flex: 26 answered"), "{}", retried.stdout);
    let fetched = cli(&["fetch", &run, "--out", s(&dir.path().join("fetched"))]);
    assert!(fetched.ok().contains("Joined 120 rows: 120 succeeded"), "{}", fetched.stdout);

    // Rows chosen by an answer field's value: as many as the export holds with that label.
    let (headers, rows) = read_csv(&dir.path().join("fetched").join("results.csv"));
    let label = headers.iter().position(|h| h == "label").unwrap();
    let praise = rows.iter().filter(|r| r[label] == "praise").count();
    assert!(praise > 0 && praise < 120, "{praise}");
    let by_label = cli(&["retry", &run, "--status", "succeeded", "--where", "label=praise", "--on-demand"]);
    assert!(
        by_label.stderr.contains(&format!("{praise} rows are succeeded, with label praise")),
        "{}",
        by_label.stderr
    );
    assert!(by_label.ok().contains(&format!("{praise} rows on on-demand: {praise} answered")), "{}", by_label.stdout);
    let unknown = cli(&["retry", &run, "--where", "mood=calm"]);
    assert!(unknown.stderr.contains(r#"has no field "mood" (its fields: label)"#), "{}", unknown.stderr);
    let malformed = cli(&["retry", &run, "--where", "label"]);
    assert!(malformed.stderr.contains("is not FIELD=VALUE"), "{}", malformed.stderr);
    let wrong = cli(&["retry", &run, "--status", "lost"]);
    assert!(wrong.stderr.contains("\"lost\" is not a row status; use one of succeeded, failed"), "{}", wrong.stderr);
}

#[test]
fn a_sample_sent_to_two_models_is_a_run_each_and_compared_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let cli = |extra: &[&str]| {
        let mut args: Vec<String> = vec!["sandbox".into()];
        args.extend(sample_args(dir.path()));
        args.extend(extra.iter().map(|a| a.to_string()));
        let mut c = command(dir.path(), dir.path(), &[]);
        c.args(&args);
        finish(c)
    };
    // Free-text answers have nothing to compare: refused before anything is prepared.
    let free = cli(&["--compare-with", "us.amazon.nova-pro-v1:0"]);
    assert!(free.code != Some(0) && free.stderr.contains("define labels or fields"), "{}", free.stderr);
    assert!(!dir.path().join("prep").exists());

    let export = dir.path().join("labels.csv");
    let compared = cli(&[
        "--classify",
        "praise,complaint,neutral",
        "--first",
        "100",
        "--job-name",
        "reviews",
        "--compare-with",
        "us.amazon.nova-pro-v1:0",
        "--export",
        s(&export),
    ]);
    let text = compared.ok();
    assert!(text.contains("Compared 2 runs over the 100 rows they share"), "{text}");
    assert!(text.contains("label: agree on "), "{text}");
    for (name, model) in [
        ("reviews-claude-haiku-4-5-20251001-v1-0", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("reviews-nova-pro-v1-0", "us.amazon.nova-pro-v1:0"),
    ] {
        let plan: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("prep").join(name).join("plan.json")).unwrap())
                .unwrap();
        assert_eq!((plan["model"]["id"].as_str(), plan["totals"]["records"].as_u64()), (Some(model), Some(100)));
        let (_, rows) = read_csv(&dir.path().join(format!("labels-{name}.csv")));
        assert_eq!(rows.len(), 100, "{name}: the sample's rows, each model's export of its own");
        assert!(text.contains(model), "{model} in the totals: {text}");
    }
}

#[test]
fn compare_of_two_sandbox_runs_agrees_with_the_agreement_counted_by_hand_from_their_exports() {
    let dir = tempfile::tempdir().unwrap();
    let no_aws: [(&str, &str); 0] = [];
    let cli = |args: &[String]| {
        let mut c = command(dir.path(), dir.path(), &no_aws);
        c.args(args);
        finish(c)
    };
    // Two runs over the same 120 rows: another template (so other answers), and one with spoiled answers.
    let other_template = dir.path().join("terse.txt");
    std::fs::write(&other_template, "Label this review: {{ review text }}").unwrap();
    let mut runs = Vec::new();
    let mut exports = Vec::new();
    for (name, template, fault) in [("a", samples().join("prompt.txt"), false), ("b", other_template, true)] {
        let export = dir.path().join(format!("{name}.csv"));
        let mut args: Vec<String> = vec!["sandbox".into()];
        args.extend(sample_args(&dir.path().join(name)));
        let at = args.iter().position(|a| a == "--template").unwrap() + 1;
        args[at] = s(&template).into();
        args.extend(
            ["--classify", "praise,complaint,neutral", "--export", s(&export), "--format", "json"].map(String::from),
        );
        if fault {
            args.extend(["--tag", "emulator-fault=bad-answers"].map(String::from));
        }
        runs.push(json(&cli(&args))["run"].as_str().unwrap().to_string());
        exports.push(read_csv(&export));
    }
    // By hand: rows both answered in full; of those, the ones with the same label; the rest that either answered.
    let label_of = |(headers, rows): &(Vec<String>, Vec<Vec<String>>), i: usize| {
        let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
        (rows[i][at("status")] == "succeeded").then(|| rows[i][at("label")].clone())
    };
    let (mut compared, mut agreed, mut differ) = (0u64, 0u64, Vec::new());
    for i in 0..120 {
        match (label_of(&exports[0], i), label_of(&exports[1], i)) {
            (Some(a), Some(b)) => {
                compared += 1;
                if a == b {
                    agreed += 1;
                } else {
                    differ.push(i + 1);
                }
            }
            (None, None) => {}
            _ => differ.push(i + 1),
        }
    }
    assert!(compared < 120 && agreed > 0 && agreed < compared, "a comparison worth making: {agreed}/{compared}");

    let disagreements = dir.path().join("disagree.csv");
    let args = ["compare", &runs[0], &runs[1], "--export", s(&disagreements), "--format", "json"].map(String::from);
    let report = json(&cli(&args));
    let label = &report["comparison"]["fields"][0];
    assert_eq!((label["compared"].as_u64(), label["agreed"].as_u64()), (Some(compared), Some(agreed)));
    let matrix_total: u64 =
        label["confusion"][0]["cells"].as_array().unwrap().iter().map(|c| c["rows"].as_u64().unwrap()).sum();
    assert_eq!(matrix_total, compared, "the confusion matrix holds every compared row");
    let answered_b = (0..120).filter(|&i| label_of(&exports[1], i).is_some()).count() as u64;
    assert_eq!(report["totals"][1]["succeeded"].as_u64(), Some(answered_b));
    assert_eq!(report["totals"][0]["rows"].as_u64(), Some(120));
    let (headers, rows) = read_csv(&disagreements);
    assert_eq!(headers, ["row".to_string(), format!("label ({})", runs[0]), format!("label ({})", runs[1])]);
    assert_eq!(rows.iter().map(|r| r[0].parse::<usize>().unwrap()).collect::<Vec<_>>(), differ);

    let text = cli(&["compare".into(), runs[0].clone(), runs[1].clone()]);
    let expected = format!("label: agree on {agreed} of {compared} rows answered by every run");
    assert!(text.ok().contains(&expected), "{}", text.stdout);
    // `results --summary` of run b counts its labels as its export holds them.
    let prep = dir.path().join("b").join("prep");
    let summary = cli(&[
        "results".into(),
        "--input".into(),
        s(&samples().join("reviews.csv")).into(),
        "--prepared".into(),
        s(&prep).into(),
        "--outputs".into(),
        s(&prep.join("results").join("outputs")).into(),
        "--export".into(),
        s(&dir.path().join("b.parquet")).into(),
        "--summary".into(),
    ]);
    assert!(summary.ok().contains(&format!("Answers: {answered_b} valid")), "{}", summary.stdout);
    for label in ["praise", "complaint", "neutral"] {
        let rows = (0..120).filter(|&i| label_of(&exports[1], i).as_deref() == Some(label)).count();
        let line = summary.ok().lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_default().to_string();
        assert_eq!(line.split_whitespace().nth(1), Some(rows.to_string().as_str()), "{label}: {line}");
    }
    let one = cli(&["compare".into(), runs[0].clone()]);
    assert_ne!(one.code, Some(0), "one run is not a comparison");
}

#[test]
fn a_job_made_by_another_tool_opens_from_its_downloaded_files_with_its_own_record_ids_and_joins_a_sheet() {
    let dir = tempfile::tempdir().unwrap();
    // A notebook's job: its DataFrame index as record ids, Claude's own body, one record refused, AWS's layout.
    let outputs = dir.path().join("downloads").join("k2j4h5g6f7d8");
    std::fs::create_dir_all(&outputs).unwrap();
    let line = |id: &str, review: &str| {
        let input = serde_json::json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
            "system": "Classify the review.", "messages": [{"role": "user", "content": [{"type": "text", "text": review}]}]});
        let output = serde_json::json!({"id": "msg_1", "type": "message", "role": "assistant",
            "content": [{"type": "text", "text": format!("praise ({id})")}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 20, "output_tokens": 3}});
        serde_json::json!({"modelInput": input, "modelOutput": output, "recordId": id}).to_string()
    };
    let mut lines: Vec<String> = (0..40).map(|i| line(&i.to_string(), &format!("Great product #{i}, =1+1"))).collect();
    lines.push(
        serde_json::json!({"modelInput": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100, "messages": []},
            "error": {"errorCode": 400, "errorMessage": "messages: at least one message is required"}, "recordId": "40"})
        .to_string(),
    );
    std::fs::write(outputs.join("input.jsonl.out"), lines.join("\n") + "\n").unwrap();
    std::fs::write(
        outputs.join("manifest.json.out"),
        r#"{"totalRecordCount":41,"processedRecordCount":41,"successRecordCount":40,"errorRecordCount":1,"inputTokenCount":800,"outputTokenCount":120}"#,
    )
    .unwrap();
    // The notebook's DataFrame: its index (from 0) is the record id; rows 41 and 42 were never sent.
    let sheet = dir.path().join("reviews.csv");
    let rows: String = (0..43).map(|i| format!("Great product #{i}\n")).collect();
    std::fs::write(&sheet, format!("review\n{rows}")).unwrap();
    let export = dir.path().join("opened.csv");
    let mut cli = command(dir.path(), dir.path(), &[]);
    cli.args(["open", "--outputs", s(&dir.path().join("downloads")), "--export", s(&export), "--excel-safe"]);
    cli.args(["--model", "anthropic.claude-haiku-4-5-20251001-v1:0"]);
    let opened = finish(cli);
    let text = opened.ok();
    assert!(text.contains("output lines opened as run"), "{text}");
    assert!(text.contains("records    41 (read from its output lines)"), "{text}");
    assert!(text.contains("Joined 41 rows: 40 succeeded, 1 failed, 0 missing"), "{text}");
    assert!(text.contains("at batch prices (tokens from the manifests)"), "{text}");
    let (headers, rows) = read_csv(&export);
    assert_eq!(headers[..5], ["system", "prompt", "notes", "record_id", "status"]);
    assert_eq!(rows.len(), 41, "every record, once");
    assert_eq!(rows[7][3], "7");
    assert_eq!((rows[7][0].as_str(), rows[7][1].as_str()), ("Classify the review.", "Great product #7, =1+1"));
    assert_eq!((rows[7][4].as_str(), rows[7][5].as_str()), ("succeeded", "praise (7)"));
    assert_eq!(
        (rows[40][4].as_str(), rows[40][6].as_str()),
        ("failed", "400: messages: at least one message is required")
    );
    // Joined to the sheet by row number: the sheet's rows, the two never sent accounted for as missing. By
    // default the run's folder goes beside the downloads, never among them.
    let mut joined = command(dir.path(), dir.path(), &[]);
    joined.args(["open", "--outputs", s(&dir.path().join("downloads")), "--input", s(&sheet), "--row-number", "0"]);
    let text = finish(joined).ok().to_string();
    assert!(text.contains("sheet      43 rows: 2 with no record; 0 records match no row"), "{text}");
    assert!(text.contains("Joined 43 rows: 40 succeeded, 1 failed, 2 missing"), "{text}");
    let (headers, rows) = read_csv(&dir.path().join("downloads-opened").join("results.csv"));
    assert_eq!(headers[..3], ["review", "record_id", "status"]);
    assert_eq!(
        (rows[42][0].as_str(), rows[42][1].as_str(), rows[42][2].as_str()),
        ("Great product #42", "42", "missing")
    );
    // A sheet without a way to find each row's record id is refused with the fix.
    let mut unsaid = command(dir.path(), dir.path(), &[]);
    unsaid.args(["open", "--outputs", s(&dir.path().join("downloads")), "--input", s(&sheet)]);
    assert!(finish(unsaid).failed().contains("--id-column COLUMN, or --row-number 0"));
}
