//! The Bedrock batch-job control plane through aws-sdk-bedrock: the [`JobsApi`] port.

use aws_sdk_bedrock::Client;
use aws_sdk_bedrock::primitives::DateTimeFormat;
use aws_sdk_bedrock::types::{
    ModelInvocationJobInputDataConfig, ModelInvocationJobOutputDataConfig, ModelInvocationJobS3InputDataConfig,
    ModelInvocationJobS3OutputDataConfig, ModelInvocationType, S3InputFormat, SortOrder, Tag, VpcConfig,
};
use batch_app::history::JobCounts;
use batch_app::ports::{FailureKind, JobConfig, JobFilter, JobSnapshot, JobsApi, NewJob, ServiceError};
use batch_core::aws_names::JobStatus;
use batch_core::model::InvocationType;

use crate::failure::service_error;

/// Bedrock's job API over one SDK client, and the jobs' CloudWatch metrics over another.
#[derive(Debug, Clone)]
pub struct BedrockJobs {
    client: Client,
    metrics: aws_sdk_cloudwatch::Client,
}

impl BedrockJobs {
    /// The adapter over `client`, reading the batch metrics with `metrics`.
    pub fn new(client: Client, metrics: aws_sdk_cloudwatch::Client) -> Self {
        Self { client, metrics }
    }

    /// The Bedrock control-plane client (model lists).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

fn invalid(operation: &'static str, error: impl std::fmt::Display) -> ServiceError {
    ServiceError::new(FailureKind::Invalid, operation, error.to_string())
}

fn counts(total: Option<i64>, processed: Option<i64>, succeeded: Option<i64>, failed: Option<i64>) -> JobCounts {
    let n = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
    JobCounts { total: n(total), processed: n(processed), succeeded: n(succeeded), failed: n(failed) }
}

fn time(t: Option<&aws_sdk_bedrock::primitives::DateTime>) -> Option<String> {
    // Some emulators leave a required time out and the SDK fills the epoch; that is no time at all.
    t.filter(|t| t.secs() > 0).and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
}

/// An RFC 3339 time for a listing filter.
fn date_time(what: &str, text: &str) -> Result<aws_sdk_bedrock::primitives::DateTime, ServiceError> {
    aws_sdk_bedrock::primitives::DateTime::from_str(text, DateTimeFormat::DateTime).map_err(|e| {
        ServiceError::new(
            FailureKind::Invalid,
            "ListModelInvocationJobs",
            format!("{what}: \"{text}\" is not a time ({e}); write it as 2026-11-30T00:00:00Z"),
        )
    })
}

/// The S3 location of a job's input, if it reads from S3.
fn input_uri(config: Option<&ModelInvocationJobInputDataConfig>) -> Option<String> {
    match config? {
        ModelInvocationJobInputDataConfig::S3InputDataConfig(s3) => Some(s3.s3_uri().to_string()),
        _ => None,
    }
}

/// The S3 location of a job's outputs, if it writes to S3.
fn output_uri(config: Option<&ModelInvocationJobOutputDataConfig>) -> Option<String> {
    match config? {
        ModelInvocationJobOutputDataConfig::S3OutputDataConfig(s3) => Some(s3.s3_uri().to_string()),
        _ => None,
    }
}

fn status(s: Option<&aws_sdk_bedrock::types::ModelInvocationJobStatus>) -> JobStatus {
    JobStatus::from(s.map_or("Unknown", |s| s.as_str()).to_string())
}

impl JobsApi for BedrockJobs {
    async fn create(&self, job: &NewJob) -> Result<String, ServiceError> {
        const OP: &str = "CreateModelInvocationJob";
        let input = ModelInvocationJobS3InputDataConfig::builder()
            .s3_uri(job.input_uri.to_string())
            .s3_input_format(S3InputFormat::Jsonl)
            .build()
            .map_err(|e| invalid(OP, e))?;
        let mut output = ModelInvocationJobS3OutputDataConfig::builder().s3_uri(job.output_uri.to_string());
        if let Some(key) = &job.settings.output_kms_key {
            output = output.s3_encryption_key_id(key);
        }
        let output = output.build().map_err(|e| invalid(OP, e))?;
        let mut request = self
            .client
            .create_model_invocation_job()
            .job_name(&job.job_name)
            .role_arn(&job.role_arn)
            .model_id(&job.model_id)
            .client_request_token(&job.request_token)
            .timeout_duration_in_hours(job.settings.timeout_hours as i32)
            .model_invocation_type(match job.invocation {
                InvocationType::InvokeModel => ModelInvocationType::InvokeModel,
                InvocationType::Converse => ModelInvocationType::Converse,
            })
            .input_data_config(ModelInvocationJobInputDataConfig::S3InputDataConfig(input))
            .output_data_config(ModelInvocationJobOutputDataConfig::S3OutputDataConfig(output));
        for (key, value) in &job.settings.tags {
            request = request.tags(Tag::builder().key(key).value(value).build().map_err(|e| invalid(OP, e))?);
        }
        if let Some(vpc) = &job.settings.vpc {
            let config = VpcConfig::builder()
                .set_subnet_ids(Some(vpc.subnet_ids.clone()))
                .set_security_group_ids(Some(vpc.security_group_ids.clone()))
                .build()
                .map_err(|e| invalid(OP, e))?;
            request = request.vpc_config(config);
        }
        let created = request.send().await.map_err(|e| service_error(OP, e))?;
        Ok(created.job_arn().to_string())
    }

