//! An emulator of Amazon Bedrock's batch inference control plane (CreateModelInvocationJob,
//! GetModelInvocationJob, ListModelInvocationJobs, StopModelInvocationJob) and of the batch worker that
//! turns input JSONL into `<output>/<jobId>/<file>.out` files and a `manifest.json.out`.
//!
//! No existing emulator runs batch jobs, so tests and the offline sandbox use this one. The engine here is
//! transport-free: [`Registry`] holds the jobs and answers the API calls; [`Registry::tick`] advances every
//! job one step, reading and writing objects through an [`ObjectStore`]. Records are answered by
//! `batch_core::sandbox_model`, a deterministic model — its results are labelled SANDBOX.

mod api;
mod batch_metrics;
mod catalogue;
mod error;
mod faults;
mod http;
mod registry;
mod runtime;
mod runtime_quota;
pub mod s3;
mod s3_store;
pub mod sandbox;
mod server;
mod store;
mod worker;

pub use api::{CreateJobRequest, JobDetail, JobSummary, ListJobsRequest, ListJobsResponse, S3Config, Tag};
pub use error::{ApiError, ErrorKind};
pub use faults::{FAULT_TAG, Faults};
pub use http::{EmulatorHandle, spawn, spawn_over_file, spawn_shared};
pub use registry::{FileRegistry, Registry, RegistryConfig};
pub use s3_store::S3Store;
pub use server::ServerHandle;
pub use store::{MemoryStore, ObjectStore, StoreError};
