//! The ports: what the use cases need from AWS (or the offline sandbox), as traits with documented error
//! contracts. `batch-aws` implements them with the real SDK clients; nothing here knows about HTTP.

mod backend;
mod browse;
mod catalogue;
mod no_service;
mod on_demand;
mod quotas;
mod upload_journal;

use std::future::Future;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use batch_core::aws_names::{JobStatus, S3Uri};
use batch_core::batch_backlog::ModelBacklog;
use batch_core::model::InvocationType;
use serde::Serialize;

use crate::history::{JobCounts, JobSettings};

pub use backend::{
    AccessOptions, Backend, Connector, SANDBOX_INPUT, SANDBOX_INPUT_BUCKET, SANDBOX_OUTPUT, SANDBOX_OUTPUT_BUCKET,
    SANDBOX_ROLE,
};
pub use browse::{S3Entry, S3Listing};
pub use catalogue::{
    AccountModels, ListedModel, ListedProfile, ModelChoice, OnDemandPrompt, TestAnswer, TestParams, batch_offer,
    bundled_models,
};
pub use no_service::NoService;
pub use on_demand::RecordInvoker;
pub use quotas::{BatchQuotas, DEFAULT_CONCURRENT_JOBS, OnDemandQuotas, QuotaSource};
pub use upload_journal::{JournalError, PartUpload, UploadJournal, UploadedChunk};

/// How a remote call failed, as far as the use cases care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Too many requests; retry later.
    Throttled,
    /// A quota (such as concurrent jobs per model) is full; retry when a slot frees.
    QuotaExceeded,
    /// The service is unavailable or failed (5xx, network); retry.
    Unavailable,
    /// The request is invalid; retrying will not help.
    Invalid,
    /// The thing does not exist.
    NotFound,
    /// The thing is in a state that does not allow this.
    Conflict,
    /// The caller may not do this.
    AccessDenied,
    /// No usable credentials.
    NoCredentials,
    /// Anything else.
    Other,
}

impl FailureKind {
    /// True when the same call may succeed later.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Throttled | Self::QuotaExceeded | Self::Unavailable)
    }
}

/// A failed remote call: which, why, and the service's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct ServiceError {
    /// Its kind.
    pub kind: FailureKind,
    /// The operation, e.g. `CreateModelInvocationJob`.
    pub operation: &'static str,
    /// What the service said (with its error code), or what went wrong on the way.
    pub message: String,
}

impl ServiceError {
    /// A failure of `operation`.
    pub fn new(kind: FailureKind, operation: &'static str, message: impl Into<String>) -> Self {
        Self { kind, operation, message: message.into() }
    }
}

/// Everything CreateModelInvocationJob needs for one part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// The job's name.
    pub job_name: String,
    /// The service role Bedrock assumes.
    pub role_arn: String,
    /// Foundation model id, inference profile id or ARN.
    pub model_id: String,
    /// The part's JSONL object.
    pub input_uri: S3Uri,
    /// The run's output folder (the job writes under `<output>/<jobId>/`).
    pub output_uri: S3Uri,
    /// Request format of the records.
    pub invocation: InvocationType,
    /// Timeout, tags, VPC and KMS key.
    pub settings: JobSettings,
    /// The idempotency token: the same token never makes a second job.
    pub request_token: String,
}

/// A job as the service reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobSnapshot {
    /// Its ARN.
    pub job_arn: String,
    /// Its name.
    pub job_name: String,
    /// Its status.
    pub status: JobStatus,
    /// The service's message (why it failed, for example).
    pub message: Option<String>,
    /// Record counts, once the service reports them.
    #[serde(skip)]
    pub counts: JobCounts,
    /// When it was submitted (RFC 3339), if reported.
    pub submit_time: Option<String>,
    /// When it ended, if it has.
    pub end_time: Option<String>,
    /// What it runs and where its files are.
    pub config: JobConfig,
}

