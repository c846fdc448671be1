//! The whole job lifecycle through the real SDK clients: moto's S3, the Bedrock emulator, the SQLite
//! history — upload, submit under a cap, poll, fetch, join, retry, stop, and the faults that must neither
//! lose nor duplicate a job.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use batch_app::history::{History, JobSettings, RunState, VpcSettings};
use batch_app::lifecycle::{
    Event, FetchRequest, JoinedInto, Lifecycle, LifecycleEvents, Pacing, RetryRequest, SubmitRequest, Until,
};
use batch_app::ports::{FailureKind, JobFilter, JobSnapshot, JobsApi, NewJob, ServiceError};
use batch_aws::s3_upload::UploadSettings;
use batch_aws::{BedrockJobs, S3Transfer};
use batch_core::aws_names::{JobName, RoleArn, S3Uri};
use batch_core::limits::Limits;
use batch_core::model::ModelId;
use batch_core::prepare::{PrepareRequest, prepare};
use batch_core::pricing::PriceTable;
use batch_core::progress::NoProgress;
use batch_core::records::InferenceParams;
use batch_core::sheet::SheetOptions;
use bedrock_emulator::{EmulatorHandle, ObjectStore, Registry, RegistryConfig, S3Store, spawn_shared};
use test_servers::{Moto, sdk_config};

const MODEL: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";

fn limits() -> Limits {
    Limits { min_records_per_job: 5, max_records_per_file: 40, max_records_per_job: 40, ..Limits::default() }
}

/// Writes a 100-row sheet and prepares it into 3 parts.
fn prepared(dir: &Path) -> PathBuf {
    let input = dir.join("sheet.csv");
    let mut text = String::from("id,text\n");
    for i in 1..=100 {
        text.push_str(&format!("U{i},review number {i}\n"));
    }
    std::fs::write(&input, text).unwrap();
    let out = dir.join("prepared");
    let request = PrepareRequest {
        input,
        sheet: SheetOptions::default(),
        template: "Summarise: {{text}}".into(),
        system: None,
        model: ModelId::parse(MODEL).unwrap(),
        invocation: None,
        params: InferenceParams { max_tokens: 50, ..InferenceParams::default() },
        answer: batch_core::answer::AnswerShape::FreeText,
        id_column: Some("id".into()),
        limits: limits(),
        prices: PriceTable::bundled(),
        out_dir: out.clone(),
    };
    assert_eq!(prepare(&request, &NoProgress).unwrap().parts.len(), 3);
    out
}

/// moto's S3 and the Bedrock emulator working on it.
struct Stack {
    _moto: Moto,
    _emulator: EmulatorHandle,
    registry: Arc<Mutex<Registry>>,
    s3: aws_sdk_s3::Client,
    bedrock: aws_sdk_bedrock::Client,
    metrics: aws_sdk_cloudwatch::Client,
}

async fn stack() -> Stack {
    let moto = Moto::start();
    let config = sdk_config(&moto.endpoint()).await;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());
    for bucket in ["in-bucket", "out-bucket"] {
        s3.create_bucket().bucket(bucket).send().await.unwrap();
    }
    let store: Arc<dyn ObjectStore> = Arc::new(S3Store::new(s3.clone(), tokio::runtime::Handle::current()));
    let registry =
        Arc::new(Mutex::new(Registry::new(RegistryConfig { limits: limits(), ..RegistryConfig::default() })));
    let emulator =
        spawn_shared("127.0.0.1:0".parse().unwrap(), registry.clone(), store, "us-east-1", Duration::from_millis(15))
            .unwrap();
    let bedrock = aws_sdk_bedrock::Client::new(&sdk_config(&emulator.endpoint()).await);
    let metrics = aws_sdk_cloudwatch::Client::new(&sdk_config(&emulator.endpoint()).await);
    Stack { _moto: moto, _emulator: emulator, registry, s3, bedrock, metrics }
}

impl Stack {
    /// The real adapters over the stack's SDK clients.
    fn adapters(&self) -> (BedrockJobs, S3Transfer) {
        (
            BedrockJobs::new(self.bedrock.clone(), self.metrics.clone()),
            S3Transfer::new(self.s3.clone(), UploadSettings::default()),
        )
    }
}

/// One test's world: a 3-part prepared sheet, the stack, a history and the real adapters.
struct Fixture {
    dir: tempfile::TempDir,
    prepared: PathBuf,
    stack: Stack,
    history: Mutex<History>,
    jobs: BedrockJobs,
    transfer: S3Transfer,
    cancel: AtomicBool,
}

