//! The control plane: the jobs and the four API calls, validated as the service model says.

use batch_core::aws_names::{ClientRequestToken, JobStatus, S3Uri};
use batch_core::clock::{rfc3339_from_unix, unix_now};
use batch_core::limits::Limits;
use batch_core::model::{InvocationType, ModelId};
use batch_core::record_id::fnv1a;
use batch_core::sandbox_model::job_id_from;

use crate::api::{CreateJobRequest, JobDetail, ListJobsRequest, ListJobsResponse};
use crate::error::{ApiError, ErrorKind};
use crate::faults::{Faults, JobFault};
use crate::store::ObjectStore;
use crate::worker;
pub(crate) use validation::parse_request;
use validation::{JOB_IDENTIFIER_RULE, JOB_STATUSES, constraint, is_job_identifier, is_name_filter};

/// The emulated account, region and quotas.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// Region in job ARNs.
    pub region: String,
    /// Account in job ARNs.
    pub account: String,
    /// Submitted plus in-progress jobs allowed per model.
    pub max_concurrent_per_model: usize,
    /// Record limits checked while validating.
    pub limits: Limits,
    /// Cross-job failure injection.
    pub faults: Faults,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            region: "us-east-1".into(),
            account: "123456789012".into(),
            // AWS's default quota of submitted plus in-progress jobs per model.
            max_concurrent_per_model: 100,
            limits: Limits::default(),
            faults: Faults::default(),
        }
    }
}

/// One job and its progress.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub id: String,
    pub arn: String,
    pub request: CreateJobRequest,
    pub model: ModelId,
    pub invocation: InvocationType,
    pub input: S3Uri,
    pub output: S3Uri,
    pub timeout_hours: i64,
    pub status: JobStatus,
    pub message: Option<String>,
    pub submit_time: i64,
    pub last_modified: i64,
    pub end_time: Option<i64>,
    pub total: Option<u64>,
    pub processed: Option<u64>,
    pub succeeded: Option<u64>,
    pub failed: Option<u64>,
    pub fault: Option<JobFault>,
    pub waited: u32,
    pub stop_requested: bool,
    /// A held job (fault `hold`) was released and runs on.
    pub released: bool,
    /// The tokens its records took, once answered.
    pub tokens: Option<ProcessedTokens>,
}

/// The tokens a job's answered records took, and when they were answered (what the batch metrics count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ProcessedTokens {
    /// Input tokens.
    pub input: u64,
    /// Output tokens.
    pub output: u64,
    /// When (Unix seconds).
    pub at: i64,
}

impl Job {
    fn detail(&self) -> JobDetail {
        JobDetail {
            job_arn: self.arn.clone(),
            job_name: self.request.job_name.clone(),
            model_id: self.request.model_id.clone(),
            client_request_token: self.request.client_request_token.clone(),
            role_arn: self.request.role_arn.clone(),
            status: self.status.as_str().to_string(),
            message: self.message.clone(),
            submit_time: rfc3339_from_unix(self.submit_time),
            last_modified_time: rfc3339_from_unix(self.last_modified),
            end_time: self.end_time.map(rfc3339_from_unix),
            input_data_config: self.request.input_data_config.clone(),
            output_data_config: self.request.output_data_config.clone(),
            vpc_config: self.request.vpc_config.clone(),
            timeout_duration_in_hours: self.timeout_hours,
            job_expiration_time: rfc3339_from_unix(self.submit_time + self.timeout_hours * 3600),
            model_invocation_type: match self.invocation {
                InvocationType::InvokeModel => "InvokeModel".into(),
                InvocationType::Converse => "Converse".into(),
            },
            total_record_count: self.total,
            processed_record_count: self.processed,
            success_record_count: self.succeeded,
            error_record_count: self.failed,
        }
    }