/// A job's model, role and S3 locations, as the service reports them (empty where it does not).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JobConfig {
    /// The model or inference profile.
    pub model_id: Option<String>,
    /// The service role.
    pub role_arn: Option<String>,
    /// The input: one JSONL file, or a folder prefix whose files are read.
    pub input_uri: Option<String>,
    /// The output prefix (the job writes under `<output>/<jobId>/`).
    pub output_uri: Option<String>,
}

/// Filters of ListModelInvocationJobs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobFilter {
    /// Only jobs with this status.
    pub status: Option<JobStatus>,
    /// Only jobs whose name contains this.
    pub name_contains: Option<String>,
    /// At most this many (all pages are followed until reached).
    pub limit: Option<usize>,
    /// Only jobs submitted at or after this time (RFC 3339).
    pub submitted_after: Option<String>,
    /// Only jobs submitted before this time (RFC 3339).
    pub submitted_before: Option<String>,
}

/// Bedrock's batch-job control plane.
///
/// Errors: `Throttled`, `QuotaExceeded` and `Unavailable` may be retried; `Invalid`, `AccessDenied` and
/// `NotFound` will fail again; `Conflict` on stop means the job already ended.
pub trait JobsApi: Send + Sync {
    /// CreateModelInvocationJob; returns the job's ARN (the existing one when the token was seen before).
    fn create(&self, job: &NewJob) -> impl Future<Output = Result<String, ServiceError>> + Send;
    /// GetModelInvocationJob by ARN or id.
    fn get(&self, job: &str) -> impl Future<Output = Result<JobSnapshot, ServiceError>> + Send;
    /// StopModelInvocationJob.
    fn stop(&self, job: &str) -> impl Future<Output = Result<(), ServiceError>> + Send;
    /// ListModelInvocationJobs, newest first, following pages.
    fn list(&self, filter: &JobFilter) -> impl Future<Output = Result<Vec<JobSnapshot>, ServiceError>> + Send;
    /// The model's batch backlog from CloudWatch (`AWS/Bedrock/Batch`), the latest value of each metric over
    /// the last quarter hour (empty when none is published). `AccessDenied` without `cloudwatch:GetMetricData`.
    fn backlog(&self, model_id: &str) -> impl Future<Output = Result<ModelBacklog, ServiceError>> + Send;
}

/// Progress of moving bytes.
pub trait TransferProgress: Send + Sync {
    /// `bytes` more were moved (uploaded or downloaded).
    fn moved(&self, bytes: u64);
}

/// What a download brought.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Downloaded {
    /// Files written.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// S3 transfers of a run's parts and outputs.
///
/// Errors: an interrupted upload resumes from its journal's chunks when called again; `NotFound` means the
/// bucket does not exist; `AccessDenied` names the missing permission in its message.
pub trait ObjectTransfer: Send + Sync {
    /// Uploads one part from `file` to `target`, recording its progress in `journal` and resuming what the
    /// journal holds; returns true when something was sent (false: the journal had it uploaded).
    fn upload_part(
        &self,
        journal: &dyn UploadJournal,
        file: &Path,
        target: &S3Uri,
        progress: &dyn TransferProgress,
        cancel: &AtomicBool,
    ) -> impl Future<Output = Result<bool, ServiceError>> + Send;

    /// Downloads every object under `prefix` into `dir`, keeping the key's path below the prefix; a URI naming
    /// one object downloads it into `dir` under its file name.
    fn download_folder(
        &self,
        prefix: &S3Uri,
        dir: &Path,
        progress: &dyn TransferProgress,
    ) -> impl Future<Output = Result<Downloaded, ServiceError>> + Send;
}

/// Who is calling AWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallerIdentity {
    /// The 12-digit account.
    pub account: String,
    /// The caller's ARN (user, or assumed-role session).
    pub arn: String,
    /// The unique id.
    pub user_id: String,
}