impl Fixture {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let prepared = prepared(dir.path());
        let stack = stack().await;
        let history = Mutex::new(History::open(&dir.path().join("history.sqlite")).unwrap());
        let (jobs, transfer) = stack.adapters();
        Self { dir, prepared, stack, history, jobs, transfer, cancel: AtomicBool::new(false) }
    }

    /// The lifecycle over the fixture, reporting to `events`, paced for a local emulator.
    fn lifecycle<'a>(&'a self, events: &'a dyn LifecycleEvents) -> Lifecycle<'a, BedrockJobs, S3Transfer> {
        Lifecycle::new(&self.history, &self.jobs, &self.transfer, events, Pacing::local(), &self.cancel)
    }
}

fn submit_request(prepared: &Path, settings: JobSettings) -> SubmitRequest {
    SubmitRequest {
        prepared_dir: prepared.to_path_buf(),
        role_arn: RoleArn::parse("arn:aws:iam::123456789012:role/BedrockBatchRole").unwrap(),
        input_uri: S3Uri::parse("s3://in-bucket/batch").unwrap(),
        output_uri: S3Uri::parse("s3://out-bucket/results").unwrap(),
        job_name: JobName::parse("reviews").unwrap(),
        settings,
        sandbox: false,
        retry_of: None,
        // These tests submit the same prepared parts several times on purpose (other faults, other caps).
        new_run: true,
    }
}

/// Records every event.
#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl LifecycleEvents for Recorder {
    fn event(&self, event: &Event) {
        self.0.lock().unwrap().push(event.clone());
    }
}

impl Recorder {
    fn count(&self, pick: impl Fn(&Event) -> bool) -> usize {
        self.0.lock().unwrap().iter().filter(|e| pick(e)).count()
    }
}

fn fetch_request(run: &str, out: &Path) -> FetchRequest {
    FetchRequest {
        run: run.to_string(),
        out_dir: out.to_path_buf(),
        input: None,
        into: JoinedInto::Export(None),
        excel_safe: false,
        prices: PriceTable::bundled(),
    }
}