    async fn get(&self, job: &str) -> Result<JobSnapshot, ServiceError> {
        let got = self
            .client
            .get_model_invocation_job()
            .job_identifier(job)
            .send()
            .await
            .map_err(|e| service_error("GetModelInvocationJob", e))?;
        Ok(JobSnapshot {
            job_arn: got.job_arn().to_string(),
            job_name: got.job_name().unwrap_or_default().to_string(),
            status: status(got.status()),
            message: got.message().map(str::to_string),
            counts: counts(
                got.total_record_count(),
                got.processed_record_count(),
                got.success_record_count(),
                got.error_record_count(),
            ),
            submit_time: time(Some(got.submit_time())),
            end_time: time(got.end_time()),
            config: JobConfig {
                model_id: Some(got.model_id().to_string()),
                role_arn: Some(got.role_arn().to_string()),
                input_uri: input_uri(got.input_data_config()),
                output_uri: output_uri(got.output_data_config()),
            },
        })
    }

    async fn stop(&self, job: &str) -> Result<(), ServiceError> {
        self.client
            .stop_model_invocation_job()
            .job_identifier(job)
            .send()
            .await
            .map_err(|e| service_error("StopModelInvocationJob", e))?;
        Ok(())
    }

    async fn list(&self, filter: &JobFilter) -> Result<Vec<JobSnapshot>, ServiceError> {
        let mut request = self.client.list_model_invocation_jobs().sort_order(SortOrder::Descending);
        if let Some(status) = &filter.status {
            request = request.status_equals(status.as_str().into());
        }
        if let Some(name) = &filter.name_contains {
            request = request.name_contains(name);
        }
        if let Some(after) = &filter.submitted_after {
            request = request.submit_time_after(date_time("submitted after", after)?);
        }
        if let Some(before) = &filter.submitted_before {
            request = request.submit_time_before(date_time("submitted before", before)?);
        }
        let limit = filter.limit.unwrap_or(usize::MAX);
        let mut pages = request.max_results(limit.clamp(1, 1000) as i32).into_paginator().send();
        let mut jobs = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| service_error("ListModelInvocationJobs", e))?;
            for summary in page.invocation_job_summaries() {
                jobs.push(JobSnapshot {
                    job_arn: summary.job_arn().to_string(),
                    job_name: summary.job_name().to_string(),
                    status: status(summary.status()),
                    message: summary.message().map(str::to_string),
                    counts: counts(
                        summary.total_record_count(),
                        summary.processed_record_count(),
                        summary.success_record_count(),
                        summary.error_record_count(),
                    ),
                    submit_time: time(Some(summary.submit_time())),
                    end_time: time(summary.end_time()),
                    config: JobConfig {
                        model_id: Some(summary.model_id().to_string()),
                        role_arn: Some(summary.role_arn().to_string()),
                        input_uri: input_uri(summary.input_data_config()),
                        output_uri: output_uri(summary.output_data_config()),
                    },
                });
                if jobs.len() >= limit {
                    return Ok(jobs);
                }
            }
        }
        Ok(jobs)
    }

    async fn backlog(&self, model_id: &str) -> Result<batch_core::batch_backlog::ModelBacklog, ServiceError> {
        crate::batch_metrics::model_backlog(&self.metrics, model_id).await
    }
}
