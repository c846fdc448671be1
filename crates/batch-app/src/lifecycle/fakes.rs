//! In-memory fakes of the ports for the use-case tests: an object store and a Bedrock that runs each job
//! the moment it is asked about it, answering records with the sandbox model, and a backend over them. No
//! servers, no clock.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use batch_core::aws_names::{JobStatus, S3Uri};
use batch_core::batch_backlog::ModelBacklog;
use batch_core::model::ModelId;
use batch_core::results::{MANIFEST_FILE, Manifest, extract};
use serde_json::{Value, json};

use crate::history::{JobCounts, PartUpload};
use batch_core::iam::{AccessReport, AccessSetup};
use batch_core::limits::Limits;
use batch_core::prepare::{PrepareRequest, prepare};
use batch_core::pricing::PriceTable;
use batch_core::progress::NoProgress;
use batch_core::records::InferenceParams;
use batch_core::sheet::SheetOptions;

use super::Pacing;
use crate::ports::{
    AccessOptions, AccountModels, Backend, BatchQuotas, CallerIdentity, Connector, Downloaded, FailureKind, JobFilter,
    JobSnapshot, JobsApi, ListedModel, ListedProfile, NewJob, ObjectTransfer, OnDemandPrompt, QuotaSource, S3Listing,
    ServiceError, TestAnswer, TransferProgress, UploadJournal,
};

/// How the fake's jobs end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every record answered.
    Complete,
    /// The first half of each file's records answered (`PartiallyCompleted`).
    Half,
}

struct FakeJob {
    arn: String,
    job: NewJob,
    status: JobStatus,
    counts: JobCounts,
}

#[derive(Default)]
struct Cloud {
    objects: BTreeMap<String, Vec<u8>>,
    jobs: Vec<FakeJob>,
    creates: usize,
    unknown: HashSet<String>,
    /// The account's quota of jobs not yet ended, when lower than the tool's own cap.
    quota: Option<usize>,
    /// Creates still to be answered ThrottlingException before one succeeds.
    throttled: usize,
    /// What CloudWatch says of the models' backlog (an error: the metrics cannot be read).
    backlog: Option<Result<ModelBacklog, ServiceError>>,
    /// The backlog reads asked for.
    backlog_reads: usize,
}

/// Bedrock's job API and S3 in memory.
pub(crate) struct FakeCloud {
    cloud: Mutex<Cloud>,
    outcome: Mutex<Outcome>,
    held: AtomicBool,
    /// While set, held jobs wait in the queue (`Scheduled`) rather than run.
    queued: AtomicBool,
}

fn object_key(uri: &S3Uri) -> String {
    format!("{}/{}", uri.bucket(), uri.key())
}

impl FakeCloud {
    /// An empty account whose jobs end as `outcome` says.
    pub(crate) fn new(outcome: Outcome) -> Self {
        Self {
            cloud: Mutex::new(Cloud::default()),
            outcome: Mutex::new(outcome),
            held: AtomicBool::new(false),
            queued: AtomicBool::new(false),
        }
    }

    /// While held, jobs go no further than `InProgress`; released, the next look at a job runs it.
    pub(crate) fn hold(&self, held: bool) {
        self.held.store(held, std::sync::atomic::Ordering::SeqCst);
    }

    /// Held jobs wait in Bedrock's queue (`Scheduled`) instead of running (`InProgress`).
    pub(crate) fn queue_held(&self, queued: bool) {
        self.queued.store(queued, std::sync::atomic::Ordering::SeqCst);
    }

    fn cloud(&self) -> std::sync::MutexGuard<'_, Cloud> {
        self.cloud.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How jobs run from now on end.
    pub(crate) fn set_outcome(&self, outcome: Outcome) {
        *self.outcome.lock().unwrap() = outcome;
    }

    /// The jobs created (each create that made a new job, not a repeated token).
    pub(crate) fn jobs_created(&self) -> usize {
        self.cloud().creates
    }

    /// Sets the account's quota of jobs not yet ended (creates past it answer ServiceQuotaExceededException).
    pub(crate) fn set_quota(&self, jobs: usize) {
        self.cloud().quota = Some(jobs);
    }

