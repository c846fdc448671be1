//! Connecting a lifecycle command: the history, the async runtime, and AWS or the offline sandbox.

use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::{Context, Result};
use batch_app::history::History;
use batch_app::ports::{AccessOptions, Backend, Connector};
use batch_app::start_run::{AwsOrSandbox, connect_aws_or_sandbox};
use batch_connect::{Backends, Connection};

use crate::args::AccessArgs;

/// The label on everything the sandbox produces.
pub const SANDBOX_LABEL: &str =
    "SANDBOX (offline: local emulators of S3 and Bedrock, answers from the sandbox model — not real model output)";

/// The async runtime a command's remote calls run on.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Runtime::new().context("cannot start the async runtime")
}

/// The job history at its default place (in the data folder: `$BEDROCK_BATCH_HOME`, else the platform's).
pub fn open_history() -> Result<Mutex<History>> {
    Ok(Mutex::new(History::open(&History::default_path())?))
}

/// The sandbox's folder, beside the history.
fn sandbox_dir() -> PathBuf {
    batch_app::places::data_home().join("sandbox")
}

/// Connects: the sandbox when asked (or when the run is a sandbox run), else AWS — falling back to the
/// sandbox, loudly, when no credentials are found and nothing AWS-specific was asked for.
pub async fn connect(access: &AccessArgs, sandbox_run: bool, may_fall_back: bool) -> Result<Connection> {
    let pacing = match access.polling {
        crate::args::Polling::Aws => batch_app::lifecycle::Pacing::aws(),
        crate::args::Polling::Emulator => batch_app::lifecycle::Pacing::local(),
    };
    let backends = Backends { pacing };
    if access.sandbox || sandbox_run {
        eprintln!("{SANDBOX_LABEL}");
        return Ok(backends.sandbox(&sandbox_dir()).await?);
    }
    let options = AccessOptions { profile: access.profile.clone(), region: access.region.clone(), endpoint_url: None };
    match connect_aws_or_sandbox(&backends, &options, may_fall_back).await {
        Ok(AwsOrSandbox::Aws(connection)) => {
            let who = connection.identity().await?;
            eprintln!("AWS account {} as {}", who.account, who.arn);
            Ok(connection)
        }
        Ok(AwsOrSandbox::Sandbox(why)) => {
            eprintln!("{why}: using the offline sandbox");
            eprintln!("{SANDBOX_LABEL}");
            Ok(backends.sandbox(&sandbox_dir()).await?)
        }
        Err(error) if error.kind == batch_app::ports::FailureKind::NoCredentials => Err(anyhow::anyhow!(
            "{error}; sign in (e.g. `aws sso login --profile NAME`), set AWS_PROFILE, or use --sandbox to try everything offline"
        )),
        Err(error) => Err(error.into()),
    }
}
