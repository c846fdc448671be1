//! The offline sandbox's servers: an S3 emulator over a folder and a Bedrock emulator whose jobs live in one
//! file under a lock, both on loopback ports of their own. Every process using the same folder (the desktop
//! app, any CLI command) serves its own pair and sees, and advances, the same objects and jobs.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::s3::{DiskBuckets, S3Faults, spawn_s3_over};
use crate::{FileRegistry, ObjectStore, RegistryConfig, ServerHandle, spawn_over_file};

/// The sandbox's account.
pub const SANDBOX_ACCOUNT: &str = "000000000000";
/// The sandbox's region.
pub const SANDBOX_REGION: &str = "us-east-1";

/// The running sandbox servers; they stop when this is dropped.
pub struct SandboxServers {
    s3: ServerHandle,
    bedrock: ServerHandle,
}

impl SandboxServers {
    /// Starts both servers over the folder `dir` (created if needed) with these buckets present.
    pub fn start(dir: &Path, buckets: &[&str]) -> std::io::Result<Self> {
        let store = Arc::new(DiskBuckets::open(&dir.join("s3"))?);
        for bucket in buckets {
            store.create_bucket(bucket).map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let s3 = spawn_s3_over(loopback, store.clone(), S3Faults::default())?;
        let worker_store: Arc<dyn ObjectStore> = store;
        let config = RegistryConfig { account: SANDBOX_ACCOUNT.into(), ..RegistryConfig::default() };
        let registry = Arc::new(FileRegistry::open(config, &dir.join("bedrock-jobs.json"))?);
        let tick = Duration::from_millis(40);
        let bedrock = spawn_over_file(loopback, registry, worker_store, SANDBOX_REGION, tick)?;
        Ok(Self { s3, bedrock })
    }

    /// The S3 emulator's endpoint URL.
    pub fn s3_endpoint(&self) -> String {
        self.s3.endpoint()
    }

    /// The Bedrock emulator's endpoint URL (control plane and Converse).
    pub fn bedrock_endpoint(&self) -> String {
        self.bedrock.endpoint()
    }
}