    /// Moves to `status`; terminal statuses stamp the end time.
    pub(crate) fn set(&mut self, status: JobStatus, message: Option<String>) {
        let now = unix_now();
        if status.is_terminal() {
            self.end_time = Some(now);
        }
        self.status = status;
        if message.is_some() {
            self.message = message;
        }
        self.last_modified = now;
        self.waited = 0;
    }
}

/// The jobs of one emulated account and region.
#[derive(Debug, Default)]
pub struct Registry {
    config: RegistryConfig,
    jobs: Vec<Job>,
    /// Saved jobs this version cannot read back: kept as they were and saved again, never dropped.
    unreadable: Vec<serde_json::Value>,
    throttles_left: u32,
    internal_errors_left: u32,
    /// Counts the changes to the jobs (what a save must write).
    revision: u64,
}

impl Registry {
    /// An empty registry.
    pub fn new(config: RegistryConfig) -> Self {
        let throttles_left = config.faults.throttle_creates;
        let internal_errors_left = config.faults.internal_errors;
        Self { config, jobs: Vec::new(), unreadable: Vec::new(), throttles_left, internal_errors_left, revision: 0 }
    }

    /// Counts the changes to the jobs so far: equal before and after a call that changed none.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Makes the next `count` calls of any kind answer `InternalServerException`.
    pub fn fail_next_calls(&mut self, count: u32) {
        self.internal_errors_left = count;
    }

    /// Consumes one injected internal error, if any is left (the HTTP layer asks before each call).
    pub fn take_internal_error(&mut self) -> Option<ApiError> {
        if self.internal_errors_left == 0 {
            return None;
        }
        self.internal_errors_left -= 1;
        Some(ApiError::new(ErrorKind::InternalServer, "Internal server error (injected by the emulator)."))
    }

    /// Makes the next `count` create calls answer `ThrottlingException`.
    pub fn throttle_next_creates(&mut self, count: u32) {
        self.throttles_left = count;
    }

    /// CreateModelInvocationJob: the new job's ARN (or the existing one for a repeated token).
    pub fn create(&mut self, request: CreateJobRequest) -> Result<String, ApiError> {
        if self.throttles_left > 0 {
            self.throttles_left -= 1;
            return Err(ApiError::new(ErrorKind::Throttling, "Too many requests, please wait before trying again."));
        }
        if let Some(token) = &request.client_request_token {
            ClientRequestToken::parse(token).map_err(|_| {
                constraint(
                    "clientRequestToken",
                    token,
                    "Member must satisfy regular expression pattern: [a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}",
                )
            })?;
            if let Some(existing) = self.jobs.iter().find(|j| j.request.client_request_token.as_deref() == Some(token))
            {
                return Ok(existing.arn.clone());
            }
        }
        let parsed = parse_request(&request)?;
        let model = parsed.model.clone();
        let active =
            self.jobs.iter().filter(|j| j.model.base_id() == model.base_id() && !j.status.is_terminal()).count();
        if active >= self.config.max_concurrent_per_model {
            return Err(ApiError::new(
                ErrorKind::ServiceQuotaExceeded,
                format!(
                    "You have reached the limit of {} in-progress and submitted batch inference jobs for {}. Wait for a job to end, then try again.",
                    self.config.max_concurrent_per_model, request.model_id
                ),
            ));
        }
        let mut seed = fnv1a(format!("{}{}{}", request.job_name, self.jobs.len(), unix_now()).as_bytes(), 7);
        let mut id = job_id_from(seed);
        while self.jobs.iter().any(|j| j.id == id) {
            seed = seed.wrapping_add(1);
            id = job_id_from(seed);
        }
        let now = unix_now();
        let arn = format!("arn:aws:bedrock:{}:{}:model-invocation-job/{id}", self.config.region, self.config.account);
        self.revision += 1;
        self.jobs.push(Job {
            id,
            arn: arn.clone(),
            model,
            invocation: parsed.invocation,
            input: parsed.input,
            output: parsed.output,
            timeout_hours: parsed.timeout_hours,
            status: JobStatus::Submitted,
            message: None,
            submit_time: now,
            last_modified: now,
            end_time: None,
            total: None,
            processed: None,
            tokens: None,
            succeeded: None,
            failed: None,
            fault: parsed.fault,
            waited: 0,
            stop_requested: false,
            released: false,
            request,
        });
        Ok(arn)
    }

