//! A backend: every port a session needs, grouped so a program picks AWS or the offline sandbox in one place
//! (the [`Connector`]) and the use cases never know which it got.

use std::future::Future;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use batch_core::iam::{AccessReport, AccessSetup};
use batch_core::model::{InvocationType, ModelId};
use batch_core::service_tier::Tier;

use super::{
    AccountModels, BatchQuotas, CallerIdentity, JobsApi, ObjectTransfer, OnDemandPrompt, OnDemandQuotas, RecordInvoker,
    S3Listing, ServiceError, TestAnswer,
};
use crate::history::History;
use crate::lifecycle::{Lifecycle, LifecycleEvents, Pacing};

/// The offline sandbox's service role (no IAM is checked there).
pub const SANDBOX_ROLE: &str = "arn:aws:iam::000000000000:role/BedrockBatchSandboxRole";
/// The sandbox's input bucket.
pub const SANDBOX_INPUT_BUCKET: &str = "sandbox-input";
/// The sandbox's output bucket.
pub const SANDBOX_OUTPUT_BUCKET: &str = "sandbox-output";
/// The sandbox's input prefix.
pub const SANDBOX_INPUT: &str = "s3://sandbox-input/batch";
/// The sandbox's output prefix.
pub const SANDBOX_OUTPUT: &str = "s3://sandbox-output/results";

/// Where to connect to AWS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessOptions {
    /// A named profile (else `AWS_PROFILE` or the default).
    pub profile: Option<String>,
    /// A region (else the profile's or `AWS_REGION`).
    pub region: Option<String>,
    /// One endpoint for every service (emulators).
    pub endpoint_url: Option<String>,
}

/// Everything the use cases reach outside the process through, for one account and region (or the sandbox).
///
/// Errors follow [`ServiceError`]'s kinds; `AccessDenied` names what is missing in its message.
pub trait Backend: Send + Sync + 'static {
    /// Bedrock's batch-job control plane.
    type Jobs: JobsApi;
    /// S3 transfers of parts and outputs.
    type Transfer: ObjectTransfer;
    /// On-demand calls of one model's records.
    type Invoker: RecordInvoker + 'static;

    /// True for the offline sandbox (answers come from the sandbox model).
    fn sandbox(&self) -> bool;
    /// The region calls go to.
    fn region(&self) -> String;
    /// Poll and retry timing that suits this backend.
    fn pacing(&self) -> Pacing;
    /// The job API.
    fn jobs(&self) -> &Self::Jobs;
    /// The object transfers.
    fn transfer(&self) -> &Self::Transfer;
    /// Who is calling (the sandbox's own identity offline).
    fn identity(&self) -> impl Future<Output = Result<CallerIdentity, ServiceError>> + Send;
    /// Sends records on demand to `model`, written for `invocation`, on `tier` (Flex, or else Standard).
    fn invoker(&self, model: &ModelId, invocation: InvocationType, tier: Tier) -> Self::Invoker;
    /// The models, inference profiles and batch quotas' model names this account lists.
    fn models(&self) -> impl Future<Output = Result<AccountModels, ServiceError>> + Send;
    /// One on-demand Converse call.
    fn converse(&self, prompt: OnDemandPrompt<'_>) -> impl Future<Output = Result<TestAnswer, ServiceError>> + Send;
    /// The foundation-model ARNs an inference profile routes to, as the account's GetInferenceProfile lists them.
    fn profile_models(&self, profile: &ModelId) -> impl Future<Output = Result<Vec<String>, ServiceError>> + Send;
    /// The access check of `setup` from the account's own policies (read, then simulated where allowed),
    /// with notes on what could not be read.
    fn check_access(
        &self,
        setup: &AccessSetup,
    ) -> impl Future<Output = Result<(AccessReport, Vec<String>), ServiceError>> + Send;
    /// Creates the service role `setup` names, with the trust and permission policies its job needs; returns
    /// its ARN. The sandbox has no IAM and answers `Invalid`.
    fn create_service_role(&self, setup: &AccessSetup) -> impl Future<Output = Result<String, ServiceError>> + Send;
    /// The buckets (`location` empty) or one folder level below `location`.
    fn browse(&self, location: &str) -> impl Future<Output = Result<S3Listing, ServiceError>> + Send;
    /// The batch quotas of `model_id`: the account's where readable, else defaults with the reason; never fails.
    fn quotas(&self, model_id: &str) -> impl Future<Output = BatchQuotas> + Send;
    /// The on-demand request and token quotas of `model_id` where Service Quotas lists them; never fails.
    fn on_demand_quotas(&self, model_id: &str) -> impl Future<Output = OnDemandQuotas> + Send;

    /// The lifecycle over this backend's ports and timing.
    fn lifecycle<'a>(
        &'a self,
        history: &'a Mutex<History>,
        events: &'a dyn LifecycleEvents,
        cancel: &'a AtomicBool,
    ) -> Lifecycle<'a, Self::Jobs, Self::Transfer> {
        Lifecycle::new(history, self.jobs(), self.transfer(), events, self.pacing(), cancel)
    }
}

/// Makes backends: AWS with the standard credential chain, or the offline sandbox over a folder.
pub trait Connector: Send + Sync + 'static {
    /// The backend it makes.
    type Backend: Backend;

    /// Connects to AWS with `options`; fails with `NoCredentials` when no credentials resolve.
    fn aws(&self, options: &AccessOptions) -> impl Future<Output = Result<Self::Backend, ServiceError>> + Send;
    /// Starts the offline sandbox over `dir` (its S3 objects and jobs persist there).
    fn sandbox(&self, dir: &Path) -> impl Future<Output = Result<Self::Backend, ServiceError>> + Send;
}
