//! The on-demand path over a fake invoker: every record answered once in batch's output format, a resume that
//! sends only the unanswered records, throttling absorbed by the adaptive rate, a record's own failure written as
//! its error line, an account-wide refusal that stops the run and keeps its answers, and stop.

use std::sync::Mutex;
use std::time::Duration;

use batch_core::service_tier::Tier;
use serde_json::json;

use super::*;

/// Answers `{"n": i}` with a Converse body; throttles the first `throttle_first` calls; refuses record `invalid`
/// as invalid; after `deny_after` calls, refuses everything as access denied.
#[derive(Default)]
struct FakeInvoker {
    calls: Mutex<Vec<u64>>,
    throttle_first: usize,
    invalid: Option<u64>,
    deny_after: Option<usize>,
}

impl RecordInvoker for FakeInvoker {
    fn tier(&self) -> Tier {
        Tier::OnDemand
    }

    async fn count_tokens(&self, _model_input: &Value) -> Result<u64, ServiceError> {
        Ok(10)
    }

    async fn invoke(&self, model_input: &Value) -> Result<Value, ServiceError> {
        let n = model_input["n"].as_u64().unwrap_or(0);
        let made = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(n);
            calls.len()
        };
        tokio::time::sleep(Duration::from_millis(5)).await;
        if made <= self.throttle_first {
            return Err(ServiceError::new(
                FailureKind::Throttled,
                "Converse",
                "ThrottlingException: Too many requests",
            ));
        }
        if self.deny_after.is_some_and(|after| made > after) {
            return Err(ServiceError::new(FailureKind::AccessDenied, "Converse", "AccessDeniedException: not allowed"));
        }
        if self.invalid == Some(n) {
            return Err(ServiceError::new(FailureKind::Invalid, "Converse", "ValidationException: bad input"));
        }
        Ok(json!({"output": {"message": {"role": "assistant", "content": [{"text": format!("answer {n}")}]}},
                  "stopReason": "end_turn", "usage": {"inputTokens": 10, "outputTokens": 2, "totalTokens": 12}}))
    }
}

fn options() -> OnDemandOptions {
    OnDemandOptions {
        concurrency: 4,
        requests_per_minute: 6_000.0,
        min_requests_per_minute: 60.0,
        attempts: 6,
        pacing: Pacing::local(),
    }
}

/// A part file of `rows` records with ids `R0001`… and inputs `{"n": i}`.
fn part(dir: &Path, rows: u64) -> PathBuf {
    let path = dir.join("part-001.jsonl");
    let lines: String =
        (1..=rows).map(|n| format!("{{\"recordId\":\"R{n:04}\",\"modelInput\":{{\"n\":{n}}}}}\n")).collect();
    std::fs::write(&path, lines).unwrap();
    path
}

fn answer_lines(out: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(out.join("part-001.jsonl.out")).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn run(invoker: &Arc<FakeInvoker>, part: &Path, out: &Path) -> Result<OnDemandReport, OnDemandError> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    runtime.block_on(answer_part(invoker.clone(), part, out, options(), &AtomicBool::new(false)))
}

#[test]
fn sixty_records_are_answered_once_each_as_a_batch_job_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let (part, out) = (part(dir.path(), 60), dir.path().join("out"));
    let invoker = Arc::new(FakeInvoker::default());
    let report = run(&invoker, &part, &out).unwrap();
    assert_eq!((report.calls, report.already_answered, report.throttled, report.stopped), (60, 0, 0, false));
    let lines = answer_lines(&out);
    let mut ids: Vec<&str> = lines.iter().map(|l| l["recordId"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (1..=60).map(|n| format!("R{n:04}")).collect::<Vec<_>>());
    let keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["modelInput", "modelOutput", "recordId"], "the layout of a batch job's lines");
    let manifest: Manifest = serde_json::from_str(&std::fs::read_to_string(out.join(MANIFEST_FILE)).unwrap()).unwrap();
    let expected = Manifest {
        total_record_count: 60,
        processed_record_count: 60,
        success_record_count: 60,
        error_record_count: 0,
        input_token_count: 600,
        output_token_count: 120,
        service_tier: Some(Tier::OnDemand),
    };
    assert_eq!((manifest, report.manifest.clone()), (expected.clone(), expected));
}

