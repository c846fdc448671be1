//! The on-demand path through the real bedrock-runtime client against the emulator: a 60-row part answered with
//! Converse, a Llama part with InvokeModel, both joined like batch outputs; and a resume after a crash that sends
//! only the unanswered rows, counted at the emulator.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use batch_app::lifecycle::Pacing;
use batch_app::on_demand::{OnDemandOptions, answer_part};
use batch_aws::on_demand::RuntimeInvoker;
use batch_core::limits::Limits;
use batch_core::model::{InvocationType, ModelId};
use batch_core::prepare::{PrepareRequest, prepare};
use batch_core::pricing::PriceTable;
use batch_core::progress::NoProgress;
use batch_core::records::InferenceParams;
use batch_core::results::{ResultsRequest, join_results};
use batch_core::service_tier::Tier;
use batch_core::sheet::SheetOptions;
use bedrock_emulator::sandbox::SandboxServers;
use e2e_tests::http::request;

/// A `rows`-row sheet prepared for `model` (the batch minimum lowered so the part is written; on-demand has none).
fn prepare_sheet(dir: &Path, rows: u64, model: &str, invocation: Option<InvocationType>) -> (PathBuf, PathBuf) {
    let input = dir.join("sheet.csv");
    let lines: String = (1..=rows).map(|i| format!("T{i},ticket number {i} about a late parcel\n")).collect();
    std::fs::write(&input, format!("id,text\n{lines}")).unwrap();
    let out = dir.join("prepared");
    let request = PrepareRequest {
        input: input.clone(),
        sheet: SheetOptions::default(),
        template: "Classify: {{text}}".into(),
        system: Some("Answer in one word.".into()),
        model: ModelId::parse(model).unwrap(),
        invocation,
        params: InferenceParams { max_tokens: 20, ..InferenceParams::default() },
        answer: batch_core::answer::AnswerShape::FreeText,
        id_column: Some("id".into()),
        limits: Limits { min_records_per_job: 1, ..Limits::default() },
        prices: PriceTable::bundled(),
        out_dir: out.clone(),
    };
    prepare(&request, &NoProgress).unwrap();
    (input, out)
}

fn options() -> OnDemandOptions {
    OnDemandOptions {
        concurrency: 4,
        requests_per_minute: 60_000.0,
        min_requests_per_minute: 600.0,
        attempts: 4,
        pacing: Pacing::local(),
    }
}

fn runtime_calls(endpoint: &str) -> u64 {
    let addr = endpoint.trim_start_matches("http://");
    let answer: serde_json::Value =
        serde_json::from_slice(&request(addr, "GET", "/emulator/runtime-calls", b"").body).unwrap();
    answer["calls"].as_u64().unwrap()
}

async fn answer(
    servers: &SandboxServers,
    model: &str,
    invocation: InvocationType,
    prepared: &Path,
    out: &Path,
) -> batch_app::on_demand::OnDemandReport {
    let config = test_servers::sdk_config(&servers.bedrock_endpoint()).await;
    let invoker = Arc::new(RuntimeInvoker::new(&config, ModelId::parse(model).unwrap(), invocation, Tier::OnDemand));
    answer_part(invoker, &prepared.join("part-001.jsonl"), out, options(), &AtomicBool::new(false)).await.unwrap()
}

