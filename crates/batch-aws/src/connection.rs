//! One backend over the real SDK clients: AWS (the default credential chain), or AWS-protocol servers on
//! loopback (the offline sandbox's S3 emulator and Bedrock emulator), reached through the same clients, so the
//! sandbox exercises exactly the code that talks to AWS.

use std::any::Any;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use batch_app::lifecycle::Pacing;
use batch_app::ports::{
    AccessOptions, AccountModels, Backend, BatchQuotas, CallerIdentity, FailureKind, OnDemandPrompt, OnDemandQuotas,
    S3Listing, ServiceError, TestAnswer,
};
use batch_core::iam::{AccessReport, AccessSetup};
use batch_core::model::{InvocationType, ModelId};
use batch_core::service_tier::Tier;

use crate::on_demand::RuntimeInvoker;

use crate::environment::{bedrock_client, credentials_available, load_config, s3_client};
use crate::identity::caller_identity;
use crate::s3_upload::UploadSettings;
use crate::{BedrockJobs, S3Transfer};

/// Where the offline sandbox's servers listen, and the account and region they stand for.
#[derive(Debug, Clone, Copy)]
pub struct SandboxAddress<'a> {
    /// The S3 emulator's endpoint URL.
    pub s3_endpoint: &'a str,
    /// The Bedrock emulator's endpoint URL (control plane and Converse).
    pub bedrock_endpoint: &'a str,
    /// The region the emulator answers for.
    pub region: &'a str,
    /// The account it stands for.
    pub account: &'a str,
}

/// Where the lifecycle's calls go.
pub struct Connection {
    /// The sandbox's account, for the offline sandbox.
    sandbox_account: Option<String>,
    jobs: BedrockJobs,
    transfer: S3Transfer,
    runtime: aws_sdk_bedrockruntime::Client,
    config: SdkConfig,
    pacing: Pacing,
    /// What must live as long as this connection (the sandbox's servers).
    _keep: Option<Box<dyn Any + Send + Sync>>,
}

impl Connection {
    /// Connects to AWS with the standard chain, polling and retrying with `pacing`; fails with the reason
    /// when no credentials resolve.
    pub async fn aws(options: &AccessOptions, pacing: Pacing) -> Result<Self, ServiceError> {
        let config = load_config(options).await;
        credentials_available(&config).await.map_err(|reason| {
            ServiceError::new(
                FailureKind::NoCredentials,
                "load credentials",
                format!("no AWS credentials found ({reason})"),
            )
        })?;
        if config.region().is_none() {
            return Err(ServiceError::new(
                FailureKind::Invalid,
                "load configuration",
                "no AWS region is configured; choose one (e.g. us-east-1) or set AWS_REGION",
            ));
        }
        Ok(Self {
            sandbox_account: None,
            jobs: BedrockJobs::new(bedrock_client(&config), aws_sdk_cloudwatch::Client::new(&config)),
            runtime: aws_sdk_bedrockruntime::Client::new(&config),
            transfer: S3Transfer::new(s3_client(&config, options.endpoint_url.is_some()), UploadSettings::default()),
            pacing,
            config,
            _keep: None,
        })
    }

    /// The offline sandbox: the S3 emulator and the Bedrock emulator (which also answers Converse) at
    /// `address`, with the sandbox's identity; `keep` (the servers) lives as long as the connection.
    pub async fn sandbox(address: SandboxAddress<'_>, keep: Box<dyn Any + Send + Sync>) -> Self {
        let SandboxAddress { s3_endpoint, bedrock_endpoint, region, account } = address;
        let credentials = aws_sdk_s3::config::Credentials::new("sandbox", "sandbox", None, None, "sandbox");
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .credentials_provider(credentials)
            .load()
            .await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config).endpoint_url(s3_endpoint).force_path_style(true).build(),
        );
        let bedrock = aws_sdk_bedrock::Client::from_conf(
            aws_sdk_bedrock::config::Builder::from(&config).endpoint_url(bedrock_endpoint).build(),
        );
        let runtime = aws_sdk_bedrockruntime::Client::from_conf(
            aws_sdk_bedrockruntime::config::Builder::from(&config).endpoint_url(bedrock_endpoint).build(),
        );
        // The emulator also publishes the batch metrics CloudWatch would.
        let metrics = aws_sdk_cloudwatch::Client::from_conf(
            aws_sdk_cloudwatch::config::Builder::from(&config).endpoint_url(bedrock_endpoint).build(),
        );
        Self {
            sandbox_account: Some(account.to_string()),
            jobs: BedrockJobs::new(bedrock, metrics),
            runtime,
            transfer: S3Transfer::new(s3, UploadSettings::default()),
            config,
            pacing: Pacing::local(),
            _keep: Some(keep),
        }
    }

    /// The SDK configuration (for the reads that are not ports yet: quotas, the CLI's IAM commands).
    pub fn config(&self) -> &SdkConfig {
        &self.config
    }
}