    /// Makes the next `creates` creates answer ThrottlingException.
    pub(crate) fn throttle(&self, creates: usize) {
        self.cloud().throttled = creates;
    }

    /// Makes CloudWatch answer `backlog` for every model (an error: the metrics cannot be read).
    pub(crate) fn set_backlog(&self, backlog: Result<ModelBacklog, ServiceError>) {
        self.cloud().backlog = Some(backlog);
    }

    /// The backlog reads asked for so far.
    pub(crate) fn backlog_reads(&self) -> usize {
        self.cloud().backlog_reads
    }

    /// Puts an object (a job's input written by another tool).
    pub(crate) fn put_object(&self, uri: &S3Uri, bytes: Vec<u8>) {
        self.cloud().objects.insert(object_key(uri), bytes);
    }

    /// Makes the service answer ResourceNotFound for this job from now on.
    pub(crate) fn forget(&self, arn: &str) {
        self.cloud().unknown.insert(arn.to_string());
    }

    /// Runs a job to its end: answers its records and writes `<output>/<jobId>/<file>.out` and the manifest.
    fn run(&self, cloud: &mut Cloud, index: usize) {
        let outcome = *self.outcome.lock().unwrap();
        let job = &cloud.jobs[index];
        let input = cloud.objects.get(&object_key(&job.job.input_uri)).cloned().unwrap_or_default();
        let model = ModelId::parse(&job.job.model_id).expect("the fake's jobs use valid model ids");
        let lines: Vec<Value> =
            String::from_utf8_lossy(&input).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        let take = if outcome == Outcome::Half { lines.len().div_ceil(2) } else { lines.len() };
        let mut manifest = Manifest { total_record_count: lines.len() as u64, ..Manifest::default() };
        let mut out = String::new();
        for line in lines.into_iter().take(take) {
            let output = batch_core::sandbox_model::respond(model.family(), job.job.invocation, &line["modelInput"])
                .expect("the sandbox model answers prepared records");
            let answer = extract(&output);
            manifest.processed_record_count += 1;
            manifest.success_record_count += 1;
            manifest.input_token_count += answer.input_tokens.unwrap_or(0);
            manifest.output_token_count += answer.output_tokens.unwrap_or(0);
            let record = json!({"modelInput": line["modelInput"], "modelOutput": output, "recordId": line["recordId"]});
            out.push_str(&format!("{record}\n"));
        }
        let id = job.arn.rsplit('/').next().unwrap_or_default().to_string();
        let folder = job.job.output_uri.join(&id);
        let name = job.job.input_uri.key().rsplit('/').next().unwrap_or_default().to_string();
        let counts = JobCounts {
            total: Some(manifest.total_record_count),
            processed: Some(manifest.processed_record_count),
            succeeded: Some(manifest.success_record_count),
            failed: Some(0),
        };
        let manifest = serde_json::to_vec(&manifest).unwrap_or_default();
        cloud.objects.insert(object_key(&folder.join(&format!("{name}.out"))), out.into_bytes());
        cloud.objects.insert(object_key(&folder.join(MANIFEST_FILE)), manifest);
        let job = &mut cloud.jobs[index];
        job.counts = counts;
        job.status = if outcome == Outcome::Half { JobStatus::PartiallyCompleted } else { JobStatus::Completed };
    }

    fn snapshot(job: &FakeJob) -> JobSnapshot {
        JobSnapshot {
            job_arn: job.arn.clone(),
            job_name: job.job.job_name.clone(),
            status: job.status.clone(),
            message: None,
            counts: job.counts,
            submit_time: None,
            end_time: None,
            config: crate::ports::JobConfig {
                model_id: Some(job.job.model_id.clone()),
                role_arn: Some(job.job.role_arn.clone()),
                input_uri: Some(job.job.input_uri.to_string()),
                output_uri: Some(job.job.output_uri.to_string()),
            },
        }
    }
}

fn not_found(operation: &'static str, job: &str) -> ServiceError {
    ServiceError::new(FailureKind::NotFound, operation, format!("ResourceNotFoundException: {job} was not found"))
}