#[test]
fn a_resumed_run_sends_only_the_records_without_an_answer() {
    let dir = tempfile::tempdir().unwrap();
    let (part, out) = (part(dir.path(), 60), dir.path().join("out"));
    std::fs::create_dir_all(&out).unwrap();
    // An earlier run answered 25 records, had sent 3 more without an answer, and was killed mid-line.
    let earlier: String = (1..=25)
        .map(|n| {
            output_line(
                json!(format!("R{n:04}")),
                json!({"n": n}),
                Ok(json!({"output": {"message": {"content": [{"text": "old"}]}}})),
            )
            .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(out.join("part-001.jsonl.out"), earlier + "{\"modelInput\":{\"n\":26},\"modelOut").unwrap();
    let journal: String = (1..=28).map(|n| format!("R{n:04}\n")).collect();
    std::fs::write(out.join("part-001.jsonl.sent"), journal).unwrap();
    let invoker = Arc::new(FakeInvoker::default());
    let report = run(&invoker, &part, &out).unwrap();
    let mut sent = invoker.calls.lock().unwrap().clone();
    sent.sort();
    assert_eq!(sent, (26..=60).collect::<Vec<_>>(), "never an answered record again");
    assert_eq!((report.already_answered, report.sent_again, report.calls), (25, 3, 35));
    assert_eq!((report.manifest.total_record_count, report.manifest.success_record_count), (60, 60));
    let old = answer_lines(&out)
        .iter()
        .filter(|l| l.pointer("/modelOutput/output/message/content/0/text") == Some(&json!("old")))
        .count();
    assert_eq!(old, 25, "the earlier answers are kept");
}

#[test]
fn throttling_lowers_the_rate_and_every_record_still_gets_its_answer() {
    let dir = tempfile::tempdir().unwrap();
    let (part, out) = (part(dir.path(), 40), dir.path().join("out"));
    let invoker = Arc::new(FakeInvoker { throttle_first: 6, ..FakeInvoker::default() });
    let report = run(&invoker, &part, &out).unwrap();
    assert_eq!(report.throttled, 6);
    assert_eq!(report.calls, 46, "each throttled call retried once it was its turn again");
    assert_eq!(report.manifest.success_record_count, 40);
}

#[test]
fn a_record_s_own_failure_is_its_error_line_and_an_account_refusal_stops_the_run_keeping_its_answers() {
    let dir = tempfile::tempdir().unwrap();
    let (part, out) = (part(dir.path(), 30), dir.path().join("out"));
    let invoker = Arc::new(FakeInvoker { invalid: Some(7), ..FakeInvoker::default() });
    let report = run(&invoker, &part, &out).unwrap();
    assert_eq!((report.manifest.success_record_count, report.manifest.error_record_count), (29, 1));
    let failed = answer_lines(&out).into_iter().find(|l| l["recordId"] == "R0007").unwrap();
    assert_eq!(failed["error"], json!({"errorCode": 400, "errorMessage": "Converse: ValidationException: bad input"}));
    assert_eq!(report.calls, 30, "an invalid record is not retried");

    let out = dir.path().join("denied");
    let invoker = Arc::new(FakeInvoker { deny_after: Some(10), ..FakeInvoker::default() });
    let refused = run(&invoker, &part, &out).unwrap_err();
    let OnDemandError::Refused { answered, error } = &refused else { panic!("{refused}") };
    assert_eq!((*answered, error.kind), (10, FailureKind::AccessDenied));
    assert_eq!(answer_lines(&out).len(), 10, "the answers before the refusal are kept, no error lines for the rest");
    assert!(invoker.calls.lock().unwrap().len() <= 10 + 4, "at most the calls in flight after the refusal");
    assert!(refused.to_string().contains("the 10 answers so far are kept"), "{refused}");
}

#[test]
fn a_stop_sends_nothing_more_and_a_later_run_finishes_the_part() {
    let dir = tempfile::tempdir().unwrap();
    let (part, out) = (part(dir.path(), 30), dir.path().join("out"));
    let invoker = Arc::new(FakeInvoker::default());
    let stop = AtomicBool::new(true);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    let stopped = runtime.block_on(answer_part(invoker.clone(), &part, &out, options(), &stop)).unwrap();
    assert!(stopped.stopped);
    assert_eq!(
        (stopped.calls, stopped.manifest.total_record_count, stopped.manifest.processed_record_count),
        (0, 30, 0)
    );
    let finished = run(&invoker, &part, &out).unwrap();
    assert_eq!((finished.calls, finished.manifest.success_record_count), (30, 30));
}