async fn remote_jobs(stack: &Stack) -> Vec<JobSnapshot> {
    stack.adapters().0.list(&JobFilter::default()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_goes_from_prepared_parts_to_joined_rows_under_the_job_cap() {
    let world = Fixture::new().await;
    let (dir, prepared, stack) = (&world.dir, &world.prepared, &world.stack);
    let events = Recorder::default();
    let lifecycle = world.lifecycle(&events);
    let settings = JobSettings {
        max_concurrent_jobs: 2,
        tags: vec![("team".into(), "insights".into())],
        timeout_hours: 72,
        vpc: Some(VpcSettings { subnet_ids: vec!["subnet-0abc".into()], security_group_ids: vec!["sg-0def".into()] }),
        output_kms_key: Some("alias/batch-output".into()),
        ..JobSettings::default()
    };
    let run = lifecycle.record_run(&submit_request(prepared, settings)).unwrap().id().clone();

    // Submitting stops at the cap: two jobs, the third part waits for a slot.
    let submitted = lifecycle.drive(run.as_str(), Until::Submitted).await.unwrap();
    assert_eq!(submitted.jobs.iter().filter(|j| j.job_arn.is_some()).count(), 2);
    assert_eq!(submitted.waiting_parts, 1);
    assert_eq!(submitted.run.state, RunState::Submitting);
    // What the service received: timeout, VPC and output key, and the token derived from run and part.
    let first_arn = submitted.jobs[0].job_arn.clone().unwrap();
    let job = stack.bedrock.get_model_invocation_job().job_identifier(&first_arn).send().await.unwrap();
    assert_eq!(job.timeout_duration_in_hours(), Some(72));
    assert_eq!(job.vpc_config().unwrap().subnet_ids(), ["subnet-0abc"]);
    assert_eq!(job.client_request_token(), Some(submitted.jobs[0].request_token.as_str()));
    let output = job.output_data_config().unwrap().as_s3_output_data_config().unwrap();
    assert_eq!(output.s3_encryption_key_id(), Some("alias/batch-output"));
    assert_eq!(job.job_name(), Some("reviews-001"));
    // Each part's object is under the run's own prefix.
    let listed = stack.s3.list_objects_v2().bucket("in-bucket").prefix(format!("batch/{run}/")).send().await.unwrap();
    assert_eq!(listed.contents().len(), 3);

    let ended = lifecycle.drive(run.as_str(), Until::Ended).await.unwrap();
    assert!(ended.ended());
    assert_eq!(ended.run.state, RunState::Ended);
    assert!(ended.jobs.iter().all(|j| j.status.as_ref().unwrap().as_str() == "Completed"), "{:?}", ended.jobs);
    assert_eq!(remote_jobs(stack).await.len(), 3, "one job per part");
    assert!(events.count(|e| matches!(e, Event::JobStatus { .. })) >= 3);

    let out = dir.path().join("fetched");
    let fetched = lifecycle.fetch(&fetch_request(run.as_str(), &out), &NoProgress).await.unwrap();
    assert_eq!(fetched.jobs, 3);
    assert_eq!((fetched.summary.rows, fetched.summary.succeeded), (100, 100));
    assert_eq!(
        std::fs::read_to_string(out.join("results.csv")).unwrap().lines().filter(|l| l.contains(",succeeded,")).count(),
        100
    );
    assert_eq!(lifecycle.report(run.as_str()).unwrap().run.state, RunState::Fetched);
    // The model's batch metrics through aws-sdk-cloudwatch (the emulator publishes them): nothing pending now,
    // and the input tokens the manifests count, answered within the last minutes (the latest minute's share).
    let backlog = world.jobs.backlog(&ended.run.model_id).await.unwrap();
    assert_eq!(backlog.records_pending, Some(0.0));
    let billed = fetched.summary.tokens.input_from_manifests.unwrap() as f64;
    let per_minute = backlog.input_tokens_per_minute.unwrap();
    assert!(per_minute > 0.0 && per_minute <= billed, "{per_minute} of {billed}");
    assert!(backlog.output_tokens_per_minute.is_some_and(|t| t > 0.0) && backlog.tokens_pending.is_none());
    assert!(world.jobs.backlog("amazon.titan-text-express-v1").await.unwrap().is_empty(), "no job of that model");
    // Nothing to retry.
    let nothing = lifecycle.record_retry(&RetryRequest::of(run.as_str())).unwrap_err();
    assert!(nothing.to_string().contains("every row"), "{nothing}");
    // Driving again creates nothing new.
    lifecycle.drive(run.as_str(), Until::Ended).await.unwrap();
    assert_eq!(remote_jobs(stack).await.len(), 3);
}

/// Creates the job, then fails as if the process died before hearing the answer.
struct DiesAfterCreate<'a> {
    inner: &'a BedrockJobs,
    deaths: AtomicU32,
}

impl JobsApi for DiesAfterCreate<'_> {
    async fn create(&self, job: &NewJob) -> Result<String, ServiceError> {
        let arn = self.inner.create(job).await?;
        if self.deaths.load(Ordering::SeqCst) > 0 {
            self.deaths.fetch_sub(1, Ordering::SeqCst);
            return Err(ServiceError::new(
                FailureKind::Other,
                "CreateModelInvocationJob",
                format!("process killed after creating {arn}"),
            ));
        }
        Ok(arn)
    }
    async fn get(&self, job: &str) -> Result<JobSnapshot, ServiceError> {
        self.inner.get(job).await
    }
    async fn stop(&self, job: &str) -> Result<(), ServiceError> {
        self.inner.stop(job).await
    }
    async fn list(&self, filter: &JobFilter) -> Result<Vec<JobSnapshot>, ServiceError> {
        self.inner.list(filter).await
    }
    async fn backlog(&self, model_id: &str) -> Result<batch_core::batch_backlog::ModelBacklog, ServiceError> {
        self.inner.backlog(model_id).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_right_after_create_and_throttled_or_failing_calls_never_duplicate_a_job() {
    let dir = tempfile::tempdir().unwrap();
    let prepared = prepared(dir.path());
    let stack = stack().await;
    let db = dir.path().join("history.sqlite");
    let (jobs, transfer) = stack.adapters();
    let cancel = AtomicBool::new(false);
    let run = {
        // First process: the first job is created, then the process "dies" before recording its ARN.
        let history = Mutex::new(History::open(&db).unwrap());
        let dying = DiesAfterCreate { inner: &jobs, deaths: AtomicU32::new(1) };
        let lifecycle = Lifecycle::new(&history, &dying, &transfer, &Quietly, Pacing::local(), &cancel);
        let run = lifecycle.record_run(&submit_request(&prepared, JobSettings::default())).unwrap().id().clone();
        let error = lifecycle.drive(run.as_str(), Until::Submitted).await.unwrap_err();
        assert!(error.to_string().contains("process killed"), "{error}");
        assert_eq!(history.lock().unwrap().pending_creations().unwrap().len(), 1, "the intent was recorded first");
        run
    };
    assert_eq!(remote_jobs(&stack).await.len(), 1, "the job exists remotely");
    // The service throttles the next creates (more than the SDK's own three attempts absorb) and fails a
    // call with a 500; the lifecycle backs off and tries again.
    {
        let mut registry = stack.registry.lock().unwrap();
        registry.throttle_next_creates(4);
        registry.fail_next_calls(1);
    }
    // Next process: the same token is re-sent, so the first part finds its job; the others are created.
    let history = Mutex::new(History::open(&db).unwrap());
    let events = Recorder::default();
    let lifecycle = Lifecycle::new(&history, &jobs, &transfer, &events, Pacing::local(), &cancel);
    let resumed = lifecycle.resume(false, Until::Ended).await.unwrap();
    assert_eq!(resumed.reports.len(), 1, "the unfinished run is found and resumed on start");
    assert!(resumed.broken.is_empty());
    let ended = resumed.reports.into_iter().next().unwrap();
    assert_eq!(ended.run.id, run);
    assert!(ended.ended());
    assert!(events.count(|e| matches!(e, Event::JobCreated { repeated: true, .. })) == 1);
    assert!(events.count(|e| matches!(e, Event::Waiting { .. })) >= 1, "throttling was waited out");
    let remote = remote_jobs(&stack).await;
    assert_eq!(remote.len(), 3, "exactly one job per part: {remote:?}");
    let recorded: Vec<_> = ended.jobs.iter().map(|j| j.job_arn.clone().unwrap()).collect();
    assert!(remote.iter().all(|r| recorded.contains(&r.job_arn)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_failed_and_stopped_jobs_end_the_run_and_a_retry_answers_exactly_what_its_jobs_process() {
    let world = Fixture::new().await;
    let (dir, prepared) = (&world.dir, &world.prepared);
    let lifecycle = world.lifecycle(&Quietly);

    // Every job of this run processes only half its records.
    let partial = JobSettings { tags: vec![("emulator-fault".into(), "partial".into())], ..JobSettings::default() };
    let run = lifecycle.record_run(&submit_request(prepared, partial)).unwrap().id().clone();
    let ended = lifecycle.drive(run.as_str(), Until::Ended).await.unwrap();
    assert!(ended.jobs.iter().all(|j| j.status.as_ref().unwrap().as_str() == "PartiallyCompleted"));
    let out = dir.path().join("fetched");
    let first = lifecycle.fetch(&fetch_request(run.as_str(), &out), &NoProgress).await.unwrap();
    assert_eq!(first.summary.rows, 100);
    assert!(first.summary.missing > 0 && first.summary.succeeded > 0, "{:?}", first.summary);
    let unfinished = first.summary.missing + first.summary.failed;

    // The retry holds exactly the unfinished rows; once it ends, fetching the original joins everything.
    let retry = lifecycle.record_retry(&RetryRequest::of(run.as_str())).unwrap();
    let retried = lifecycle.drive(retry.as_str(), Until::Ended).await.unwrap();
    assert_eq!(retried.parts.iter().map(|p| p.records).sum::<u64>(), unfinished);
    // A retry run keeps its run's tags, so the emulator's partial fault answers the first half of each retry
    // part (rounded up) again: exactly those rows join the run's successes.
    let second = lifecycle.fetch(&fetch_request(retry.as_str(), &out), &NoProgress).await.unwrap();
    assert_eq!(second.run, run.to_string(), "a retry fetches into its original run");
    assert_eq!(second.summary.rows, 100);
    let answered: u64 = retried.parts.iter().map(|p| p.records.div_ceil(2)).sum();
    assert_eq!(
        second.summary.succeeded,
        first.summary.succeeded + answered,
        "{:?} then {:?}",
        first.summary,
        second.summary
    );
    assert_eq!(
        second.summary.succeeded + second.summary.missing + second.summary.failed,
        100,
        "every row accounted for"
    );

    // A job that fails validation, and a job that is stopped while it runs.
    let failing = JobSettings { tags: vec![("emulator-fault".into(), "fail".into())], ..JobSettings::default() };
    let failed_run = lifecycle.record_run(&submit_request(prepared, failing)).unwrap().id().clone();
    let failed = lifecycle.drive(failed_run.as_str(), Until::Ended).await.unwrap();
    assert!(failed.jobs.iter().all(|j| j.status.as_ref().unwrap().as_str() == "Failed" && j.message.is_some()));
    // Held in progress until stopped: the stop lands while the job runs, however slow the machine.
    let held = JobSettings { tags: vec![("emulator-fault".into(), "hold".into())], ..JobSettings::default() };
    let held_run = lifecycle.record_run(&submit_request(prepared, held)).unwrap().id().clone();
    let submitted = lifecycle.drive(held_run.as_str(), Until::Submitted).await.unwrap();
    let arn = submitted.jobs[0].job_arn.clone().unwrap();
    let stopped = lifecycle.stop(&arn).await.unwrap();
    assert!(matches!(stopped.status.as_ref().unwrap().as_str(), "Stopping" | "Stopped"));
    for job in &submitted.jobs[1..] {
        lifecycle.stop(job.job_arn.as_deref().unwrap()).await.unwrap();
    }
    let ended = lifecycle.drive(held_run.as_str(), Until::Ended).await.unwrap();
    assert!(ended.jobs.iter().all(|j| j.status.as_ref().unwrap().as_str() == "Stopped"), "{:?}", ended.jobs);
    // A job that never starts expires; fetching still accounts for every row (all missing).
    let expiring = JobSettings { tags: vec![("emulator-fault".into(), "expire".into())], ..JobSettings::default() };
    let expired_run = lifecycle.record_run(&submit_request(prepared, expiring)).unwrap().id().clone();
    let expired = lifecycle.drive(expired_run.as_str(), Until::Ended).await.unwrap();
    assert!(expired.jobs.iter().all(|j| j.status.as_ref().unwrap().as_str() == "Expired"));
    let nothing =
        lifecycle.fetch(&fetch_request(expired_run.as_str(), &dir.path().join("expired")), &NoProgress).await.unwrap();
    assert_eq!((nothing.summary.rows, nothing.summary.missing), (100, 100));
    let again = lifecycle.stop(&arn).await.unwrap_err();
    assert!(again.to_string().contains("cannot be stopped"), "{again}");
}

/// No events wanted.
struct Quietly;

impl LifecycleEvents for Quietly {
    fn event(&self, _event: &Event) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_run_submits_no_more_parts_and_still_accounts_for_every_row() {
    let world = Fixture::new().await;
    let (dir, prepared, stack) = (&world.dir, &world.prepared, &world.stack);
    let lifecycle = world.lifecycle(&Quietly);

    // One job at a time, held in progress: after submitting, part 1 runs and parts 2 and 3 wait for a slot.
    let settings = JobSettings {
        max_concurrent_jobs: 1,
        tags: vec![("emulator-fault".into(), "hold".into())],
        ..JobSettings::default()
    };
    let run = lifecycle.record_run(&submit_request(prepared, settings)).unwrap().id().clone();
    let submitted = lifecycle.drive(run.as_str(), Until::Submitted).await.unwrap();
    assert_eq!((submitted.jobs.len(), submitted.waiting_parts), (1, 2));
    assert_eq!(lifecycle.stop_run(run.as_str()).await.unwrap(), 1, "the running job is stopped");
    let ended = lifecycle.drive(run.as_str(), Until::Ended).await.unwrap();
    assert!(ended.ended() && ended.run.stop_requested, "{ended:?}");
    assert_eq!(ended.run.state, RunState::Ended);
    assert_eq!(remote_jobs(stack).await.len(), 1, "the waiting parts were never submitted");
    let fetched =
        lifecycle.fetch(&fetch_request(run.as_str(), &dir.path().join("stopped")), &NoProgress).await.unwrap();
    let summary = &fetched.summary;
    assert_eq!(summary.rows, 100);
    assert_eq!(summary.succeeded + summary.failed + summary.missing, 100, "every row accounted for");
    assert!(summary.missing >= 60, "the two parts never submitted are missing: {summary:?}");
    // Stopping it again changes nothing.
    assert_eq!(lifecycle.stop_run(run.as_str()).await.unwrap(), 0);

    // Stopped before any upload: nothing is sent or submitted, and the run ends with every row missing.
    let early = lifecycle.record_run(&submit_request(prepared, JobSettings::default())).unwrap().id().clone();
    assert_eq!(lifecycle.stop_run(early.as_str()).await.unwrap(), 0);
    let ended = lifecycle.drive(early.as_str(), Until::Ended).await.unwrap();
    assert!(ended.ended() && ended.jobs.is_empty(), "{ended:?}");
    let listed = stack.s3.list_objects_v2().bucket("in-bucket").prefix(format!("batch/{early}/")).send().await.unwrap();
    assert!(listed.contents().is_empty(), "no part was uploaded");
    let fetched =
        lifecycle.fetch(&fetch_request(early.as_str(), &dir.path().join("early")), &NoProgress).await.unwrap();
    assert_eq!((fetched.summary.rows, fetched.summary.missing), (100, 100));
    assert_eq!(remote_jobs(stack).await.len(), 1);
}