impl JobsApi for FakeCloud {
    async fn create(&self, job: &NewJob) -> Result<String, ServiceError> {
        let mut cloud = self.cloud();
        if let Some(existing) = cloud.jobs.iter().find(|j| j.job.request_token == job.request_token) {
            return Ok(existing.arn.clone());
        }
        if cloud.throttled > 0 {
            cloud.throttled -= 1;
            return Err(ServiceError::new(
                FailureKind::Throttled,
                "CreateModelInvocationJob",
                "ThrottlingException: Too many requests, please wait before trying again",
            ));
        }
        let active = cloud.jobs.iter().filter(|j| !j.status.is_terminal()).count();
        if cloud.quota.is_some_and(|quota| active >= quota) {
            return Err(ServiceError::new(
                FailureKind::QuotaExceeded,
                "CreateModelInvocationJob",
                "ServiceQuotaExceededException: You have reached the limit of in-progress and submitted batch inference jobs",
            ));
        }
        cloud.creates += 1;
        let arn = format!("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/fakejob{:05}", cloud.creates);
        cloud.jobs.push(FakeJob {
            arn: arn.clone(),
            job: job.clone(),
            status: JobStatus::Submitted,
            counts: JobCounts::default(),
        });
        Ok(arn)
    }

    async fn get(&self, job: &str) -> Result<JobSnapshot, ServiceError> {
        let mut cloud = self.cloud();
        if cloud.unknown.contains(job) {
            return Err(not_found("GetModelInvocationJob", job));
        }
        let index =
            cloud.jobs.iter().position(|j| j.arn == job).ok_or_else(|| not_found("GetModelInvocationJob", job))?;
        if !cloud.jobs[index].status.is_terminal() {
            if self.held.load(std::sync::atomic::Ordering::SeqCst) {
                let queued = self.queued.load(std::sync::atomic::Ordering::SeqCst);
                cloud.jobs[index].status = if queued { JobStatus::Scheduled } else { JobStatus::InProgress };
            } else {
                self.run(&mut cloud, index);
            }
        }
        Ok(Self::snapshot(&cloud.jobs[index]))
    }

    async fn stop(&self, job: &str) -> Result<(), ServiceError> {
        let mut cloud = self.cloud();
        let found =
            cloud.jobs.iter_mut().find(|j| j.arn == job).ok_or_else(|| not_found("StopModelInvocationJob", job))?;
        if found.status.is_terminal() {
            return Err(ServiceError::new(FailureKind::Conflict, "StopModelInvocationJob", "the job has ended"));
        }
        found.status = JobStatus::Stopped;
        Ok(())
    }

    async fn list(&self, _filter: &JobFilter) -> Result<Vec<JobSnapshot>, ServiceError> {
        Ok(self.cloud().jobs.iter().rev().map(Self::snapshot).collect())
    }

    async fn backlog(&self, _model_id: &str) -> Result<ModelBacklog, ServiceError> {
        let mut cloud = self.cloud();
        cloud.backlog_reads += 1;
        cloud.backlog.clone().unwrap_or(Ok(ModelBacklog::default()))
    }
}

impl ObjectTransfer for FakeCloud {
    async fn upload_part(
        &self,
        journal: &dyn UploadJournal,
        file: &Path,
        target: &S3Uri,
        progress: &dyn TransferProgress,
        _cancel: &AtomicBool,
    ) -> Result<bool, ServiceError> {
        let failed = |e: &dyn std::fmt::Display| ServiceError::new(FailureKind::Other, "upload", e.to_string());
        if matches!(journal.state().map_err(|e| failed(&e))?, PartUpload::Uploaded { .. }) {
            return Ok(false);
        }
        let bytes = std::fs::read(file).map_err(|e| failed(&e))?;
        progress.moved(bytes.len() as u64);
        self.cloud().objects.insert(object_key(target), bytes);
        journal.complete("\"etag\"").map_err(|e| failed(&e))?;
        Ok(true)
    }

