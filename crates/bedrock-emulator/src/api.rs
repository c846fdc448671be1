//! The control plane's request and response bodies, with the service model's (camelCase) field names.

use serde::{Deserialize, Serialize};

/// `{"s3Uri", "s3InputFormat"?, "s3EncryptionKeyId"?, "s3BucketOwner"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3Config {
    /// The S3 location.
    pub s3_uri: String,
    /// Input only: `JSONL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_input_format: Option<String>,
    /// Output only: a KMS key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_encryption_key_id: Option<String>,
    /// The bucket's owning account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_bucket_owner: Option<String>,
}

/// `{"s3InputDataConfig": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputDataConfig {
    /// The input location.
    pub s3_input_data_config: S3Config,
}

/// `{"s3OutputDataConfig": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputDataConfig {
    /// The output location.
    pub s3_output_data_config: S3Config,
}

/// A resource tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// Tag key.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// `{"subnetIds", "securityGroupIds"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcConfig {
    /// 1–16 subnets.
    pub subnet_ids: Vec<String>,
    /// 1–5 security groups.
    pub security_group_ids: Vec<String>,
}

/// CreateModelInvocationJob's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateJobRequest {
    /// 1–63 characters.
    pub job_name: String,
    /// The service role.
    pub role_arn: String,
    /// Foundation model, inference profile, or an ARN of either.
    pub model_id: String,
    /// Where the input JSONL is.
    pub input_data_config: InputDataConfig,
    /// Where outputs go.
    pub output_data_config: OutputDataConfig,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    /// 24–168.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_duration_in_hours: Option<i64>,
    /// At most 200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// Optional VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfig>,
    /// `InvokeModel` (default) or `Converse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_invocation_type: Option<String>,
}

/// GetModelInvocationJob's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobDetail {
    /// `arn:aws:bedrock:<region>:<account>:model-invocation-job/<12 chars>`.
    pub job_arn: String,
    /// The name given.
    pub job_name: String,
    /// The model.
    pub model_id: String,
    /// The token given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    /// The role.
    pub role_arn: String,
    /// The status.
    pub status: String,
    /// Why it failed or expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// ISO 8601.
    pub submit_time: String,
    /// ISO 8601.
    pub last_modified_time: String,
    /// ISO 8601, once ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// The input location.
    pub input_data_config: InputDataConfig,
    /// The output location.
    pub output_data_config: OutputDataConfig,
    /// Optional VPC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfig>,
    /// The timeout.
    pub timeout_duration_in_hours: i64,
    /// When the job times or timed out (ISO 8601).
    pub job_expiration_time: String,
    /// `InvokeModel` or `Converse`.
    pub model_invocation_type: String,
    /// Records in the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_record_count: Option<u64>,
    /// Records processed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processed_record_count: Option<u64>,
    /// Records that succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_record_count: Option<u64>,
    /// Records that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_record_count: Option<u64>,
}

/// ListModelInvocationJobs' entries (the same fields as [`JobDetail`]).
pub type JobSummary = JobDetail;

/// ListModelInvocationJobs' filters and paging.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListJobsRequest {
    /// Only this status.
    pub status_equals: Option<String>,
    /// Only names containing this.
    pub name_contains: Option<String>,
    /// 1–1000; default 1000.
    pub max_results: Option<usize>,
    /// From a previous answer.
    pub next_token: Option<String>,
    /// Newest first when true (default), else oldest first.
    pub descending: bool,
    /// Only jobs submitted after this time (`submitTimeAfter`, ISO 8601).
    pub submit_time_after: Option<String>,
    /// Only jobs submitted before this time (`submitTimeBefore`, ISO 8601).
    pub submit_time_before: Option<String>,
    /// `sortBy` as sent (only `CreationTime` exists).
    pub sort_by: Option<String>,
    /// `sortOrder` as sent (`Ascending` or `Descending`).
    pub sort_order: Option<String>,
}

/// ListModelInvocationJobs' answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobsResponse {
    /// The page.
    pub invocation_job_summaries: Vec<JobSummary>,
    /// The next page's token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}
