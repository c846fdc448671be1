//! One connection for the lifecycle: real AWS (the default credential chain), or the offline sandbox — an
//! S3 stand-in on disk and the Bedrock emulator, started in-process on loopback and reached through the
//! same SDK clients, so the sandbox exercises exactly the code that talks to AWS.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::sync::atomic::AtomicBool;

use batch_app::history::History;
use batch_app::lifecycle::{Lifecycle, LifecycleEvents, Pacing};
use batch_app::ports::{CallerIdentity, FailureKind, ServiceError};
use bedrock_emulator::s3::{DiskBuckets, S3Faults, spawn_s3_over};
use bedrock_emulator::{FileRegistry, ObjectStore, RegistryConfig, ServerHandle};

use crate::environment::{AccessOptions, bedrock_client, credentials_available, load_config, s3_client};
use crate::identity::caller_identity;
use crate::s3_upload::UploadSettings;
use crate::{BedrockJobs, S3Transfer};

/// The sandbox's service role (no IAM is checked there).
pub const SANDBOX_ROLE: &str = "arn:aws:iam::000000000000:role/BedrockBatchSandboxRole";
/// The sandbox's input prefix.
pub const SANDBOX_INPUT: &str = "s3://sandbox-input/batch";
/// The sandbox's output prefix.
pub const SANDBOX_OUTPUT: &str = "s3://sandbox-output/results";

/// Where the lifecycle's calls go.
pub struct Connection {
    /// True for the offline sandbox (results come from a stand-in model).
    pub sandbox: bool,
    /// The Bedrock job API.
    pub jobs: BedrockJobs,
    /// S3 transfers.
    pub transfer: S3Transfer,
    /// Bedrock's runtime (the one-row test).
    pub runtime: aws_sdk_bedrockruntime::Client,
    /// The SDK configuration (for identity and quota reads).
    pub config: SdkConfig,
    /// Poll and retry timing that suits the target.
    pub pacing: Pacing,
    /// The sandbox's folder, when sandboxed.
    pub sandbox_dir: Option<PathBuf>,
    _servers: Vec<ServerHandle>,
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
                format!("no AWS credentials found ({reason}); sign in (e.g. `aws sso login --profile NAME`), set AWS_PROFILE, or use --sandbox to try everything offline"),
            )
        })?;
        if config.region().is_none() {
            return Err(ServiceError::new(
                FailureKind::Invalid,
                "load configuration",
                "no AWS region is configured; pass --region (e.g. us-east-1) or set AWS_REGION",
            ));
        }
        Ok(Self {
            sandbox: false,
            jobs: BedrockJobs::new(bedrock_client(&config)),
            runtime: aws_sdk_bedrockruntime::Client::new(&config),
            transfer: S3Transfer::new(s3_client(&config, options.endpoint_url.is_some()), UploadSettings::default()),
            pacing,
            config,
            sandbox_dir: None,
            _servers: Vec::new(),
        })
    }

    /// Starts the offline sandbox over the folder `dir` (created if needed): its S3 objects persist there.
    pub async fn sandbox(dir: &Path) -> Result<Self, ServiceError> {
        let failed = |e: std::io::Error| {
            ServiceError::new(FailureKind::Other, "start the sandbox", format!("{}: {e}", dir.display()))
        };
        let store = Arc::new(DiskBuckets::open(&dir.join("s3")).map_err(failed)?);
        for bucket in ["sandbox-input", "sandbox-output"] {
            store
                .create_bucket(bucket)
                .map_err(|e| ServiceError::new(FailureKind::Other, "start the sandbox", e.to_string()))?;
        }
        let loopback = "127.0.0.1:0".parse().map_err(|_| failed(std::io::Error::other("bad loopback address")))?;
        let s3 = spawn_s3_over(loopback, store.clone(), S3Faults::default()).map_err(failed)?;
        let worker_store: Arc<dyn ObjectStore> = store;
        // The jobs live in one file that every process using this sandbox (the app, any CLI command) shares
        // under a lock: each serves its own emulator, and all see and advance the same jobs.
        let jobs_file = dir.join("bedrock-jobs.json");
        let config = RegistryConfig { account: "000000000000".into(), ..RegistryConfig::default() };
        let registry = Arc::new(FileRegistry::open(config, &jobs_file).map_err(failed)?);
        let tick = Duration::from_millis(40);
        let bedrock =
            bedrock_emulator::spawn_over_file(loopback, registry, worker_store, "us-east-1", tick).map_err(failed)?;
        let credentials = aws_sdk_s3::config::Credentials::new("sandbox", "sandbox", None, None, "sandbox");
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(credentials)
            .load()
            .await;
        let s3_client = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config).endpoint_url(s3.endpoint()).force_path_style(true).build(),
        );
        let bedrock_client = aws_sdk_bedrock::Client::from_conf(
            aws_sdk_bedrock::config::Builder::from(&config).endpoint_url(bedrock.endpoint()).build(),
        );
        // The emulator serves Converse on the same port, from the stand-in model.
        let runtime = aws_sdk_bedrockruntime::Client::from_conf(
            aws_sdk_bedrockruntime::config::Builder::from(&config).endpoint_url(bedrock.endpoint()).build(),
        );
        Ok(Self {
            sandbox: true,
            jobs: BedrockJobs::new(bedrock_client),
            runtime,
            transfer: S3Transfer::new(s3_client, UploadSettings::default()),
            config,
            pacing: Pacing::local(),
            sandbox_dir: Some(dir.to_path_buf()),
            _servers: vec![s3, bedrock],
        })
    }

    /// The lifecycle over this connection's ports and timing.
    pub fn lifecycle<'a>(
        &'a self,
        history: &'a Mutex<History>,
        events: &'a dyn LifecycleEvents,
        cancel: &'a AtomicBool,
    ) -> Lifecycle<'a, BedrockJobs, S3Transfer> {
        Lifecycle::new(history, &self.jobs, &self.transfer, events, self.pacing, cancel)
    }

    /// Who is calling (the sandbox's simulated identity offline).
    pub async fn identity(&self) -> Result<CallerIdentity, ServiceError> {
        if self.sandbox {
            return Ok(CallerIdentity {
                account: "000000000000".into(),
                arn: "arn:aws:iam::000000000000:user/sandbox".into(),
                user_id: "SANDBOX".into(),
            });
        }
        caller_identity(&self.config).await
    }
}