    async fn download_folder(
        &self,
        prefix: &S3Uri,
        dir: &Path,
        progress: &dyn TransferProgress,
    ) -> Result<Downloaded, ServiceError> {
        let start = format!("{}/", object_key(prefix).trim_end_matches('/'));
        let single = object_key(prefix);
        let objects: Vec<(String, Vec<u8>)> = self
            .cloud()
            .objects
            .iter()
            .filter(|(k, _)| k.starts_with(&start) || (**k == single && !prefix.key().ends_with('/')))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut done = Downloaded::default();
        for (key, bytes) in objects {
            let relative = key.strip_prefix(&start).unwrap_or_else(|| key.rsplit('/').next().unwrap_or_default());
            let path = dir.join(relative);
            std::fs::create_dir_all(path.parent().unwrap_or(dir)).unwrap();
            std::fs::write(&path, &bytes).unwrap();
            progress.moved(bytes.len() as u64);
            done.files += 1;
            done.bytes += bytes.len() as u64;
        }
        Ok(done)
    }
}

/// A backend over the fake cloud, with the quotas its account reports; the calls no use-case test makes yet
/// (Converse, the access check, browsing) answer that they are not faked.
pub(crate) struct FakeBackend {
    /// The jobs and objects.
    pub(crate) cloud: FakeCloud,
    /// True for the offline sandbox.
    pub(crate) sandbox: bool,
    /// What `quotas` answers.
    pub(crate) quotas: BatchQuotas,
    /// How often `quotas` was asked (each a Service Quotas read on AWS).
    pub(crate) quota_reads: std::sync::atomic::AtomicUsize,
}

impl FakeBackend {
    /// A backend over a fake cloud whose jobs complete, reporting `quotas`.
    pub(crate) fn new(sandbox: bool, quotas: BatchQuotas) -> Self {
        Self { cloud: FakeCloud::new(Outcome::Complete), sandbox, quotas, quota_reads: Default::default() }
    }
}

fn not_faked(operation: &'static str) -> ServiceError {
    ServiceError::new(FailureKind::Other, operation, "not faked")
}

/// Answers records on demand with the sandbox model, counting the calls.
pub(crate) struct SandboxInvoker {
    tier: batch_core::service_tier::Tier,
    family: batch_core::model::ModelFamily,
    invocation: batch_core::model::InvocationType,
    pub(crate) calls: std::sync::atomic::AtomicU64,
}

impl SandboxInvoker {
    /// An invoker for `model`'s records written for `invocation`, answering on `tier`.
    pub(crate) fn new(
        model: &ModelId,
        invocation: batch_core::model::InvocationType,
        tier: batch_core::service_tier::Tier,
    ) -> Self {
        Self { tier, family: model.family(), invocation, calls: Default::default() }
    }
}

impl crate::ports::RecordInvoker for SandboxInvoker {
    fn tier(&self) -> batch_core::service_tier::Tier {
        self.tier
    }

    async fn invoke(&self, model_input: &serde_json::Value) -> Result<serde_json::Value, ServiceError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        batch_core::sandbox_model::respond(self.family, self.invocation, model_input)
            .map_err(|f| ServiceError::new(FailureKind::Invalid, "Converse", f.message))
    }

    async fn count_tokens(&self, model_input: &serde_json::Value) -> Result<u64, ServiceError> {
        // The sandbox model's count, a tenth more than the estimate (as a real tokenizer differs from it).
        batch_core::sandbox_model::input_tokens(self.family, self.invocation, model_input)
            .map(|tokens| tokens + tokens.div_ceil(10))
            .map_err(|f| ServiceError::new(FailureKind::Invalid, "CountTokens", f.message))
    }
}

impl Backend for FakeBackend {
    type Jobs = FakeCloud;
    type Transfer = FakeCloud;
    type Invoker = SandboxInvoker;

    fn invoker(
        &self,
        model: &ModelId,
        invocation: batch_core::model::InvocationType,
        tier: batch_core::service_tier::Tier,
    ) -> SandboxInvoker {
        SandboxInvoker::new(model, invocation, tier)
    }

    fn sandbox(&self) -> bool {
        self.sandbox
    }

    fn region(&self) -> String {
        "eu-west-1".into()
    }

    fn pacing(&self) -> Pacing {
        Pacing::local()
    }

    fn jobs(&self) -> &FakeCloud {
        &self.cloud
    }

    fn transfer(&self) -> &FakeCloud {
        &self.cloud
    }

