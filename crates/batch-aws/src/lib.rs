//! Bedrock Batch Studio's AWS adapters, each over the real aws-sdk-rust clients: so far the resumable S3
//! upload of prepared parts.

pub mod s3_upload;