    fn find(&self, identifier: &str) -> Result<usize, ApiError> {
        if !is_job_identifier(identifier) {
            return Err(constraint("jobIdentifier", identifier, JOB_IDENTIFIER_RULE));
        }
        self.jobs.iter().position(|j| j.arn == identifier || j.id == identifier).ok_or_else(|| {
            ApiError::new(
                ErrorKind::ResourceNotFound,
                "The specified resource ARN was not found. Check the ARN and try your request again.",
            )
        })
    }

    /// GetModelInvocationJob, by ARN or bare job id.
    pub fn get(&self, identifier: &str) -> Result<JobDetail, ApiError> {
        Ok(self.jobs[self.find(identifier)?].detail())
    }

    /// ListTagsForResource: the tags a job was created with (`{"tags": [...]}`), by its ARN.
    pub fn tags(&self, resource_arn: &str) -> Result<serde_json::Value, ApiError> {
        if !(20..=1011).contains(&resource_arn.len()) {
            return Err(constraint(
                "resourceARN",
                resource_arn,
                "Member must have length between 20 and 1011 and satisfy the TaggableResourcesArn pattern",
            ));
        }
        let job = self.jobs.iter().find(|j| j.arn == resource_arn).ok_or_else(|| {
            ApiError::new(
                ErrorKind::ResourceNotFound,
                "The specified resource ARN was not found. Check the ARN and try your request again.",
            )
        })?;
        Ok(serde_json::json!({ "tags": job.request.tags.clone().unwrap_or_default() }))
    }

    /// ListModelInvocationJobs with its filters and paging.
    pub fn list(&self, request: &ListJobsRequest) -> Result<ListJobsResponse, ApiError> {
        let max = request.max_results.unwrap_or(1000);
        if !(1..=1000).contains(&max) {
            return Err(constraint("maxResults", &max.to_string(), "Member must have value between 1 and 1000"));
        }
        let enums: [(&str, &Option<String>, &[&str]); 3] = [
            ("statusEquals", &request.status_equals, JOB_STATUSES),
            ("sortBy", &request.sort_by, &["CreationTime"]),
            ("sortOrder", &request.sort_order, &["Ascending", "Descending"]),
        ];
        for (field, value, allowed) in enums {
            if let Some(value) = value
                && !allowed.contains(&value.as_str())
            {
                let rule = format!("Member must satisfy enum value set: [{}]", allowed.join(", "));
                return Err(constraint(field, value, &rule));
            }
        }
        if let Some(name) = &request.name_contains
            && !is_name_filter(name)
        {
            let rule =
                "Member must satisfy regular expression pattern: [a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\\+\\-\\.]){0,63}";
            return Err(constraint("nameContains", name, rule));
        }
        let time = |field: &str, value: &Option<String>| -> Result<Option<i64>, ApiError> {
            value
                .as_deref()
                .map(|text| {
                    batch_core::clock::unix_from_rfc3339(text).ok_or_else(|| {
                        ApiError::validation(format!("Value '{text}' at '{field}' is not a valid ISO 8601 timestamp."))
                    })
                })
                .transpose()
        };
        let (after, before) = (
            time("submitTimeAfter", &request.submit_time_after)?,
            time("submitTimeBefore", &request.submit_time_before)?,
        );
        let start: usize = match &request.next_token {
            None => 0,
            Some(token) => token.parse().map_err(|_| ApiError::validation("The nextToken is not valid."))?,
        };
        let mut matching: Vec<&Job> = self
            .jobs
            .iter()
            .filter(|j| request.status_equals.as_deref().is_none_or(|s| j.status.as_str() == s))
            .filter(|j| request.name_contains.as_deref().is_none_or(|n| j.request.job_name.contains(n)))
            .filter(|j| after.is_none_or(|t| j.submit_time > t) && before.is_none_or(|t| j.submit_time < t))
            .collect();
        if request.descending {
            matching.reverse();
        }
        let page: Vec<JobDetail> = matching.iter().skip(start).take(max).map(|j| j.detail()).collect();
        let next = start + page.len();
        Ok(ListJobsResponse {
            invocation_job_summaries: page,
            next_token: (next < matching.len()).then(|| next.to_string()),
        })
    }

