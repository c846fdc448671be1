//! Bedrock Batch Studio's AWS adapters over the real aws-sdk-rust clients: the ports of `batch-app`
//! (Bedrock jobs, S3 transfers), the caller's identity, Service Quotas, and loading AWS access.

pub mod batch_metrics;
pub mod bedrock_jobs;
pub mod connection;
pub mod environment;
mod failure;
pub mod iam_live;
pub mod identity;
pub mod models;
pub mod on_demand;
pub mod profiles;
pub mod quotas;
pub mod s3_browse;
pub mod s3_transfer;
pub mod s3_upload;

pub use bedrock_jobs::BedrockJobs;
pub use s3_transfer::S3Transfer;
