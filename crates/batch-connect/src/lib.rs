//! The one place a program gets its backend: AWS through the SDK adapters, or the offline sandbox — the
//! emulator's S3 emulator and Bedrock servers started over a folder and reached through the same adapters.
//! The CLI and the desktop shell hand [`Backends`] to the use cases; nothing below them picks.

pub mod logging;

use std::path::Path;

use batch_app::lifecycle::Pacing;
use batch_app::ports::{
    AccessOptions, Connector, FailureKind, SANDBOX_INPUT_BUCKET, SANDBOX_OUTPUT_BUCKET, ServiceError,
};
/// The backend [`Backends`] makes: AWS through the SDK adapters, or the sandbox through the same adapters.
pub use batch_aws::connection::Connection;
use batch_aws::connection::SandboxAddress;
use bedrock_emulator::sandbox::{SANDBOX_ACCOUNT, SANDBOX_REGION, SandboxServers};

/// Makes [`Connection`]s: to AWS, polling with `pacing`, or to the sandbox.
#[derive(Debug, Clone, Copy)]
pub struct Backends {
    /// How AWS connections poll and retry (the sandbox always polls as fast as its emulator runs).
    pub pacing: Pacing,
}

impl Default for Backends {
    fn default() -> Self {
        Self { pacing: Pacing::aws() }
    }
}

impl Connector for Backends {
    type Backend = Connection;

    async fn aws(&self, options: &AccessOptions) -> Result<Connection, ServiceError> {
        Connection::aws(options, self.pacing).await
    }

    async fn sandbox(&self, dir: &Path) -> Result<Connection, ServiceError> {
        let servers = SandboxServers::start(dir, &[SANDBOX_INPUT_BUCKET, SANDBOX_OUTPUT_BUCKET]).map_err(|e| {
            ServiceError::new(FailureKind::Other, "start the sandbox", format!("{}: {e}", dir.display()))
        })?;
        let (s3, bedrock) = (servers.s3_endpoint(), servers.bedrock_endpoint());
        let address = SandboxAddress {
            s3_endpoint: &s3,
            bedrock_endpoint: &bedrock,
            region: SANDBOX_REGION,
            account: SANDBOX_ACCOUNT,
        };
        Ok(Connection::sandbox(address, Box::new(servers)).await)
    }
}