    async fn identity(&self) -> Result<CallerIdentity, ServiceError> {
        Ok(CallerIdentity {
            account: "111122223333".into(),
            arn: "arn:aws:iam::111122223333:user/analyst".into(),
            user_id: "AIDAFAKE".into(),
        })
    }

    async fn models(&self) -> Result<AccountModels, ServiceError> {
        Ok(fake_account_models())
    }

    async fn profile_models(&self, profile: &ModelId) -> Result<Vec<String>, ServiceError> {
        // The fake account routes every profile to two Regions.
        let base = profile.base_id();
        Ok(["us-east-1", "us-west-2"].iter().map(|r| format!("arn:aws:bedrock:{r}::foundation-model/{base}")).collect())
    }

    async fn converse(&self, _prompt: OnDemandPrompt<'_>) -> Result<TestAnswer, ServiceError> {
        Err(not_faked("Converse"))
    }

    async fn check_access(&self, _setup: &AccessSetup) -> Result<(AccessReport, Vec<String>), ServiceError> {
        Err(not_faked("access check"))
    }

    async fn create_service_role(&self, _setup: &AccessSetup) -> Result<String, ServiceError> {
        Err(not_faked("CreateRole"))
    }

    async fn browse(&self, _location: &str) -> Result<S3Listing, ServiceError> {
        Err(not_faked("ListObjectsV2"))
    }

    async fn quotas(&self, _model_id: &str) -> BatchQuotas {
        self.quota_reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.quotas.clone()
    }

    async fn on_demand_quotas(&self, _model_id: &str) -> crate::ports::OnDemandQuotas {
        crate::ports::OnDemandQuotas::unknown("the fake lists no on-demand quota")
    }
}

/// A sheet of `rows` rows prepared into `<dir>/<name>` in parts of at most 40 records (at least 5 a job).
pub(crate) fn prepared(dir: &Path, name: &str, rows: usize) -> PathBuf {
    prepared_within(dir, name, rows, 5)
}

/// Like [`prepared`], with `min` records per job at least (1 for rows sent on demand).
pub(crate) fn prepared_within(dir: &Path, name: &str, rows: usize, min: u64) -> PathBuf {
    let input = dir.join(format!("{name}.csv"));
    let mut text = String::from("id,text\n");
    for i in 1..=rows {
        text.push_str(&format!("U{i},review number {i}\n"));
    }
    std::fs::write(&input, text).unwrap();
    let out = dir.join(name);
    let request = PrepareRequest {
        input,
        sheet: SheetOptions::default(),
        template: "Summarise: {{text}}".into(),
        system: None,
        model: ModelId::parse("amazon.nova-lite-v1:0").unwrap(),
        invocation: None,
        params: InferenceParams { max_tokens: 50, ..InferenceParams::default() },
        answer: batch_core::answer::AnswerShape::FreeText,
        id_column: None,
        limits: Limits {
            min_records_per_job: min,
            max_records_per_file: 40,
            max_records_per_job: 40,
            ..Limits::default()
        },
        prices: PriceTable::bundled(),
        out_dir: out.clone(),
    };
    prepare(&request, &NoProgress).unwrap();
    out
}

/// Makes fake backends: AWS answers that no credentials resolve; the sandbox is a fake cloud.
pub(crate) struct FakeConnector;

/// As [`FakeConnector`], with a sandbox whose quotas are these limits (an account with its own quotas).
pub(crate) struct LimitedConnector(pub(crate) batch_core::limits::Limits);

impl Connector for LimitedConnector {
    type Backend = FakeBackend;

    async fn aws(&self, options: &AccessOptions) -> Result<FakeBackend, ServiceError> {
        FakeConnector.aws(options).await
    }

    async fn sandbox(&self, _dir: &Path) -> Result<FakeBackend, ServiceError> {
        let matched = "the account's own".to_string();
        let quotas =
            BatchQuotas { limits: self.0, source: QuotaSource::ServiceQuotas { matched }, max_concurrent_jobs: 10 };
        Ok(FakeBackend::new(true, quotas))
    }
}

impl Connector for FakeConnector {
    type Backend = FakeBackend;

    async fn aws(&self, _options: &AccessOptions) -> Result<FakeBackend, ServiceError> {
        Err(ServiceError::new(FailureKind::NoCredentials, "load credentials", "no AWS credentials found (none set)"))
    }