impl Backend for Connection {
    type Jobs = BedrockJobs;
    type Transfer = S3Transfer;
    type Invoker = RuntimeInvoker;

    fn sandbox(&self) -> bool {
        self.sandbox_account.is_some()
    }

    fn region(&self) -> String {
        // Both kinds are made with a region (AWS refuses to connect without one).
        self.config.region().map(ToString::to_string).unwrap_or_default()
    }

    fn pacing(&self) -> Pacing {
        self.pacing
    }

    fn jobs(&self) -> &BedrockJobs {
        &self.jobs
    }

    fn transfer(&self) -> &S3Transfer {
        &self.transfer
    }

    async fn identity(&self) -> Result<CallerIdentity, ServiceError> {
        if let Some(account) = &self.sandbox_account {
            return Ok(CallerIdentity {
                account: account.clone(),
                arn: format!("arn:aws:iam::{account}:user/sandbox"),
                user_id: "SANDBOX".into(),
            });
        }
        caller_identity(&self.config).await
    }

    fn invoker(&self, model: &ModelId, invocation: InvocationType, tier: Tier) -> RuntimeInvoker {
        RuntimeInvoker::over(&self.runtime, model.clone(), invocation, tier)
    }

    async fn models(&self) -> Result<AccountModels, ServiceError> {
        let batch_names = match self.sandbox_account {
            Some(_) => None,
            None => Some(crate::quotas::batch_model_names(&self.config).await),
        };
        crate::models::list_models(self.jobs.client(), batch_names).await
    }

    async fn converse(&self, prompt: OnDemandPrompt<'_>) -> Result<TestAnswer, ServiceError> {
        crate::models::converse_once(&self.runtime, prompt).await
    }

    async fn profile_models(&self, profile: &ModelId) -> Result<Vec<String>, ServiceError> {
        let answer = self
            .jobs
            .client()
            .get_inference_profile()
            .inference_profile_identifier(profile.as_str())
            .send()
            .await
            .map_err(|e| crate::failure::service_error("GetInferenceProfile", e))?;
        Ok(answer.models().iter().filter_map(|m| m.model_arn().map(str::to_string)).collect())
    }

    async fn check_access(&self, setup: &AccessSetup) -> Result<(AccessReport, Vec<String>), ServiceError> {
        crate::iam_live::live_check(&self.config, setup).await
    }

    async fn create_service_role(&self, setup: &AccessSetup) -> Result<String, ServiceError> {
        if self.sandbox() {
            return Err(ServiceError::new(
                FailureKind::Invalid,
                "CreateRole",
                "the offline sandbox has no IAM: a service role is created only in an AWS account",
            ));
        }
        crate::iam_live::create_role(&self.config, setup).await
    }

    async fn browse(&self, location: &str) -> Result<S3Listing, ServiceError> {
        crate::s3_browse::browse(self.transfer.client(), location).await
    }

    async fn quotas(&self, model_id: &str) -> BatchQuotas {
        if self.sandbox() {
            return BatchQuotas::defaults("the offline sandbox has no Service Quotas");
        }
        crate::quotas::batch_quotas(&self.config, model_id).await
    }

    async fn on_demand_quotas(&self, model_id: &str) -> OnDemandQuotas {
        if self.sandbox() {
            return OnDemandQuotas::unknown("the offline sandbox has no Service Quotas");
        }
        crate::quotas::on_demand_quotas(&self.config, model_id).await
    }
}