    /// StopModelInvocationJob: only a job that has not ended can be stopped.
    pub fn stop(&mut self, identifier: &str) -> Result<(), ApiError> {
        let index = self.find(identifier)?;
        let job = &mut self.jobs[index];
        match job.status {
            JobStatus::Submitted | JobStatus::Validating | JobStatus::Scheduled | JobStatus::InProgress => {
                job.stop_requested = true;
                job.set(JobStatus::Stopping, None);
                self.revision += 1;
                Ok(())
            }
            _ => Err(ApiError::new(ErrorKind::Conflict, format!("The job is {} and cannot be stopped.", job.status))),
        }
    }

    /// Releases held jobs (fault `hold`): the one named, or every one when `identifier` is `None`; returns how
    /// many were released. An emulator control, not part of Bedrock's API.
    pub fn release(&mut self, identifier: Option<&str>) -> Result<usize, ApiError> {
        let indices = match identifier {
            Some(identifier) => vec![self.find(identifier)?],
            None => (0..self.jobs.len()).collect(),
        };
        let mut released = 0;
        for index in indices {
            let job = &mut self.jobs[index];
            if job.fault == Some(JobFault::Hold) && !job.released && !job.status.is_terminal() {
                job.released = true;
                released += 1;
            }
        }
        if released > 0 {
            self.revision += 1;
        }
        Ok(released)
    }

    /// Advances every job that has not ended by one step, reading and writing through `store`.
    pub fn tick(&mut self, store: &dyn ObjectStore) {
        let limits = self.config.limits;
        for job in self.jobs.iter_mut().filter(|j| !j.status.is_terminal()) {
            worker::step(job, store, &limits);
            self.revision += 1;
        }
    }

    /// The emulated account.
    pub fn account(&self) -> &str {
        &self.config.account
    }

    /// Records of `model_id`'s jobs that have not ended still to be processed (none: the model has no job, so
    /// nothing is published for it).
    pub(crate) fn records_pending(&self, model_id: &str) -> Option<u64> {
        let mut jobs = self.jobs.iter().filter(|j| j.request.model_id == model_id).peekable();
        jobs.peek()?;
        Some(
            jobs.filter(|j| !j.status.is_terminal())
                .map(|j| j.total.unwrap_or(0).saturating_sub(j.processed.unwrap_or(0)))
                .sum(),
        )
    }

    /// When `model_id`'s jobs answered records, and the input and output tokens each time.
    pub(crate) fn processed(&self, model_id: &str) -> Vec<(i64, u64, u64)> {
        self.jobs
            .iter()
            .filter(|j| j.request.model_id == model_id)
            .filter_map(|j| j.tokens.map(|t| (t.at, t.input, t.output)))
            .collect()
    }

    /// True while some job has not ended.
    pub fn has_unfinished_jobs(&self) -> bool {
        self.jobs.iter().any(|j| !j.status.is_terminal())
    }

    /// Ticks until every job has ended (at most `max_ticks`); true when all ended.
    pub fn run_to_end(&mut self, store: &dyn ObjectStore, max_ticks: usize) -> bool {
        for _ in 0..max_ticks {
            if self.jobs.iter().all(|j| j.status.is_terminal()) {
                return true;
            }
            self.tick(store);
        }
        self.jobs.iter().all(|j| j.status.is_terminal())
    }
}

mod file;
mod persist;
mod validation;

pub use file::FileRegistry;
#[cfg(test)]
mod tests;