    async fn sandbox(&self, _dir: &Path) -> Result<FakeBackend, ServiceError> {
        let quotas = BatchQuotas::defaults("the offline sandbox has no Service Quotas");
        Ok(FakeBackend::new(true, quotas))
    }
}

/// A small account's listing: Nova Lite in the Region and through a profile, Claude Sonnet 4.6 through profiles
/// only, Llama 3.1 8B served on demand but named by no batch quota, and a legacy Claude 3.5 Haiku.
pub(crate) fn fake_account_models() -> AccountModels {
    let model = |id: &str, name: &str, provider: &str, lifecycle: &str, types: &[&str]| ListedModel {
        id: id.into(),
        name: name.into(),
        provider: provider.into(),
        lifecycle: lifecycle.into(),
        inference_types: types.iter().map(|t| t.to_string()).collect(),
    };
    let profile =
        |id: &str, status: &str| ListedProfile { id: id.into(), name: format!("Profile {id}"), status: status.into() };
    AccountModels {
        models: vec![
            model("amazon.nova-lite-v1:0", "Nova Lite", "Amazon", "ACTIVE", &["ON_DEMAND", "INFERENCE_PROFILE"]),
            model("anthropic.claude-sonnet-4-6", "Claude Sonnet 4.6", "Anthropic", "ACTIVE", &["INFERENCE_PROFILE"]),
            model("meta.llama3-1-8b-instruct-v1:0", "Llama 3.1 8B Instruct", "Meta", "ACTIVE", &["ON_DEMAND"]),
            model(
                "anthropic.claude-3-5-haiku-20241022-v1:0",
                "Claude 3.5 Haiku",
                "Anthropic",
                "LEGACY",
                &["ON_DEMAND"],
            ),
        ],
        profiles: vec![
            profile("us.amazon.nova-lite-v1:0", "ACTIVE"),
            profile("us.anthropic.claude-sonnet-4-6", "ACTIVE"),
            profile("global.anthropic.claude-sonnet-4-6", "ACTIVE"),
            profile("eu.anthropic.claude-sonnet-4-6", "INACTIVE"),
            profile("us.meta.llama3-1-8b-instruct-v1:0", "ACTIVE"),
        ],
        batch_model_names: Ok(vec!["Nova Lite V1".into(), "Claude Sonnet 4.6".into(), "Claude 3.5 Haiku".into()]),
    }
}

/// A batch run `run-1` as the history would hold it, running, with `settings`.
pub(crate) fn recorded_run(settings: crate::history::JobSettings) -> crate::history::Run {
    crate::history::Run {
        id: crate::history::RunId("run-1".into()),
        created_at: "2026-12-03T08:00:00Z".into(),
        prepared_dir: "/p".into(),
        model_id: "amazon.nova-lite-v1:0".into(),
        role_arn: String::new(),
        input_uri: String::new(),
        output_uri: String::new(),
        tier: batch_core::service_tier::Tier::Batch,
        job_name: "reviews".into(),
        sandbox: false,
        retry_of: None,
        state: crate::history::RunState::Running,
        results_dir: None,
        settings,
        stop_requested: false,
        parts_fingerprint: None,
        opened: false,
    }
}

/// Part `part`'s job of `run-1`: `status`, submitted at `submitted_at`, out of the queue at `started_at`, with
/// (processed, total) records.
pub(crate) fn recorded_job(
    part: usize,
    status: JobStatus,
    (submitted_at, started_at): (&str, Option<&str>),
    (processed, total): (u64, u64),
) -> crate::history::JobRecord {
    crate::history::JobRecord {
        run_id: crate::history::RunId("run-1".into()),
        part,
        job_name: "reviews".into(),
        request_token: format!("t{part}"),
        job_arn: Some(format!("arn:{part}")),
        state: crate::history::JobState::Created,
        status: Some(status),
        message: None,
        total_records: Some(total),
        processed_records: Some(processed),
        success_records: None,
        error_records: None,
        submitted_at: Some(submitted_at.into()),
        updated_at: submitted_at.into(),
        started_at: started_at.map(str::to_string),
    }
}