fn join(input: &Path, prepared: &Path, outputs: &Path, dir: &Path) -> batch_core::results::ResultsSummary {
    let request = ResultsRequest {
        input: input.to_path_buf(),
        sheet: None,
        prepared: prepared.to_path_buf(),
        outputs: outputs.to_path_buf(),
        export: dir.join("joined.csv"),
        excel_safe: false,
        prices: PriceTable::bundled(),
        allow_no_outputs: false,
        unfinished_list: None,
    };
    join_results(&request, &NoProgress).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_rows_answered_on_demand_join_as_batch_answers() {
    let dir = tempfile::tempdir().unwrap();
    let servers = SandboxServers::start(&dir.path().join("sandbox"), &[]).unwrap();
    let (input, prepared) = prepare_sheet(dir.path(), 60, "us.amazon.nova-lite-v1:0", None);
    let outputs = dir.path().join("outputs");
    let report = answer(
        &servers,
        "us.amazon.nova-lite-v1:0",
        InvocationType::Converse,
        &prepared,
        &outputs.join("on-demand-001"),
    )
    .await;
    assert_eq!((report.calls, report.manifest.success_record_count), (60, 60));
    assert_eq!(runtime_calls(&servers.bedrock_endpoint()), 60);
    let summary = join(&input, &prepared, &outputs, dir.path());
    assert_eq!((summary.succeeded, summary.failed, summary.missing), (60, 0, 0));
    assert_eq!(summary.cost_basis.as_deref(), Some("manifests"));
    assert!(summary.tokens.input_from_outputs > 0);
    let tiers: Vec<(Tier, u64)> = summary.tiers.iter().map(|t| (t.tier, t.rows)).collect();
    assert_eq!(tiers, [(Tier::OnDemand, 60)]);

    // Llama's native body through InvokeModel.
    let llama = dir.path().join("llama");
    std::fs::create_dir_all(&llama).unwrap();
    let (input, prepared) =
        prepare_sheet(&llama, 12, "meta.llama3-1-8b-instruct-v1:0", Some(InvocationType::InvokeModel));
    let outputs = llama.join("outputs");
    answer(&servers, "meta.llama3-1-8b-instruct-v1:0", InvocationType::InvokeModel, &prepared, &outputs.join("od"))
        .await;
    let summary = join(&input, &prepared, &outputs, &llama);
    assert_eq!((summary.succeeded, summary.failed), (12, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_resumed_after_a_crash_sends_only_the_unanswered_rows() {
    let dir = tempfile::tempdir().unwrap();
    let servers = SandboxServers::start(&dir.path().join("sandbox"), &[]).unwrap();
    let (input, prepared) = prepare_sheet(dir.path(), 40, "amazon.nova-lite-v1:0", None);
    let out = dir.path().join("outputs").join("on-demand-001");
    answer(&servers, "amazon.nova-lite-v1:0", InvocationType::Converse, &prepared, &out).await;
    // As if killed after 25 answers were written, mid-way through the 26th line.
    let answers = out.join("part-001.jsonl.out");
    let text = std::fs::read_to_string(&answers).unwrap();
    let kept: Vec<&str> = text.lines().take(25).collect();
    std::fs::write(&answers, kept.join("\n") + "\n{\"modelInput\":{\"mess").unwrap();
    let before = runtime_calls(&servers.bedrock_endpoint());
    let resumed = answer(&servers, "amazon.nova-lite-v1:0", InvocationType::Converse, &prepared, &out).await;
    assert_eq!(runtime_calls(&servers.bedrock_endpoint()) - before, 15, "only the 15 rows without an answer");
    assert_eq!((resumed.already_answered, resumed.manifest.success_record_count), (25, 40));
    let summary = join(&input, &prepared, &dir.path().join("outputs"), dir.path());
    assert_eq!((summary.succeeded, summary.duplicate_records), (40, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_at_the_service_slows_the_run_and_every_row_is_still_answered() {
    let dir = tempfile::tempdir().unwrap();
    let servers = SandboxServers::start(&dir.path().join("sandbox"), &[]).unwrap();
    let (_, prepared) = prepare_sheet(dir.path(), 30, "amazon.nova-lite-v1:0", None);
    let addr = servers.bedrock_endpoint().trim_start_matches("http://").to_string();
    assert_eq!(request(&addr, "POST", "/emulator/runtime-throttle/5", b"").status, 200);
    let out = dir.path().join("outputs").join("on-demand-001");
    let report = answer(&servers, "amazon.nova-lite-v1:0", InvocationType::Converse, &prepared, &out).await;
    // Each ThrottlingException reaches the adaptive rate (the SDK does not retry it away), and is retried.
    assert_eq!((report.throttled, report.calls, report.manifest.success_record_count), (5, 35, 30));
    assert_eq!(runtime_calls(&servers.bedrock_endpoint()), 35);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_of_the_service_are_retried_and_every_row_is_still_answered() {
    let dir = tempfile::tempdir().unwrap();
    let servers = SandboxServers::start(&dir.path().join("sandbox"), &[]).unwrap();
    let (_, prepared) = prepare_sheet(dir.path(), 20, "amazon.nova-lite-v1:0", None);
    let addr = servers.bedrock_endpoint().trim_start_matches("http://").to_string();
    assert_eq!(request(&addr, "POST", "/emulator/runtime-fail/4", b"").status, 200);
    let out = dir.path().join("outputs").join("on-demand-001");
    let report = answer(&servers, "amazon.nova-lite-v1:0", InvocationType::Converse, &prepared, &out).await;
    // A 500 InternalServerException is retried with backoff (not counted as throttling), and no row is lost.
    assert_eq!((report.throttled, report.calls, report.manifest.success_record_count), (0, 24, 20));
    assert_eq!(report.manifest.error_record_count, 0);
    assert_eq!(runtime_calls(&servers.bedrock_endpoint()), 24);
}

/// Answers `prepared`'s part at `requests_per_minute` (4 calls at once, six attempts) through the emulator.
async fn answer_at(
    servers: &SandboxServers,
    prepared: &Path,
    out: &Path,
    requests_per_minute: f64,
) -> batch_app::on_demand::OnDemandReport {
    let config = test_servers::sdk_config(&servers.bedrock_endpoint()).await;
    let model = ModelId::parse("amazon.nova-lite-v1:0").unwrap();
    let invoker = Arc::new(RuntimeInvoker::new(&config, model, InvocationType::Converse, Tier::OnDemand));
    let options = OnDemandOptions::new(false, Some(requests_per_minute), Some(4), Pacing::local());
    answer_part(invoker, &prepared.join("part-001.jsonl"), out, options, &AtomicBool::new(false)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_rows_under_an_account_quota_are_throttled_only_briefly() {
    let dir = tempfile::tempdir().unwrap();
    let servers = SandboxServers::start(&dir.path().join("sandbox"), &[]).unwrap();
    let (_, prepared) = prepare_sheet(dir.path(), 1_000, "amazon.nova-lite-v1:0", None);
    let addr = servers.bedrock_endpoint().trim_start_matches("http://").to_string();
    // The account allows 6,000 requests a minute (100 a second).
    assert_eq!(request(&addr, "POST", "/emulator/runtime-quota/6000", b"").status, 200);

    // Paced within the quota (80% of it, as the tool starts when Service Quotas says it): never throttled.
    let within = answer_at(&servers, &prepared, &dir.path().join("within"), 4_800.0).await;
    assert_eq!((within.manifest.success_record_count, within.throttled), (1_000, 0), "{within:?}");

    // Asked for twice the quota: the rate halves at the first throttles and settles under it — throttled calls
    // stay a small share of the run, and every row is answered.
    let eager = answer_at(&servers, &prepared, &dir.path().join("eager"), 12_000.0).await;
    assert_eq!(eager.manifest.success_record_count, 1_000);
    eprintln!(
        "1,000 rows under a 6,000/min quota: at 4,800/min {} calls, {} throttled; asked 12,000/min {} calls, {} throttled",
        within.calls, within.throttled, eager.calls, eager.throttled
    );
    assert!(eager.throttled > 0, "the quota was met: {eager:?}");
    assert!(eager.throttled * 10 < eager.calls, "throttled only briefly: {} of {} calls", eager.throttled, eager.calls);
}
